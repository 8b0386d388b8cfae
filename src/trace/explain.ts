/**
 * One line per step for a learner (`synack demo --explain`): why this segment was sent, why its
 * ACK number is what it is, why a side changed state. Written from the ladder alone, so it works
 * for a capture as well as for synack's own traffic. Numbers are the relative ones the ladder shows
 * (0 = the ISN), with the absolute ISN named once, where the SYN carries it.
 */
import type { TcpState } from '../tcp/state.js';
import type { Arrow, Ladder, StateMark, Step } from './ladder.js';
import { hasFlag } from './segment-view.js';

const STATE_WHY: Partial<Record<TcpState, string>> = {
  'SYN-SENT': 'its SYN is out, waiting for the SYN-ACK',
  'SYN-RECEIVED': 'it got a SYN and answered SYN-ACK; waiting for the ACK of its own SYN',
  ESTABLISHED: 'both SYNs are acknowledged: data may flow both ways',
  'FIN-WAIT-1': 'it closed: its FIN is out, not yet acknowledged',
  'FIN-WAIT-2': 'its FIN is acknowledged; the other side may still send',
  'CLOSE-WAIT': 'the peer is done sending; it may still send until it closes too',
  CLOSING: 'both FINs crossed: waiting for the ACK of its own FIN',
  'LAST-ACK': 'it closed after the peer: waiting for the ACK of its FIN',
  'TIME-WAIT': 'both FINs done: it waits 2·MSL so a lost last ACK can be repeated (RFC 9293 §3.6)',
  CLOSED: 'the connection is gone',
  LISTEN: 'waiting for a SYN',
};

function stateWhy(l: Ladder, m: StateMark): string {
  const who = l.lanes[m.lane]?.label ?? '?';
  if (m.cause.kind === 'timer') {
    if (m.cause.timer === 'time-wait')
      return `${who}: 2·MSL passed in TIME-WAIT, no old duplicate can still arrive → CLOSED`;
    if (m.cause.timer === 'fin-wait-2')
      return `${who}: the peer never sent its FIN; the FIN-WAIT-2 timer gave up → CLOSED`;
    return `${who}: the ${m.cause.timer} timer fired → ${m.to}`;
  }
  if (m.cause.kind === 'call' && m.cause.call === 'abort') return `${who} aborted → ${m.to}`;
  return `${who} ${m.to}: ${STATE_WHY[m.to] ?? ''}`;
}

/** " (1000 + 1 = 1001 on the wire)": the absolute numbers behind a relative ACK of an ISN. */
function abs(isn: number | undefined, ack: number): string {
  return isn === undefined ? '' : ` (${isn} + 1 = ${ack} on the wire)`;
}

interface Dir {
  isn?: number;
  /** Last pure ACK number seen in this direction, and how many times in a row. */
  lastAck?: number;
  lastWin?: number;
  dups: number;
  finRel?: number;
  /** The receiver of this direction advertised a zero window. */
  zeroWindow: boolean;
  /** Relative sequence number of the last window probe's byte. */
  probe?: number;
}

/** The learner's line for each step (steps without one are absent). */
export function explainLadder(l: Ladder): Map<Step, string> {
  const out = new Map<Step, string>();
  const dirs = new Map<string, Dir>();
  const dir = (a: Arrow, reverse = false): Dir => {
    const k = reverse ? `${a.view.dst}>${a.view.src}` : `${a.view.src}>${a.view.dst}`;
    let d = dirs.get(k);
    if (!d) {
      d = { dups: 0, zeroWindow: false };
      dirs.set(k, d);
    }
    return d;
  };
  const name = (lane: number): string => l.lanes[lane]?.label ?? '?';
  const laneState = new Map<number, TcpState>();
  l.lanes.forEach((x, i) => {
    if (x.initial) laneState.set(i, x.initial);
  });
  for (const s of l.steps) {
    for (const m of s.kind === 'state' ? s.marks : s.before) laneState.set(m.lane, m.to);
    if (s.kind === 'state') {
      out.set(s, s.marks.map((m) => stateWhy(l, m)).join('; '));
      continue;
    }
    const a = s;
    const v = a.view;
    const me = dir(a);
    const peer = dir(a, true);
    const from = name(a.from);
    const to = name(a.to);
    const parts: string[] = [];
    const syn = hasFlag(v, 'SYN');
    const ack = hasFlag(v, 'ACK');
    const fin = hasFlag(v, 'FIN');
    const rst = hasFlag(v, 'RST');
    if (rst) {
      if (ack && peer.isn !== undefined && me.isn === undefined)
        parts.push(
          `RST,ACK: nothing listens on ${from}'s port ${v.src.slice(v.src.lastIndexOf(':') + 1)}: the connection is refused (RFC 9293 §3.10.7.1)`,
        );
      else if (a.before.some((m) => m.cause.kind === 'call' && m.cause.call === 'abort'))
        parts.push(`RST: ${from} aborted: no FIN exchange, ${to} drops the connection at once`);
      else parts.push(`RST: ${from} resets the connection (RFC 9293 §3.10.7)`);
    } else if (syn && !ack) {
      if (a.retransmission)
        parts.push(
          `no SYN-ACK came within the retransmission timeout: the SYN is sent again (RFC 6298 §5: the timeout doubles)`,
        );
      else {
        me.isn = v.seq;
        parts.push(
          `SYN: ${from} opens; seq ${v.seq} is its random ISN (RFC 6528), shown as 0 from here on` +
            (v.mss !== undefined ? `; MSS ${v.mss}` : ''),
        );
      }
    } else if (syn && ack) {
      if (!a.retransmission) me.isn = v.seq;
      parts.push(
        `${a.retransmission ? 'SYN-ACK again (no ACK came back in time)' : `SYN-ACK: ${from}'s own ISN ${v.seq}`}; ack=${v.relAck} = ${to}'s ISN + 1${abs(peer.isn, v.ack)}: the SYN counts as one byte`,
      );
    } else if (fin) {
      me.finRel = v.relSeq + v.len;
      parts.push(
        `${a.retransmission ? 'FIN again (its ACK did not come in time)' : `FIN: ${from} has nothing more to send`}` +
          (v.len > 0 ? ` after ${v.len} bytes` : '') +
          `; the FIN takes sequence number ${v.relSeq + v.len}`,
      );
    } else if (v.len > 0) {
      const last = v.relSeq + v.len - 1;
      if (a.retransmission && me.probe === v.relSeq) {
        parts.push(
          `the window is open again: ${from} sends from byte ${v.relSeq}, the one its probe carried`,
        );
      } else if (a.retransmission) {
        parts.push(
          peer.dups >= 3
            ? `fast retransmit: ${peer.dups} duplicate ACKs for ${peer.lastAck} mean byte ${v.relSeq} was lost (RFC 5681 §3.2)`
            : `retransmission of bytes ${v.relSeq}–${last}: no ACK for them before the timeout (RFC 6298)`,
        );
      } else if (me.zeroWindow && v.len === 1) {
        me.probe = v.relSeq;
        parts.push(
          `window probe: ${to}'s window is 0, so ${from} sends one byte to learn when it opens (RFC 9293 §3.8.6.1)`,
        );
      } else {
        parts.push(`${v.len} bytes, ${v.relSeq}–${last} of ${from}'s stream`);
      }
    } else if (ack) {
      // RFC 5681 §2: a duplicate ACK repeats the last ACK number and window, carrying no data.
      if (peer.zeroWindow && v.win > 0) {
        parts.push(
          `window update: ${from}'s application read data, the window reopens (win=${v.win}): ${to} may send again`,
        );
      } else if (me.lastAck === v.relAck && me.lastWin === v.win && v.win !== 0) {
        me.dups++;
        parts.push(
          `duplicate ACK #${me.dups}: ${from} still expects byte ${v.relAck}; something after it arrived out of order`,
        );
      } else if (peer.finRel !== undefined && v.relAck === peer.finRel + 1) {
        parts.push(`ack=${v.relAck} = ${to}'s FIN (${peer.finRel}) + 1: the FIN is acknowledged`);
      } else if (v.relAck === 1 && peer.isn !== undefined && me.lastAck === undefined) {
        parts.push(
          `ack=1 = ${to}'s ISN + 1${abs(peer.isn, v.ack)}: the third segment of the handshake`,
        );
      } else {
        parts.push(
          `ack=${v.relAck}: every byte before ${v.relAck} arrived; ${v.relAck} is the next one ${from} expects`,
        );
      }
    }
    if (ack && !syn && !rst && v.len === 0 && !fin) {
      if (me.lastAck !== v.relAck || me.lastWin !== v.win) me.dups = 0;
      me.lastAck = v.relAck;
      me.lastWin = v.win;
    } else if (ack && !rst) {
      me.lastAck = v.relAck;
      me.lastWin = v.win;
      me.dups = 0;
    }
    if (v.win === 0 && !rst) {
      peer.zeroWindow = true;
      parts.push(
        `win=0: ${from}'s receive buffer is full, ${to} must stop sending (persist timer, RFC 9293 §3.8.6.1)`,
      );
    } else if (ack) peer.zeroWindow = false;
    if (a.reason === 'duplicate' && a.fate === 'delivered') {
      parts.push(
        `${to} has had it already and only ACKs it again` +
          (fin && laneState.get(a.to) === 'TIME-WAIT'
            ? ': answering a repeated FIN is what TIME-WAIT is for (RFC 9293 §3.6)'
            : ''),
      );
    }
    if (a.fate === 'lost') parts.push('lost in the network');
    else if (a.fate === 'dropped' && a.reason === 'no-listener')
      parts.push(`no connection and no listener at ${v.dst}: ${to}'s stack answers with a RST`);
    else if (a.fate === 'dropped')
      parts.push(`${to} does not accept it (${a.reason ?? 'dropped'})`);
    for (const m of a.after) parts.push(stateWhy(l, m));
    for (const m of a.after) laneState.set(m.lane, m.to);
    out.set(a, parts.join('; '));
  }
  return out;
}
