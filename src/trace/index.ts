/**
 * The trace layer's public surface (browser-safe: the web page imports it). File I/O for the CLI
 * lives in output-node.ts, which is not exported here.
 */
export { TraceRecorder, type Traced, type SegmentTraced, type StateTraced } from './traced.js';
export {
  RelativeSeq,
  segmentLabel,
  flagText,
  hasFlag,
  viewSegLen,
  type SegmentView,
} from './segment-view.js';
export { endpoint, parseEndpoint, connText, connKey } from './endpoint.js';
export {
  NdjsonWriter,
  NdjsonError,
  toNdjson,
  parseNdjson,
  type NdjsonRecord,
  type NdjsonCause,
} from './ndjson.js';
export {
  LinkType,
  PcapWriter,
  pcapFileHeader,
  pcapRecord,
  PCAP_MAGIC_MICRO,
  PCAP_MAGIC_NANO,
  PCAP_SNAPLEN,
} from './pcap-writer.js';
export { readCapture, PcapError, type Capture, type CapturedPacket } from './pcap-reader.js';
export { decodeFrame, ipPayloadOf, type DecodeResult } from './capture-decode.js';
export { traceFromCapture, type CaptureTrace, type CaptureTraceOptions } from './capture-trace.js';
export { StateInference, type Observation } from './state-inference.js';
export { pcapFromEvents } from './events-pcap.js';
export {
  buildLadder,
  arrowsOf,
  type Ladder,
  type LadderOptions,
  type Lane,
  type LaneStats,
  type Arrow,
  type Fate,
  type Step,
  type StateStep,
  type StateMark,
} from './ladder.js';
export { explainLadder } from './explain.js';
export { summarize, type SummaryLine } from './summary.js';
export {
  renderLadderText,
  arrowStyle,
  causeText,
  lostText,
  type TextLadderOptions,
} from './ladder-text.js';
export { renderLadderSvg, SVG_COLORS, type SvgLadderOptions } from './ladder-svg.js';
export { renderLadderMermaid, type MermaidLadderOptions } from './ladder-mermaid.js';
export {
  renderStateDiagramSvg,
  renderStateDiagramMermaid,
  pathsOf,
  type StatePath,
  type StateDiagramOptions,
} from './state-diagram.js';
export { ASCII_GLYPHS, UNICODE_GLYPHS, asciify, type Glyphs } from './glyphs.js';
