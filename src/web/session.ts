/**
 * One visualizer run: two real synack stacks (client, server) on the simulated network, driven by
 * the page's step clock. Everything the page shows comes from here: the timeline of trace events,
 * each host's connection variables, the exports. Commands given by hand are logged with their exact
 * place in the run (clock steps taken, virtual time), so a link replays the run identically.
 * No DOM and no Node API: the Node tests drive the same class the page does.
 */
import type { TcpInfo } from '../tcp/tcp-info.js';
import type { TcpState } from '../tcp/state.js';
import type { Stack, TcpConnection, TcpListener } from '../stack/stack.js';
import type { TraceEvent } from '../stack/trace-event.js';
import { toNdjson } from '../trace/ndjson.js';
import { buildLadder, type Ladder } from '../trace/ladder.js';
import { TraceRecorder } from '../trace/traced.js';
import { StepClock } from './step-clock.js';
import { HOSTS, MAX_SEND_BYTES, MAX_TEXT, type Action, type HostName, type TimedAction } from './url-state.js';
import { SimNetwork } from '../link/sim-network.js';
import type { TcpConfig } from '../tcp/config.js';
import { buildTcpPacket } from '../wire/ip-packet.js';
import { parseEndpoint } from '../trace/endpoint.js';
import { PcapWriter } from '../trace/pcap-writer.js';

export const ADDRESSES: Readonly<Record<HostName, string>> = Object.freeze({
  client: '198.18.0.1',
  server: '198.18.0.2',
});
/** Fixed ports, so that "Connect" on both sides is a simultaneous open (RFC 9293 §3.5 Figure 8). */
export const PORTS: Readonly<Record<HostName, number>> = Object.freeze({ client: 49152, server: 80 });

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
  /** Engine settings for both hosts (scenarios shorten TIME-WAIT, shrink buffers …). */
  tcp?: Partial<TcpConfig>;
}

export interface HostRuntime {
  readonly name: HostName;
  readonly address: string;
  readonly port: number;
  readonly stack: Stack;
  listener: TcpListener | undefined;
  /** The connection the host's buttons act on: the latest one it opened or accepted. */
  conn: TcpConnection | undefined;
  /** Last variables seen, kept after the connection is gone. */
  lastInfo: TcpInfo | undefined;
  /** Bytes the application read. */
  received: number;
  /** The tail of what it read, as text (for the page). */
  receivedText: string;
  /** Read arriving data at once (an application that keeps up); off to let the window fill. */
  autoRead: boolean;
  peerFin: boolean;
  /** Error of the last connection, e.g. 'refused', 'reset'. */
  error: string | undefined;
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
  /** Every trace event of both hosts and the network, in order (payloads copied). */
  readonly recorder = new TraceRecorder(200_000);
  readonly commands: CommandMark[] = [];
  readonly hosts: Record<HostName, HostRuntime>;
  /** Commands given by hand, with their place in the run (for the shareable link). */
  readonly log: TimedAction[] = [];
  readonly settings: NetworkSettings;
  readonly seed: number;
  readonly net: SimNetwork;
  /** Directions armed by "drop the next segment". */
  private readonly dropArmedFrom = new Set<HostName>();
  /** Called after anything changes (trace event, command). */
  onChange: (() => void) | undefined;

  constructor(opts: SessionOptions) {
    this.seed = opts.seed;
    this.settings = { loss: opts.loss, delay: opts.delay, reorder: opts.reorder };
    const trace = (e: TraceEvent): void => {
      this.recorder.sink(e);
      this.onChange?.();
    };
    this.net = new SimNetwork({ seed: opts.seed, clock: this.clock });
    const stacks = {
      client: this.net.addHost({ address: ADDRESSES.client, name: 'client', tcp: opts.tcp }),
      server: this.net.addHost({ address: ADDRESSES.server, name: 'server', tcp: opts.tcp }),
    };
    this.applyConditions();
    this.net.setTrace(trace);
    // "Drop the next segment A→B": a filter that takes exactly one packet of that direction.
    this.net.addFilter((p) => {
      const from = p.from === ADDRESSES.client ? 'client' : p.from === ADDRESSES.server ? 'server' : undefined;
      if (from && this.dropArmedFrom.has(from)) {
        this.dropArmedFrom.delete(from);
        return 'drop';
      }
      return 'pass';
    });
    const mk = (name: HostName): HostRuntime => ({
      name,
      address: ADDRESSES[name],
      port: PORTS[name],
      stack: stacks[name],
      listener: undefined,
      conn: undefined,
      lastInfo: undefined,
      received: 0,
      receivedText: '',
      autoRead: true,
      peerFin: false,
      error: undefined,
    });
    this.hosts = { client: mk('client'), server: mk('server') };
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
      if (next === undefined) {
        this.refresh();
        return true;
      }
      if (next > end) break;
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
      // Time can have moved past the last event without any event (play mode): do the same.
      const next = this.clock.nextDeadline();
      if (a.t > this.clock.now() && (next === undefined || next > a.t)) this.clock.advanceTo(a.t, 0);
      results.push(this.apply(a.action));
    }
    return results;
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
    const label = (s: string) => this.commands.push({ host: h.name, t: this.clock.now(), label: s });
    try {
      switch (action.kind) {
        case 'listen': {
          if (h.listener && !h.listener.closed) return { ok: false, message: `the ${h.name} already listens` };
          h.listener = h.stack.openListener({ port: h.port });
          h.listener.onConnection = (c) => this.adopt(h, c);
          label(`listen :${h.port}`);
          return { ok: true };
        }
        case 'connect': {
          const peer = this.hosts[other(h.name)];
          const c = h.stack.openConnection({ address: peer.address, port: peer.port, localPort: h.port });
          this.adopt(h, c);
          label(`connect → :${peer.port}`);
          return { ok: true };
        }
        case 'send-text':
        case 'send-bytes': {
          const c = this.liveConn(h);
          if (!c) return { ok: false, message: `the ${h.name} has no open connection` };
          const data =
            action.kind === 'send-text'
              ? new TextEncoder().encode(action.text.slice(0, MAX_TEXT))
              : pattern(Math.min(MAX_SEND_BYTES, Math.max(1, Math.floor(action.count))));
          if (data.length === 0) return { ok: false, message: 'nothing to send' };
          const n = c.write(data);
          label(`send ${n} B`);
          if (n < data.length) return { ok: false, message: `send buffer full: ${n} of ${data.length} bytes taken` };
          return { ok: true };
        }
        case 'shutdown':
        case 'close': {
          const c = this.liveConn(h);
          if (!c && h.listener && !h.listener.closed && action.kind === 'close') {
            h.listener.close();
            label('close listener');
            return { ok: true };
          }
          if (!c) return { ok: false, message: `the ${h.name} has no open connection` };
          // TCP has one CLOSE (RFC 9293 §3.10.4): it ends our sending and receiving continues, so
          // "shutdown write" (a half-close) and "close" send the same FIN. A full close also stops
          // the application reading, like a closed socket.
          c.close();
          label(action.kind === 'shutdown' ? 'shutdown(write)' : 'close()');
          return { ok: true };
        }
        case 'abort': {
          const c = this.liveConn(h);
          if (!c) return { ok: false, message: `the ${h.name} has no open connection` };
          c.abort();
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

  /** True while "drop the next segment" from this host waits for its segment. */
  dropArmed(from: HostName): boolean {
    return this.dropArmedFrom.has(from);
  }

  private applyConditions(): void {
    const s = this.settings;
    this.net.setLink(ADDRESSES.client, ADDRESSES.server, {
      loss: s.loss / 100,
      delay: s.delay,
      reorder: s.reorder / 100,
    });
  }

  private adopt(h: HostRuntime, c: TcpConnection): void {
    h.conn = c;
    h.peerFin = false;
    h.error = undefined;
    c.onEvent = (ev) => {
      if (ev.type === 'readable' && h.autoRead) this.readAll(h, c);
      else if (ev.type === 'peer-fin') h.peerFin = true;
      else if (ev.type === 'closed' && ev.error) h.error = ev.error.code;
      if (ev.type === 'closed') h.lastInfo = safeInfo(c) ?? h.lastInfo;
    };
  }

  /** Reads everything readable on a host's connection (the "application"). */
  readAll(h: HostRuntime, c: TcpConnection | undefined = h.conn): number {
    if (!c) return 0;
    let total = 0;
    for (let i = 0; i < 10_000; i++) {
      const b = c.read();
      if (b.length === 0) break;
      total += b.length;
      h.receivedText = (h.receivedText + new TextDecoder().decode(b)).slice(-400);
    }
    h.received += total;
    return total;
  }

  private liveConn(h: HostRuntime): TcpConnection | undefined {
    this.findConn(h);
    return h.conn && h.conn.state !== 'CLOSED' ? h.conn : undefined;
  }

  /** A passive open's child exists before it is accepted (SYN-RECEIVED): find it on the stack. */
  private findConn(h: HostRuntime): void {
    if (h.conn && h.conn.state !== 'CLOSED') return;
    for (const c of h.stack.connections()) {
      if (c !== h.conn) {
        this.adopt(h, c);
        break;
      }
    }
  }

  private refresh(): void {
    for (const name of HOSTS) {
      const h = this.hosts[name];
      this.findConn(h);
      if (h.conn) h.lastInfo = safeInfo(h.conn) ?? h.lastInfo;
    }
  }

  /** The state a host's connection is in (its listener's LISTEN when it has only that). */
  stateOf(name: HostName): TcpState {
    const h = this.hosts[name];
    if (h.conn && h.conn.state !== 'CLOSED') return h.conn.state;
    if (h.listener && !h.listener.closed) return 'LISTEN';
    return h.conn ? h.conn.state : 'CLOSED';
  }

  get events(): readonly TraceEvent[] {
    return this.recorder.events;
  }

  /** The run as the trace layer's ladder model (rebuilt only when events were added). */
  ladder(): Ladder {
    const n = this.recorder.events.length;
    if (!this.cachedLadder || this.cachedLadderAt !== n) {
      this.cachedLadder = buildLadder(this.recorder.events, { lanes: HOSTS, linkHosts: ['net'] });
      this.cachedLadderAt = n;
    }
    return this.cachedLadder;
  }
  private cachedLadder: Ladder | undefined;
  private cachedLadderAt = -1;

  /** The trace as NDJSON (the trace layer's format). */
  ndjson(): string {
    return toNdjson(this.recorder.events);
  }

  /**
   * Every packet the two hosts sent (lost ones included, as a capture at the senders would show),
   * rebuilt with the wire module the stack used, as a pcap file (the trace layer's writer).
   * Times are the virtual clock's, from the Unix epoch.
   */
  pcap(): Uint8Array {
    const w = new PcapWriter(0);
    for (const e of this.recorder.events) {
      if (e.type !== 'segment' || e.event !== 'send') continue;
      const src = parseEndpoint(e.src);
      const dst = parseEndpoint(e.dst);
      if (!src || !dst) continue;
      w.add(buildTcpPacket(src.address, dst.address, e.segment), e.t);
    }
    return w.bytes();
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
