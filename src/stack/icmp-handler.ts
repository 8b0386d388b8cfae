/**
 * ICMP and ICMPv6 for the stack: echo replies (RFC 792, RFC 4443 §4), and the errors that concern a
 * TCP connection — destination unreachable and fragmentation needed / packet too big — handed to
 * the connection the quoted header names (RFC 9293 §3.9.2.2 MUST-54; RFC 1191, RFC 8201).
 */
import type { IcmpMessage } from '../wire/icmp.js';
import { buildIcmpPacket } from '../wire/ip-packet.js';
import { seqDiff, seqInWindow } from '../wire/seqnum.js';
import type { StackCounters } from './counters.js';
import type { TcpConnection } from './tcp-connection.js';

/** RFC 8200 §5: every IPv6 link has an MTU of at least 1280; RFC 791: IPv4's minimum is 68. */
export const IPV6_MIN_MTU = 1280;
export const IPV4_MIN_MTU = 68;

/** What ICMP handling needs from its stack. */
export interface IcmpHost {
  readonly counters: StackCounters;
  /** The link MTU: a path MTU is never taken above it. */
  readonly mtu: number;
  now(): number;
  find(
    localAddress: string,
    localPort: number,
    remoteAddress: string,
    remotePort: number,
  ): TcpConnection | undefined;
  sendRaw(packet: Uint8Array): void;
  /** Drain the connection after an input. */
  touch(conn: TcpConnection): void;
}

export function handleIcmp(
  h: IcmpHost,
  version: 4 | 6,
  src: string,
  dst: string,
  msg: IcmpMessage,
): void {
  const v6 = version === 6;
  const c = h.counters;
  if (v6) c.Icmp6InMsgs++;
  else c.IcmpInMsgs++;
  switch (msg.kind) {
    case 'echo-request': {
      if (v6) c.Icmp6InEchos++;
      else c.IcmpInEchos++;
      const reply: IcmpMessage = {
        kind: 'echo-reply',
        id: msg.id,
        sequence: msg.sequence,
        data: msg.data,
      };
      h.sendRaw(buildIcmpPacket(dst, src, reply));
      if (v6) {
        c.Icmp6OutMsgs++;
        c.Icmp6OutEchoReplies++;
      } else {
        c.IcmpOutMsgs++;
        c.IcmpOutEchoReps++;
      }
      return;
    }
    case 'packet-too-big':
    case 'unreachable': {
      if (msg.kind === 'packet-too-big' && v6) c.Icmp6InPktTooBigs++;
      else if (v6) c.Icmp6InDestUnreachs++;
      else c.IcmpInDestUnreachs++;
      // The quoted packet is one we sent: its source is our end (RFC 5927 §2, RFC 1122 4.2.3.9).
      const q = msg.quote;
      if (!q || !q.tcp) return;
      const conn = h.find(q.src, q.tcp.srcPort, q.dst, q.tcp.dstPort);
      if (!conn) return;
      // RFC 5927 §4.1: act only if the quoted sequence number is one we have in flight,
      // SND.UNA <= SEG.SEQ < SND.NXT — an off-path attacker would have to guess it. (RFC 9293
      // §3.9.2.2: the engine fails only an opening connection, as most implementations do.)
      const info = conn.engine.info();
      if (!seqInWindow(q.tcp.seq, info.sndUna, seqDiff(info.sndNxt, info.sndUna))) {
        if (v6) c.Icmp6InErrors++;
        else c.IcmpInErrors++;
        return;
      }
      const now = h.now();
      if (msg.kind === 'packet-too-big') {
        // RFC 1191 §4 / RFC 8201 §4: never below the protocol minimum; an MTU of 0 (a pre-RFC 1191
        // router) carries no information and is ignored.
        if (msg.mtu === 0) return;
        const floor = q.version === 6 ? IPV6_MIN_MTU : IPV4_MIN_MTU;
        const mtu = Math.max(floor, Math.min(msg.mtu, h.mtu));
        // The engine turns it into an MSS with the connection's IP header size (ipHeaderSize).
        conn.engine.handlePathMtu(mtu, now);
      } else {
        conn.engine.handleUnreachable(now, { soft: isSoftUnreachable(q.version, msg.code) });
      }
      h.touch(conn);
      return;
    }
    case 'echo-reply':
    case 'time-exceeded':
    case 'other':
      return;
  }
}

/**
 * RFC 9293 §3.9.2.2: soft errors — which MUST NOT abort a connection (MUST-56) — are IPv4
 * destination unreachable codes 0, 1, 5 and ICMPv6 codes 0, 3; IPv4 codes 2–4 are hard. For the
 * codes the RFC does not list, Linux's classification (icmp_err_convert): IPv4 11 and 12 (network
 * or host unreachable for TOS) soft, the rest hard; ICMPv6 1, 4, 5, 6 (prohibited, port unreachable,
 * policy) hard.
 */
export function isSoftUnreachable(version: 4 | 6, code: number): boolean {
  if (version === 6) return code === 0 || code === 3;
  return code === 0 || code === 1 || code === 5 || code === 11 || code === 12;
}
