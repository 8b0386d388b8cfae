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
} from './link/sim-network.js';
export {
  runScenario,
  planScenario,
  replayCommand,
  describePlan,
  type ScenarioOptions,
  type ScenarioPlan,
  type ScenarioResult,
  type CloseMode,
} from './link/sim-scenario.js';
