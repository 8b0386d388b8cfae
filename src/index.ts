/**
 * synack's public API: `import { SimNetwork, Stack, Connection, … } from 'synack'`.
 * Layer by layer, bottom up (ARCHITECTURE.md).
 */

// wire: byte formats and sequence numbers
export * from './wire/seqnum.js';
export * from './wire/tcp-segment.js';
export { parseIp, formatIp, ipVersion, formatEndpoint } from './wire/address.js';
export {
  parsePacket,
  buildTcpPacket,
  buildIcmpPacket,
  parseIpPacket,
  buildIpPacket,
  type ParsedPacket,
  type BuildOptions,
} from './wire/ip-packet.js';
export type { IcmpMessage, IcmpQuote } from './wire/icmp.js';
export type { ParseResult, ParseErrorReason } from './wire/parse-error.js';
export { WireError } from './wire/parse-error.js';

// tcp: the sans-IO engine
export * from './tcp/state.js';
export * from './tcp/transitions.js';
export * from './tcp/config.js';
export type * from './tcp/events.js';
export type { TcpInfo } from './tcp/tcp-info.js';
export { Connection } from './tcp/connection.js';
export { resetFor } from './tcp/reset.js';
export { IsnGenerator } from './tcp/isn.js';
export { seededRandom, cryptoRandom, type RandomSource } from './tcp/random.js';

// stack: many connections on one host
export type { Clock, TimerHandle } from './stack/clock.js';
export { RealClock, type RealClockOptions } from './stack/real-clock.js';
export { VirtualClock, type RunLimit } from './stack/virtual-clock.js';
export type { TraceEvent, TraceSink, FourTuple, Endpoint } from './stack/trace-event.js';
export {
  Stack,
  type StackOptions,
  type ListenOptions,
  type ConnectOptions,
} from './stack/stack.js';
export { StackError, type StackErrorCode } from './stack/stack-error.js';
export { TcpConnection } from './stack/tcp-connection.js';
export { TcpListener } from './stack/tcp-listener.js';
export type { StackCounters } from './stack/counters.js';
export { EphemeralPorts } from './stack/ports.js';

// link: the simulated network
export {
  SimNetwork,
  type SimNetworkOptions,
  type SimPathOptions,
  type SimHostOptions,
  type SimPacket,
  type SimFilter,
  type SimFilterResult,
  type SimDropReason,
  type SimNetworkStats,
  type SettleOptions,
  type SteppableClock,
} from './link/sim-network.js';
// The seeded end-to-end checks behind `synack sim` (named apart from the demo scenarios below).
export {
  runScenario as runSimScenario,
  planScenario as planSimScenario,
  replayCommand as simReplayCommand,
  describePlan as describeSimPlan,
  type ScenarioOptions as SimScenarioOptions,
  type ScenarioPlan as SimScenarioPlan,
  type ScenarioResult as SimScenarioResult,
  type CloseMode as SimCloseMode,
} from './link/sim-scenario.js';

// net: Node-compatible sockets over a Stack. Loading it also installs Node's createServer /
// connect / createConnection on every Stack (module augmentation, see src/net/stack-net.ts), so
// `import { SimNetwork } from 'synack'` gives stacks that have them.
export {
  Socket,
  Server,
  createServer,
  connect,
  type SocketOptions,
  type AddressInfo,
  type ServerOptions,
  type SocketConnectOptions,
  type ListenOptions as NetListenOptions,
  type SocketEvents,
  type ServerEvents,
  type DropInfo,
  type NetError,
  type NetErrorCode,
  type NetSyscall,
  type NodeCodeError,
} from './net/index.js';

// trace: recording, NDJSON, pcap, ladder and state diagrams
export { TraceRecorder, type Traced } from './trace/traced.js';
export { toNdjson, parseNdjson, NdjsonWriter, NdjsonError } from './trace/ndjson.js';
export { PcapWriter, LinkType, pcapFileHeader, pcapRecord } from './trace/pcap-writer.js';
export { pcapFromEvents } from './trace/events-pcap.js';
export { readCapture, PcapError } from './trace/pcap-reader.js';
export { traceFromCapture } from './trace/capture-trace.js';
export { buildLadder, type Ladder, type LadderOptions } from './trace/ladder.js';
export { renderLadderText, type TextLadderOptions } from './trace/ladder-text.js';
export { renderLadderSvg, type SvgLadderOptions } from './trace/ladder-svg.js';
export { renderLadderMermaid, type MermaidLadderOptions } from './trace/ladder-mermaid.js';
export {
  renderStateDiagramSvg,
  renderStateDiagramMermaid,
  type StateDiagramOptions,
} from './trace/state-diagram.js';

// The named demo scenarios (`synack demo --scenario NAME`, the web visualizer).
export { SCENARIOS, findScenario } from './scenarios/catalog.js';
export { runScenario as runDemoScenario, type Scenario } from './scenarios/scenario.js';
