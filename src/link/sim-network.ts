/**
 * A simulated IP network in memory: hosts (each a Stack) joined by per-direction paths with loss,
 * delay, jitter, reordering, duplication, corruption, an MTU and a bandwidth-limited queue.
 *
 * Determinism: every direction (source address → destination address) draws from its own seeded
 * RandomSource derived from the network's seed, and every host's stack gets a seed derived from it
 * too (ISNs, ephemeral ports). With the virtual clock the same seed gives the same run, byte for
 * byte. Packets in flight sit in one heap ordered by arrival time (ties in send order) behind ONE
 * clock timer — except, on a real clock, packets already due when sent (a zero-delay path): those
 * are delivered in send order from a microtask after the sender's synchronous work, a bounded
 * number per turn of the event loop, rather than a host-timer hop each.
 */
import { RealClock } from '../stack/real-clock.js';
import { VirtualClock } from '../stack/virtual-clock.js';
import type { Clock, TimerHandle } from '../stack/clock.js';
import { ReadyQueue } from './ready-queue.js';
import { TimerQueue } from '../stack/timer-queue.js';
import { Stack } from '../stack/stack.js';
import { segmentWithOwnPayload, type TraceEvent, type TraceSink } from '../stack/trace-event.js';
import {
  GSO_MAX_SIZE,
  RX_CSUM_VALID,
  type LinkOffload,
  type RxMeta,
  type TxMeta,
} from '../stack/link-offload.js';
import { segmentGso } from '../stack/gso-segment.js';
import type { TcpConfig } from '../tcp/config.js';
import { seededRandom, type RandomSource } from '../tcp/random.js';
import { formatEndpoint, formatIp, parseIp } from '../wire/address.js';
import { buildIcmpPacket, ipv4TextAt, parsePacket } from '../wire/ip-packet.js';
import type { TcpSegment } from '../wire/tcp-segment.js';

/** Per-direction link behaviour. Probabilities are 0..1, times milliseconds. */
export interface SimPathOptions {
  /** Probability a packet is lost. */
  loss: number;
  /** One-way propagation delay (ms). */
  delay: number;
  /** Extra random delay, uniform in [0, jitter) ms; without `reorder` packets still arrive in order. */
  jitter: number;
  /** Probability a packet is held back so that later packets overtake it. */
  reorder: number;
  /** Probability a packet is delivered twice. */
  duplicate: number;
  /** Probability one bit of the packet is flipped (the receiver's checksum must catch it). */
  corrupt: number;
  /** Largest packet the path carries (bytes of IP packet); bigger ones are dropped. */
  mtu: number;
  /** Bytes per second; 0 = unlimited (no serialization delay, no queue). */
  bandwidth: number;
  /** With a bandwidth, the most packets waiting to be serialized; more are dropped ('queue'). */
  queueLimit: number;
}

export interface SimNetworkOptions extends Partial<SimPathOptions> {
  /** Seed for every random choice of the network and its hosts (default 1). */
  seed?: number;
  /** 'real' (default): wall-clock time; 'virtual': time jumps to the next event (use run()/settle()). */
  clock?: 'real' | 'virtual' | Clock;
  /**
   * Link offloads, as a Linux veth pair has them (src/stack/link-offload.ts): hosts send TCP with
   * CHECKSUM_PARTIAL and GSO packets of up to 64 KiB. A path that cannot carry them safely gets
   * them cut into MTU-sized packets with full checksums first (software GSO): corruption turns
   * checksum offload off (the receiver must catch the flipped bit), and loss, duplication,
   * reordering, a bandwidth/queue model, a filter or a path MTU below the segments turn GSO off.
   * Default false: every packet on every path is one MSS-sized segment with a full checksum.
   */
  offload?: boolean;
}

export interface SimHostOptions {
  /** One address or several (IPv4 and/or IPv6). */
  address: string | string[];
  name?: string;
  /** TCP defaults for the host's connections. */
  tcp?: Partial<TcpConfig>;
  /** The host's interface MTU (its MSS follows); default the network's `mtu`, else 1500. */
  mtu?: number;
  /** Ephemeral port range for the host's stack. */
  ephemeralPorts?: { min?: number; max?: number };
}

export interface SimPacket {
  /** Source and destination addresses. */
  from: string;
  to: string;
  bytes: Uint8Array;
  /** The TCP segment, when the packet is TCP and parses. */
  segment?: TcpSegment;
  /** Packets sent on the network so far, before this one (0 for the first). */
  index: number;
}

/** 'pass', 'drop', or hold the packet back `delay` ms more. */
export type SimFilterResult = 'pass' | 'drop' | { delay: number };
export type SimFilter = (packet: SimPacket) => SimFilterResult;

export type SimDropReason = 'loss' | 'corrupt' | 'queue' | 'mtu' | 'filter' | 'no-route';

export interface SimNetworkStats {
  /** Packets handed to the network by hosts. */
  sent: number;
  /** Packets handed to a host (duplicates included). */
  delivered: number;
  bytesSent: number;
  bytesDelivered: number;
  /** Packets dropped, by reason ('corrupt' counts corrupted packets, which are still delivered). */
  dropped: Record<SimDropReason, number>;
  duplicated: number;
  reordered: number;
  /** ICMP errors the network generated (frag-needed / packet-too-big). */
  icmpSent: number;
}

export interface SettleOptions {
  /** Give up (reject) after this much clock time (default 10 minutes for virtual, 60 s for real). */
  timeout?: number;
  /** Bound on steps (virtual clock; default 10,000,000). */
  maxSteps?: number;
}

interface Host {
  name: string;
  addresses: string[];
  stack: Stack;
}

interface Path {
  opts: SimPathOptions;
  random: RandomSource;
  /** When the serializer is free again (bandwidth). */
  linkFreeAt: number;
  /** Departure times of packets waiting for the serializer. */
  queue: number[];
  /** Arrival time of the last in-order packet: FIFO unless reordered. */
  lastArrival: number;
}

interface Flight {
  heapSlot: number;
  to: Host;
  bytes: Uint8Array;
  meta: RxMeta | undefined;
}

/** What every host's link offers with `offload` (a veth's checksum offload, TSO and GSO). */
const SIM_OFFLOAD: LinkOffload = Object.freeze({ txChecksum: true, gsoMaxSize: GSO_MAX_SIZE });

const DEFAULT_PATH: SimPathOptions = {
  loss: 0,
  delay: 0,
  jitter: 0,
  reorder: 0,
  duplicate: 0,
  corrupt: 0,
  mtu: 65535,
  bandwidth: 0,
  queueLimit: 1000,
};

/**
 * A virtual clock the network can drive: VirtualClock, or any Clock of kind 'virtual' with the same
 * two stepping methods (e.g. the web page's step clock).
 */
export interface SteppableClock extends Clock {
  nextDeadline(): number | undefined;
  advance(): boolean;
}

function isSteppable(c: Clock): c is SteppableClock {
  if (c instanceof VirtualClock) return true;
  const x = c as Partial<SteppableClock>;
  return (
    c.kind === 'virtual' && typeof x.nextDeadline === 'function' && typeof x.advance === 'function'
  );
}

/** FNV-1a, 32 bits: derives independent seeds from (network seed, labels). */
function deriveSeed(seed: number, ...labels: string[]): number {
  let h = 0x811c9dc5;
  const s = `${seed >>> 0}/${labels.join('/')}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function checkProbability(name: string, v: number | undefined): void {
  if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) {
    throw new RangeError(`SimNetwork: ${name} must be a probability in [0, 1], got ${String(v)}`);
  }
}

function checkNonNegative(name: string, v: number | undefined): void {
  if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
    throw new RangeError(`SimNetwork: ${name} must be a non-negative number, got ${String(v)}`);
  }
}

function validatePathOptions(o: Partial<SimPathOptions>): void {
  for (const k of ['loss', 'reorder', 'duplicate', 'corrupt'] as const) checkProbability(k, o[k]);
  for (const k of ['delay', 'jitter', 'bandwidth', 'queueLimit'] as const)
    checkNonNegative(k, o[k]);
  if (o.mtu !== undefined && !(Number.isInteger(o.mtu) && o.mtu >= 68 && o.mtu <= 65535)) {
    throw new RangeError(`SimNetwork: mtu must be an integer in [68, 65535], got ${String(o.mtu)}`);
  }
}

const CSUM_VALID = Object.freeze({ tcpChecksumValid: true });

function canonical(a: string): string {
  const b = parseIp(a);
  if (!b) throw new RangeError(`SimNetwork: not an IP address: ${a}`);
  return formatIp(b);
}

/** packetAddresses' answer: one pair, overwritten by the next call. */
const addressPair: [string, string] = ['', ''];

/**
 * Source and destination address of an IP packet, read straight from the header. The pair is
 * reused (one per packet was most of the link's garbage): read it before the next call.
 */
function packetAddresses(b: Uint8Array): readonly [string, string] | undefined {
  const v = b.length > 0 ? (b[0] as number) >>> 4 : 0;
  // ipv4TextAt caches IPv4 texts: per packet this must not build new strings.
  if (v === 4 && b.length >= 20) {
    addressPair[0] = ipv4TextAt(b, 12);
    addressPair[1] = ipv4TextAt(b, 16);
    return addressPair;
  }
  if (v === 6 && b.length >= 40) {
    addressPair[0] = formatIp(b.subarray(8, 24));
    addressPair[1] = formatIp(b.subarray(24, 40));
    return addressPair;
  }
  return undefined;
}

export class SimNetwork {
  readonly clock: Clock;
  readonly seed: number;
  readonly stats: SimNetworkStats = {
    sent: 0,
    delivered: 0,
    bytesSent: 0,
    bytesDelivered: 0,
    dropped: { loss: 0, corrupt: 0, queue: 0, mtu: 0, filter: 0, 'no-route': 0 },
    duplicated: 0,
    reordered: 0,
    icmpSent: 0,
  };

  readonly #defaults: SimPathOptions;
  /** A host's MTU unless addHost says otherwise: the network's `mtu` when given, else Ethernet's. */
  readonly #hostMtu: number;
  readonly #hosts: Host[] = [];
  readonly #byAddress = new Map<string, Host>();
  readonly #pathOverrides = new Map<string, Partial<SimPathOptions>>();
  readonly #paths = new Map<string, Path>();
  /** The same paths by source, then destination address: no key string built per packet. */
  readonly #pathsByEnds = new Map<string, Map<string, Path>>();
  /** #path's two most recent answers (slot 0 the latest); '' matches no address. */
  readonly #recentPaths: {
    from0: string;
    to0: string;
    path0: Path | undefined;
    from1: string;
    to1: string;
    path1: Path | undefined;
  } = { from0: '', to0: '', path0: undefined, from1: '', to1: '', path1: undefined };
  readonly #filters: SimFilter[] = [];
  /** The RxMeta of a GSO packet crossing a path whole, per GSO size (frozen, shared). */
  readonly #gsoRx = new Map<number, RxMeta>();
  readonly #inFlight = new TimerQueue<Flight>();
  /** Real clock only: packets already due when sent (a zero-delay path), see ready-queue.ts. */
  readonly #ready = new ReadyQueue<Host>(
    (host, bytes, meta) => {
      this.stats.delivered++;
      this.stats.bytesDelivered += bytes.length;
      if (meta === undefined) host.stack.receive(bytes);
      else host.stack.receive(bytes, meta);
    },
    // A burst of deliveries is a moment of its own: the clock reads the host time again. Within
    // it, the stacks re-read it after any handler ran (user code may compute for a while); their
    // own work between two deliveries takes microseconds.
    () => this.#realClock?.refresh(),
  );
  readonly #realClock: RealClock | undefined;
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;
  #trace: TraceSink | undefined;
  #index = 0;
  #closed = false;
  readonly #offload: boolean;

  constructor(opts: SimNetworkOptions = {}) {
    validatePathOptions(opts);
    this.seed = (opts.seed ?? 1) >>> 0;
    const c = opts.clock ?? 'real';
    this.clock = c === 'real' ? new RealClock() : c === 'virtual' ? new VirtualClock() : c;
    this.#realClock = this.clock instanceof RealClock ? this.clock : undefined;
    this.#hostMtu = opts.mtu ?? 1500;
    this.#offload = opts.offload ?? false;
    this.#defaults = { ...DEFAULT_PATH };
    for (const k of Object.keys(DEFAULT_PATH) as (keyof SimPathOptions)[]) {
      const v = opts[k];
      if (v !== undefined) this.#defaults[k] = v;
    }
  }

  /** Adds a host and returns its stack. */
  addHost(opts: SimHostOptions): Stack {
    if (this.#closed) throw new Error('SimNetwork: closed');
    const list = Array.isArray(opts.address) ? opts.address : [opts.address];
    if (list.length === 0) throw new RangeError('SimNetwork.addHost: an address is required');
    const addresses = list.map(canonical);
    for (const a of addresses) {
      if (this.#byAddress.has(a))
        throw new RangeError(`SimNetwork.addHost: ${a} already belongs to a host`);
    }
    const name = opts.name ?? addresses[0]!;
    const stack = new Stack({
      name,
      addresses,
      clock: this.clock,
      mtu: opts.mtu ?? this.#hostMtu,
      tcp: opts.tcp,
      seed: deriveSeed(this.seed, 'host', ...addresses),
      trace: this.#trace,
      ephemeralPorts: opts.ephemeralPorts,
    });
    const host: Host = { name, addresses, stack };
    if (this.#offload) {
      stack.setOutput((packet, meta) => this.#send(host, packet, meta), SIM_OFFLOAD);
    } else {
      stack.setOutput((packet) => this.#send(host, packet));
    }
    this.#hosts.push(host);
    for (const a of addresses) this.#byAddress.set(a, host);
    return stack;
  }

  /** The hosts' stacks, in the order they were added. */
  get hosts(): Stack[] {
    return this.#hosts.map((h) => h.stack);
  }

  /** The stack owning `address` (or named `address`). */
  host(address: string): Stack | undefined {
    const b = parseIp(address);
    const h = b ? this.#byAddress.get(formatIp(b)) : this.#hosts.find((x) => x.name === address);
    return h?.stack;
  }

  /** Per-direction settings for packets from `fromAddress` to `toAddress` (merged over the defaults). */
  setPath(fromAddress: string, toAddress: string, opts: Partial<SimPathOptions>): void {
    validatePathOptions(opts);
    const key = `${canonical(fromAddress)}>${canonical(toAddress)}`;
    this.#pathOverrides.set(key, { ...(this.#pathOverrides.get(key) ?? {}), ...opts });
    const p = this.#paths.get(key);
    if (p) p.opts = { ...this.#defaults, ...this.#pathOverrides.get(key) };
  }

  /** Sets the same settings on both directions between two addresses. */
  setLink(a: string, b: string, opts: Partial<SimPathOptions>): void {
    this.setPath(a, b, opts);
    this.setPath(b, a, opts);
  }

  /** A scripted hook on every packet, before the link's own randomness; returns a remover. */
  addFilter(fn: SimFilter): () => void {
    this.#filters.push(fn);
    return () => {
      const i = this.#filters.indexOf(fn);
      if (i >= 0) this.#filters.splice(i, 1);
    };
  }

  /** Hosts' and the network's events to one sink (link drops come from host 'net'). */
  setTrace(sink: TraceSink | undefined): void {
    this.#trace = sink;
    for (const h of this.#hosts) h.stack.setTrace(sink);
  }

  /** Packets on the wire right now. */
  get inFlight(): number {
    return this.#inFlight.size + this.#ready.size;
  }

  /** No packet in flight and no TCP timer pending on any host. */
  get idle(): boolean {
    if (this.inFlight > 0) return false;
    for (const h of this.#hosts) if (h.stack.pendingTimerCount > 0) return false;
    return true;
  }

  /**
   * Virtual clock only: processes events until the network is idle (nothing in flight, no timer
   * pending on any host), or `limitMs` of simulated time passed (default 24 h), or 10,000,000 steps.
   * Returns true when idle.
   */
  run(limitMs = 86_400_000): boolean {
    const clock = this.clock;
    if (!isSteppable(clock)) {
      throw new Error('SimNetwork.run() needs the virtual clock (use settle() with a real clock)');
    }
    const end = clock.now() + limitMs;
    for (let steps = 0; steps < 10_000_000; steps++) {
      if (this.idle) return true;
      const next = clock.nextDeadline();
      if (next === undefined || next > end) return false;
      clock.advance();
    }
    return false;
  }

  /**
   * Resolves when no packet is in flight and no timer is pending on any host. Works with both
   * clocks; yields to the event loop between steps so that code using process.nextTick and
   * setImmediate (Node-style sockets) interleaves as it would on a real network.
   */
  async settle(opts: SettleOptions = {}): Promise<void> {
    const clock = this.clock;
    const virtual = isSteppable(clock);
    const timeout = opts.timeout ?? (virtual ? 600_000 : 60_000);
    const end = clock.now() + timeout;
    const maxSteps = opts.maxSteps ?? 10_000_000;
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    for (let steps = 0; steps < maxSteps; steps++) {
      // Two turns: callbacks queued by the last step's setImmediate handlers get to run too.
      await turn();
      await turn();
      if (this.idle) {
        // Confirm over a few more turns: code reacting to the last events (callbacks chained
        // through setImmediate) may still send something.
        let quiet = true;
        for (let i = 0; i < 4 && quiet; i++) {
          await turn();
          quiet = this.idle;
        }
        if (quiet) return;
        continue;
      }
      if (clock.now() > end) break;
      if (isSteppable(clock)) {
        const next = clock.nextDeadline();
        if (next === undefined) {
          if (this.idle) return;
          break;
        }
        if (next > end) break;
        clock.advance();
      } else {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    throw new Error(
      `SimNetwork.settle: not idle after ${timeout} ms (${this.inFlight} packets in flight, ` +
        `${this.#hosts.reduce((n, h) => n + h.stack.pendingTimerCount, 0)} connections with ` +
        `timers pending; TIME-WAIT lasts 2·MSL — give hosts a small tcp.msl on a real clock)`,
    );
  }

  /**
   * Puts a raw IP packet on the wire as if the host owning its source address had sent it (for
   * tests and hand-made packets); it goes through the same path as a host's own output.
   */
  inject(packet: Uint8Array): void {
    const addrs = packetAddresses(packet);
    const from = addrs ? this.#byAddress.get(addrs[0]) : undefined;
    this.#send(from, packet);
  }

  /** Closes every host's stack and discards packets in flight. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const h of this.#hosts) h.stack.close();
    this.#inFlight.clear();
    this.#ready.clear();
    this.#syncTimer();
  }

  // ------------------------------------------------------------------ the wire

  #path(from: string, to: string): Path {
    // The last two paths (a conversation's two directions, packet after packet) are answered by
    // comparing the strings, which are the same cached objects each time (ipv4TextAt). A path is
    // never replaced (setPath changes its opts), so the answers stay right.
    const r = this.#recentPaths;
    if (from === r.from0 && to === r.to0) return r.path0!;
    const p = from === r.from1 && to === r.to1 ? r.path1! : this.#lookUpPath(from, to);
    r.from1 = r.from0;
    r.to1 = r.to0;
    r.path1 = r.path0;
    r.from0 = from;
    r.to0 = to;
    r.path0 = p;
    return p;
  }

  #lookUpPath(from: string, to: string): Path {
    let byTo = this.#pathsByEnds.get(from);
    const hit = byTo?.get(to);
    if (hit) return hit;
    const key = `${from}>${to}`;
    let p = this.#paths.get(key);
    if (!p) {
      p = {
        opts: { ...this.#defaults, ...(this.#pathOverrides.get(key) ?? {}) },
        random: seededRandom(deriveSeed(this.seed, 'path', from, to)),
        linkFreeAt: 0,
        queue: [],
        lastArrival: 0,
      };
      this.#paths.set(key, p);
    }
    if (!byTo) this.#pathsByEnds.set(from, (byTo = new Map()));
    byTo.set(to, p);
    return p;
  }

  /**
   * Whether a packet with offload metadata may cross its path (options `o`) as it is, and what the
   * receiver is told of it then; undefined: cut it (software GSO / checksum) before the per-packet
   * model.
   */
  #passThrough(o: SimPathOptions, meta: TxMeta): RxMeta | undefined {
    if (o.corrupt > 0) return undefined;
    const gsoSize = meta.gsoSize;
    if (gsoSize === 0) return RX_CSUM_VALID;
    if (o.loss > 0 || o.duplicate > 0 || o.reorder > 0 || o.bandwidth > 0) return undefined;
    if (meta.hdrLen + gsoSize > o.mtu) return undefined;
    // One object per GSO size (receivers only read it), not one per packet.
    let rx = this.#gsoRx.get(gsoSize);
    if (rx === undefined) {
      rx = Object.freeze({ csumValid: true, gsoSize });
      this.#gsoRx.set(gsoSize, rx);
    }
    return rx;
  }

  #send(fromHost: Host | undefined, bytes: Uint8Array, meta?: TxMeta): void {
    if (this.#closed) return;
    // The pair is shared (packetAddresses): read at once, before anything may send again.
    const addrs = packetAddresses(bytes);
    const from = addrs?.[0];
    const to = addrs?.[1];
    let path: Path | undefined;
    let rx: RxMeta | undefined;
    if (meta !== undefined) {
      // Filters see the packets a user expects; a packet without addresses is cut too (its pieces
      // are counted as no-route one by one).
      if (from !== undefined && to !== undefined && this.#filters.length === 0) {
        path = this.#path(from, to);
        rx = this.#passThrough(path.opts, meta);
      }
      if (rx === undefined) {
        for (const piece of segmentGso(bytes, meta)) this.#send(fromHost, piece);
        return;
      }
    }
    const index = this.#index++;
    const stats = this.stats;
    stats.sent++;
    stats.bytesSent += bytes.length;
    if (from === undefined || to === undefined) {
      stats.dropped['no-route']++;
      return;
    }
    const toHost = this.#byAddress.get(to);
    let segment: TcpSegment | undefined;
    if (this.#filters.length > 0 || this.#trace) {
      const r = parsePacket(bytes, rx === undefined ? undefined : CSUM_VALID);
      if (r.ok && r.value.protocol === 'tcp') segment = r.value.segment;
    }
    if (!toHost) {
      this.#drop('no-route', from, to, segment);
      return;
    }
    const now = this.clock.now();
    let extraDelay = 0;
    // A copy, so a filter may remove itself; none at all in the common case.
    const filters = this.#filters.length > 0 ? [...this.#filters] : this.#filters;
    for (const f of filters) {
      const res = f({ from, to, bytes, segment, index });
      // A filter is user code: the stacks' next clock read goes to the host.
      this.#realClock?.refresh();
      if (res === 'drop') {
        this.#drop('filter', from, to, segment);
        return;
      }
      if (typeof res === 'object' && res !== null && Number.isFinite(res.delay) && res.delay > 0) {
        extraDelay += res.delay;
      }
    }
    // Read after the filters: one may setPath (new opts on the same Path object).
    path ??= this.#path(from, to);
    const o = path.opts;
    const rnd = path.random;
    // A GSO packet's pieces fit the path (#passThrough checked): it is the pieces that cross it.
    if (bytes.length > o.mtu && !(rx?.gsoSize !== undefined && rx.gsoSize > 0)) {
      this.#drop('mtu', from, to, segment);
      if (fromHost) this.#tooBig(fromHost, bytes, from, to, o.mtu, now + o.delay);
      return;
    }
    if (o.loss > 0 && rnd.next() < o.loss) {
      this.#drop('loss', from, to, segment);
      return;
    }
    let departure = now;
    if (o.bandwidth > 0) {
      while (path.queue.length > 0 && path.queue[0]! <= now) path.queue.shift();
      if (o.queueLimit > 0 && path.queue.length >= o.queueLimit) {
        this.#drop('queue', from, to, segment);
        return;
      }
      const start = Math.max(now, path.linkFreeAt);
      path.linkFreeAt = start + (bytes.length * 1000) / o.bandwidth;
      departure = path.linkFreeAt;
      path.queue.push(departure);
    }
    let data = bytes;
    if (o.corrupt > 0 && rnd.next() < o.corrupt) {
      // One flipped bit: the Internet checksum detects every single-bit error (RFC 1071), so the
      // receiver must count and drop it. Traced here as a drop since the packet is as good as lost.
      data = bytes.slice();
      const bit = Math.floor(rnd.next() * data.length * 8);
      data[bit >> 3] = (data[bit >> 3] as number) ^ (1 << (bit & 7));
      this.#drop('corrupt', from, to, segment);
    }
    let arrival = departure + o.delay + extraDelay + (o.jitter > 0 ? rnd.next() * o.jitter : 0);
    if (o.reorder > 0 && rnd.next() < o.reorder) {
      // Held back long enough for the next packets to overtake it.
      arrival += Math.max(o.delay, 1) * (0.5 + rnd.next()) + o.jitter;
      stats.reordered++;
    } else {
      arrival = Math.max(arrival, path.lastArrival);
      path.lastArrival = arrival;
    }
    this.#enqueue(arrival, toHost, data, rx);
    if (o.duplicate > 0 && rnd.next() < o.duplicate) {
      stats.duplicated++;
      // Bytes of its own: the receiver hands the first copy's payload to read() (zero copy), and
      // a reader may change it in place before the duplicate arrives.
      this.#enqueue(arrival + rnd.next() * Math.max(o.delay, 1), toHost, data.slice(), rx);
    }
  }

  /** RFC 1191 / RFC 8201: tell the sender the path MTU (IPv4 only when DF is set; IPv6 always). */
  #tooBig(
    fromHost: Host,
    bytes: Uint8Array,
    from: string,
    to: string,
    mtu: number,
    at: number,
  ): void {
    const v4 = (bytes[0] as number) >>> 4 === 4;
    if (v4 && ((bytes[6] as number) & 0x40) === 0) return;
    const ihl = v4 ? ((bytes[0] as number) & 0x0f) * 4 : 40;
    // RFC 792: the IP header + 8 bytes; RFC 4443 §3.2: as much as fits in 1280 — the header + 8 is all a TCP needs.
    const quoted = bytes.slice(0, Math.min(bytes.length, ihl + 8));
    let packet: Uint8Array;
    try {
      packet = buildIcmpPacket(to, from, { kind: 'packet-too-big', mtu, quoted });
    } catch {
      return;
    }
    this.stats.icmpSent++;
    this.#enqueue(at, fromHost, packet);
  }

  #enqueue(at: number, to: Host, bytes: Uint8Array, meta?: RxMeta): void {
    if (this.clock.kind === 'real' && at <= this.clock.now()) {
      // Due already. It may skip the heap only if nothing in the heap is due before it — a
      // packet the clock timer has not delivered yet must not be overtaken (FIFO per path).
      if (this.#inFlight.nextAt() > at) {
        this.#ready.push(to, bytes, meta);
        return;
      }
    }
    this.#inFlight.set({ heapSlot: -1, to, bytes, meta }, at);
    this.#syncTimer();
  }

  #syncTimer(): void {
    const next = this.#inFlight.nextAt();
    if (next === this.#timerAt) return;
    if (this.#timer) this.clock.cancel(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (next === Infinity) return;
    this.#timerAt = next;
    this.#timer = this.clock.schedule(next, () => this.#deliverDue());
  }

  #deliverDue(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.clock.now();
    if (this.#ready.size > 0) {
      // Ready packets wait past the turn's budget (ready-queue.ts): these came due after them,
      // and a path's packets must not overtake its earlier ones — they queue behind, in heap order.
      for (let f = this.#inFlight.popDue(now); f; f = this.#inFlight.popDue(now)) {
        this.#ready.push(f.to, f.bytes, f.meta);
      }
      this.#syncTimer();
      return;
    }
    // Take what is due now; packets these deliveries cause are scheduled afresh (for a real clock,
    // on a later turn of the event loop).
    const due: Flight[] = [];
    for (let f = this.#inFlight.popDue(now); f; f = this.#inFlight.popDue(now)) due.push(f);
    try {
      for (const f of due) {
        this.stats.delivered++;
        this.stats.bytesDelivered += f.bytes.length;
        if (f.meta === undefined) f.to.stack.receive(f.bytes);
        else f.to.stack.receive(f.bytes, f.meta);
      }
    } finally {
      this.#syncTimer();
    }
  }

  #drop(reason: SimDropReason, from: string, to: string, segment: TcpSegment | undefined): void {
    this.stats.dropped[reason]++;
    if (!this.#trace || !segment) return;
    const ev: TraceEvent = {
      type: 'segment',
      t: this.clock.now(),
      host: 'net',
      event: 'drop',
      src: formatEndpoint(from, segment.srcPort),
      dst: formatEndpoint(to, segment.dstPort),
      // The parsed segment views the packet's bytes: a trace, which may keep its events, gets a
      // copy of the payload (a stack's send and recv events do the same).
      segment: segmentWithOwnPayload(segment),
      reason,
    };
    this.#trace(ev);
    // A trace sink is user code (as in Stack's): time may have passed.
    this.#realClock?.refresh();
  }
}
