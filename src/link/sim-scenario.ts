/**
 * One seeded end-to-end scenario on the simulated network (virtual clock): a client and a server
 * exchange random amounts of data in both directions over a path with random loss, reordering,
 * duplication and corruption, then close in a random way (either side first — the other keeps
 * sending, a half-close — both at once, or one side aborts). Some scenarios also open
 * simultaneously, read slowly (zero windows, persist probes), pause mid-stream (idle restart), use
 * keep-alives, small buffers, no window scaling, IPv6, small or jumbo MTUs. Afterwards it checks what TCP promises:
 * every byte delivered exactly once and in order (SHA-256 of what was written vs what was read),
 * both ends CLOSED (after TIME-WAIT) or the expected reset, nothing left behind in either stack.
 *
 * Shared by test/sim/*.test.ts and `synack sim`; everything follows from the seed, so a failing
 * seed replays exactly.
 */
import { createHash } from 'node:crypto';
import { SimNetwork, type SimNetworkOptions } from './sim-network.js';
import type { Stack } from '../stack/stack.js';
import type { TcpConnection } from '../stack/tcp-connection.js';
import type { TcpListener } from '../stack/tcp-listener.js';
import type { TraceSink } from '../stack/trace-event.js';
import type { Clock, TimerHandle } from '../stack/clock.js';
import type { VirtualClock } from '../stack/virtual-clock.js';
import type { TcpConfig } from '../tcp/config.js';
import type { ConnEvent, TcpErrorCode } from '../tcp/events.js';
import { seededRandom, type RandomSource } from '../tcp/random.js';

export type CloseMode = 'client-first' | 'server-first' | 'both' | 'abort-client' | 'abort-server';

/** Knobs a caller may pin; the rest are drawn from the seed. */
export interface ScenarioOptions {
  seed: number;
  loss?: number;
  reorder?: number;
  duplicate?: number;
  corrupt?: number;
  /** Largest byte count per direction (default 200,000); with `exactBytes`, the count itself. */
  bytes?: number;
  exactBytes?: boolean;
  close?: CloseMode;
  family?: 4 | 6;
  /** How the connection opens: a listener (default) or a simultaneous open (RFC 9293 §3.5, Figure 8). */
  open?: 'listen' | 'simultaneous';
  /** Trace every event of the run (for replaying a failure). */
  trace?: TraceSink;
}

/** Everything a scenario does, drawn from its seed. */
export interface ScenarioPlan {
  seed: number;
  family: 4 | 6;
  open: 'listen' | 'simultaneous';
  loss: number;
  reorder: number;
  duplicate: number;
  corrupt: number;
  delay: number;
  jitter: number;
  mtu: number;
  clientBytes: number;
  serverBytes: number;
  close: CloseMode;
  /** For aborts: when the aborting side aborts (ms of virtual time after the start). */
  abortAt: number;
  /**
   * A slow reader: that side reads at most `readChunk` bytes every `readInterval` ms instead of
   * everything at once, so its window fills and the sender meets zero windows and persist probes.
   */
  slowReader: 'none' | 'client' | 'server';
  readInterval: number;
  readChunk: number;
  /**
   * A pausing writer: that side stops after `pauseAfter` bytes for `pauseMs` (longer than an RTO
   * sometimes: idle restart, RFC 5681 §4.1; keep-alives when on), then writes the rest.
   */
  pause: 'none' | 'client' | 'server';
  pauseAfter: number;
  pauseMs: number;
  tcp: Partial<TcpConfig>;
}

export interface ScenarioResult {
  plan: ScenarioPlan;
  ok: boolean;
  failures: string[];
  /** Virtual time the run took (ms). */
  simTime: number;
  packets: number;
  retransmits: number;
}

const MAX_VIRTUAL_TIME = 6 * 3600_000;

function pick<T>(r: RandomSource, items: readonly T[]): T {
  return items[Math.floor(r.next() * items.length)]!;
}

/** 0 with probability `pZero`, else uniform in (0, max]. */
function maybe(r: RandomSource, pZero: number, max: number): number {
  const z = r.next();
  const v = r.next();
  return z < pZero ? 0 : Math.round(v * max * 1000) / 1000;
}

/** Byte count: 0 sometimes, else half log-uniform in [1, max] (small), half uniform in [0, max]. */
function byteCount(r: RandomSource, max: number): number {
  const z = r.next();
  const v = r.next();
  if (z < 0.1 || max <= 0) return 0;
  if (z < 0.55) return Math.min(max, Math.floor(Math.exp(v * Math.log(max + 1))));
  return Math.min(max, Math.floor(v * (max + 1)));
}

export function planScenario(o: ScenarioOptions): ScenarioPlan {
  const r = seededRandom((o.seed ^ 0x5eed) >>> 0);
  const maxBytes = o.bytes ?? 200_000;
  const family: 4 | 6 = r.next() < 0.3 ? 6 : 4;
  const loss = maybe(r, 0.3, 0.2);
  const reorder = maybe(r, 0.4, 0.2);
  const duplicate = maybe(r, 0.6, 0.1);
  const corrupt = maybe(r, 0.7, 0.05);
  const delay = 1 + Math.floor(r.next() * 50);
  const jitter = r.next() < 0.5 ? 0 : Math.floor(r.next() * 10);
  const mtuChoice = pick(r, [1500, 1500, 1280, 576, 9000] as const);
  const clientBytes = byteCount(r, maxBytes);
  const serverBytes = byteCount(r, maxBytes);
  const closeRoll = r.next();
  const close: CloseMode =
    closeRoll < 0.3
      ? 'client-first'
      : closeRoll < 0.55
        ? 'server-first'
        : closeRoll < 0.8
          ? 'both'
          : closeRoll < 0.9
            ? 'abort-client'
            : 'abort-server';
  const abortAt = Math.floor(r.next() * 4 * delay * 10);
  const smallBuffers = r.next() < 0.25;
  const bufferSize = 2048 + Math.floor(r.next() * 30_000);
  const noDelay = r.next() < 0.5;
  const delayedAck = r.next() < 0.7;
  const slowRoll = r.next();
  const slowReader = slowRoll < 0.7 ? 'none' : slowRoll < 0.85 ? 'client' : 'server';
  const readInterval = 10 + Math.floor(r.next() * 290);
  const readChunk = 512 + Math.floor(r.next() * 8192);
  const windowScaling = r.next() < 0.8;
  const pauseRoll = r.next();
  const pause = pauseRoll < 0.75 ? 'none' : pauseRoll < 0.875 ? 'client' : 'server';
  const pauseFraction = r.next();
  const pauseMs = 50 + Math.floor(r.next() * 5000);
  const keepAlive = r.next() < 0.3;
  const keepAliveIdle = 200 + Math.floor(r.next() * 2000);
  const keepAliveInterval = 100 + Math.floor(r.next() * 1000);
  const simultaneous = r.next() < 0.1;
  const fam = o.family ?? family;
  const closeMode = o.close ?? close;
  const aborting = closeMode === 'abort-client' || closeMode === 'abort-server';
  const tcp: Partial<TcpConfig> = {
    // Generous give-up limits: at 20 % loss each way a handshake fails 36 % of the time, and the
    // suite checks delivery, not how patient the defaults are (7 SYNs all failing is 0.08 %).
    synRetries: 12,
    dataRetries: 20,
    // Half-closes keep one side in FIN-WAIT-2 while the other still sends, possibly for minutes of
    // lossy virtual time: the scenario must not be cut by the FIN-WAIT-2 timer. After an abort it
    // is the other way round: if the RST is lost, a side in FIN-WAIT-2 has nothing to retransmit
    // and only this timer ends it (RFC 9293 §3.6 note, Linux tcp_fin_timeout).
    finWait2Timeout: aborting ? 60_000 : MAX_VIRTUAL_TIME / 2,
    noDelay,
    delayedAck,
    windowScaling,
    msl: 30_000,
  };
  if (keepAlive) {
    // Short keep-alives so that pauses and half-closed idles see probes; many probes, so that a
    // lossy path does not legitimately end the connection (9 lost in a row at 36 % is 1e-4).
    Object.assign(tcp, { keepAlive, keepAliveIdle, keepAliveInterval, keepAliveProbes: 30 });
  }
  // A slow reader only makes zero windows with a buffer it can fill.
  if (smallBuffers || slowReader !== 'none') {
    tcp.sendBufferSize = bufferSize;
    tcp.receiveBufferSize = bufferSize;
  }
  const plan: ScenarioPlan = {
    seed: o.seed,
    family: fam,
    open: o.open ?? (simultaneous ? 'simultaneous' : 'listen'),
    loss: o.loss ?? loss,
    reorder: o.reorder ?? reorder,
    duplicate: o.duplicate ?? duplicate,
    corrupt: o.corrupt ?? corrupt,
    delay,
    jitter,
    // IPv6 needs 1280 (RFC 8200 §5).
    mtu: fam === 6 && mtuChoice < 1280 ? 1280 : mtuChoice,
    clientBytes: o.exactBytes && o.bytes !== undefined ? o.bytes : clientBytes,
    serverBytes: o.exactBytes && o.bytes !== undefined ? o.bytes : serverBytes,
    close: closeMode,
    abortAt,
    slowReader,
    readInterval,
    readChunk,
    pause,
    pauseAfter: 0,
    pauseMs,
    tcp,
  };
  const pausedBytes = plan.pause === 'client' ? plan.clientBytes : plan.serverBytes;
  plan.pauseAfter = Math.floor(pauseFraction * pausedBytes);
  if (plan.pause !== 'none' && pausedBytes === 0) plan.pause = 'none';
  return plan;
}

/** One side of the exchange: writes its data, reads everything, closes per the plan. */
class Peer {
  conn: TcpConnection | undefined;
  written = 0;
  readonly chunks: Uint8Array[] = [];
  receivedLength = 0;
  peerFin = false;
  closeCalled = false;
  aborted = false;
  closedEvents = 0;
  error: TcpErrorCode | undefined;
  readonly states: string[] = [];
  readonly problems: string[] = [];

  #readTimer: TimerHandle | undefined;

  constructor(
    readonly role: 'client' | 'server',
    readonly out: Uint8Array,
    /** Closes once all written and (if waitForPeerFin) the peer's FIN has arrived. */
    readonly waitForPeerFin: boolean,
    /** Reads `chunk` bytes every `interval` ms instead of everything at once. */
    readonly slow?: { clock: Clock; interval: number; chunk: number },
    /** Stops writing after `after` bytes for `ms` ms. */
    readonly pause?: { clock: Clock; after: number; ms: number },
  ) {}

  #pauseState: 'before' | 'pausing' | 'done' = 'before';

  /** 'readable': read everything now, or (slow reader) on the next read tick. */
  onReadable(): void {
    const slow = this.slow;
    if (!slow) {
      this.readAll();
      return;
    }
    if (this.#readTimer) return;
    this.#readTimer = slow.clock.schedule(slow.clock.now() + slow.interval, () => {
      this.#readTimer = undefined;
      const c = this.conn;
      if (!c) return;
      const b = c.read(slow.chunk);
      this.chunks.push(b);
      this.receivedLength += b.length;
      if (c.readableLength > 0) this.onReadable();
    });
  }

  stopReading(): void {
    if (this.#readTimer && this.slow) this.slow.clock.cancel(this.#readTimer);
    this.#readTimer = undefined;
  }

  attach(c: TcpConnection): void {
    this.conn = c;
    c.onEvent = (ev) => this.onEvent(ev);
    if (this.abortPending) {
      this.abort();
      return;
    }
    // An accepted connection may already hold data (it arrived before accept).
    this.onReadable();
    this.pump();
  }

  onEvent(ev: ConnEvent): void {
    switch (ev.type) {
      case 'state':
        this.states.push(ev.to);
        return;
      case 'established':
      case 'writable':
        this.pump();
        return;
      case 'readable':
        this.onReadable();
        return;
      case 'peer-fin':
        // At end of stream even a slow reader drains what is left (as an app reading to EOF).
        this.stopReading();
        this.readAll();
        this.peerFin = true;
        this.pump();
        return;
      case 'closed': {
        this.stopReading();
        this.closedEvents++;
        this.error = ev.error?.code;
        this.readAll();
        const info = this.conn?.info();
        if (info) this.leftBuffered = info.sendBuffered + info.receiveBuffered;
        return;
      }
      default:
        return;
    }
  }

  readAll(): void {
    const c = this.conn;
    if (!c) return;
    for (let guard = 0; guard < 100_000; guard++) {
      const b = c.read();
      if (b.length === 0) return;
      this.chunks.push(b);
      this.receivedLength += b.length;
    }
  }

  pump(): void {
    const c = this.conn;
    if (!c || this.closeCalled || this.aborted || this.closedEvents > 0) return;
    const s = c.state;
    if (s === 'SYN-SENT' || s === 'SYN-RECEIVED' || s === 'LISTEN' || s === 'CLOSED') return;
    const pause = this.pause;
    if (this.#pauseState === 'pausing') return;
    const limit = pause && this.#pauseState === 'before' ? pause.after : this.out.length;
    for (let guard = 0; guard < 100_000 && this.written < limit; guard++) {
      const n = c.write(this.out.subarray(this.written, limit));
      if (n === 0) break;
      this.written += n;
    }
    if (pause && this.#pauseState === 'before' && this.written >= pause.after) {
      this.#pauseState = 'pausing';
      pause.clock.schedule(pause.clock.now() + pause.ms, () => {
        this.#pauseState = 'done';
        this.pump();
      });
      return;
    }
    if (this.written === this.out.length && (!this.waitForPeerFin || this.peerFin)) {
      this.closeCalled = true;
      c.close();
    }
  }

  /** Set when the abort time came before the connection was attached: abort on attach. */
  abortPending = false;
  /** Bytes still in the engine's buffers when it reported 'closed' (after a final read). */
  leftBuffered = 0;

  abort(): void {
    const c = this.conn;
    if (!c) {
      this.abortPending = true;
      return;
    }
    if (this.closedEvents > 0) return;
    this.aborted = true;
    c.abort();
  }

  /**
   * Reset while waiting for the ACK of its FIN (LAST-ACK or CLOSING), after everything arrived:
   * the peer's TIME-WAIT (2·MSL) ended before our retransmission, backed off under heavy loss, got
   * there, and its stack answered with a RST (§3.10.7.1). Correct TCP: 2·MSL bounds how long
   * TIME-WAIT waits, not how long a peer may keep retransmitting.
   */
  lastAckReset(): boolean {
    const before = this.states[this.states.length - 2];
    return this.peerFin && (before === 'LAST-ACK' || before === 'CLOSING');
  }

  received(): Uint8Array {
    const out = new Uint8Array(this.receivedLength);
    let at = 0;
    for (const b of this.chunks) {
      out.set(b, at);
      at += b.length;
    }
    return out;
  }
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function checkStream(
  failures: string[],
  what: string,
  sent: Uint8Array,
  got: Uint8Array,
  complete: boolean,
): void {
  if (complete) {
    if (got.length !== sent.length) {
      failures.push(`${what}: ${got.length} of ${sent.length} bytes delivered`);
      return;
    }
    if (sha256(got) !== sha256(sent)) failures.push(`${what}: SHA-256 of the bytes read ≠ written`);
    return;
  }
  // After an abort the receiver may have less, but never anything else: a prefix, in order.
  if (got.length > sent.length) {
    failures.push(`${what}: ${got.length} bytes read but only ${sent.length} written`);
    return;
  }
  if (sha256(got) !== sha256(sent.subarray(0, got.length))) {
    failures.push(`${what}: the ${got.length} bytes read are not a prefix of what was written`);
  }
}

/** Runs one scenario to completion (bounded) and checks its outcome. Never throws. */
export function runScenario(opts: ScenarioOptions): ScenarioResult {
  const plan = planScenario(opts);
  const failures: string[] = [];
  const data = seededRandom((plan.seed * 2654435761) >>> 0);
  const clientData = data.bytes(plan.clientBytes);
  const serverData = data.bytes(plan.serverBytes);
  const clientAddr = plan.family === 6 ? '2001:db8::1' : '198.18.0.1';
  const serverAddr = plan.family === 6 ? '2001:db8::2' : '198.18.0.2';
  const netOpts: SimNetworkOptions = {
    seed: plan.seed,
    clock: 'virtual',
    loss: plan.loss,
    reorder: plan.reorder,
    duplicate: plan.duplicate,
    corrupt: plan.corrupt,
    delay: plan.delay,
    jitter: plan.jitter,
    mtu: plan.mtu,
  };
  let net: SimNetwork | undefined;
  let simTime = 0;
  let retransmits = 0;
  try {
    net = new SimNetwork(netOpts);
    if (opts.trace) net.setTrace(opts.trace);
    const server = net.addHost({ address: serverAddr, name: 'server', tcp: plan.tcp });
    const client = net.addHost({ address: clientAddr, name: 'client', tcp: plan.tcp });
    for (const [role, st] of [
      ['server', server],
      ['client', client],
    ] as const) {
      st.onError = (err) =>
        failures.push(
          `${role}: exception: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
    }
    const closeFirst = plan.close;
    const slow = { clock: net.clock, interval: plan.readInterval, chunk: plan.readChunk };
    const pause = { clock: net.clock, after: plan.pauseAfter, ms: plan.pauseMs };
    const clientPeer = new Peer(
      'client',
      clientData,
      closeFirst === 'server-first',
      plan.slowReader === 'client' ? slow : undefined,
      plan.pause === 'client' ? pause : undefined,
    );
    const serverPeer = new Peer(
      'server',
      serverData,
      closeFirst === 'client-first',
      plan.slowReader === 'server' ? slow : undefined,
      plan.pause === 'server' ? pause : undefined,
    );
    let listener: TcpListener | undefined;
    if (plan.open === 'simultaneous') {
      // Both ends actively open towards each other's fixed port: SYNs cross (RFC 9293 Figure 8).
      clientPeer.attach(client.openConnection({ address: serverAddr, port: 80, localPort: 40000 }));
      serverPeer.attach(server.openConnection({ address: clientAddr, port: 40000, localPort: 80 }));
    } else {
      const l = server.openListener({ port: 80, backlog: 4 });
      listener = l;
      l.onConnection = (c) => {
        if (serverPeer.conn) {
          failures.push('server: a second connection was accepted');
          c.abort();
          return;
        }
        // One connection per scenario: a late duplicate SYN must find no listener (and get a RST).
        l.close();
        serverPeer.attach(c);
      };
      clientPeer.attach(client.openConnection({ address: serverAddr, port: 80 }));
    }
    if (closeFirst === 'abort-client' || closeFirst === 'abort-server') {
      const who = closeFirst === 'abort-client' ? clientPeer : serverPeer;
      net.clock.schedule(plan.abortAt, () => who.abort());
    }
    // The network may be idle while the scenario still has a timer (a slow reader's next read, a
    // late abort): run those too, until nothing at all is left.
    const clock = net.clock as VirtualClock;
    let idle = false;
    for (let rounds = 0; rounds < 100_000; rounds++) {
      idle = net.run(Math.max(0, MAX_VIRTUAL_TIME - clock.now()));
      if (!idle || clock.pending === 0 || clock.now() >= MAX_VIRTUAL_TIME) break;
      clock.advance();
    }
    simTime = net.clock.now();
    if (!idle) failures.push(`not idle after ${MAX_VIRTUAL_TIME} ms of virtual time`);
    if (listener && !listener.closed) listener.close();
    retransmits = client.counters.TcpRetransSegs + server.counters.TcpRetransSegs;
    checkOutcome(failures, plan, clientPeer, serverPeer, clientData, serverData);
    checkClean(failures, 'client', client);
    checkClean(failures, 'server', server);
    if (net.inFlight !== 0) failures.push(`${net.inFlight} packets still in flight`);
  } catch (err) {
    failures.push(`exception: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  return {
    plan,
    ok: failures.length === 0,
    failures,
    simTime,
    packets: net?.stats.sent ?? 0,
    retransmits,
  };
}

function checkOutcome(
  failures: string[],
  plan: ScenarioPlan,
  client: Peer,
  server: Peer,
  clientData: Uint8Array,
  serverData: Uint8Array,
): void {
  for (const p of [client, server]) {
    if (p.closedEvents > 1) failures.push(`${p.role}: ${p.closedEvents} 'closed' events`);
    if (p.conn && p.conn.state !== 'CLOSED') failures.push(`${p.role}: ended in ${p.conn.state}`);
  }
  const abortBy =
    plan.close === 'abort-client' ? client : plan.close === 'abort-server' ? server : undefined;
  if (!abortBy || !abortBy.aborted) {
    // No abort happened (or it came too late to matter): a graceful exchange.
    if (!server.conn) {
      failures.push('server: no connection was accepted');
      return;
    }
    for (const p of [client, server]) {
      if (p.closedEvents !== 1) failures.push(`${p.role}: no 'closed' event`);
      if (p.error !== undefined && !(p.error === 'reset' && p.lastAckReset())) {
        failures.push(`${p.role}: closed with error '${p.error}'`);
      }
      if (p.written !== p.out.length)
        failures.push(`${p.role}: wrote ${p.written} of ${p.out.length}`);
      if (!p.peerFin) failures.push(`${p.role}: never saw the peer's FIN`);
      if (p.error === undefined && p.leftBuffered !== 0) {
        failures.push(`${p.role}: closed cleanly with ${p.leftBuffered} bytes left in its buffers`);
      }
    }
    checkStream(failures, 'client→server', clientData, server.received(), true);
    checkStream(failures, 'server→client', serverData, client.received(), true);
    return;
  }
  // An abort: the aborting side ends 'aborted' (or had already closed cleanly before its turn);
  // the other ends reset, timed out or — if it had finished — cleanly. Bytes: prefixes only.
  const other = abortBy === client ? server : client;
  if (abortBy.conn && abortBy.closedEvents !== 1)
    failures.push(`${abortBy.role}: no 'closed' event`);
  if (abortBy.error !== 'aborted') {
    failures.push(`${abortBy.role}: aborted but closed with '${abortBy.error ?? 'no error'}'`);
  }
  if (other.conn) {
    if (other.closedEvents !== 1) failures.push(`${other.role}: no 'closed' event`);
    // 'refused': the RST reached it still in SYN-SENT (a simultaneous open aborted early, §3.10.7.3).
    const fine = [undefined, 'reset', 'timed-out', 'refused'];
    if (!fine.includes(other.error)) {
      failures.push(`${other.role}: closed with '${other.error}' after the peer's abort`);
    }
  }
  checkStream(failures, 'client→server', clientData, server.received(), false);
  checkStream(failures, 'server→client', serverData, client.received(), false);
}

function checkClean(failures: string[], role: string, s: Stack): void {
  if (s.connectionCount !== 0) {
    const states = [...s.connections()].map((c) => c.state).join(', ');
    failures.push(`${role}: ${s.connectionCount} connection(s) left (${states})`);
  }
  if (s.pendingTimerCount !== 0) failures.push(`${role}: ${s.pendingTimerCount} timer(s) left`);
  if (s.counters.TcpCurrEstab !== 0)
    failures.push(`${role}: TcpCurrEstab ${s.counters.TcpCurrEstab}`);
}

/** The pinned options of a run, as `synack sim` flags (for the replay command). */
export function scenarioFlags(o: Omit<ScenarioOptions, 'seed' | 'trace'>): string {
  const parts: string[] = [];
  if (o.loss !== undefined) parts.push(`--loss ${o.loss}`);
  if (o.reorder !== undefined) parts.push(`--reorder ${o.reorder}`);
  if (o.duplicate !== undefined) parts.push(`--duplicate ${o.duplicate}`);
  if (o.corrupt !== undefined) parts.push(`--corrupt ${o.corrupt}`);
  if (o.bytes !== undefined) parts.push(`--bytes ${o.bytes}`);
  if (o.exactBytes) parts.push('--exact-bytes');
  if (o.close !== undefined) parts.push(`--close ${o.close}`);
  if (o.family !== undefined) parts.push(`--family ${o.family}`);
  if (o.open !== undefined) parts.push(`--open ${o.open}`);
  return parts.join(' ');
}

/** The exact command that replays one scenario. */
export function replayCommand(o: Omit<ScenarioOptions, 'trace'>): string {
  const flags = scenarioFlags(o);
  return `npx synack sim --runs 1 --seed ${o.seed}${flags ? ' ' + flags : ''}`;
}

/** One line describing a plan (for failures and --verbose). */
export function describePlan(p: ScenarioPlan): string {
  return (
    `seed ${p.seed}: IPv${p.family}${p.open === 'simultaneous' ? ' simultaneous open,' : ''} mtu ${p.mtu}, ${p.clientBytes} B → / ← ${p.serverBytes} B, ` +
    `close ${p.close}${p.close.startsWith('abort') ? ` at ${p.abortAt} ms` : ''}, loss ${p.loss}, ` +
    `reorder ${p.reorder}, dup ${p.duplicate}, corrupt ${p.corrupt}, delay ${p.delay}±${p.jitter} ms, ` +
    `bufs ${p.tcp.receiveBufferSize ?? 'default'}` +
    (p.slowReader === 'none'
      ? ''
      : `, slow ${p.slowReader} ${p.readChunk} B/${p.readInterval} ms`) +
    (p.pause === 'none' ? '' : `, ${p.pause} pauses ${p.pauseMs} ms after ${p.pauseAfter} B`) +
    (p.tcp.keepAlive ? `, keepalive ${p.tcp.keepAliveIdle}/${p.tcp.keepAliveInterval} ms` : '') +
    `, noDelay ${String(p.tcp.noDelay)}, wscale ${String(p.tcp.windowScaling)}, ` +
    `delayedAck ${String(p.tcp.delayedAck)}`
  );
}
