/**
 * A named demo scenario: a short script against the public API (SimNetwork on the virtual clock,
 * two hosts, stack.openListener / openConnection, filters for targeted drops) that makes TCP do one
 * thing worth seeing. The runner records every trace event; the trace layer draws them. Shared by
 * `synack demo`, the web page and the tests (which assert each scenario's states and flags).
 */
import { SimNetwork } from '../link/sim-network.js';
import type { Stack } from '../stack/stack.js';
import type { TcpConfig } from '../tcp/config.js';
import type { TcpState } from '../tcp/state.js';
import type { TraceEvent } from '../stack/trace-event.js';
import { buildLadder, type Ladder } from '../trace/ladder.js';
import { TraceRecorder } from '../trace/traced.js';
import { Peer } from './peer.js';

export interface ScenarioParams {
  seed: number;
  /** Random loss probability on both directions (on top of the scenario's targeted drops). */
  loss: number;
  /** One-way delay, ms. */
  delay: number;
  /** Random extra delay per packet, [0, jitter) ms (in order). */
  jitter: number;
  /** Bytes of the server's response (the transfer size). */
  bytes: number;
}

export const DEFAULT_PARAMS: ScenarioParams = {
  seed: 1,
  loss: 0,
  delay: 10,
  jitter: 0.8,
  bytes: 1000,
};

export const CLIENT_ADDRESS = '198.18.0.1';
export const SERVER_ADDRESS = '198.18.0.2';
export const SERVER_PORT = 80;

export interface ScenarioContext {
  net: SimNetwork;
  client: Stack;
  server: Stack;
  params: ScenarioParams;
  /** The application on each side (created by the scenario with attach()). */
  clientPeer: Peer;
  serverPeer: Peer;
  /** Runs `fn` `ms` milliseconds from now (virtual time). */
  after(ms: number, fn: () => void): void;
  /** A remark printed under the header (what to look for). */
  note(text: string): void;
}

export interface Scenario {
  name: string;
  /** One line for `synack demo --list`. */
  summary: string;
  /** What to look for in the ladder (printed with the header). */
  lookFor?: string;
  /** Parameters this scenario sets unless the user does. */
  defaults?: Partial<ScenarioParams>;
  /** TCP settings of both hosts. */
  tcp?: Partial<TcpConfig>;
  clientTcp?: Partial<TcpConfig>;
  serverTcp?: Partial<TcpConfig>;
  /** The states each side should go through (asserted by the tests with the default parameters). */
  expect: { client: readonly TcpState[]; server: readonly TcpState[] };
  /** Sets up the hosts' applications and the network's filters; the runner then runs to idle. */
  setup(ctx: ScenarioContext): void;
}

export interface ScenarioRun {
  scenario: Scenario;
  params: ScenarioParams;
  events: TraceEvent[];
  ladder: Ladder;
  notes: string[];
  clientPeer: Peer;
  serverPeer: Peer;
  /** True when the network went idle (nothing in flight, no timer) within the time limit. */
  idle: boolean;
  /** Virtual time at the end, ms. */
  end: number;
}

/** Lane labels of a scenario's ladder. */
export const SCENARIO_LANES = ['client', 'server'] as const;

export function runScenario(
  s: Scenario,
  given: Partial<ScenarioParams> = {},
  limitMs = 600_000,
): ScenarioRun {
  const params: ScenarioParams = {
    ...DEFAULT_PARAMS,
    ...(s.defaults ?? {}),
    ...stripUndefined(given),
  };
  const net = new SimNetwork({
    seed: params.seed,
    loss: params.loss,
    delay: params.delay,
    jitter: params.jitter,
    clock: 'virtual',
  });
  const recorder = new TraceRecorder();
  net.setTrace(recorder.sink);
  const client = net.addHost({
    address: CLIENT_ADDRESS,
    name: 'client',
    tcp: { ...s.tcp, ...s.clientTcp },
  });
  const server = net.addHost({
    address: SERVER_ADDRESS,
    name: 'server',
    tcp: { ...s.tcp, ...s.serverTcp },
  });
  const notes: string[] = [];
  const clientPeer = new Peer('client');
  const serverPeer = new Peer('server');
  const ctx: ScenarioContext = {
    net,
    client,
    server,
    params,
    clientPeer,
    serverPeer,
    after: (ms, fn) => {
      net.clock.schedule(net.clock.now() + ms, fn);
    },
    note: (text) => notes.push(text),
  };
  s.setup(ctx);
  const idle = net.run(limitMs);
  const end = net.clock.now();
  // Closing the stacks aborts what is left (a server kept in CLOSE-WAIT): not part of the story.
  net.setTrace(undefined);
  net.close();
  return {
    scenario: s,
    params,
    events: recorder.events,
    ladder: buildLadder(recorder.events, { lanes: SCENARIO_LANES }),
    notes,
    clientPeer,
    serverPeer,
    idle,
    end,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o))
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
