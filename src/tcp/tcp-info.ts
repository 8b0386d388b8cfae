/** A snapshot of one connection's variables, in the spirit of Linux's struct tcp_info. */
import type { SeqNum } from '../wire/seqnum.js';
import type { TcpState } from './state.js';

export interface TcpInfo {
  state: TcpState;
  /** RFC 9293 §3.3.1 send sequence variables (sndNxt is the highest sequence number sent + 1). */
  sndUna: SeqNum;
  sndNxt: SeqNum;
  /** The peer's window in bytes (already scaled). */
  sndWnd: number;
  rcvNxt: SeqNum;
  /** The window we last advertised, in bytes. */
  rcvWnd: number;
  /** Effective send MSS (peer's MSS option, our MTU, path MTU). */
  sndMss: number;
  /** The MSS we advertised. */
  rcvMss: number;
  /** RFC 6298 estimator state, ms (undefined before the first sample). */
  srtt: number | undefined;
  rttvar: number | undefined;
  rto: number;
  cwnd: number;
  ssthresh: number;
  /** Consecutive retransmission timeouts (the current backoff). */
  retransmits: number;
  /** Segments retransmitted over the connection's life. */
  totalRetransmits: number;
  bytesInFlight: number;
  /** Payload bytes transmitted, retransmissions included. */
  bytesSent: number;
  /** Payload bytes acknowledged by the peer. */
  bytesAcked: number;
  /** Payload bytes received in order. */
  bytesReceived: number;
  /** Bytes in the send buffer (unacknowledged + unsent). */
  sendBuffered: number;
  /** Bytes ready to read. */
  receiveBuffered: number;
  /** Window scale shifts in use (RFC 7323 §2): send = the peer's, recv = ours; 0 when not negotiated. */
  windowScale: { send: number; recv: number };
}
