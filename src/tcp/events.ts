/**
 * What the engine tells its owner, as discriminated unions (drained with Connection.pollEvent()).
 * Errors are data here; only the net/ layer maps them to Node's Error objects and codes.
 */
import type { TcpSegment } from '../wire/tcp-segment.js';
import type { TcpState } from './state.js';

export type TimerName =
  | 'retransmit'
  | 'persist'
  | 'delayed-ack'
  | 'keepalive'
  | 'fin-wait-2'
  | 'time-wait'
  | 'user-timeout';

export type CommandName = 'open' | 'listen' | 'send' | 'close' | 'abort';

/** Why a state changed: the segment that arrived, the command that was given, or the timer that fired. */
export type StateCause =
  | { kind: 'segment'; segment: TcpSegment }
  | { kind: 'call'; call: CommandName }
  | { kind: 'timer'; timer: TimerName }
  /** An ICMP error reported by the stack (RFC 1122 4.2.3.9, RFC 5927). */
  | { kind: 'icmp'; icmp: 'unreachable' };

export type TcpErrorCode =
  | 'refused' // RST answered our SYN (RFC 9293 §3.10.7.3)
  | 'reset' // RST on a synchronized connection (§3.10.7.4)
  | 'timed-out' // retransmissions or the user timeout gave up (§3.8.3)
  | 'aborted' // our own ABORT
  | 'unreachable'; // an ICMP error during the handshake (RFC 1122 4.2.3.9)

export interface TcpError {
  code: TcpErrorCode;
  message: string;
}

/** Why an arriving segment was not accepted (RFC 9293 §3.10.7). */
export type DropReason =
  | 'not-acceptable' // failed the four-case acceptability test (§3.10.7.4 first check)
  | 'bad-ack' // ACK outside SND.UNA..SND.NXT where it must be dropped
  | 'rst-out-of-window' // RST whose SEQ is outside the window (§3.10.7.4, RFC 5961 §3.2)
  | 'rst-challenged' // in-window RST not exactly RCV.NXT: challenge ACK sent (RFC 5961 §3.2)
  | 'syn-challenged' // SYN in a synchronized state: challenge ACK sent (RFC 5961 §4)
  | 'ack-challenged' // ACK too old or too new: challenge ACK sent (RFC 5961 §5)
  | 'no-ack' // segment without ACK in a state that requires one (§3.10.7.4 fifth check)
  | 'unexpected' // e.g. data in SYN-SENT without SYN, RST in LISTEN
  | 'closed' // the TCB is CLOSED
  | 'duplicate'; // entirely old data (still ACKed)

export type ConnEvent =
  | { type: 'state'; from: TcpState; to: TcpState; cause: StateCause }
  /** The connection reached ESTABLISHED (both directions open). */
  | { type: 'established' }
  /** New in-order bytes can be read. */
  | { type: 'readable' }
  /**
   * The peer's urgent pointer (RFC 9293 §3.8.5, §3.10.7.4 sixth step) put urgent data ahead of what
   * was read, and none was pending before ("urgent mode" begins; MUST-32). Reported once per
   * continuous run of urgent data; `Connection.urgentPending` says how much remains (MUST-33). The
   * urgent bytes themselves are read in-band like any others (RFC 6093).
   */
  | { type: 'urgent' }
  /** The peer's FIN arrived: after the bytes already readable, there will be no more. */
  | { type: 'peer-fin' }
  /** Space was freed in the send buffer. */
  | { type: 'writable' }
  /** A segment was not accepted (for the tracer); an ACK may have been sent in reply. */
  | { type: 'drop'; segment: TcpSegment; reason: DropReason }
  /** The TCB was deleted (state CLOSED). `error` says why when it was not a graceful close. */
  | { type: 'closed'; error?: TcpError };
