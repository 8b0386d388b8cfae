/**
 * One visualizer run: two real synack stacks (client, server) on the simulated network, driven by
 * the page's step clock. A preset scenario (src/scenarios, the same ones `synack demo` runs) is set
 * up exactly as the demo's runner sets it up — same network options, host names, addresses and
 * TCP settings — so the page's run is the demo's run, event for event; commands given by hand act
 * through the same application objects (Peer). Everything the page shows comes from here: the
 * trace, each host's connection variables, the exports. Commands are logged with their exact place
 * in the run (clock steps taken, virtual time), so a link replays the run identically.
 * No DOM and no Node API: the Node tests drive the same class the page does.
 */
import type { TcpInfo } from '../tcp/tcp-info.js';
import type { TcpState } from '../tcp/state.js';
import type { Stack, TcpConnection, TcpListener } from '../stack/stack.js';
import type { TraceEvent } from '../stack/trace-event.js';
import { SimNetwork } from '../link/sim-network.js';
import { toNdjson } from '../trace/ndjson.js';
import { buildLadder, type Ladder } from '../trace/ladder.js';
import { pcapFromEvents } from '../trace/events-pcap.js';
import { TraceRecorder } from '../trace/traced.js';
import { Peer } from '../scenarios/peer.js';
import {
  CLIENT_ADDRESS,
  DEFAULT_PARAMS,
  SCENARIO_LANES,
  SERVER_ADDRESS,
  type Scenario,
  type ScenarioContext,
  type ScenarioParams,
} from '../scenarios/scenario.js';
import { StepClock } from './step-clock.js';
import {
  HOSTS,
  MAX_SEND_BYTES,
  MAX_TEXT,
  type Action,
  type HostName,
  type TimedAction,
} from './url-state.js';

export const ADDRESSES: Readonly<Record<HostName, string>> = Object.freeze({
  client: CLIENT_ADDRESS,
  server: SERVER_ADDRESS,
});
/**
 * Ports of the commands given by hand. Fixed, so that "Connect" on both sides is a simultaneous
 * open (RFC 9293 §3.5 Figure 8): each side connects from its own port to the other's.
 */
export const PORTS: Readonly<Record<HostName, number>> = Object.freeze({
  client: 49152,
  server: 80,
});

export const other = (h: HostName): HostName => (h === 'client' ? 'server' : 'client');

export interface NetworkSettings {
  /** Percent. */
  loss: number;
  /** One-way delay, ms. */
  delay: number;
  /** Percent. */
  reorder: number;
}

export interface SessionOptions extends NetworkSettings {
  seed: number;
  /** Random extra delay per packet, [0, jitter) ms, in order (a scenario's parameter). */
  jitter?: number;
  /** A preset scenario to set up (its hosts' TCP settings and its script). */
  scenario?: Scenario;
  /** The scenario's transfer size (default: the scenario's own). */
  bytes?: number;
}

export interface HostRuntime {
  readonly name: HostName;
  readonly address: string;
  readonly stack: Stack;
  /** The application: the scenario's, and the one commands given by hand act through. */
  readonly peer: Peer;
  /** The listener opened by hand, if any. */
  listener: TcpListener | undefined;
  /** Last variables seen, kept after the connection is gone. */
  lastInfo: TcpInfo | undefined;
}

/** A command given on a host, drawn beside its column. */
export interface CommandMark {
  host: HostName;
  t: number;
  label: string;
}

/** A command's outcome: applied, or refused with a reason the page shows. */
export type ActionResult = { ok: true } | { ok: false; message: string };

export class WebSession {
  readonly clock = new StepClock();
  readonly net: SimNetwork;
  readonly hosts: Record<HostName, HostRuntime>;
  /** Every trace event of both hosts and the network, in order (payloads copied). */
  readonly recorder = new TraceRecorder(200_000);
  readonly commands: CommandMark[] = [];
  /** Commands given by hand, with their place in the run (for the shareable link). */
  readonly log: TimedAction[] = [];
  readonly settings: NetworkSettings;
  readonly seed: number;
  readonly scenario: Scenario | undefined;
  /** The scenario's remarks (what to look for). */
  readonly notes: string[] = [];
  /** Called after anything changes (trace event, command). */
  onChange: (() => void) | undefined;
  /** Directions armed by "drop the next segment". */
  private readonly dropArmedFrom = new Set<HostName>();
  private jitter: number;
  private cachedLadder: Ladder | undefined;
  private cachedLadderAt = -1;

  constructor(opts: SessionOptions) {
    this.seed = opts.seed >>> 0;
    this.scenario = opts.scenario;
    this.settings = { loss: opts.loss, delay: opts.delay, reorder: opts.reorder };
    this.jitter = opts.jitter ?? 0;
    this.net = new SimNetwork({ seed: this.seed, clock: this.clock });
    this.net.setTrace((e: TraceEvent) => {
      this.recorder.sink(e);
      this.onChange?.();
    });
    const sc = opts.scenario;
    // As the demo's runner adds them: client first, then server, each with the scenario's TCP settings.
    const stacks = {
      client: this.net.addHost({
        address: ADDRESSES.client,
        name: 'client',
        tcp: { ...sc?.tcp, ...sc?.clientTcp },
      }),
      server: this.net.addHost({
        address: ADDRESSES.server,
        name: 'server',
        tcp: { ...sc?.tcp, ...sc?.serverTcp },
      }),
    };
    this.applyConditions();
    // "Drop the next segment A→B": a filter that takes exactly one packet of that direction. It
    // draws no random number, so it does not disturb the seeded loss of the other packets.
    this.net.addFilter((p) => {
      const from =
        p.from === ADDRESSES.client ? 'client' : p.from === ADDRESSES.server ? 'server' : undefined;
      if (from && this.dropArmedFrom.has(from)) {
        this.dropArmedFrom.delete(from);
        return 'drop';
      }
      return 'pass';
    });
    const mk = (name: HostName): HostRuntime => ({
      name,
      address: ADDRESSES[name],
      stack: stacks[name],
      peer: new Peer(name),
      listener: undefined,
      lastInfo: undefined,
    });
    this.hosts = { client: mk('client'), server: mk('server') };
    if (sc) {
      const params: ScenarioParams = {
        ...DEFAULT_PARAMS,
        ...(sc.defaults ?? {}),
        seed: this.seed,
        loss: this.settings.loss / 100,
        delay: this.settings.delay,
        jitter: this.jitter,
        ...(opts.bytes !== undefined ? { bytes: opts.bytes } : {}),
      };
      const ctx: ScenarioContext = {
        net: this.net,
        client: stacks.client,
        server: stacks.server,
        params,
        clientPeer: this.hosts.client.peer,
        serverPeer: this.hosts.server.peer,
        after: (ms, fn) => {
          this.clock.schedule(this.clock.now() + ms, fn);
        },
        note: (text) => this.notes.push(text),
      };
      sc.setup(ctx);
    }
    this.refresh();
  }

  get now(): number {
    return this.clock.now();
  }

  /** Runs exactly one event. False when nothing is scheduled. */
  step(): boolean {
    const ran = this.clock.step();
    if (ran) this.refresh();
    return ran;
  }

  /** Advances virtual time to `t`, running every event due on the way (bounded). */
  advanceTo(t: number, maxSteps = 20_000): boolean {
    const ok = this.clock.advanceTo(t, maxSteps);
    this.refresh();
    return ok;
  }

  /**
   * Runs until nothing is scheduled, at most `maxSteps` events and `maxTime` ms of virtual time.
   * Returns true when the run went idle.
   */
  runToEnd(maxSteps = 50_000, maxTime = 10 * 60_000): boolean {
    const end = this.clock.now() + maxTime;
    for (let i = 0; i < maxSteps; i++) {
      const next = this.clock.nextDeadline();
      if (next === undefined || next > end) break;
      this.clock.step();
    }
    this.refresh();
    return this.clock.nextDeadline() === undefined;
  }

  /** Pending events (timers and packets in flight). */
  get pending(): number {
    return this.clock.pending;
  }

  /** Applies a command now and logs it for the shareable link. */
  apply(action: Action): ActionResult {
    const r = this.execute(action);
    if (r.ok) this.log.push({ step: this.clock.steps, t: this.clock.now(), action });
    this.refresh();
    this.onChange?.();
    return r;
  }

  /**
   * Replays logged commands: runs the clock to each one's step (and time), then applies it. A
   * command whose place cannot be reached (the run ended earlier) is applied at the end.
   */
  replay(actions: readonly TimedAction[]): ActionResult[] {
    const results: ActionResult[] = [];
    for (const a of actions) {
      for (let guard = 0; this.clock.steps < a.step && guard < 1_000_000; guard++) {
        if (!this.clock.step()) break;
      }
      // Play mode moves time between events: do the same, without running anything early.
      const next = this.clock.nextDeadline();
      if (a.t > this.clock.now() && (next === undefined || next > a.t))
        this.clock.advanceTo(a.t, 0);
      results.push(this.apply(a.action));
    }
    return results;
  }

  /** The connection a host's buttons act on (its application's), if still open. */
  liveConn(name: HostName): TcpConnection | undefined {
    const c = this.hosts[name].peer.conn;
    return c && c.state !== 'CLOSED' ? c : undefined;
  }

  /**
   * The connection to show for a host: its application's, or a passive open not yet accepted
   * (SYN-RECEIVED: it exists on the stack before the listener hands it over).
   */
  shownConn(name: HostName): TcpConnection | undefined {
    const h = this.hosts[name];
    const live = this.liveConn(name);
    if (live) return live;
    // The newest connection not waiting out TIME-WAIT (connections() lists those last), else the
    // one that entered TIME-WAIT last.
    let latest: TcpConnection | undefined;
    let latestActive: TcpConnection | undefined;
    for (const c of h.stack.connections()) {
      latest = c;
      if (c.state !== 'TIME-WAIT') latestActive = c;
    }
    return latestActive ?? latest ?? h.peer.conn;
  }

  private execute(action: Action): ActionResult {
    if (action.kind === 'network') {
      this.settings.loss = clamp(action.loss, 0, 100);
      this.settings.delay = clamp(action.delay, 0, 60_000);
      this.settings.reorder = clamp(action.reorder, 0, 100);
      this.applyConditions();
      return { ok: true };
    }
    const h = this.hosts[action.host];
    const label = (s: string) =>
      this.commands.push({ host: h.name, t: this.clock.now(), label: s });
    const noConn = (): ActionResult => ({
      ok: false,
      message: `the ${h.name} has no open connection`,
    });
    try {
      switch (action.kind) {
        case 'listen': {
          if (h.listener && !h.listener.closed)
            return { ok: false, message: `the ${h.name} already listens` };
          const before = this.recorder.events.length;
          const l = h.stack.openListener({ port: PORTS[h.name] });
          l.onConnection = (c) => void h.peer.attach(c);
          h.listener = l;
          // A passive OPEN is CLOSED → LISTEN (RFC 9293 §3.10.1). The stack keeps no engine for a
          // listener (each SYN gets its own), so it traces no state: record the listener's, so
          // the ladder starts the column in LISTEN as Figure 5 does.
          if (this.recorder.events.length === before)
            this.traceListener(h, 'CLOSED', 'LISTEN', 'listen');
          label(`listen :${PORTS[h.name]}`);
          return { ok: true };
        }
        case 'connect': {
          if (this.liveConn(h.name))
            return { ok: false, message: `the ${h.name} already has a connection` };
          const peer = other(h.name);
          const c = h.stack.openConnection({
            address: ADDRESSES[peer],
            port: PORTS[peer],
            localPort: PORTS[h.name],
          });
          h.peer.attach(c);
          label(`connect → :${PORTS[peer]}`);
          return { ok: true };
        }
        case 'send-text':
        case 'send-bytes': {
          if (!this.liveConn(h.name)) return noConn();
          const data =
            action.kind === 'send-text'
              ? new TextEncoder().encode(action.text.slice(0, MAX_TEXT))
              : pattern(Math.min(MAX_SEND_BYTES, Math.max(1, Math.floor(action.count))));
          if (data.length === 0) return { ok: false, message: 'nothing to send' };
          // The application queues what the send buffer cannot take yet (RFC 9293 §3.10.2).
          h.peer.write(data);
          label(`send ${data.length} B`);
          return { ok: true };
        }
        case 'shutdown':
        case 'close': {
          const c = this.liveConn(h.name);
          if (!c && action.kind === 'close' && h.listener && !h.listener.closed) {
            h.listener.close();
            this.traceListener(h, 'LISTEN', 'CLOSED', 'close');
            label('close listener');
            return { ok: true };
          }
          if (!c) return noConn();
          // TCP has one CLOSE (RFC 9293 §3.10.4): it ends our sending while receiving goes on, so
          // "shutdown write" (a half-close) and "close" both send a FIN after the queued data.
          h.peer.close();
          label(action.kind === 'shutdown' ? 'shutdown(write)' : 'close()');
          return { ok: true };
        }
        case 'abort': {
          if (!this.liveConn(h.name)) return noConn();
          h.peer.abort();
          label('abort()');
          return { ok: true };
        }
        case 'drop-next': {
          this.dropArmedFrom.add(h.name);
          return { ok: true };
        }
      }
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return { ok: false, message: `${e.code ? e.code + ': ' : ''}${e.message ?? String(err)}` };
    }
  }

  private traceListener(
    h: HostRuntime,
    from: TcpState,
    to: TcpState,
    call: 'listen' | 'close',
  ): void {
    this.recorder.sink({
      type: 'state',
      t: this.clock.now(),
      host: h.name,
      conn: {
        localAddress: h.address,
        localPort: PORTS[h.name],
        remoteAddress: '0.0.0.0',
        remotePort: 0,
      },
      from,
      to,
      cause: { kind: 'call', call },
    });
  }

  /** True while "drop the next segment" from this host waits for its segment. */
  dropArmed(from: HostName): boolean {
    return this.dropArmedFrom.has(from);
  }

  private applyConditions(): void {
    const s = this.settings;
    this.net.setLink(ADDRESSES.client, ADDRESSES.server, {
      loss: s.loss / 100,
      delay: s.delay,
      jitter: this.jitter,
      reorder: s.reorder / 100,
    });
  }

  private refresh(): void {
    for (const name of HOSTS) {
      const c = this.shownConn(name);
      if (c) this.hosts[name].lastInfo = safeInfo(c) ?? this.hosts[name].lastInfo;
    }
  }

  /** Whether a host has a listener open (opened by hand or by the scenario). */
  listening(name: HostName): boolean {
    return this.hosts[name].stack.listenerCount > 0;
  }

  /** The state a host's connection is in (LISTEN when it only listens). */
  stateOf(name: HostName): TcpState {
    const c = this.shownConn(name);
    if (c && c.state !== 'CLOSED') return c.state;
    if (this.listening(name)) return 'LISTEN';
    return 'CLOSED';
  }

  /** Why the host's last connection ended badly ('refused', 'reset' …), if it did. */
  errorOf(name: HostName): string | undefined {
    const w = this.hosts[name].peer.closedWith;
    return w === undefined || w === 'ok' ? undefined : w.code;
  }

  get events(): readonly TraceEvent[] {
    return this.recorder.events;
  }

  /** The run as the trace layer's ladder model (rebuilt only when events were added). */
  ladder(): Ladder {
    const n = this.recorder.events.length;
    if (!this.cachedLadder || this.cachedLadderAt !== n) {
      this.cachedLadder = buildLadder(this.recorder.events, { lanes: SCENARIO_LANES });
      this.cachedLadderAt = n;
    }
    return this.cachedLadder;
  }

  /** The trace as NDJSON (the trace layer's format). */
  ndjson(): string {
    return toNdjson(this.recorder.events);
  }

  /** Every packet the two hosts sent (lost ones too, as a capture at the senders shows them). */
  pcap(): Uint8Array {
    return pcapFromEvents(this.recorder.events);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : lo;
}

function safeInfo(c: TcpConnection): TcpInfo | undefined {
  try {
    return c.info();
  } catch {
    return undefined;
  }
}

/** N bytes of a recognizable pattern (a–z repeated), deterministic so runs replay identically. */
export function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 97 + (i % 26);
  return b;
}
