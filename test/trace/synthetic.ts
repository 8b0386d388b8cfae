/**
 * Hand-made trace events (no stack involved) for the trace layer's tests: a complete connection
 * between 198.18.0.1:40000 (client) and 198.18.0.2:80 (server), ISNs 1000 and 5000, one path delay
 * of 10 ms, with optional losses and refusals.
 */
import { seq } from '../../src/wire/seqnum.js';
import { TcpFlag, type TcpSegment } from '../../src/wire/tcp-segment.js';
import type { FourTuple, TraceEvent } from '../../src/stack/trace-event.js';
import type { TcpState } from '../../src/tcp/state.js';
import type { StateCause } from '../../src/tcp/events.js';

export const C = '198.18.0.1:40000';
export const S = '198.18.0.2:80';
export const C_ISN = 1000;
export const S_ISN = 5000;

const cTuple: FourTuple = {
  localAddress: '198.18.0.1',
  localPort: 40000,
  remoteAddress: '198.18.0.2',
  remotePort: 80,
};
const sTuple: FourTuple = {
  localAddress: '198.18.0.2',
  localPort: 80,
  remoteAddress: '198.18.0.1',
  remotePort: 40000,
};

export function seg(
  from: 'c' | 's',
  flags: number,
  seqNo: number,
  ackNo: number,
  len = 0,
  opts: Partial<TcpSegment> = {},
): TcpSegment {
  const payload = new Uint8Array(len);
  for (let i = 0; i < len; i++) payload[i] = 97 + (i % 26);
  return {
    srcPort: from === 'c' ? 40000 : 80,
    dstPort: from === 'c' ? 80 : 40000,
    seq: seq(seqNo),
    ack: seq(ackNo),
    flags,
    window: 65535,
    urgent: 0,
    options: {},
    payload,
    ...opts,
  };
}

export class TraceBuilder {
  readonly events: TraceEvent[] = [];

  state(
    host: 'client' | 'server',
    t: number,
    from: TcpState,
    to: TcpState,
    cause: StateCause,
  ): this {
    this.events.push({
      type: 'state',
      t,
      host,
      conn: host === 'client' ? cTuple : sTuple,
      from,
      to,
      cause,
    });
    return this;
  }

  send(t: number, s: TcpSegment, from: 'c' | 's'): this {
    this.events.push({
      type: 'segment',
      t,
      host: from === 'c' ? 'client' : 'server',
      event: 'send',
      src: from === 'c' ? C : S,
      dst: from === 'c' ? S : C,
      segment: s,
    });
    return this;
  }

  recv(t: number, s: TcpSegment, from: 'c' | 's'): this {
    this.events.push({
      type: 'segment',
      t,
      host: from === 'c' ? 'server' : 'client',
      event: 'recv',
      src: from === 'c' ? C : S,
      dst: from === 'c' ? S : C,
      segment: s,
    });
    return this;
  }

  drop(t: number, s: TcpSegment, from: 'c' | 's', host: string, reason: string): this {
    this.events.push({
      type: 'segment',
      t,
      host,
      event: 'drop',
      src: from === 'c' ? C : S,
      dst: from === 'c' ? S : C,
      segment: s,
      reason,
    });
    return this;
  }

  /** send at t, recv at t + 10. */
  hop(t: number, s: TcpSegment, from: 'c' | 's'): this {
    return this.send(t, s, from).recv(t + 10, s, from);
  }
}

const { SYN, ACK, FIN, PSH } = TcpFlag;

/**
 * The whole life: handshake (the first SYN lost when `synLost`), a 100-byte request, a 300-byte
 * answer, close by the client first, TIME-WAIT ending at t = 60 100.
 */
export function fullConnection(o: { synLost?: boolean } = {}): TraceEvent[] {
  const b = new TraceBuilder();
  const syn = seg('c', SYN, C_ISN, 0, 0, { options: { mss: 1460 } });
  b.state('server', 0, 'CLOSED', 'LISTEN', { kind: 'call', call: 'listen' });
  b.state('client', 0, 'CLOSED', 'SYN-SENT', { kind: 'call', call: 'open' });
  let t = 0;
  if (o.synLost) {
    b.send(0, syn, 'c').drop(0, syn, 'c', 'net', 'loss');
    t = 1000;
  }
  b.send(t, syn, 'c').recv(t + 10, syn, 'c');
  b.state('server', t + 10, 'LISTEN', 'SYN-RECEIVED', { kind: 'segment', segment: syn });
  const synAck = seg('s', SYN | ACK, S_ISN, C_ISN + 1, 0, { options: { mss: 1460 } });
  b.send(t + 10, synAck, 's').recv(t + 20, synAck, 's');
  b.state('client', t + 20, 'SYN-SENT', 'ESTABLISHED', { kind: 'segment', segment: synAck });
  const ack = seg('c', ACK, C_ISN + 1, S_ISN + 1);
  b.send(t + 20, ack, 'c').recv(t + 30, ack, 'c');
  b.state('server', t + 30, 'SYN-RECEIVED', 'ESTABLISHED', { kind: 'segment', segment: ack });
  const req = seg('c', PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
  b.hop(t + 20, req, 'c');
  const resp = seg('s', PSH | ACK, S_ISN + 1, C_ISN + 101, 300);
  b.hop(t + 30, resp, 's');
  b.state('client', t + 40, 'ESTABLISHED', 'FIN-WAIT-1', { kind: 'call', call: 'close' });
  const fin1 = seg('c', FIN | ACK, C_ISN + 101, S_ISN + 301);
  b.send(t + 40, fin1, 'c').recv(t + 50, fin1, 'c');
  b.state('server', t + 50, 'ESTABLISHED', 'CLOSE-WAIT', { kind: 'segment', segment: fin1 });
  const ackFin1 = seg('s', ACK, S_ISN + 301, C_ISN + 102);
  b.send(t + 50, ackFin1, 's').recv(t + 60, ackFin1, 's');
  b.state('client', t + 60, 'FIN-WAIT-1', 'FIN-WAIT-2', { kind: 'segment', segment: ackFin1 });
  b.state('server', t + 51, 'CLOSE-WAIT', 'LAST-ACK', { kind: 'call', call: 'close' });
  const fin2 = seg('s', FIN | ACK, S_ISN + 301, C_ISN + 102);
  b.send(t + 51, fin2, 's').recv(t + 61, fin2, 's');
  b.state('client', t + 61, 'FIN-WAIT-2', 'TIME-WAIT', { kind: 'segment', segment: fin2 });
  const ackFin2 = seg('c', ACK, C_ISN + 102, S_ISN + 302);
  b.send(t + 61, ackFin2, 'c').recv(t + 71, ackFin2, 'c');
  b.state('server', t + 71, 'LAST-ACK', 'CLOSED', { kind: 'segment', segment: ackFin2 });
  b.state('client', t + 60_061, 'TIME-WAIT', 'CLOSED', { kind: 'timer', timer: 'time-wait' });
  // Sources may interleave; the ladder sorts by time (stable).
  return b.events;
}
