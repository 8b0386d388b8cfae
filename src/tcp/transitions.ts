/**
 * The state machine as data (in the manner of h11): every arrow of RFC 9293 Figure 5, plus the
 * arrows the prose of §3.10 adds (resets, aborts, timeouts). The engine's single setState()
 * refuses any change that is not listed here, and the state diagrams in the docs and the web page
 * are generated from this table, so the picture and the code cannot drift apart.
 */
import type { TcpState } from './state.js';

/** What makes a transition happen. */
export type TransitionTrigger =
  | 'call' // a user command (OPEN, SEND, CLOSE, ABORT)
  | 'segment' // an arriving segment
  | 'timer' // a timeout
  | 'icmp'; // an ICMP error the stack passed on

export interface Transition {
  from: TcpState;
  to: TcpState;
  trigger: TransitionTrigger;
  /** The event above the line in Figure 5's notation, e.g. "rcv SYN". */
  event: string;
  /** The action below the line, e.g. "snd SYN,ACK" ('' for none). */
  action: string;
  /** Where the RFC says so. */
  rfc: string;
  /** True for the arrows drawn in RFC 9293 Figure 5 itself. */
  figure5: boolean;
}

const t = (
  from: TcpState,
  to: TcpState,
  trigger: TransitionTrigger,
  event: string,
  action: string,
  rfc: string,
  figure5 = true,
): Transition => ({ from, to, trigger, event, action, rfc, figure5 });

export const TRANSITIONS: readonly Transition[] = [
  // Opening (RFC 9293 §3.5, §3.10.1, §3.10.7.2, §3.10.7.3)
  t('CLOSED', 'LISTEN', 'call', 'passive OPEN', 'create TCB', '§3.10.1'),
  t('CLOSED', 'SYN-SENT', 'call', 'active OPEN', 'snd SYN', '§3.10.1'),
  t('LISTEN', 'SYN-RECEIVED', 'segment', 'rcv SYN', 'snd SYN,ACK', '§3.10.7.2'),
  t('LISTEN', 'SYN-SENT', 'call', 'SEND', 'snd SYN', '§3.10.2'),
  t('LISTEN', 'CLOSED', 'call', 'CLOSE', 'delete TCB', '§3.10.4'),
  t('SYN-SENT', 'SYN-RECEIVED', 'segment', 'rcv SYN', 'snd SYN,ACK', '§3.10.7.3'),
  t('SYN-SENT', 'ESTABLISHED', 'segment', 'rcv SYN,ACK', 'snd ACK', '§3.10.7.3'),
  t('SYN-SENT', 'CLOSED', 'call', 'CLOSE', 'delete TCB', '§3.10.4'),
  t('SYN-SENT', 'CLOSED', 'segment', 'rcv RST,ACK (refused)', 'delete TCB', '§3.10.7.3', false),
  t('SYN-SENT', 'CLOSED', 'timer', 'SYN retries exhausted', 'delete TCB', '§3.8.3', false),
  t('SYN-SENT', 'CLOSED', 'call', 'ABORT', 'delete TCB', '§3.10.5', false),
  t('SYN-SENT', 'CLOSED', 'icmp', 'ICMP unreachable', 'delete TCB', 'RFC 1122 4.2.3.9', false),
  t('SYN-RECEIVED', 'ESTABLISHED', 'segment', 'rcv ACK of SYN', '', '§3.10.7.4'),
  t('SYN-RECEIVED', 'FIN-WAIT-1', 'call', 'CLOSE', 'snd FIN', '§3.10.4'),
  t('SYN-RECEIVED', 'LISTEN', 'segment', 'rcv RST (passive open)', '', '§3.10.7.4'),
  t('SYN-RECEIVED', 'CLOSED', 'segment', 'rcv RST (active open)', 'delete TCB', '§3.10.7.4', false),
  t('SYN-RECEIVED', 'CLOSED', 'timer', 'SYN,ACK retries exhausted', 'delete TCB', '§3.8.3', false),
  t('SYN-RECEIVED', 'CLOSED', 'call', 'ABORT', 'snd RST', '§3.10.5', false),
  // Established and closing (RFC 9293 §3.6, §3.10.4, §3.10.7.4)
  t('ESTABLISHED', 'FIN-WAIT-1', 'call', 'CLOSE', 'snd FIN', '§3.10.4'),
  t('ESTABLISHED', 'CLOSE-WAIT', 'segment', 'rcv FIN', 'snd ACK', '§3.10.7.4'),
  t('FIN-WAIT-1', 'FIN-WAIT-2', 'segment', 'rcv ACK of FIN', '', '§3.10.7.4'),
  t('FIN-WAIT-1', 'CLOSING', 'segment', 'rcv FIN', 'snd ACK', '§3.10.7.4'),
  t('FIN-WAIT-1', 'TIME-WAIT', 'segment', 'rcv FIN + ACK of FIN', 'snd ACK', '§3.10.7.4', false),
  t('FIN-WAIT-2', 'TIME-WAIT', 'segment', 'rcv FIN', 'snd ACK', '§3.10.7.4'),
  t(
    'FIN-WAIT-2',
    'CLOSED',
    'timer',
    'FIN-WAIT-2 timeout',
    'delete TCB',
    'RFC 9293 §3.6 / RFC 1122 4.2.2.20',
    false,
  ),
  t('CLOSE-WAIT', 'LAST-ACK', 'call', 'CLOSE', 'snd FIN', '§3.10.4'),
  t('CLOSING', 'TIME-WAIT', 'segment', 'rcv ACK of FIN', '', '§3.10.7.4'),
  t('LAST-ACK', 'CLOSED', 'segment', 'rcv ACK of FIN', 'delete TCB', '§3.10.7.4'),
  t('TIME-WAIT', 'CLOSED', 'timer', 'Timeout=2MSL', 'delete TCB', '§3.10.8'),
  // Resets, aborts and give-ups in synchronized states (§3.10.5, §3.10.7.4, §3.8.3)
  ...(['ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSE-WAIT'] as const).flatMap((s) => [
    t(s, 'CLOSED', 'segment', 'rcv RST', 'delete TCB', '§3.10.7.4', false),
    t(s, 'CLOSED', 'call', 'ABORT', 'snd RST', '§3.10.5', false),
    t(s, 'CLOSED', 'timer', 'retransmission / user timeout', 'delete TCB', '§3.8.3', false),
  ]),
  ...(['CLOSING', 'LAST-ACK', 'TIME-WAIT'] as const).flatMap((s) => [
    t(s, 'CLOSED', 'segment', 'rcv RST', 'delete TCB', '§3.10.7.4', false),
    t(s, 'CLOSED', 'call', 'ABORT', 'delete TCB', '§3.10.5', false),
  ]),
  t('CLOSING', 'CLOSED', 'timer', 'retransmission / user timeout', 'delete TCB', '§3.8.3', false),
  t('LAST-ACK', 'CLOSED', 'timer', 'retransmission / user timeout', 'delete TCB', '§3.8.3', false),
];

/**
 * TRANSITIONS by from: each state's arrows, one per target state (the first listed wins, as a
 * search of the list would find it). setState checks every state change of every connection, ~11
 * per connection's life: one Map lookup, then a scan of at most five arrows comparing interned
 * state strings (a second Map lookup cost more than the scan).
 */
const BY_FROM = new Map<TcpState, Transition[]>();
for (const x of TRANSITIONS) {
  let row = BY_FROM.get(x.from);
  if (!row) BY_FROM.set(x.from, (row = []));
  if (!row.some((y) => y.to === x.to)) row.push(x);
}

/** The listed transition from → to, if any. */
export function findTransition(from: TcpState, to: TcpState): Transition | undefined {
  const row = BY_FROM.get(from);
  if (row === undefined) return undefined;
  for (let i = 0; i < row.length; i++) {
    const x = row[i] as Transition;
    if (x.to === to) return x;
  }
  return undefined;
}
