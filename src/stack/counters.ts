import type { ParseErrorReason } from '../wire/parse-error.js';

/**
 * Per-stack counters, named as Linux's `nstat` prints them (the MIB names of RFC 1213/RFC 4022 for
 * Tcp*, Ip* and Icmp*, Linux's own TcpExt* extensions), so numbers can be compared with a kernel's.
 */
export interface StackCounters {
  // IP (RFC 4293 ipSystemStats)
  IpInReceives: number;
  IpInHdrErrors: number;
  IpInAddrErrors: number;
  IpInUnknownProtos: number;
  IpInDelivers: number;
  IpOutRequests: number;
  // TCP (RFC 4022)
  TcpActiveOpens: number;
  TcpPassiveOpens: number;
  TcpAttemptFails: number;
  TcpEstabResets: number;
  TcpCurrEstab: number;
  TcpInSegs: number;
  TcpOutSegs: number;
  /** Sum of every connection's retransmitted segments (the engine's info().totalRetransmits). */
  TcpRetransSegs: number;
  TcpInErrs: number;
  TcpInCsumErrors: number;
  TcpOutRsts: number;
  // Linux TcpExt
  /** SYNs dropped because a listener's SYN queue or accept queue was full. */
  TcpExtListenDrops: number;
  /** The accept queue was full (a subset of ListenDrops, as in Linux). */
  TcpExtListenOverflows: number;
  /** Segments the engine did not accept (RFC 9293 §3.10.7 drops). */
  TcpExtTCPUnacceptable: number;
  /** Segments for no connection and no listener (answered with a RST unless they were one). */
  TcpExtTCPNoListener: number;
  // ICMP (RFC 4293 icmpStatsTable; Icmp6* for ICMPv6)
  IcmpInMsgs: number;
  IcmpInErrors: number;
  IcmpInEchos: number;
  IcmpInDestUnreachs: number;
  IcmpOutMsgs: number;
  IcmpOutEchoReps: number;
  Icmp6InMsgs: number;
  Icmp6InErrors: number;
  Icmp6InEchos: number;
  Icmp6InDestUnreachs: number;
  Icmp6InPktTooBigs: number;
  Icmp6OutMsgs: number;
  Icmp6OutEchoReplies: number;
}

export function newCounters(): StackCounters {
  return {
    IpInReceives: 0,
    IpInHdrErrors: 0,
    IpInAddrErrors: 0,
    IpInUnknownProtos: 0,
    IpInDelivers: 0,
    IpOutRequests: 0,
    TcpActiveOpens: 0,
    TcpPassiveOpens: 0,
    TcpAttemptFails: 0,
    TcpEstabResets: 0,
    TcpCurrEstab: 0,
    TcpInSegs: 0,
    TcpOutSegs: 0,
    TcpRetransSegs: 0,
    TcpInErrs: 0,
    TcpInCsumErrors: 0,
    TcpOutRsts: 0,
    TcpExtListenDrops: 0,
    TcpExtListenOverflows: 0,
    TcpExtTCPUnacceptable: 0,
    TcpExtTCPNoListener: 0,
    IcmpInMsgs: 0,
    IcmpInErrors: 0,
    IcmpInEchos: 0,
    IcmpInDestUnreachs: 0,
    IcmpOutMsgs: 0,
    IcmpOutEchoReps: 0,
    Icmp6InMsgs: 0,
    Icmp6InErrors: 0,
    Icmp6InEchos: 0,
    Icmp6InDestUnreachs: 0,
    Icmp6InPktTooBigs: 0,
    Icmp6OutMsgs: 0,
    Icmp6OutEchoReplies: 0,
  };
}

/** Counts a packet the wire codec refused, under the MIB counter it belongs to. */
export function countParseError(c: StackCounters, reason: ParseErrorReason): void {
  switch (reason) {
    case 'bad-checksum':
      // parsePacket verifies TCP and ICMP checksums; both are counted as TCP's here (the
      // ParseResult does not say which), the common case by far.
      c.TcpInCsumErrors++;
      c.TcpInErrs++;
      return;
    case 'bad-data-offset':
    case 'bad-option':
      c.TcpInErrs++;
      return;
    case 'not-tcp':
      c.IpInUnknownProtos++;
      return;
    default:
      c.IpInHdrErrors++;
  }
}
