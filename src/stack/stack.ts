/**
 * A TCP/IP host: many engine Connections behind one link. It demultiplexes arriving packets by
 * 4-tuple (RFC 9293 §3.3.1 — a connection is named by its pair of sockets), hands SYNs for a
 * listening port to a fresh passive-open Connection, answers everything else with the RST of
 * §3.10.7.1, answers ICMP echo and routes ICMP errors to the connection they quote, and runs every
 * connection's timers from ONE clock timer over a heap of deadlines.
 *
 * Ordering contract (what the net/ layer relies on): after any input (packet, timer) or command
 * (write, read, close, abort …) the affected connection is drained — first every segment it wants
 * to send goes to the link, then its events are delivered to `onEvent` in order. Handlers may call
 * back into the stack synchronously: the work is queued and processed by the loop already running,
 * so there is no unbounded recursion.
 */
import { Connection } from '../tcp/connection.js';
import { resetFor } from '../tcp/reset.js';
import type { ConnEvent } from '../tcp/events.js';
import type { TcpState } from '../tcp/state.js';
import { IsnGenerator } from '../tcp/isn.js';
import { cryptoRandom, seededRandom, type RandomSource } from '../tcp/random.js';
import { TcpFlag, type TcpSegment } from '../wire/tcp-segment.js';
import { formatEndpoint } from '../wire/address.js';
import {
  buildTcpPacket,
  PacketFields,
  readPacket,
  type BuildOptions,
  type PacketParseOptions,
} from '../wire/ip-packet.js';
import { tcpHeaderLength } from '../wire/tcp-header.js';
import type { Clock, TimerHandle } from './clock.js';
import { countParseError, newCounters, type StackCounters } from './counters.js';
import { handleIcmp, IPV4_MIN_MTU, type IcmpHost } from './icmp-handler.js';
import { ANY4, ANY6, canonical, family, isNonUnicast, isPort } from './addresses.js';
import { EphemeralPorts } from './ports.js';
import { StackError } from './stack-error.js';
import { TcpConnection, type ConnectionHost } from './tcp-connection.js';
import { TcpListener, type ListenerHost } from './tcp-listener.js';
import { TimerQueue } from './timer-queue.js';
import { DeadlineFifo } from './deadline-fifo.js';
import { ConnectionTable } from './connection-table.js';
import { ConnectionConfigs } from './connection-configs.js';
import { ListenerTable, listenerKey } from './listener-table.js';
import {
  segmentWithOwnPayload,
  type FourTuple,
  type TraceEvent,
  type TraceSink,
} from './trace-event.js';
import {
  checkLinkOffload,
  DEFAULT_GSO_MAX_SEGS,
  GSO_MAX_SIZE,
  TCP_CSUM_OFFSET,
  TX_CSUM_V4,
  TX_CSUM_V6,
  type LinkOffload,
  type RxMeta,
  type TxMeta,
} from './link-offload.js';
import { segmentGso } from './gso-segment.js';

export { StackError, type StackErrorCode } from './stack-error.js';
export { TcpConnection } from './tcp-connection.js';
export { TcpListener } from './tcp-listener.js';
export type { LinkOffload, RxMeta, TxMeta } from './link-offload.js';

export type { ConnectOptions, LinkOutput, ListenOptions, StackOptions } from './stack-options.js';
import type { ConnectOptions, LinkOutput, ListenOptions, StackOptions } from './stack-options.js';

const DEFAULT_BACKLOG = 511;
const CSUM_VALID: PacketParseOptions = Object.freeze({ tcpChecksumValid: true });
const PARTIAL: BuildOptions = Object.freeze({ partialChecksum: true });
const HEADERS_ONLY: BuildOptions = Object.freeze({ partialChecksum: true, headersOnly: true });
/** Bound on the drain loop per call: a handler that loops forever is a bug, reported, not a hang. */
const MAX_DRAIN_ROUNDS = 10_000_000;

/**
 * The TxMeta of a TCP packet with a partial checksum after an IP header of `ipLen` bytes: the
 * shared constant without GSO (`gsoSize` 0, `hdrLen` ignored), else that of a GSO packet cut into
 * `gsoSize`-byte pieces which repeat its first `hdrLen` bytes.
 */
function txMeta(ipLen: number, gsoSize: number, hdrLen: number): TxMeta {
  if (gsoSize === 0) return ipLen === 20 ? TX_CSUM_V4 : TX_CSUM_V6;
  return { needsCsum: true, csumStart: ipLen, csumOffset: TCP_CSUM_OFFSET, gsoSize, hdrLen };
}

function isSynchronizedOpen(s: TcpState): boolean {
  return s === 'ESTABLISHED' || s === 'CLOSE-WAIT';
}

export class Stack {
  readonly name: string;
  readonly clock: Clock;
  readonly addresses: string[];
  readonly mtu: number;
  readonly acceptAnyAddress: boolean;
  /**
   * Called with errors thrown by event handlers (and by engine bugs) instead of letting them escape
   * into the link or the clock. Unset: they are rethrown asynchronously (an uncaught exception).
   */
  onError: ((err: unknown) => void) | undefined;

  readonly #counters: StackCounters = newCounters();
  /** receive's parse answer, one object refilled per packet (no result wrappers per packet). */
  readonly #parsed = new PacketFields();
  readonly #configs: ConnectionConfigs;
  readonly #addressSet: Set<string>;
  readonly #isn: IsnGenerator;
  readonly #ports: EphemeralPorts;
  readonly #conns = new ConnectionTable();
  readonly #listeners = new ListenerTable();
  readonly #timers = new TimerQueue<TcpConnection>();
  /**
   * TIME-WAIT connections whose 2·MSL deadline is the latest yet, on a real clock (deadline-fifo.ts):
   * the heap above then holds only the connections that are doing something. A virtual clock keeps
   * every timer in the heap, whose tie order (insertion) the simulations' runs are made of.
   */
  readonly #timeWait = new DeadlineFifo<TcpConnection>();
  #clockTimer: TimerHandle | undefined;
  #clockTimerAt = Infinity;
  readonly #onClockTimerBound = (): void => this.#onClockTimer();
  #output: LinkOutput | undefined;
  /** Scatter-gather: TCP payloads go to the link as views next to their headers, never copied. */
  #sg = false;
  /** Tx checksum offload: TCP packets leave with CHECKSUM_PARTIAL (link-offload.ts). */
  #txCsum = false;
  /** The link takes GSO packets itself (else the stack cuts them: software GSO). */
  #linkGso = false;
  readonly #softwareGso: boolean;
  /** Payload bytes one segment may carry with GSO, per IP version (0: one MSS, no GSO). */
  #gsoBytes4 = 0;
  #gsoBytes6 = 0;
  #gsoSegs = DEFAULT_GSO_MAX_SEGS;
  #trace: TraceSink | undefined;
  /**
   * Connections to drain: a queue with a moving head; consumed slots are cleared, and the array is
   * never truncated (setting an array's length to 0 frees its store, re-grown on the next push).
   */
  #work: (TcpConnection | undefined)[] = [];
  #workHead = 0;
  #workTail = 0;
  /** #drain's events of one connection, reused (a drain never runs inside another). */
  readonly #events: (ConnEvent | undefined)[] = [];
  #flushing = false;
  #closed = false;
  /** Retransmissions of connections already removed (TcpRetransSegs = this + live ones). */
  #retransOfRemoved = 0;
  readonly #host: ConnectionHost & ListenerHost;
  readonly #icmpHost: IcmpHost;

  constructor(opts: StackOptions) {
    if (!opts || !Array.isArray(opts.addresses) || opts.addresses.length === 0) {
      throw new StackError('EINVAL', 'Stack: at least one address is required');
    }
    const addrs: string[] = [];
    for (const a of opts.addresses) {
      const c = canonical(a);
      if (c === undefined) throw new StackError('EINVAL', `Stack: not an IP address: ${String(a)}`);
      if (!addrs.includes(c)) addrs.push(c);
    }
    this.addresses = addrs;
    this.#addressSet = new Set(addrs);
    this.name = opts.name ?? addrs[0]!;
    this.clock = opts.clock;
    this.mtu = opts.mtu ?? 1500;
    if (!Number.isInteger(this.mtu) || this.mtu < IPV4_MIN_MTU || this.mtu > 65535) {
      throw new StackError('EINVAL', `Stack: bad MTU ${String(opts.mtu)}`);
    }
    this.#configs = new ConnectionConfigs(opts.tcp, this.mtu);
    this.acceptAnyAddress = opts.acceptAnyAddress ?? false;
    this.#softwareGso = opts.softwareGso ?? false;
    this.#setGso(this.#softwareGso ? GSO_MAX_SIZE : 0, DEFAULT_GSO_MAX_SEGS);
    this.#trace = opts.trace;
    const random: RandomSource =
      opts.seed === undefined ? cryptoRandom() : seededRandom(opts.seed >>> 0);
    this.#isn = new IsnGenerator(random.bytes(16));
    this.#ports = new EphemeralPorts(random, opts.ephemeralPorts);
    this.#host = {
      stack: this,
      // A user call from outside the stack's handlers may come after user code computed for a
      // while since the clock was last read. One made from a handler needs no fresh read: the
      // segments it causes go out from a drain after the handler returned, which reads the host
      // clock again (#deliver); the command itself only notes the time.
      now: () => {
        if (!this.#flushing) this.clock.refresh?.();
        return this.clock.now();
      },
      touch: (c) => this.#touch(c),
      removeListener: (l) => {
        this.#listeners.delete(l);
      },
      abortConnection: (c) => {
        c.engine.abort(this.clock.now());
        this.#touch(c);
      },
    };
    this.#icmpHost = {
      counters: this.#counters,
      mtu: this.mtu,
      now: () => this.clock.now(),
      find: (la, lp, ra, rp) => this.#conns.get(la, lp, ra, rp),
      sendRaw: (p) => this.#sendRaw(p),
      touch: (c) => this.#touch(c),
    };
  }

  // ------------------------------------------------------------------ public API

  /** Counters named like Linux `nstat` (TcpRetransSegs is summed over the live connections on read). */
  get counters(): StackCounters {
    let live = 0;
    for (const c of this.#conns.values()) live += c.engine.retransmissionCount;
    this.#counters.TcpRetransSegs = this.#retransOfRemoved + live;
    return this.#counters;
  }

  /**
   * Where packets go, and what the link does for the stack (link-offload.ts). Without `offload`
   * every packet is complete: full checksums, at most one MSS of payload (unless `softwareGso`).
   */
  setOutput(send: LinkOutput, offload?: LinkOffload): void {
    if (offload) checkLinkOffload(offload);
    this.#output = send;
    this.#txCsum = offload?.txChecksum === true;
    this.#sg = this.#txCsum && offload?.scatterGather === true;
    const linkGso = offload?.gsoMaxSize ?? 0;
    this.#linkGso = linkGso > 0;
    const size = linkGso > 0 ? linkGso : this.#softwareGso ? GSO_MAX_SIZE : 0;
    this.#setGso(size, offload?.gsoMaxSegs ?? DEFAULT_GSO_MAX_SEGS);
  }

  #setGso(maxPacket: number, maxSegs: number): void {
    // Room for the largest TCP header (60 bytes, RFC 9293 §3.1 data offset 15) after the IP header.
    this.#gsoBytes4 = maxPacket > 0 ? maxPacket - 20 - 60 : 0;
    this.#gsoBytes6 = maxPacket > 0 ? maxPacket - 40 - 60 : 0;
    this.#gsoSegs = maxSegs;
  }

  setTrace(sink: TraceSink | undefined): void {
    this.#trace = sink;
  }

  get connectionCount(): number {
    return this.#conns.size;
  }

  /** Connections with a timer armed (0 once everything has closed: a leak check). */
  get pendingTimerCount(): number {
    return this.#timers.size + this.#timeWait.size;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  /**
   * The stack's connections, a snapshot (closing one while iterating changes nothing here): those
   * not in TIME-WAIT in the order they were made, then those in TIME-WAIT in the order they entered
   * it (the connection table keeps the two apart).
   */
  connections(): IterableIterator<TcpConnection> {
    return [...this.#conns.values()].values();
  }

  /** Passive OPEN (RFC 9293 §3.10.1) on `port` (0 = ephemeral). */
  openListener(opts: ListenOptions): TcpListener {
    this.#checkOpen();
    if (!opts || !isPort(opts.port, true)) {
      throw new StackError('EINVAL', `openListener: bad port ${String(opts?.port)}`);
    }
    const backlog = opts.backlog ?? DEFAULT_BACKLOG;
    if (!Number.isInteger(backlog) || backlog < 0) {
      throw new StackError('EINVAL', `openListener: bad backlog ${String(opts.backlog)}`);
    }
    let address: string;
    if (opts.address === undefined) {
      address = this.addresses.some((a) => family(a) === 6) ? ANY6 : ANY4;
    } else {
      const c = canonical(opts.address);
      if (c === undefined)
        throw new StackError('EINVAL', `openListener: bad address ${opts.address}`);
      if (c !== ANY4 && c !== ANY6 && !this.#addressSet.has(c) && !this.acceptAnyAddress) {
        throw new StackError(
          'EADDRNOTAVAIL',
          `openListener: ${c} is not an address of ${this.name}`,
        );
      }
      address = c;
    }
    let port = opts.port;
    if (port === 0) {
      const picked = this.#ports.pick(address, '', 0, (p) => this.#listeners.busy(address, p));
      if (picked === undefined)
        throw new StackError('EAGAIN', 'openListener: no free ephemeral port');
      port = picked;
    } else if (this.#listeners.busy(address, port)) {
      // Only listeners conflict: Node listens with SO_REUSEADDR, so a restarted server may bind
      // while its old connections sit in TIME-WAIT (their 4-tuples still demultiplex first).
      throw new StackError(
        'EADDRINUSE',
        `openListener: ${formatEndpoint(address, port)} is in use`,
      );
    }
    const key = listenerKey(address, port);
    // Linux needs at least one slot (a backlog of 0 still admits one connection).
    const l = new TcpListener(this.#host, key, address, port, Math.max(1, backlog), {
      ...(opts.tcp ?? {}),
    });
    this.#listeners.add(l);
    return l;
  }

  /** Active OPEN (RFC 9293 §3.10.1): sends a SYN now; events follow on `onEvent`. */
  openConnection(opts: ConnectOptions): TcpConnection {
    this.#checkOpen();
    const remote = opts ? canonical(opts.address) : undefined;
    if (remote === undefined || !isPort(opts.port, false)) {
      throw new StackError(
        'EINVAL',
        `openConnection: bad remote ${String(opts?.address)}:${String(opts?.port)}`,
      );
    }
    const fam = family(remote);
    if (remote === ANY4 || remote === ANY6) {
      throw new StackError('EINVAL', `openConnection: cannot connect to ${remote}`);
    }
    let local: string | undefined;
    if (opts.localAddress !== undefined) {
      local = canonical(opts.localAddress);
      if (local === undefined) {
        throw new StackError('EINVAL', `openConnection: bad local address ${opts.localAddress}`);
      }
      if (!this.#addressSet.has(local) && !this.acceptAnyAddress) {
        throw new StackError(
          'EADDRNOTAVAIL',
          `openConnection: ${local} is not an address of ${this.name}`,
        );
      }
      if (family(local) !== fam) {
        throw new StackError(
          'EINVAL',
          `openConnection: ${local} and ${remote} are different families`,
        );
      }
    } else {
      local = this.addresses.find((a) => family(a) === fam);
      if (local === undefined) {
        throw new StackError(
          'EADDRNOTAVAIL',
          `openConnection: ${this.name} has no IPv${fam} address`,
        );
      }
    }
    const la = local;
    let lport: number;
    if (opts.localPort !== undefined && opts.localPort !== 0) {
      if (!isPort(opts.localPort, false)) {
        throw new StackError('EINVAL', `openConnection: bad local port ${String(opts.localPort)}`);
      }
      lport = opts.localPort;
      if (this.#conns.has(la, lport, remote, opts.port) || this.#listeners.busy(la, lport)) {
        throw new StackError(
          'EADDRINUSE',
          `openConnection: ${formatEndpoint(la, lport)} is in use`,
        );
      }
    } else {
      const picked = this.#ports.pick(
        la,
        remote,
        opts.port,
        (p) => this.#conns.has(la, p, remote, opts.port) || this.#listeners.busy(la, p),
      );
      if (picked === undefined) {
        throw new StackError('EAGAIN', `openConnection: no free ephemeral port towards ${remote}`);
      }
      lport = picked;
    }
    const now = this.clock.now();
    const config = this.#configs.get(fam, opts.tcp);
    const engine = Connection.connect({
      config,
      localPort: lport,
      remotePort: opts.port,
      iss: this.#isn.isn(la, lport, remote, opts.port, now),
      now,
      ipHeaderSize: fam === 6 ? 40 : 20,
      // Every segment becomes a packet at once (#sendSegment), traces take copies.
      transientPayloads: true,
    });
    const conn = this.#add(engine, {
      localAddress: la,
      localPort: lport,
      remoteAddress: remote,
      remotePort: opts.port,
    });
    this.#counters.TcpActiveOpens++;
    this.#touch(conn);
    return conn;
  }

  /** Aborts every connection, closes every listener and cancels every timer. */
  close(): void {
    if (this.#closed) return;
    for (const l of [...this.#listeners.values()]) l.close();
    for (const c of [...this.#conns.values()]) {
      c.engine.abort(this.clock.now());
      this.#touch(c);
    }
    // Whatever did not close by itself (it should all have), is dropped here.
    for (const c of [...this.#conns.values()]) this.#remove(c);
    this.#timers.clear();
    this.#timeWait.clear();
    this.#syncClockTimer();
    this.#closed = true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * A packet from the link. Never throws for any bytes: bad packets are counted and traced. `meta`
   * is what the link knows of it (link-offload.ts): a checksum it vouches for is not verified again.
   */
  receive(packet: Uint8Array, meta?: RxMeta): void {
    if (this.#closed) return;
    this.#counters.IpInReceives++;
    if (!(packet instanceof Uint8Array)) {
      this.#counters.IpInHdrErrors++;
      this.#emit({
        type: 'malformed',
        t: this.clock.now(),
        host: this.name,
        reason: 'not-bytes',
        length: 0,
      });
      return;
    }
    const p = this.#parsed;
    const bad = readPacket(packet, meta?.csumValid === true ? CSUM_VALID : undefined, p);
    if (bad !== undefined) {
      countParseError(this.#counters, bad.reason);
      if (this.#trace) {
        this.#emit({
          type: 'malformed',
          t: this.clock.now(),
          host: this.name,
          reason: `${bad.reason}: ${bad.detail}`,
          length: packet.length,
        });
      }
      return;
    }
    // Read out at once: #parsed is refilled by the next packet, which a handler may deliver
    // before this one is done (a link that calls receive from its output). Cleared, so that it
    // does not keep this packet's bytes alive until the next one.
    const { version, src, dst, segment, icmp } = p;
    p.segment = undefined;
    p.icmp = undefined;
    if (!this.acceptAnyAddress && !this.#addressSet.has(dst)) {
      this.#counters.IpInAddrErrors++;
      if (segment !== undefined) this.#traceSegment('drop', src, dst, segment, 'not-our-address');
      return;
    }
    this.#counters.IpInDelivers++;
    try {
      if (segment !== undefined) this.#receiveTcp(src, dst, segment);
      else if (icmp !== undefined) handleIcmp(this.#icmpHost, version, src, dst, icmp);
      else this.#counters.IpInUnknownProtos++;
    } catch (err) {
      // Only a bug gets here (the engine never throws on a segment by contract): the link that
      // called receive() must not be the one to crash, so the error goes to onError.
      this.#fail(err);
    }
  }

  // ------------------------------------------------------------------ receive path

  #receiveTcp(src: string, dst: string, seg: TcpSegment): void {
    this.#counters.TcpInSegs++;
    if (this.#trace) this.#traceSegment('recv', src, dst, seg);
    const conn = this.#conns.get(dst, seg.dstPort, src, seg.srcPort);
    if (conn) {
      conn.engine.handleSegment(seg, this.clock.now());
      this.#touch(conn);
      return;
    }
    if (isNonUnicast(src) || isNonUnicast(dst)) {
      // TCP is unicast: §3.9.2.3 (MUST-57, MUST-63) — no connection from or to a broadcast or
      // multicast address, and no RST to one either.
      this.#counters.IpInAddrErrors++;
      this.#traceSegment('drop', src, dst, seg, 'not-unicast');
      return;
    }
    const l = this.#listeners.find(dst, seg.dstPort);
    if (l) {
      this.#listenerSegment(l, src, dst, seg);
      return;
    }
    this.#counters.TcpExtTCPNoListener++;
    this.#replyReset(src, dst, seg, 'no-listener');
  }

  /** RFC 9293 §3.10.7.2, a segment for a LISTEN socket that matches no connection. */
  #listenerSegment(l: TcpListener, src: string, dst: string, seg: TcpSegment): void {
    const f = seg.flags;
    if (f & TcpFlag.RST) {
      // "An incoming RST segment could not be valid … it should be ignored."
      this.#traceSegment('drop', src, dst, seg, 'listen-rst');
      return;
    }
    if (f & TcpFlag.ACK) {
      // "Any acknowledgment is bad if it arrives on a connection still in the LISTEN state":
      // <SEQ=SEG.ACK><CTL=RST>.
      this.#replyReset(src, dst, seg, 'listen-ack');
      return;
    }
    if (!(f & TcpFlag.SYN)) {
      // "Any other control or text-bearing segment … drop the segment and return."
      this.#traceSegment('drop', src, dst, seg, 'listen-no-syn');
      return;
    }

    if (l.synQueue.size + l.acceptQueue.size >= l.backlog) {
      // Half-open and not-yet-accepted connections together stay within the backlog, so neither
      // queue can outgrow it (a child admitted now can always join the accept queue later).
      // Without SYN cookies Linux drops the SYN too; the client's retransmission tries again.
      this.#counters.TcpExtListenDrops++;
      if (l.acceptQueue.size >= l.backlog) this.#counters.TcpExtListenOverflows++;
      this.#traceSegment('drop', src, dst, seg, 'listen-overflow');
      return;
    }
    const now = this.clock.now();
    const fam = family(dst);
    const engine = Connection.listen({
      config: this.#configs.get(fam, l.tcp, l),
      localPort: seg.dstPort,
      remotePort: seg.srcPort,
      iss: this.#isn.isn(dst, seg.dstPort, src, seg.srcPort, now),
      now,
      ipHeaderSize: fam === 6 ? 40 : 20,
      // Every segment becomes a packet at once (#sendSegment), traces take copies.
      transientPayloads: true,
    });
    const conn = this.#add(engine, {
      localAddress: dst,
      localPort: seg.dstPort,
      remoteAddress: src,
      remotePort: seg.srcPort,
    });
    conn.listener = l;
    conn.queue = 'syn';
    l.synQueue.add(conn);
    this.#counters.TcpPassiveOpens++;
    engine.handleSegment(seg, now);
    this.#touch(conn);
  }

  /** §3.10.7.1: the RST answering a segment that reaches no connection (never a RST for a RST). */
  #replyReset(src: string, dst: string, seg: TcpSegment, reason: string): void {
    this.#traceSegment('drop', src, dst, seg, reason);
    const rst = resetFor(seg);
    if (rst) this.#sendSegment(dst, src, rst);
  }

  // ------------------------------------------------------------------ connections

  #add(engine: Connection, tuple: FourTuple): TcpConnection {
    const conn = new TcpConnection(this.#host, engine, tuple);
    this.#conns.add(conn);
    return conn;
  }

  #remove(c: TcpConnection): void {
    if (c.removed) return;
    c.removed = true;
    this.#conns.delete(c);
    this.#timers.delete(c);
    this.#timeWait.delete(c);
    this.#retransOfRemoved += c.engine.retransmissionCount;
    if (c.countedEstab) {
      c.countedEstab = false;
      this.#counters.TcpCurrEstab--;
    }
    const l = c.listener;
    if (l) {
      l.synQueue.delete(c);
      l.acceptQueue.delete(c);
      c.listener = undefined;
      c.queue = undefined;
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new StackError('EINVAL', `stack ${this.name} is closed`);
  }

  // ------------------------------------------------------------------ the drain loop

  #touch(c: TcpConnection): void {
    if (!c.dirty) {
      c.dirty = true;
      this.#work[this.#workTail++] = c;
    }
    if (!this.#flushing) this.#flush();
  }

  #flush(): void {
    this.#flushing = true;
    let rounds = 0;
    try {
      // A queue with a moving head: handlers append work while we run.
      const work = this.#work;
      while (this.#workHead < this.#workTail) {
        if (++rounds > MAX_DRAIN_ROUNDS) {
          throw new Error(`Stack ${this.name}: handlers re-queued work ${MAX_DRAIN_ROUNDS} times`);
        }
        const c = work[this.#workHead]!;
        work[this.#workHead++] = undefined;
        c.dirty = false;
        this.#drain(c);
        if (this.#workHead > 1024 && this.#workHead * 2 > this.#workTail) {
          work.copyWithin(0, this.#workHead, this.#workTail);
          work.fill(undefined, this.#workTail - this.#workHead, this.#workTail);
          this.#workTail -= this.#workHead;
          this.#workHead = 0;
        }
      }
      this.#workHead = 0;
      this.#workTail = 0;
    } finally {
      // On an exception the rest of the queue stays (still marked dirty) for the next flush.
      this.#flushing = false;
      this.#syncClockTimer();
    }
  }

  #drain(c: TcpConnection): void {
    const engine = c.engine;
    // The clock's cached time: re-read from the host after any handler ran (#deliver, #callUser),
    // which may have computed for a while — what this drain sends (RTO, RTT sample) is timed from
    // now. Stack code alone between two drains takes microseconds (libuv's loop time is as coarse).
    const now = this.clock.now();
    const { localAddress: la, remoteAddress: ra } = c.tuple;
    const gsoBytes = family(la) === 6 ? this.#gsoBytes6 : this.#gsoBytes4;
    const gsoSegs = this.#gsoSegs;
    // Events are taken first so that the trace reads in causal order — the state change, then the
    // segment it sends (Figure 5's "event / action") — but handlers run only after the segments
    // have gone out, as the ordering contract says.
    const events = this.#events;
    let n = 0;
    for (let ev = engine.pollEvent(); ev; ev = engine.pollEvent()) {
      events[n++] = ev;
      this.#observe(c, ev, now);
    }
    for (
      let seg = engine.pollTransmit(now, gsoBytes, gsoSegs);
      seg;
      seg = engine.pollTransmit(now, gsoBytes, gsoSegs)
    ) {
      this.#sendSegment(la, ra, seg, engine.segmentSize);
    }
    let closed = false;
    // Handlers cannot start another drain (the flush loop queues their work), so the shared array
    // is not refilled while this loop reads it.
    for (let i = 0; i < n; i++) {
      const ev = events[i]!;
      events[i] = undefined;
      if (ev.type === 'closed') closed = true;
      else if (ev.type === 'established') this.#established(c);
      this.#deliver(c, ev);
    }
    if (closed || c.removed) {
      this.#remove(c);
      return;
    }
    const deadline = engine.pollTimeout();
    if (deadline === undefined) {
      this.#timers.delete(c);
      this.#timeWait.delete(c);
    } else if (engine.state === 'TIME-WAIT' && this.#timeWait.deadlineOf(c) === deadline) {
      // Already queued at this deadline: a segment that did not restart the 2·MSL timer (a junk
      // ACK, §3.10.7.4) leaves the queue as it is — no new entry per segment.
    } else if (
      engine.state === 'TIME-WAIT' &&
      this.clock.kind === 'real' &&
      this.#timeWait.accepts(deadline)
    ) {
      this.#timers.delete(c);
      this.#timeWait.add(c, deadline);
    } else {
      this.#timeWait.delete(c);
      // On a real clock a deadline that moves later (the retransmission timer restarted by every
      // segment sent) stays filed at the earlier one: #onClockTimer re-files it when that comes
      // due, rather than the heap sifting it down on every send. A virtual clock steps to each
      // filed deadline, so there the heap always holds the exact one.
      const filed = this.clock.kind === 'real' ? this.#timers.deadlineOf(c) : undefined;
      if (filed === undefined || filed > deadline) this.#timers.set(c, deadline);
    }
  }

  /** A passive open reached ESTABLISHED: hand it to the user, or queue it for accept(). */
  #established(c: TcpConnection): void {
    const l = c.listener;
    if (!l || c.queue !== 'syn') return;
    l.synQueue.delete(c);
    if (l.onConnection) {
      c.listener = undefined;
      c.queue = undefined;
      const cb = l.onConnection;
      this.#callUser(() => cb(c));
    } else {
      c.queue = 'accept';
      l.acceptQueue.add(c);
    }
  }

  /** The stack's own bookkeeping for an engine event: counters and traces. */
  #observe(c: TcpConnection, ev: ConnEvent, now: number): void {
    const counters = this.#counters;
    switch (ev.type) {
      case 'state': {
        if (this.#trace) {
          this.#emit({
            type: 'state',
            t: now,
            host: this.name,
            conn: c.tuple,
            from: ev.from,
            to: ev.to,
            // A received segment's payload is the packet's memory, which read() hands out (zero
            // copy) and a reader may change in place: the trace keeps a copy.
            cause:
              ev.cause.kind === 'segment' && ev.cause.segment.payload.length > 0
                ? { kind: 'segment', segment: segmentWithOwnPayload(ev.cause.segment) }
                : ev.cause,
          });
        }
        // Waiting out 2·MSL: to the table's map of waiting connections (connection-table.ts).
        if (ev.to === 'TIME-WAIT') this.#conns.retire(c);
        if (isSynchronizedOpen(ev.to) && !c.countedEstab) {
          c.countedEstab = true;
          counters.TcpCurrEstab++;
        } else if (!isSynchronizedOpen(ev.to) && c.countedEstab) {
          c.countedEstab = false;
          counters.TcpCurrEstab--;
        }
        if (ev.to === 'CLOSED' && isSynchronizedOpen(ev.from)) counters.TcpEstabResets++;
        if (
          (ev.from === 'SYN-SENT' && ev.to === 'CLOSED') ||
          (ev.from === 'SYN-RECEIVED' && (ev.to === 'CLOSED' || ev.to === 'LISTEN'))
        ) {
          counters.TcpAttemptFails++;
        }
        if (ev.from === 'SYN-RECEIVED' && ev.to === 'LISTEN' && c.queue === 'syn') {
          // §3.10.7.4: a RST in SYN-RECEIVED returns a passive open to LISTEN. The listener is the
          // stack's own object, so this per-SYN child has no further use: close it
          // (LISTEN → CLOSED by CLOSE is the listed arrow); drained on the next round.
          c.engine.close(now);
          this.#touch(c);
        }
        return;
      }
      case 'drop':
        counters.TcpExtTCPUnacceptable++;
        if (this.#trace) {
          this.#traceSegment(
            'drop',
            c.tuple.remoteAddress,
            c.tuple.localAddress,
            ev.segment,
            ev.reason,
          );
        }
        return;
      default:
        return;
    }
  }

  #deliver(c: TcpConnection, ev: ConnEvent): void {
    const h = c.onEvent;
    if (!h) return;
    // #callUser inlined: no closure per event.
    try {
      h(ev);
    } catch (err) {
      this.#fail(err);
    }
    this.clock.refresh?.();
  }

  /**
   * Runs user code (handlers). A throwing handler must not leave the stack half-way through a
   * drain: the error is handed to `onError`, or rethrown on its own as an uncaught exception, as
   * an EventEmitter listener's would be.
   */
  #callUser(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#fail(err);
    }
    // User code may have run for a while: the next clock read goes to the host (see #drain).
    this.clock.refresh?.();
  }

  #fail(err: unknown): void {
    const h = this.onError;
    if (h) {
      h(err);
      return;
    }
    queueMicrotask(() => {
      throw err;
    });
  }

  // ------------------------------------------------------------------ timers

  #syncClockTimer(): void {
    // Run at the end of every flush: plain numbers (Infinity for none), no heap number each.
    const heapNext = this.#timers.nextAt();
    const fifoNext = this.#timeWait.nextAt();
    const next = heapNext <= fifoNext ? heapNext : fifoNext;
    if (next === this.#clockTimerAt) return;
    // On a real clock a timer armed before the earliest deadline may stay: it fires early once
    // (#onClockTimer finds nothing due and re-syncs) instead of a cancel and a schedule every time
    // the earliest deadline moves later. A virtual clock steps exactly to each deadline, so there
    // the timer always follows the heap (a spurious step would be visible as a clock jump).
    if (next !== Infinity && next > this.#clockTimerAt && this.clock.kind === 'real') return;
    if (this.#clockTimer) this.clock.cancel(this.#clockTimer);
    this.#clockTimer = undefined;
    this.#clockTimerAt = Infinity;
    if (next === Infinity) return;
    this.#clockTimerAt = next;
    this.#clockTimer = this.clock.schedule(next, this.#onClockTimerBound);
  }

  #onClockTimer(): void {
    this.#clockTimer = undefined;
    this.#clockTimerAt = Infinity;
    const now = this.clock.now();
    const due: TcpConnection[] = [];
    for (let c = this.#timers.popDue(now); c; c = this.#timers.popDue(now)) {
      // Filed early (see #drain): not due yet, so back in at the engine's own deadline.
      const deadline = c.removed ? undefined : c.engine.pollTimeout();
      if (deadline !== undefined && deadline > now) this.#timers.set(c, deadline);
      else due.push(c);
    }
    for (let c = this.#timeWait.popDue(now); c; c = this.#timeWait.popDue(now)) due.push(c);
    for (const c of due) {
      if (c.removed) continue;
      try {
        c.engine.handleTimeout(now);
      } catch (err) {
        // An engine bug: reported, and the other connections' timers still run.
        this.#fail(err);
      }
      if (!c.dirty) {
        c.dirty = true;
        this.#work[this.#workTail++] = c;
      }
    }
    if (!this.#flushing) this.#flush();
    else this.#syncClockTimer();
  }

  // ------------------------------------------------------------------ output

  /**
   * One segment to the link. A segment of more than `mss` payload bytes is a GSO segment: the link
   * takes it whole with its gsoSize, or the stack cuts it here (software GSO). Traces show it as
   * the one segment the engine built, as tcpdump on a Linux veth shows a GSO packet.
   */
  #sendSegment(src: string, dst: string, seg: TcpSegment, mss = 0): void {
    const plen = seg.payload.length;
    const gso = mss > 0 && plen > mss;
    // Linux counts a GSO packet as the segments it stands for (tcp_skb_pcount) in OutSegs.
    this.#counters.TcpOutSegs += gso ? Math.ceil(plen / mss) : 1;
    if (seg.flags & TcpFlag.RST) this.#counters.TcpOutRsts++;
    if (this.#trace) this.#traceSegment('send', src, dst, seg);
    if (this.#sg && plen > 0 && (!gso || this.#linkGso)) {
      const headers = buildTcpPacket(src, dst, seg, HEADERS_ONLY);
      const ipLen = (headers[0] as number) >>> 4 === 4 ? 20 : 40;
      this.#counters.IpOutRequests++;
      this.#output?.(headers, txMeta(ipLen, gso ? mss : 0, headers.length), seg.payload);
      return;
    }
    if (!gso) {
      if (!this.#txCsum) {
        this.#sendRaw(buildTcpPacket(src, dst, seg));
        return;
      }
      const packet = buildTcpPacket(src, dst, seg, PARTIAL);
      this.#sendRaw(packet, txMeta((packet[0] as number) >>> 4 === 4 ? 20 : 40, 0, 0));
      return;
    }
    const packet = buildTcpPacket(src, dst, seg, PARTIAL);
    const ipLen = (packet[0] as number) >>> 4 === 4 ? 20 : 40;
    const meta = txMeta(ipLen, mss, ipLen + tcpHeaderLength(seg.options));
    if (this.#linkGso) {
      this.#sendRaw(packet, meta);
      return;
    }
    // Software GSO: the link takes only whole, MSS-sized packets with full checksums.
    this.#counters.IpOutRequests++;
    const out = this.#output;
    if (out) for (const piece of segmentGso(packet, meta)) out(piece);
  }

  #sendRaw(packet: Uint8Array, meta?: TxMeta): void {
    this.#counters.IpOutRequests++;
    if (meta === undefined) this.#output?.(packet);
    else this.#output?.(packet, meta);
  }

  #traceSegment(
    event: 'send' | 'recv' | 'drop',
    src: string,
    dst: string,
    segment: TcpSegment,
    reason?: string,
  ): void {
    if (!this.#trace) return;
    const ev: TraceEvent = {
      type: 'segment',
      t: this.clock.now(),
      host: this.name,
      event,
      src: formatEndpoint(src, segment.srcPort),
      dst: formatEndpoint(dst, segment.dstPort),
      // A sent payload is the send buffer's memory, reused once acknowledged (transientPayloads);
      // a received one is the packet's, which read() hands out and a reader may change in place
      // (ws unmasks so): a trace, which may keep its events, gets a copy.
      segment: segmentWithOwnPayload(segment),
    };
    if (reason !== undefined) ev.reason = reason;
    this.#emit(ev);
  }

  #emit(ev: TraceEvent): void {
    const t = this.#trace;
    if (!t) return;
    t(ev);
    // A trace sink is user code (it may write a capture synchronously): time may have passed.
    this.clock.refresh?.();
  }
}
