/**
 * The Transmission Control Block (RFC 9293 §3.3.1): every variable of one connection, the single
 * setState() through which the state changes, the event queue and the segment builder. The
 * sending side (sender.ts) and the arrival processing (connection.ts) extend it; together they
 * are the Connection.
 */
import {
  seq,
  seqAdd,
  seqDiff,
  seqFromSlot,
  seqLt,
  seqToSlot,
  type SeqNum,
  type SeqSlot,
} from '../wire/seqnum.js';
import { TcpFlag, type TcpOptions, type TcpSegment } from '../wire/tcp-segment.js';
import type { TcpConfig } from './config.js';
import { createCongestionControl, type CongestionControl } from './congestion.js';
import type { ConnEvent, DropReason, StateCause, TcpErrorCode, TimerName } from './events.js';
import { ReceiveBuffer } from './receive-buffer.js';
import { RttEstimator } from './rtt-estimator.js';
import { SendBuffer } from './send-buffer.js';
import type { TcpState } from './state.js';
import type { TcpInfo } from './tcp-info.js';
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

/** A SYN's text (and FIN) held until the connection is synchronized (§3.10.7.2, §3.10.7.3). */
export interface HeldSynText {
  payload: Uint8Array;
  fin: boolean;
  /** The SYN's urgent pointer (SEG.SEQ + SEG.UP) when it had URG set. */
  urgentPointer: SeqNum | undefined;
}

export const EMPTY = new Uint8Array(0);

const ERROR_MESSAGES: Record<TcpErrorCode, string> = {
  refused: 'connection refused: the peer answered our SYN with a reset',
  reset: 'connection reset by peer',
  'timed-out': 'connection timed out',
  aborted: 'connection aborted',
  unreachable: 'destination unreachable',
};

/**
 * The TCB's yes/no variables, as bits of one small integer (TcbCore's #flags): fifteen boolean
 * fields would cost 8 bytes each in every connection. Accessors below keep their names.
 */
const F_PASSIVE_OPEN = 1;
const F_SYN_ACKED = 2;
const F_FIN_QUEUED = 4;
const F_CLOSE_DEFERRED = 8;
const F_SOFT_UNREACHABLE = 16;
const F_CLOSED_EMITTED = 32;
const F_SYN_PENDING = 64;
const F_ACK_PENDING = 128;
const F_RTX_PENDING = 256;
const F_FORCE_SEND = 512;
const F_SYN_RETRANSMITTED = 1024;
const F_IN_RECOVERY = 2048;
const F_PERSISTING = 4096;
const F_NO_DELAY = 8192;
const F_KEEP_ALIVE = 16384;

export abstract class TcbCore {
  protected readonly cfg: TcpConfig;
  readonly localPort: number;
  protected remotePort: number;
  readonly #iss: SeqSlot;
  protected st: TcpState = 'CLOSED';

  // Send sequence space (§3.3.1). sndNxt is RFC's SND.NXT: one past the highest sequence number
  // sent. sndPos is the transmit cursor: equal to sndNxt except after a retransmission timeout
  // rewinds it to SND.UNA (go-back-N, as far as cwnd allows).
  #sndUna: SeqSlot;
  #sndNxt: SeqSlot;
  #sndPos: SeqSlot;
  protected sndWnd = 0;
  #sndWl1: SeqSlot = seqToSlot(seq(0));
  #sndWl2: SeqSlot = seqToSlot(seq(0));
  /** The largest window the peer ever offered (RFC 5961 §5 MAX.SND.WND, RFC 9293 §3.8.6.2.1). */
  protected maxSndWnd = 0;
  /** Sequence number of the first byte held in the send buffer. */
  #sndBufSeq: SeqSlot;
  /**
   * SND.UP (§3.3.1, §3.8.5): the sequence number after the last urgent byte queued, while any
   * urgent byte is unacknowledged; undefined otherwise (so it never falls 2^31 behind SND.UNA).
   */
  #sndUp: SeqSlot | undefined = undefined;

  // Receive sequence space.
  #irs: SeqSlot = seqToSlot(seq(0));
  #rcvNxt: SeqSlot = seqToSlot(seq(0));
  /** Right edge of the window we last advertised (RCV.NXT + RCV.WND then); it never moves left. */
  #rcvAdv: SeqSlot = seqToSlot(seq(0));
  /** Where the peer's FIN sits when it arrived ahead of a hole. */
  #peerFinSeq: SeqSlot | undefined = undefined;
  /** Sequence number of the next byte the application will read (RCV.NXT minus the unread bytes). */
  #rcvUser: SeqSlot = seqToSlot(seq(0));
  /**
   * RCV.UP (§3.3.1, §3.10.7.4 sixth step): the sequence number after the last urgent byte, while
   * urgent data remains unread; undefined otherwise (so that it never falls 2^31 behind).
   */
  #rcvUp: SeqSlot | undefined = undefined;
  /** Text and FIN that came on the peer's SYN, queued until we are synchronized (§3.10.7.2). */
  protected heldSynText: HeldSynText | undefined;

  // Negotiated options.
  protected sndMss: number;
  /** The MSS an ICMP "packet too big" allows (RFC 1191, RFC 8201), if one arrived. */
  protected pathMss: number | undefined;
  protected readonly rcvMss: number;
  /** IP header bytes under each segment (20 IPv4, 40 IPv6): path MTU → MSS. */
  protected readonly ipHeaderSize: number;
  protected sndShift = 0;
  protected rcvShift = 0;
  protected peerSynOptions: TcpOptions | undefined;

  protected readonly sendBuf: SendBuffer;
  protected readonly recvBuf: ReceiveBuffer;
  protected readonly rtt: RttEstimator;
  protected cc: CongestionControl;
  protected readonly timers = new TimerTable();

  // Output.
  protected readonly events: ConnEvent[] = [];
  protected readonly outq: TcpSegment[] = [];

  // Retransmission and congestion.
  protected retransmits = 0;
  protected totalRetransmits = 0;
  protected dupAcks = 0;
  /** RFC 6582 `recover`, kept as one past the highest sequence number sent at the time. */
  #recover: SeqSlot;
  /** The segment being timed (its end sequence number) and when it was sent; one at a time. */
  #rttSeq: SeqSlot | undefined = undefined;
  protected rttTime = 0;
  /**
   * End of the last segment smaller than the MSS that we sent: Nagle holds a small segment back
   * only while such a one is unacknowledged (Minshall's refinement, as Linux does), so the tail of
   * a large write is not delayed behind full-sized segments.
   */
  #lastSmallEnd: SeqSlot;
  protected persistBackoff = 0;
  protected lastSendTime: number;
  protected lastNow: number;

  // Receiving.
  protected delackSegs = 0;
  protected keepAliveIdle: number;
  protected keepAliveProbesSent = 0;
  protected challengeWindowStart = Number.NEGATIVE_INFINITY;
  protected challengeCount = 0;

  // Counters.
  protected bytesSent = 0;
  protected bytesAcked = 0;
  protected bytesReceived = 0;

  /** The boolean variables, one bit each (F_* above). */
  #flags = 0;

  protected constructor(opts: ConnectionOptions) {
    this.cfg = opts.config;
    // `| 0`: ports computed in floating point would otherwise be kept as boxed heap numbers.
    this.localPort = opts.localPort | 0;
    this.remotePort = opts.remotePort | 0;
    const iss = seqToSlot(seq(opts.iss));
    this.#iss = iss;
    this.#sndUna = iss;
    this.#sndNxt = iss;
    this.#sndPos = iss;
    this.#recover = iss;
    this.#lastSmallEnd = iss;
    this.#sndBufSeq = seqToSlot(seqAdd(seq(opts.iss), 1));
    this.rcvMss = opts.config.mss;
    // Anything but IPv6's 40 (a bad value from JavaScript callers included) means IPv4.
    this.ipHeaderSize = opts.ipHeaderSize === 40 ? 40 : 20;
    this.sndMss = Math.min(opts.config.mss, opts.config.defaultPeerMss);
    this.sendBuf = new SendBuffer(opts.config.sendBufferSize);
    this.recvBuf = new ReceiveBuffer(opts.config.receiveBufferSize);
    this.rtt = new RttEstimator({
      initialRto: opts.config.initialRto,
      minRto: opts.config.minRto,
      maxRto: opts.config.maxRto,
    });
    this.cc = createCongestionControl(opts.config.congestionControl, {
      mss: this.sndMss,
      initialWindowSegments: opts.config.initialWindowSegments,
    });
    this.#flags =
      (opts.config.noDelay ? F_NO_DELAY : 0) | (opts.config.keepAlive ? F_KEEP_ALIVE : 0);
    this.keepAliveIdle = opts.config.keepAliveIdle;
    this.lastSendTime = opts.now;
    this.lastNow = opts.now;
  }

  // The sequence variables above live in SeqSlot fields (src/wire/seqnum.ts: unboxed in V8, where
  // a SeqNum >= 2^31 would be a 16-byte heap number per store); these accessors keep the RFC's names
  // and SeqNum values for the rest of the engine, and inline to a field access and a shift.
  get iss(): SeqNum {
    return seqFromSlot(this.#iss);
  }

  protected get sndUna(): SeqNum {
    return seqFromSlot(this.#sndUna);
  }
  protected set sndUna(v: SeqNum) {
    this.#sndUna = seqToSlot(v);
  }

  protected get sndNxt(): SeqNum {
    return seqFromSlot(this.#sndNxt);
  }
  protected set sndNxt(v: SeqNum) {
    this.#sndNxt = seqToSlot(v);
  }

  protected get sndPos(): SeqNum {
    return seqFromSlot(this.#sndPos);
  }
  protected set sndPos(v: SeqNum) {
    this.#sndPos = seqToSlot(v);
  }

  protected get sndWl1(): SeqNum {
    return seqFromSlot(this.#sndWl1);
  }
  protected set sndWl1(v: SeqNum) {
    this.#sndWl1 = seqToSlot(v);
  }

  protected get sndWl2(): SeqNum {
    return seqFromSlot(this.#sndWl2);
  }
  protected set sndWl2(v: SeqNum) {
    this.#sndWl2 = seqToSlot(v);
  }

  protected get sndBufSeq(): SeqNum {
    return seqFromSlot(this.#sndBufSeq);
  }
  protected set sndBufSeq(v: SeqNum) {
    this.#sndBufSeq = seqToSlot(v);
  }

  protected get irs(): SeqNum {
    return seqFromSlot(this.#irs);
  }
  protected set irs(v: SeqNum) {
    this.#irs = seqToSlot(v);
  }

  protected get rcvNxt(): SeqNum {
    return seqFromSlot(this.#rcvNxt);
  }
  protected set rcvNxt(v: SeqNum) {
    this.#rcvNxt = seqToSlot(v);
  }

  protected get rcvAdv(): SeqNum {
    return seqFromSlot(this.#rcvAdv);
  }
  protected set rcvAdv(v: SeqNum) {
    this.#rcvAdv = seqToSlot(v);
  }

  protected get rcvUser(): SeqNum {
    return seqFromSlot(this.#rcvUser);
  }
  protected set rcvUser(v: SeqNum) {
    this.#rcvUser = seqToSlot(v);
  }

  protected get recover(): SeqNum {
    return seqFromSlot(this.#recover);
  }
  protected set recover(v: SeqNum) {
    this.#recover = seqToSlot(v);
  }

  protected get lastSmallEnd(): SeqNum {
    return seqFromSlot(this.#lastSmallEnd);
  }
  protected set lastSmallEnd(v: SeqNum) {
    this.#lastSmallEnd = seqToSlot(v);
  }

  protected get sndUp(): SeqNum | undefined {
    const v = this.#sndUp;
    return v === undefined ? undefined : seqFromSlot(v);
  }
  protected set sndUp(v: SeqNum | undefined) {
    this.#sndUp = v === undefined ? undefined : seqToSlot(v);
  }

  protected get peerFinSeq(): SeqNum | undefined {
    const v = this.#peerFinSeq;
    return v === undefined ? undefined : seqFromSlot(v);
  }
  protected set peerFinSeq(v: SeqNum | undefined) {
    this.#peerFinSeq = v === undefined ? undefined : seqToSlot(v);
  }

  protected get rcvUp(): SeqNum | undefined {
    const v = this.#rcvUp;
    return v === undefined ? undefined : seqFromSlot(v);
  }
  protected set rcvUp(v: SeqNum | undefined) {
    this.#rcvUp = v === undefined ? undefined : seqToSlot(v);
  }

  protected get rttSeq(): SeqNum | undefined {
    const v = this.#rttSeq;
    return v === undefined ? undefined : seqFromSlot(v);
  }
  protected set rttSeq(v: SeqNum | undefined) {
    this.#rttSeq = v === undefined ? undefined : seqToSlot(v);
  }

  /** The connection came from LISTEN (a reset in SYN-RECEIVED returns it there, §3.10.7.4). */
  protected get passiveOpen(): boolean {
    return (this.#flags & F_PASSIVE_OPEN) !== 0;
  }
  protected set passiveOpen(on: boolean) {
    this.#flags = on ? this.#flags | F_PASSIVE_OPEN : this.#flags & ~F_PASSIVE_OPEN;
  }

  /**
   * Our SYN has been acknowledged. A flag, not a comparison of SND.UNA with the ISS: after 2^31
   * bytes such a comparison would flip (sequence space is circular).
   */
  protected get synAcked(): boolean {
    return (this.#flags & F_SYN_ACKED) !== 0;
  }
  protected set synAcked(on: boolean) {
    this.#flags = on ? this.#flags | F_SYN_ACKED : this.#flags & ~F_SYN_ACKED;
  }

  /** CLOSE was called: a FIN follows the last queued byte. */
  protected get finQueued(): boolean {
    return (this.#flags & F_FIN_QUEUED) !== 0;
  }
  protected set finQueued(on: boolean) {
    this.#flags = on ? this.#flags | F_FIN_QUEUED : this.#flags & ~F_FIN_QUEUED;
  }

  /** CLOSE in SYN-RECEIVED with data queued: done on reaching ESTABLISHED (§3.10.4). */
  protected get closeDeferred(): boolean {
    return (this.#flags & F_CLOSE_DEFERRED) !== 0;
  }
  protected set closeDeferred(on: boolean) {
    this.#flags = on ? this.#flags | F_CLOSE_DEFERRED : this.#flags & ~F_CLOSE_DEFERRED;
  }

  /** A soft ICMP unreachable arrived while opening (reported if the open then times out). */
  protected get softUnreachable(): boolean {
    return (this.#flags & F_SOFT_UNREACHABLE) !== 0;
  }
  protected set softUnreachable(on: boolean) {
    this.#flags = on ? this.#flags | F_SOFT_UNREACHABLE : this.#flags & ~F_SOFT_UNREACHABLE;
  }

  protected get closedEmitted(): boolean {
    return (this.#flags & F_CLOSED_EMITTED) !== 0;
  }
  protected set closedEmitted(on: boolean) {
    this.#flags = on ? this.#flags | F_CLOSED_EMITTED : this.#flags & ~F_CLOSED_EMITTED;
  }

  /** Our SYN (or SYN-ACK) is to be (re)sent. */
  protected get synPending(): boolean {
    return (this.#flags & F_SYN_PENDING) !== 0;
  }
  protected set synPending(on: boolean) {
    this.#flags = on ? this.#flags | F_SYN_PENDING : this.#flags & ~F_SYN_PENDING;
  }

  /** An ACK is owed now (any segment we send carries it). */
  protected get ackPending(): boolean {
    return (this.#flags & F_ACK_PENDING) !== 0;
  }
  protected set ackPending(on: boolean) {
    this.#flags = on ? this.#flags | F_ACK_PENDING : this.#flags & ~F_ACK_PENDING;
  }

  /** Fast retransmit / NewReno partial ACK: resend the segment at SND.UNA. */
  protected get rtxPending(): boolean {
    return (this.#flags & F_RTX_PENDING) !== 0;
  }
  protected set rtxPending(on: boolean) {
    this.#flags = on ? this.#flags | F_RTX_PENDING : this.#flags & ~F_RTX_PENDING;
  }

  /** The persist timer forced a send past sender SWS avoidance (RFC 9293 §3.8.6.2.1). */
  protected get forceSend(): boolean {
    return (this.#flags & F_FORCE_SEND) !== 0;
  }
  protected set forceSend(on: boolean) {
    this.#flags = on ? this.#flags | F_FORCE_SEND : this.#flags & ~F_FORCE_SEND;
  }

  protected get synRetransmitted(): boolean {
    return (this.#flags & F_SYN_RETRANSMITTED) !== 0;
  }
  protected set synRetransmitted(on: boolean) {
    this.#flags = on ? this.#flags | F_SYN_RETRANSMITTED : this.#flags & ~F_SYN_RETRANSMITTED;
  }

  protected get inRecovery(): boolean {
    return (this.#flags & F_IN_RECOVERY) !== 0;
  }
  protected set inRecovery(on: boolean) {
    this.#flags = on ? this.#flags | F_IN_RECOVERY : this.#flags & ~F_IN_RECOVERY;
  }

  protected get persisting(): boolean {
    return (this.#flags & F_PERSISTING) !== 0;
  }
  protected set persisting(on: boolean) {
    this.#flags = on ? this.#flags | F_PERSISTING : this.#flags & ~F_PERSISTING;
  }

  protected get noDelay(): boolean {
    return (this.#flags & F_NO_DELAY) !== 0;
  }
  protected set noDelay(on: boolean) {
    this.#flags = on ? this.#flags | F_NO_DELAY : this.#flags & ~F_NO_DELAY;
  }

  protected get keepAlive(): boolean {
    return (this.#flags & F_KEEP_ALIVE) !== 0;
  }
  protected set keepAlive(on: boolean) {
    this.#flags = on ? this.#flags | F_KEEP_ALIVE : this.#flags & ~F_KEEP_ALIVE;
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
    const ev = this.events.shift();
    // Drained: drop the array's backing store (an idle connection should hold no queue memory).
    if (this.events.length === 0) this.events.length = 0;
    return ev;
  }

  /** The earliest timer deadline (ms), undefined when no timer runs. */
  pollTimeout(): number | undefined {
    return this.timers.earliest();
  }

  /** The running timers and their deadlines (for tests, tracing and `synack trace`). */
  timerDeadlines(): Array<[TimerName, number]> {
    return this.timers.entries();
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
      srtt: this.rtt.srtt,
      rttvar: this.rtt.rttvar,
      rto: this.rtt.rto,
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
    this.events.push({ type: 'state', from, to, cause });
    if (to === 'ESTABLISHED') this.events.push({ type: 'established' });
  }

  /** Enters CLOSED and deletes the TCB: no timer runs any more, `closed` is reported once. */
  protected terminate(cause: StateCause, code?: TcpErrorCode): void {
    if (this.st !== 'CLOSED') this.setState('CLOSED', cause);
    this.timers.clearAll();
    this.synPending = false;
    this.ackPending = false;
    this.rtxPending = false;
    this.forceSend = false;
    this.persisting = false;
    if (!this.closedEmitted) {
      this.closedEmitted = true;
      this.events.push(
        code === undefined
          ? { type: 'closed' }
          : { type: 'closed', error: { code, message: ERROR_MESSAGES[code] } },
      );
    }
  }

  protected drop(segment: TcpSegment, reason: DropReason): void {
    this.events.push({ type: 'drop', segment, reason });
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
    const free = Math.min(this.recvBuf.window, 0xffff * 2 ** this.rcvShift);
    const threshold = Math.min(Math.floor(this.recvBuf.capacity / 2), this.rcvMss);
    const wnd = free - current >= threshold && free > current ? free : current;
    const unit = 2 ** this.rcvShift;
    // Scaling rounds down; round up instead when rounding down would pull the edge left.
    let field = Math.floor(wnd / unit);
    if (field * unit < current) field = Math.ceil(wnd / unit);
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
    options: TcpOptions = {},
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
      this.timers.clear('delayed-ack');
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
