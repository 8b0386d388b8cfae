/**
 * Helpers for driving one Connection by hand: build exact segments, drain what it sends and the
 * events it reports, and record every state change so that the transitions test can check that
 * each arrow of TRANSITIONS was taken.
 */
import { Connection } from '../../src/tcp/connection.js';
import { resolveTcpConfig, type TcpConfig } from '../../src/tcp/config.js';
import type { CommandName, ConnEvent } from '../../src/tcp/events.js';
import type { Transition } from '../../src/tcp/transitions.js';
import type { TcpState } from '../../src/tcp/state.js';
import { seq, type SeqNum } from '../../src/wire/seqnum.js';
import {
  TcpFlag,
  flagNames,
  type TcpOptions,
  type TcpSegment,
} from '../../src/wire/tcp-segment.js';

export const { SYN, ACK, FIN, RST, PSH, URG } = TcpFlag;

/**
 * Every arrow taken by a connection driven through these helpers (or the Pair), in this process,
 * keyed like rowKey() keys the rows of TRANSITIONS: from, to, trigger, and for user calls the call.
 */
export const takenArrows = new Set<string>();
const CALL_EVENT: Record<CommandName, string> = {
  open: 'active OPEN',
  listen: 'passive OPEN',
  send: 'SEND',
  close: 'CLOSE',
  abort: 'ABORT',
};
export function recordState(e: ConnEvent): void {
  if (e.type !== 'state') return;
  const c = e.cause;
  const trigger = c.kind === 'call' ? `call ${CALL_EVENT[c.call]}` : c.kind;
  takenArrows.add(`${e.from} → ${e.to} (${trigger})`);
}
export function rowKey(t: Transition): string {
  const trigger = t.trigger === 'call' ? `call ${t.event}` : t.trigger;
  return `${t.from} → ${t.to} (${trigger})`;
}

export const A_PORT = 40000;
export const B_PORT = 80;

/** Small, deterministic settings for exact-segment tests (no window scaling unless asked). */
export function testConfig(partial: Partial<TcpConfig> = {}): TcpConfig {
  return resolveTcpConfig({
    mss: 1000,
    windowScaling: false,
    sendBufferSize: 64 * 1024,
    receiveBufferSize: 8000,
    ...partial,
  });
}

export interface SegSpec {
  seq?: number;
  ack?: number;
  flags: number;
  window?: number;
  payload?: Uint8Array;
  options?: TcpOptions;
  /** The urgent pointer field (meaningful with URG). */
  urgent?: number;
  srcPort?: number;
  dstPort?: number;
}

/** A segment from the peer (B_PORT → A_PORT unless said otherwise). */
export function seg(s: SegSpec): TcpSegment {
  return {
    srcPort: s.srcPort ?? B_PORT,
    dstPort: s.dstPort ?? A_PORT,
    seq: seq(s.seq ?? 0),
    ack: seq(s.ack ?? 0),
    flags: s.flags,
    window: s.window ?? 8000,
    urgent: s.urgent ?? 0,
    options: s.options ?? {},
    payload: s.payload ?? new Uint8Array(0),
  };
}

/** The fields a test compares (payload as its length and bytes). */
export interface Shape {
  seq: number;
  ack: number;
  flags: string;
  window: number;
  len: number;
  options?: TcpOptions;
}

export function shape(s: TcpSegment, withOptions = false): Shape {
  const out: Shape = {
    seq: s.seq,
    ack: s.ack,
    flags: flagNames(s.flags).join(','),
    window: s.window,
    len: s.payload.length,
  };
  if (withOptions) out.options = s.options;
  return out;
}

/** shape() plus the urgent pointer field, for the urgent-data tests. */
export function shapeUrg(s: TcpSegment): Shape & { up: number } {
  return { ...shape(s), up: s.urgent };
}

/** A wrapper that records every event and state change of one Connection. */
export class Driver {
  readonly events: ConnEvent[] = [];
  constructor(readonly conn: Connection) {
    this.collect();
  }

  collect(): ConnEvent[] {
    const fresh: ConnEvent[] = [];
    for (let i = 0; i < 10_000; i++) {
      const e = this.conn.pollEvent();
      if (e === undefined) break;
      recordState(e);
      fresh.push(e);
      this.events.push(e);
    }
    return fresh;
  }

  /** Feeds a segment, returns what the connection sends back (all of it). */
  input(s: TcpSegment, now: number): TcpSegment[] {
    this.conn.handleSegment(s, now);
    return this.output(now);
  }

  output(now: number): TcpSegment[] {
    const out: TcpSegment[] = [];
    for (let i = 0; i < 10_000; i++) {
      const s = this.conn.pollTransmit(now);
      if (s === undefined) break;
      out.push(s);
    }
    this.collect();
    return out;
  }

  /** Runs the timers due at `now`, returns what was sent. */
  tick(now: number): TcpSegment[] {
    this.conn.handleTimeout(now);
    return this.output(now);
  }

  /** Jumps to the next timer deadline and runs it. */
  fireNext(): { at: number; out: TcpSegment[] } {
    const at = this.conn.pollTimeout();
    if (at === undefined) throw new Error('no timer is running');
    return { at, out: this.tick(at) };
  }

  get state(): TcpState {
    return this.conn.state;
  }

  closedEvents(): ConnEvent[] {
    return this.events.filter((e) => e.type === 'closed');
  }

  drops(): string[] {
    return this.events.flatMap((e) => (e.type === 'drop' ? [e.reason] : []));
  }
}

export function activeOpen(cfg: Partial<TcpConfig> = {}, iss = 1000, now = 0): Driver {
  return new Driver(
    Connection.connect({
      config: testConfig(cfg),
      localPort: A_PORT,
      remotePort: B_PORT,
      iss: seq(iss),
      now,
    }),
  );
}

export function passiveOpen(cfg: Partial<TcpConfig> = {}, iss = 5000, now = 0): Driver {
  return new Driver(
    Connection.listen({
      config: testConfig(cfg),
      localPort: A_PORT,
      remotePort: 0,
      iss: seq(iss),
      now,
    }),
  );
}

/**
 * An ESTABLISHED connection by active open: our ISS 1000, the peer's 9000 (so our RCV.NXT is
 * 9001 and SND.NXT 1001). Returns the driver with its output drained.
 */
export function established(cfg: Partial<TcpConfig> = {}, peerWindow = 8000): Driver {
  const d = activeOpen(cfg);
  d.output(0);
  d.input(
    seg({ seq: 9000, ack: 1001, flags: SYN | ACK, window: peerWindow, options: { mss: 1000 } }),
    10,
  );
  return d;
}

/** An ESTABLISHED connection by passive open: our ISS 5000, the peer's 7000. */
export function acceptedConn(cfg: Partial<TcpConfig> = {}): Driver {
  const d = passiveOpen(cfg);
  d.input(seg({ seq: 7000, flags: SYN, options: { mss: 1000 } }), 0);
  d.input(seg({ seq: 7001, ack: 5001, flags: ACK }), 10);
  return d;
}

export const bytes = (n: number, from = 0): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (from + i * 7) & 0xff);

export type { SeqNum };
