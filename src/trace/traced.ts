/**
 * The events the trace layer works on: the stack's TraceEvent, optionally marked `inferred` when a
 * state was not reported by an engine but deduced from captured segments (`synack trace FILE.pcap`).
 */
import { segmentWithOwnPayload, type TraceEvent, type TraceSink } from '../stack/trace-event.js';

export type Traced = TraceEvent & { inferred?: boolean };
export type SegmentTraced = Extract<TraceEvent, { type: 'segment' }> & { inferred?: boolean };
export type StateTraced = Extract<TraceEvent, { type: 'state' }> & { inferred?: boolean };

/**
 * A TraceSink that keeps every event, in order. `sink` is a bound function, so it can be passed
 * to `stack.setTrace(recorder.sink)` directly. Payloads are copied: an engine may hand out views
 * into a send buffer it reuses once the bytes are acknowledged, and a pcap written later must
 * still hold the bytes that were on the wire.
 */
export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  /** Bound sink for stack.setTrace / SimNetwork tracing. */
  readonly sink: TraceSink = (e) => {
    if (this.events.length < this.limit) this.events.push(copyEvent(e));
    else this.overflow++;
  };
  /** Events refused because `limit` was reached. */
  overflow = 0;

  constructor(private readonly limit = 1_000_000) {}

  clear(): void {
    this.events.length = 0;
    this.overflow = 0;
  }
}

function copyEvent(e: TraceEvent): TraceEvent {
  if (e.type === 'segment') return { ...e, segment: segmentWithOwnPayload(e.segment) };
  if (e.type === 'state' && e.cause.kind === 'segment') {
    return { ...e, cause: { kind: 'segment', segment: segmentWithOwnPayload(e.cause.segment) } };
  }
  return e;
}
