/**
 * The one tracing interface. A Stack (and a link) calls its TraceSink, when one is set, for every
 * segment sent, received or dropped and every state change; when none is set the only cost is a
 * null check. The trace/ layer turns these into NDJSON, ladder diagrams and state diagrams.
 */
import type { TcpSegment } from '../wire/tcp-segment.js';
import type { TcpState } from '../tcp/state.js';
import type { StateCause } from '../tcp/events.js';

/** "address:port" for IPv4, "[address]:port" for IPv6. */
export type Endpoint = string;

export interface FourTuple {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

export type TraceEvent =
  | {
      type: 'segment';
      /** Milliseconds on the stack's clock. */
      t: number;
      /** Name of the host (the stack's name, or 'net' for the simulated network). */
      host: string;
      event: 'send' | 'recv' | 'drop';
      src: Endpoint;
      dst: Endpoint;
      segment: TcpSegment;
      /** For drops: why (a DropReason from the engine, or a stack/link reason such as 'loss', 'checksum', 'no-listener'). */
      reason?: string;
    }
  | {
      type: 'state';
      t: number;
      host: string;
      conn: FourTuple;
      from: TcpState;
      to: TcpState;
      cause: StateCause;
    }
  | {
      /** A packet the stack could not parse (malformed, bad checksum): counted and dropped. */
      type: 'malformed';
      t: number;
      host: string;
      reason: string;
      length: number;
    };

export type TraceSink = (event: TraceEvent) => void;

/**
 * The segment with a payload of its own (a copy), for an event a trace may keep: a payload may be
 * a view of a send buffer reused once acknowledged, or of a packet a reader changes in place.
 * A segment without payload is returned as it is.
 */
export function segmentWithOwnPayload(seg: TcpSegment): TcpSegment {
  return seg.payload.length > 0 ? { ...seg, payload: seg.payload.slice() } : seg;
}
