/**
 * The Transmission Control Block (RFC 9293 §3.3.1): every variable of one connection, the single
 * setState() through which the state changes, the event queue and the segment builder. The
 * sending side (sender.ts) and the arrival processing (connection.ts) extend it; together they
 * are the Connection.
 */
import { seq, seqAdd, seqDiff, seqLt, type SeqNum } from '../wire/seqnum.js';
import { NO_OPTIONS, TcpFlag, type TcpOptions, type TcpSegment } from '../wire/tcp-segment.js';
import type { TcpConfig } from './config.js';
import { createCongestionControl, type CongestionControl } from './congestion.js';
import type { ConnEvent, DropReason, StateCause, TcpErrorCode, TimerName } from './events.js';
import { ReceiveBuffer } from './receive-buffer.js';
import { RttEstimator, type RttFigures } from './rtt-estimator.js';
import { SendBuffer } from './send-buffer.js';
import type { TcpState } from './state.js';
import type { TcpInfo } from './tcp-info.js';
import { TcbVars } from './tcb-vars.js';
import { TimerTable } from './timers.js';
import { findTransition } from './transitions.js';

export interface ConnectionOptions {
  /** Resolved settings (src/tcp/config.ts). */
  config: TcpConfig;
  localPort: number;
  /** 0 is allowed for LISTEN: the peer's port is learnt from its SYN. */
  remotePort: number;
  /** Initial send sequence number; the stack computes it (RFC 6528). */
  iss: SeqNum;
  /** Milliseconds. */
  now: number;
  /**
   * Bytes of IP header under each segment: 20 for IPv4, 40 for IPv6 (default 20). The engine
   * knows no addresses; it needs this only to turn a path MTU into an MSS (RFC 9293 §3.7.1:
   * MSS = MTU − IP header − 20).
   */
  ipHeaderSize?: 20 | 40;
  /**
   * The caller copies each pollTransmit() payload before it next calls the connection (the stack
   * builds the packet at once): the send buffer may then reuse acknowledged memory, and a payload
   * is valid only until then. Default false: payloads are views that never change.
   */
  transientPayloads?: boolean;
}

/** Options of a SEND (RFC 9293 §3.9.1.2). */
export interface SendOptions {
  /**
   * The URGENT flag (§3.8.5, §3.10.2): the bytes of this SEND end the urgent data, so SND.UP moves
   * to the sequence number after the last of them (MUST-62). The bytes themselves stay in the
   * ordinary stream: there is no out-of-band byte (RFC 6093 recommends applications not rely
   * on the urgent mechanism, and Node's sockets do not expose it).
   */
  urgent?: boolean;
}

export type { HeldSynText } from './tcb-vars.js';

export const EMPTY = new Uint8Array(0);
/** The event has no fields: one shared, frozen object. */
const ESTABLISHED: ConnEvent = Object.freeze({ type: 'established' });
/** A graceful close's `closed` has no fields either (an error one carries its own). */
const CLOSED_OK: ConnEvent = Object.freeze({ type: 'closed' });

/**
 * What an emptied send buffer is swapped for in TIME-WAIT (see releaseBuffers): capacity 0, so
 * nothing can be written into it, and nothing in it to peek at or consume. Shared.
 */
const RELEASED_SEND_BUFFER = new SendBuffer(0);

const ERROR_MESSAGES: Record<TcpErrorCode, string> = {
  refused: 'connection refused: the peer answered our SYN with a reset',
  reset: 'connection reset by peer',
  'timed-out': 'connection timed out',
  aborted: 'connection aborted',
  unreachable: 'destination unreachable',
};

/**
 * The TCB. The sequence variables, the yes/no variables and the rarely used ones are stored
 * compactly by TcbVars (tcb-vars.ts) behind accessors with these same names.
 */
export abstract class TcbCore extends TcbVars {
  readonly localPort: number;
  protected remotePort: number;
  protected st: TcpState = 'CLOSED';

  // Send sequence space (§3.3.1; SND.UNA, SND.NXT, SND.WL1/2 … in TcbVars).
  // SND.WND and MAX.SND.WND through accessors that store `v | 0`: windows are at most
  // 0xffff << 14 < 2^30 (RFC 7323 §2.3), but `window * 2 ** shift` is a double in V8, and one double
  // stored turns the field into a boxed number (16 bytes more) in every connection.
  #sndWnd = 0;
  #maxSndWnd = 0;

  // Negotiated options.
  protected sndMss: number;
  /** IP header bytes under each segment (20 IPv4, 40 IPv6): path MTU → MSS. */
  protected readonly ipHeaderSize: number;
  protected sndShift = 0;
  protected rcvShift = 0;
  protected peerSynOptions: TcpOptions | undefined;

  /** Swapped for a shared empty one in TIME-WAIT (releaseBuffers). */
  protected sendBuf: SendBuffer;
  /** Swapped for a shared empty one of the same capacity in TIME-WAIT (releaseBuffers). */
  protected recvBuf: ReceiveBuffer;
  /** The RTT estimator; in TIME-WAIT only its figures (see settlePath). */
  #rtt: RttEstimator | RttFigures;
  protected cc: CongestionControl;
  /**
   * The running timers; created when one is set, let go when none runs (see pollTimeout). In
   * TIME-WAIT, where the 2·MSL timer is the only one left (§3.10.7.4), just its deadline: a
   * connection spends most of its life there, and a whole table is what the garbage collector
   * would copy for each. `timers` turns it back into a table should anything set a timer.
   */
  #timers: TimerTable | number | undefined = undefined;

  // Output.
  /**
   * Events not yet polled, oldest first: the first in #events, the next in #moreEvents (most
   * drains find one or two events: no array then), an array there once three or more wait.
   * Both undefined once drained (see pollEvent): an idle connection holds no queue.
   */
  #events: ConnEvent | undefined = undefined;
  #moreEvents: ConnEvent | ConnEvent[] | undefined = undefined;
  /** Segments queued ahead of the sender's own (RSTs, challenge ACKs …); created on first use. */
  #outq: TcpSegment[] | undefined = undefined;

  // When the timed segment and the last data left: in the RTT estimator (startTiming, noteSend).
  protected lastNow: number;

  // Receiving.
  protected delackSegs = 0;

  // Counters.
  protected bytesSent = 0;
  protected bytesAcked = 0;
  protected bytesReceived = 0;

  protected constructor(opts: ConnectionOptions) {
    super(opts.config, seq(opts.iss));
    // `| 0`: ports computed in floating point would otherwise be kept as boxed heap numbers.
    this.localPort = opts.localPort | 0;
    this.remotePort = opts.remotePort | 0;
    // Anything but IPv6's 40 (a bad value from JavaScript callers included) means IPv4.
    this.ipHeaderSize = opts.ipHeaderSize === 40 ? 40 : 20;
    this.sndMss = Math.min(opts.config.mss, opts.config.defaultPeerMss);
    this.sendBuf = new SendBuffer(opts.config.sendBufferSize, opts.transientPayloads === true);
    this.recvBuf = new ReceiveBuffer(opts.config.receiveBufferSize);
    // The frozen config itself (it has initialRto, minRto and maxRto): the estimator keeps it by
    // reference rather than copying the bounds into every connection.
    const rtt = new RttEstimator(opts.config);
    // Idleness (RFC 5681 §4.1) counts from the connection's creation until something is sent.
    rtt.noteSend(opts.now);
    this.#rtt = rtt;
    this.cc = createCongestionControl(opts.config.congestionControl, {
      mss: this.sndMss,
      initialWindowSegments: opts.config.initialWindowSegments,
    });
    this.lastNow = opts.now;
  }

  /** SND.WND, the window the peer offers, in bytes (§3.3.1). */
  protected get sndWnd(): number {
    return this.#sndWnd;
  }
  protected set sndWnd(v: number) {
    this.#sndWnd = v | 0;
  }

  /** The largest window the peer ever offered (RFC 5961 §5 MAX.SND.WND, RFC 9293 §3.8.6.2.1). */
  protected get maxSndWnd(): number {
    return this.#maxSndWnd;
  }
  protected set maxSndWnd(v: number) {
    this.#maxSndWnd = v | 0;
  }

  /** The RTT estimator (RFC 6298), while the connection may still send data. */
  protected get rtt(): RttEstimator {
    const r = this.#rtt;
    if (r instanceof RttEstimator) return r;
    throw new Error('synack engine bug: the RTT estimator used after the connection settled');
  }

  /**
   * TIME-WAIT: our FIN is acknowledged and nothing but ACKs is sent from here on, which neither
   * RFC 6298's timer nor congestion control (RFC 5681) governs. Only their figures stay, for
   * info(): the RTT ones in a small object, the congestion ones in one shared with connections
   * that ended alike (settled-cc.ts). A connection spends most of its life in TIME-WAIT (2·MSL),
   * and what it holds there is what the garbage collector copies.
   */
  protected settlePath(): void {
    const r = this.#rtt;
    if (r instanceof RttEstimator) this.#rtt = r.settle();
    this.cc = this.cc.settle();
  }

  /**
   * The timer table, created on first use (pollTimeout lets it go once no timer runs); a lone
   * TIME-WAIT deadline becomes a table again, with that deadline in it.
   */
  protected get timers(): TimerTable {
    const t = this.#timers;
    if (typeof t === 'object') return t;
    const table = TimerTable.take();
    if (t !== undefined) table.set('time-wait', t);
    this.#timers = table;
    return table;
  }

  /** Whether the timer runs. Asking makes no table (none means no timer runs). */
  protected isTimerSet(name: TimerName): boolean {
    const t = this.#timers;
    if (typeof t === 'object') return t.isSet(name);
    return t !== undefined && name === 'time-wait';
  }

  /** Stops the timer. Makes no table to clear (none means no timer runs). */
  protected clearTimer(name: TimerName): void {
    const t = this.#timers;
    if (typeof t === 'object') t.clear(name);
    else if (name === 'time-wait') this.#timers = undefined;
  }

  /** Stops every timer; the table, if any, stays for the next set (pollTimeout lets it go). */
  protected clearAllTimers(): void {
    const t = this.#timers;
    if (typeof t === 'object') t.clearAll();
    else this.#timers = undefined;
  }

  /** Removes and returns the first due timer (see TimerTable.takeDue); no table: none. */
  protected takeDueTimer(now: number): TimerName | undefined {
    const t = this.#timers;
    if (typeof t === 'object') return t.takeDue(now);
    if (t === undefined || t > now) return undefined;
    this.#timers = undefined;
    return 'time-wait';
  }

  /** The segment queue, created on first use (takeQueued lets it go once drained). */
  protected get outq(): TcpSegment[] {
    return (this.#outq ??= []);
  }

  /** The next queued segment, if any; the queue goes once drained (an idle connection holds none). */
  protected takeQueued(): TcpSegment | undefined {
    const q = this.#outq;
    if (q === undefined) return undefined;
    const seg = q.shift();
    if (q.length === 0) this.#outq = undefined;
    return seg;
  }

  /**
   * Queues an event (pollEvent drops the queue once drained). The first two are held as they are;
   * a third makes `[second, third]` (a one-element array's first push would make room for
   * seventeen). An event is never an array, so Array.isArray tells the two apart.
   */
  protected pushEvent(ev: ConnEvent): void {
    if (this.#events === undefined) {
      this.#events = ev;
      return;
    }
    const more = this.#moreEvents;
    if (more === undefined) this.#moreEvents = ev;
    else if (Array.isArray(more)) more.push(ev);
    else this.#moreEvents = [more, ev];
  }

  /** The MSS we announce: the configured one (RFC 9293 §3.7.1), read from the shared settings. */
  protected get rcvMss(): number {
    return this.cfg.mss;
  }

  get state(): TcpState {
    return this.st;
  }

  /** Bytes ready to read. */
  get readableLength(): number {
    return this.recvBuf.readable;
  }

  /**
   * How many bytes of urgent data remain to be read (RFC 9293 §3.8.5 MUST-33): from the next byte
   * the application reads up to RCV.UP; 0 when not in "urgent mode". Some of them may not have
   * arrived yet (the pointer can run ahead of the data, MUST-31). The bytes are read in-band with
   * read(); there is no separate out-of-band byte (RFC 6093).
   */
  get urgentPending(): number {
    if (this.rcvUp === undefined) return 0;
    return Math.max(0, seqDiff(this.rcvUp, this.rcvUser));
  }

  /** Free space in the send buffer (0 once the sending side is closed). */
  get writableLength(): number {
    return this.finQueued ? 0 : this.sendBuf.free;
  }

  pollEvent(): ConnEvent | undefined {
    const ev = this.#events;
    const more = this.#moreEvents;
    if (more === undefined) {
      this.#events = undefined;
    } else if (!Array.isArray(more)) {
      this.#events = more;
      this.#moreEvents = undefined;
    } else {
      this.#events = more.shift();
      // Drained: drop the array (an idle connection should hold no queue memory).
      if (more.length === 0) this.#moreEvents = undefined;
    }
    return ev;
  }

  /** The earliest timer deadline (ms), undefined when no timer runs. */
  pollTimeout(): number | undefined {
    const t = this.#timers;
    if (typeof t !== 'object') return t;
    const at = t.earliest();
    // No timer runs (the stack asks after every drain): let the table go, so that an idle
    // connection holds none; the next set() through `timers` makes a new one. In TIME-WAIT with
    // only 2·MSL running, keep its deadline alone (see #timers).
    if (at === undefined) {
      this.#timers = undefined;
      TimerTable.release(t);
    } else if (this.st === 'TIME-WAIT' && t.runsAlone('time-wait')) {
      this.#timers = at;
      TimerTable.release(t);
    }
    return at;
  }

  /** The running timers and their deadlines (for tests, tracing and `synack trace`). */
  timerDeadlines(): Array<[TimerName, number]> {
    const t = this.#timers;
    if (typeof t === 'object') return t.entries();
    return t === undefined ? [] : [['time-wait', t]];
  }

  /**
   * @internal The parts made on first use that this connection holds now (for tests: an idle
   * ESTABLISHED connection holds none): 'rare-vars' (tcb-vars.ts; kept once made), 'timers',
   * 'outq', 'events', 'send-buffer' and 'receive-ring' (each let go again once empty).
   */
  lazyParts(): string[] {
    const parts: string[] = [];
    if (this.hasRareVars) parts.push('rare-vars');
    if (this.#timers !== undefined) parts.push('timers');
    if (this.#outq !== undefined) parts.push('outq');
    if (this.#events !== undefined) parts.push('events');
    if (this.sendBuf.allocated > 0) parts.push('send-buffer');
    if (this.recvBuf.allocated > 0) parts.push('receive-ring');
    return parts;
  }

  info(): TcpInfo {
    return {
      state: this.st,
      sndUna: this.sndUna,
      sndNxt: this.sndNxt,
      sndWnd: this.sndWnd,
      rcvNxt: this.rcvNxt,
      rcvWnd: this.rcvWnd(),
      sndMss: this.sndMss,
      rcvMss: this.rcvMss,
      srtt: this.#rtt.srtt,
      rttvar: this.#rtt.rttvar,
      rto: this.#rtt.rto,
      cwnd: this.cc.cwnd,
      ssthresh: this.cc.ssthresh,
      retransmits: this.retransmits,
      totalRetransmits: this.totalRetransmits,
      bytesInFlight: Math.max(0, seqDiff(this.sndNxt, this.sndUna)),
      bytesSent: this.bytesSent,
      bytesAcked: this.bytesAcked,
      bytesReceived: this.bytesReceived,
      sendBuffered: this.sendBuf.length,
      receiveBuffered: this.recvBuf.readable,
      windowScale: { send: this.sndShift, recv: this.rcvShift },
    };
  }

  /**
   * The one place the state changes. A change not listed in TRANSITIONS is a bug in the engine,
   * and is thrown as such rather than papered over.
   */
  protected setState(to: TcpState, cause: StateCause): void {
    const from = this.st;
    if (findTransition(from, to) === undefined) {
      throw new Error(`synack engine bug: no transition ${from} → ${to} in TRANSITIONS`);
    }
    this.st = to;
    // The peer's SYN options shape only our SYN-ACK (sender.ts synOptions), which is never sent
    // once synchronized: let go of them (an idle connection should hold nothing it cannot use).
    if (to !== 'SYN-RECEIVED' && to !== 'SYN-SENT' && to !== 'LISTEN')
      this.peerSynOptions = undefined;
    this.pushEvent({ type: 'state', from, to, cause });
    if (to === 'ESTABLISHED') this.pushEvent(ESTABLISHED);
  }

  /** Enters CLOSED and deletes the TCB: no timer runs any more, `closed` is reported once. */
  protected terminate(cause: StateCause, code?: TcpErrorCode): void {
    if (this.st !== 'CLOSED') this.setState('CLOSED', cause);
    // Every timer stops.
    const t = this.#timers;
    this.#timers = undefined;
    if (typeof t === 'object') TimerTable.release(t);
    this.synPending = false;
    this.ackPending = false;
    this.rtxPending = false;
    this.forceSend = false;
    this.persisting = false;
    if (!this.closedEmitted) {
      this.closedEmitted = true;
      this.pushEvent(
        code === undefined
          ? CLOSED_OK
          : { type: 'closed', error: { code, message: ERROR_MESSAGES[code] } },
      );
    }
  }

  /**
   * TIME-WAIT: our FIN is acknowledged, so the send buffer is empty and no byte is written again
   * (SEND there is "connection closing"); the peer's FIN is in, so no byte arrives again
   * (§3.10.7.4: text in TIME-WAIT is ignored). Each buffer, once it holds nothing, is swapped for
   * a shared empty stand-in that answers every question the same way (length 0; the receive one
   * the same capacity, so every window we advertise stays the same). A connection spends most of
   * its life in TIME-WAIT (2·MSL), and what it holds there is what the garbage collector copies.
   * A receive buffer with bytes the user has not read yet is kept.
   */
  protected releaseBuffers(): void {
    if (this.sendBuf.length === 0) this.sendBuf = RELEASED_SEND_BUFFER;
    const r = this.recvBuf;
    if (r.readable === 0 && r.outOfOrderBytes === 0) this.recvBuf = ReceiveBuffer.idle(r.capacity);
  }

  protected drop(segment: TcpSegment, reason: DropReason): void {
    this.pushEvent({ type: 'drop', segment, reason });
  }

  /** The window we currently offer: RCV.WND = right edge − RCV.NXT (never negative). */
  protected rcvWnd(): number {
    return Math.max(0, seqDiff(this.rcvAdv, this.rcvNxt));
  }

  /**
   * The window field for a segment that is not a SYN, moving the advertised right edge.
   * Receiver SWS avoidance (RFC 9293 §3.8.6.2.2): the right edge moves only when it can move by
   * min(RCV.BUFF / 2, MSS); it never moves left (§3.8.6: shrinking the window is discouraged).
   */
  protected advertiseWindow(): number {
    const current = this.rcvWnd();
    // 1 << shift, not 2 ** shift (a floating-point power per segment): the shift is at most 14
    // (RFC 7323 §2.3), so 0xffff << 14 stays below 2^31.
    const unit = 1 << this.rcvShift;
    const free = Math.min(this.recvBuf.window, 0xffff * unit);
    const threshold = Math.min(Math.floor(this.recvBuf.capacity / 2), this.rcvMss);
    const wnd = free - current >= threshold && free > current ? free : current;
    // Scaling rounds down; round up instead when rounding down would pull the edge left. Shifts,
    // not floating-point divisions (wnd is an integer in [0, 2^31)): the ceiling is one more than
    // the floor when bits below the unit are set.
    const shift = this.rcvShift;
    let field = wnd >> shift;
    if (field * unit < current) field += (wnd & (unit - 1)) !== 0 ? 1 : 0;
    field = Math.min(field, 0xffff);
    this.rcvAdv = seqAdd(this.rcvNxt, field * unit);
    return field;
  }

  /**
   * The window offered in our SYN or SYN-ACK, never scaled (RFC 7323 §2.2); once RCV.NXT is known
   * the right edge follows from it.
   */
  protected synWindow(): number {
    return Math.min(this.recvBuf.window, 0xffff);
  }

  /** A segment from us to the peer. Any segment with ACK settles the ACK we owed. */
  protected makeSegment(
    seqNo: SeqNum,
    flags: number,
    payload: Uint8Array = EMPTY,
    options: TcpOptions = NO_OPTIONS,
  ): TcpSegment {
    const hasAck = (flags & TcpFlag.ACK) !== 0;
    let urgent = 0;
    if (
      this.sndUp !== undefined &&
      hasAck &&
      (flags & (TcpFlag.SYN | TcpFlag.RST)) === 0 &&
      seqLt(seqNo, this.sndUp)
    ) {
      // §3.8.5: the urgent field rides on every segment sent while SND.UP is ahead of it, so the
      // peer learns of urgent data even when the urgent bytes themselves cannot be sent yet (zero
      // window, MUST-66 on its side). SEG.UP = SND.UP − SEG.SEQ (MUST-62: the octet after the
      // urgent data). Past 0xffff the field says 0xffff, as far as it can reach; later segments
      // move it on (MUST-31: urgent data of any length; Linux does the same).
      flags |= TcpFlag.URG;
      urgent = Math.min(0xffff, seqDiff(this.sndUp, seqNo));
    }
    let window = 0;
    if ((flags & TcpFlag.SYN) !== 0) {
      window = this.synWindow();
      if (hasAck) this.rcvAdv = seqAdd(this.rcvNxt, window);
    } else if ((flags & TcpFlag.RST) === 0) {
      window = this.advertiseWindow();
    }
    if (hasAck) {
      this.ackPending = false;
      this.delackSegs = 0;
      this.clearTimer('delayed-ack');
    }
    return {
      srcPort: this.localPort,
      dstPort: this.remotePort,
      seq: seqNo,
      ack: hasAck ? this.rcvNxt : seq(0),
      flags,
      window,
      urgent,
      options,
      payload,
    };
  }

  /**
   * RFC 5961 §3.2, §4, §5 challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, at most
   * challengeAckLimit a second (§7). Returns false when the limit swallowed it.
   */
  protected challengeAck(now: number): boolean {
    if (now - this.challengeWindowStart >= 1000) {
      this.challengeWindowStart = now;
      this.challengeCount = 0;
    }
    if (this.challengeCount >= this.cfg.challengeAckLimit) return false;
    this.challengeCount++;
    this.outq.push(this.makeSegment(this.sndNxt, TcpFlag.ACK));
    return true;
  }
}
