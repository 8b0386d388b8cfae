/**
 * NDJSON export and import of traces: one JSON object a line. Every line has `t` (milliseconds since
 * the start of the trace) and `type`. Segment lines carry `event` (send | recv | drop), `src`, `dst`,
 * `seq`, `ack` (absolute, unsigned 32-bit), `relSeq`, `relAck` (relative to each direction's ISN,
 * as Wireshark shows them), `flags` (names), `len` (payload bytes), `win` (the raw window field)
 * and, for drops, `reason`. State lines carry `host`, `conn` (the 4-tuple), `from`, `to` and
 * `cause`. Reading a file back gives TraceEvents again (payload bytes are not exported: they come
 * back as zeros of the right length), so every renderer works from a saved trace too.
 */
import { seq } from '../wire/seqnum.js';
import {
  TcpFlag,
  type TcpFlagName,
  type TcpOptions,
  type TcpSegment,
} from '../wire/tcp-segment.js';
import type { FourTuple, TraceEvent } from '../stack/trace-event.js';
import type { StateCause, CommandName, TimerName } from '../tcp/events.js';
import { TCP_STATES, type TcpState } from '../tcp/state.js';
import { endpoint, parseEndpoint } from './endpoint.js';
import { RelativeSeq, type SegmentView } from './segment-view.js';
import type { Traced } from './traced.js';

export type NdjsonCause =
  | { kind: 'call'; call: CommandName }
  | { kind: 'timer'; timer: TimerName }
  | { kind: 'icmp'; icmp: 'unreachable' }
  | { kind: 'segment'; flags: TcpFlagName[]; seq: number; ack: number; len: number };

export type NdjsonRecord =
  | ({
      t: number;
      type: 'segment';
      host: string;
      event: 'send' | 'recv' | 'drop';
      reason?: string;
    } & SegmentView)
  | {
      t: number;
      type: 'state';
      host: string;
      conn: FourTuple;
      from: TcpState;
      to: TcpState;
      cause: NdjsonCause;
      inferred?: boolean;
    }
  | { t: number; type: 'malformed'; host: string; reason: string; length: number };

/** Milliseconds rounded to the microsecond, so lines stay short and stable. */
function ms(t: number): number {
  return Math.round(t * 1000) / 1000;
}

function causeRecord(c: StateCause): NdjsonCause {
  if (c.kind === 'segment') {
    const s = c.segment;
    const flags = (Object.keys(TcpFlag) as TcpFlagName[]).filter(
      (n) => (s.flags & TcpFlag[n]) !== 0,
    );
    return { kind: 'segment', flags, seq: s.seq >>> 0, ack: s.ack >>> 0, len: s.payload.length };
  }
  if (c.kind === 'call') return { kind: 'call', call: c.call };
  if (c.kind === 'timer') return { kind: 'timer', timer: c.timer };
  return { kind: 'icmp', icmp: c.icmp };
}

/**
 * Converts events to records as they come (live export): the first event's time is the start,
 * unless `start` is given.
 */
export class NdjsonWriter {
  private readonly rel = new RelativeSeq();
  private start: number | undefined;

  constructor(start?: number) {
    this.start = start;
  }

  record(e: Traced): NdjsonRecord {
    if (this.start === undefined) this.start = e.t;
    const t = ms(e.t - this.start);
    switch (e.type) {
      case 'segment': {
        const v = this.rel.view(e.src, e.dst, e.segment);
        const r: NdjsonRecord = { t, type: 'segment', host: e.host, event: e.event, ...v };
        if (e.reason !== undefined) r.reason = e.reason;
        return r;
      }
      case 'state': {
        const r: NdjsonRecord = {
          t,
          type: 'state',
          host: e.host,
          conn: { ...e.conn },
          from: e.from,
          to: e.to,
          cause: causeRecord(e.cause),
        };
        if (e.inferred) r.inferred = true;
        return r;
      }
      case 'malformed':
        return { t, type: 'malformed', host: e.host, reason: e.reason, length: e.length };
    }
  }

  line(e: Traced): string {
    return JSON.stringify(this.record(e));
  }
}

/** The whole trace as NDJSON text (each line ends with "\n"). */
export function toNdjson(events: readonly Traced[]): string {
  const w = new NdjsonWriter();
  return events.map((e) => w.line(e) + '\n').join('');
}

export class NdjsonError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'NdjsonError';
  }
}

function flagsMask(names: unknown, line: number): number {
  if (!Array.isArray(names)) throw new NdjsonError(line, '`flags` must be an array');
  let m = 0;
  for (const n of names) {
    if (typeof n !== 'string' || !(n in TcpFlag))
      throw new NdjsonError(line, `unknown flag ${String(n)}`);
    m |= TcpFlag[n as TcpFlagName];
  }
  return m;
}

function num(o: Record<string, unknown>, k: string, line: number): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new NdjsonError(line, `\`${k}\` must be a number`);
  return v;
}

function str(o: Record<string, unknown>, k: string, line: number): string {
  const v = o[k];
  if (typeof v !== 'string') throw new NdjsonError(line, `\`${k}\` must be a string`);
  return v;
}

function state(o: Record<string, unknown>, k: string, line: number): TcpState {
  const v = str(o, k, line);
  if (!(TCP_STATES as readonly string[]).includes(v))
    throw new NdjsonError(line, `unknown state ${v}`);
  return v as TcpState;
}

function segmentOf(
  src: string,
  dst: string,
  fields: {
    seq: number;
    ack: number;
    flags: number;
    win: number;
    len: number;
    options?: TcpOptions;
  },
  line: number,
): TcpSegment {
  const s = parseEndpoint(src);
  const d = parseEndpoint(dst);
  if (!s || !d) throw new NdjsonError(line, `bad endpoint ${s ? dst : src}`);
  return {
    srcPort: s.port,
    dstPort: d.port,
    seq: seq(fields.seq),
    ack: seq(fields.ack),
    flags: fields.flags,
    window: fields.win,
    urgent: 0,
    options: fields.options ?? {},
    payload: new Uint8Array(Math.max(0, Math.min(fields.len, 1 << 24))),
  };
}

/** Parses NDJSON text back into events; throws NdjsonError (with the line number) on bad input. */
export function parseNdjson(text: string): Traced[] {
  const out: Traced[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === '') continue;
    const n = i + 1;
    let o: Record<string, unknown>;
    try {
      const v: unknown = JSON.parse(raw);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      o = v as Record<string, unknown>;
    } catch (err) {
      throw new NdjsonError(n, `not a JSON object (${(err as Error).message})`);
    }
    const t = num(o, 't', n);
    const type = str(o, 'type', n);
    const host = typeof o.host === 'string' ? o.host : '';
    if (type === 'segment') {
      const event = str(o, 'event', n);
      if (event !== 'send' && event !== 'recv' && event !== 'drop')
        throw new NdjsonError(n, `bad event ${event}`);
      const options: TcpOptions = {};
      if (typeof o.mss === 'number') options.mss = o.mss;
      if (typeof o.wscale === 'number') options.windowScale = o.wscale;
      if (o.sackPermitted === true) options.sackPermitted = true;
      const src = str(o, 'src', n);
      const dst = str(o, 'dst', n);
      const segment = segmentOf(
        src,
        dst,
        {
          seq: num(o, 'seq', n),
          ack: num(o, 'ack', n),
          flags: flagsMask(o.flags, n),
          win: num(o, 'win', n),
          len: num(o, 'len', n),
          options,
        },
        n,
      );
      const e: TraceEvent = { type: 'segment', t, host, event, src, dst, segment };
      if (typeof o.reason === 'string') e.reason = o.reason;
      out.push(e);
    } else if (type === 'state') {
      const c = o.conn as Record<string, unknown> | undefined;
      if (typeof c !== 'object' || c === null) throw new NdjsonError(n, '`conn` must be an object');
      const conn: FourTuple = {
        localAddress: str(c, 'localAddress', n),
        localPort: num(c, 'localPort', n),
        remoteAddress: str(c, 'remoteAddress', n),
        remotePort: num(c, 'remotePort', n),
      };
      const cr = o.cause as Record<string, unknown> | undefined;
      if (typeof cr !== 'object' || cr === null)
        throw new NdjsonError(n, '`cause` must be an object');
      let cause: StateCause;
      const kind = str(cr, 'kind', n);
      if (kind === 'call') cause = { kind, call: str(cr, 'call', n) as CommandName };
      else if (kind === 'timer') cause = { kind, timer: str(cr, 'timer', n) as TimerName };
      else if (kind === 'icmp') cause = { kind, icmp: 'unreachable' };
      else if (kind === 'segment') {
        // The causing segment travelled remote → local.
        const segment = segmentOf(
          endpoint(conn.remoteAddress, conn.remotePort),
          endpoint(conn.localAddress, conn.localPort),
          {
            seq: num(cr, 'seq', n),
            ack: num(cr, 'ack', n),
            flags: flagsMask(cr.flags, n),
            win: 0,
            len: num(cr, 'len', n),
          },
          n,
        );
        cause = { kind, segment };
      } else throw new NdjsonError(n, `unknown cause kind ${kind}`);
      const e: Traced = {
        type: 'state',
        t,
        host,
        conn,
        from: state(o, 'from', n),
        to: state(o, 'to', n),
        cause,
      };
      if (o.inferred === true) e.inferred = true;
      out.push(e);
    } else if (type === 'malformed') {
      out.push({
        type: 'malformed',
        t,
        host,
        reason: str(o, 'reason', n),
        length: num(o, 'length', n),
      });
    } else {
      throw new NdjsonError(n, `unknown type ${type}`);
    }
  }
  return out;
}
