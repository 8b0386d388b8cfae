/**
 * How the TCB's variables (RFC 9293 §3.3.1) are stored. A server holds many idle connections, so
 * each variable's storage counts: (1) sequence numbers in SeqSlot fields (src/wire/seqnum.ts:
 * unboxed small integers in V8, where a SeqNum >= 2^31 — half of them — is a 16-byte heap number
 * per store); (2) the yes/no variables as bits of one field; (3) variables that most connections
 * never move from their initial value (urgent pointers, a SYN's held text, ICMP path MSS,
 * retransmission, persist and keep-alive counts, the challenge-ACK rate limit) in a RareVars
 * object created the first time one of them leaves it. Accessors keep the RFC's names, so the
 * engine reads and writes `this.sndUna` as a field; V8 inlines them to a load and a shift or mask.
 */
import { seq, seqAdd, seqFromSlot, seqToSlot, type SeqNum, type SeqSlot } from '../wire/seqnum.js';
import type { TcpConfig } from './config.js';

/** A SYN's text (and FIN) held until the connection is synchronized (§3.10.7.2, §3.10.7.3). */
export interface HeldSynText {
  payload: Uint8Array;
  fin: boolean;
  /** The SYN's urgent pointer (SEG.SEQ + SEG.UP) when it had URG set. */
  urgentPointer: SeqNum | undefined;
}

/** Bits of TcbVars' #flags, one per yes/no variable (sixteen fields would cost 8 bytes each). */
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
const F_GSO_ON = 32768;

/** The rarely used variables, created on the first change from the initial values below. */
class RareVars {
  sndUp: SeqSlot | undefined = undefined;
  rcvUp: SeqSlot | undefined = undefined;
  peerFinSeq: SeqSlot | undefined = undefined;
  heldSynText: HeldSynText | undefined = undefined;
  pathMss: number | undefined = undefined;
  retransmits: number = 0;
  totalRetransmits: number = 0;
  dupAcks: number = 0;
  persistBackoff: number = 0;
  keepAliveProbesSent: number = 0;
  challengeWindowStart: number = Number.NEGATIVE_INFINITY;
  challengeCount: number = 0;
  keepAliveIdle: number;

  constructor(keepAliveIdle: number) {
    this.keepAliveIdle = keepAliveIdle;
  }
}

export abstract class TcbVars {
  protected readonly cfg: TcpConfig;
  // The sequence variables (documented at their accessors below), as SeqSlots.
  readonly #iss: SeqSlot;
  #sndUna: SeqSlot;
  #sndNxt: SeqSlot;
  #sndPos: SeqSlot;
  #sndWl1: SeqSlot;
  #sndWl2: SeqSlot;
  #sndBufSeq: SeqSlot;
  #irs: SeqSlot;
  #rcvNxt: SeqSlot;
  #rcvAdv: SeqSlot;
  #rcvUser: SeqSlot;
  #recover: SeqSlot;
  #lastSmallEnd: SeqSlot;
  /** The connection's yes/no variables, one bit each (F_* above). */
  #flags: number;
  #rttSeq: SeqSlot | undefined = undefined;
  /** Created on first use; undefined on most connections (see RareVars). */
  #rare: RareVars | undefined = undefined;

  protected constructor(config: TcpConfig, iss: SeqNum) {
    this.cfg = config;
    const s = seqToSlot(iss);
    const zero = seqToSlot(seq(0));
    this.#iss = s;
    this.#sndUna = s;
    this.#sndNxt = s;
    this.#sndPos = s;
    this.#sndWl1 = zero;
    this.#sndWl2 = zero;
    this.#sndBufSeq = seqToSlot(seqAdd(iss, 1));
    this.#irs = zero;
    this.#rcvNxt = zero;
    this.#rcvAdv = zero;
    this.#rcvUser = zero;
    this.#recover = s;
    this.#lastSmallEnd = s;
    this.#flags = (config.noDelay ? F_NO_DELAY : 0) | (config.keepAlive ? F_KEEP_ALIVE : 0);
  }

  /** ISS, our initial send sequence number (RFC 6528, from the stack). */
  get iss(): SeqNum {
    return seqFromSlot(this.#iss);
  }

  /** SND.UNA: the oldest unacknowledged sequence number. */
  protected get sndUna(): SeqNum {
    return seqFromSlot(this.#sndUna);
  }
  protected set sndUna(v: SeqNum) {
    this.#sndUna = seqToSlot(v);
  }

  /** SND.NXT: one past the highest sequence number sent. */
  protected get sndNxt(): SeqNum {
    return seqFromSlot(this.#sndNxt);
  }
  protected set sndNxt(v: SeqNum) {
    this.#sndNxt = seqToSlot(v);
  }

  /**
   * The transmit cursor: equal to sndNxt except after a retransmission timeout rewinds it to
   * SND.UNA (go-back-N, as far as cwnd allows).
   */
  protected get sndPos(): SeqNum {
    return seqFromSlot(this.#sndPos);
  }
  protected set sndPos(v: SeqNum) {
    this.#sndPos = seqToSlot(v);
  }

  /** SND.WL1: the segment sequence number used for the last window update. */
  protected get sndWl1(): SeqNum {
    return seqFromSlot(this.#sndWl1);
  }
  protected set sndWl1(v: SeqNum) {
    this.#sndWl1 = seqToSlot(v);
  }

  /** SND.WL2: the segment acknowledgment number used for the last window update. */
  protected get sndWl2(): SeqNum {
    return seqFromSlot(this.#sndWl2);
  }
  protected set sndWl2(v: SeqNum) {
    this.#sndWl2 = seqToSlot(v);
  }

  /** Sequence number of the first byte held in the send buffer. */
  protected get sndBufSeq(): SeqNum {
    return seqFromSlot(this.#sndBufSeq);
  }
  protected set sndBufSeq(v: SeqNum) {
    this.#sndBufSeq = seqToSlot(v);
  }

  /** IRS: the peer's initial sequence number. */
  protected get irs(): SeqNum {
    return seqFromSlot(this.#irs);
  }
  protected set irs(v: SeqNum) {
    this.#irs = seqToSlot(v);
  }

  /** RCV.NXT: the next sequence number expected. */
  protected get rcvNxt(): SeqNum {
    return seqFromSlot(this.#rcvNxt);
  }
  protected set rcvNxt(v: SeqNum) {
    this.#rcvNxt = seqToSlot(v);
  }

  /** Right edge of the window we last advertised (RCV.NXT + RCV.WND then); it never moves left. */
  protected get rcvAdv(): SeqNum {
    return seqFromSlot(this.#rcvAdv);
  }
  protected set rcvAdv(v: SeqNum) {
    this.#rcvAdv = seqToSlot(v);
  }

  /**
   * Sequence number of the next byte the application will read (RCV.NXT minus the unread bytes).
   */
  protected get rcvUser(): SeqNum {
    return seqFromSlot(this.#rcvUser);
  }
  protected set rcvUser(v: SeqNum) {
    this.#rcvUser = seqToSlot(v);
  }

  /** RFC 6582 `recover`, kept as one past the highest sequence number sent at the time. */
  protected get recover(): SeqNum {
    return seqFromSlot(this.#recover);
  }
  protected set recover(v: SeqNum) {
    this.#recover = seqToSlot(v);
  }

  /**
   * End of the last segment smaller than the MSS that we sent: Nagle holds a small segment back
   * only while such a one is unacknowledged (Minshall's refinement, as Linux does), so the tail of
   * a large write is not delayed behind full-sized segments.
   */
  protected get lastSmallEnd(): SeqNum {
    return seqFromSlot(this.#lastSmallEnd);
  }
  protected set lastSmallEnd(v: SeqNum) {
    this.#lastSmallEnd = seqToSlot(v);
  }

  /**
   * The segment being timed (its end sequence number); one at a time (the RTT estimator keeps when it was sent).
   */
  protected get rttSeq(): SeqNum | undefined {
    const v = this.#rttSeq;
    return v === undefined ? undefined : seqFromSlot(v);
  }
  protected set rttSeq(v: SeqNum | undefined) {
    this.#rttSeq = v === undefined ? undefined : seqToSlot(v);
  }

  /**
   * SND.UP (§3.3.1, §3.8.5): the sequence number after the last urgent byte queued, while any
   * urgent byte is unacknowledged; undefined otherwise (so it never falls 2^31 behind SND.UNA).
   */
  protected get sndUp(): SeqNum | undefined {
    const v = this.#rare?.sndUp;
    return v === undefined ? undefined : seqFromSlot(v);
  }
  protected set sndUp(v: SeqNum | undefined) {
    if (v !== undefined) TcbVars.#more(this).sndUp = seqToSlot(v);
    else if (this.#rare !== undefined) this.#rare.sndUp = undefined;
  }

  /**
   * RCV.UP (§3.3.1, §3.10.7.4 sixth step): the sequence number after the last urgent byte, while
   * urgent data remains unread; undefined otherwise (so that it never falls 2^31 behind).
   */
  protected get rcvUp(): SeqNum | undefined {
    const v = this.#rare?.rcvUp;
    return v === undefined ? undefined : seqFromSlot(v);
  }
  protected set rcvUp(v: SeqNum | undefined) {
    if (v !== undefined) TcbVars.#more(this).rcvUp = seqToSlot(v);
    else if (this.#rare !== undefined) this.#rare.rcvUp = undefined;
  }

  /** Where the peer's FIN sits when it arrived ahead of a hole. */
  protected get peerFinSeq(): SeqNum | undefined {
    const v = this.#rare?.peerFinSeq;
    return v === undefined ? undefined : seqFromSlot(v);
  }
  protected set peerFinSeq(v: SeqNum | undefined) {
    if (v !== undefined) TcbVars.#more(this).peerFinSeq = seqToSlot(v);
    else if (this.#rare !== undefined) this.#rare.peerFinSeq = undefined;
  }

  /** Text and FIN that came on the peer's SYN, queued until we are synchronized (§3.10.7.2). */
  protected get heldSynText(): HeldSynText | undefined {
    return this.#rare?.heldSynText;
  }
  protected set heldSynText(v: HeldSynText | undefined) {
    if (v !== undefined) TcbVars.#more(this).heldSynText = v;
    else if (this.#rare !== undefined) this.#rare.heldSynText = undefined;
  }

  /** The MSS an ICMP "packet too big" allows (RFC 1191, RFC 8201), if one arrived. */
  protected get pathMss(): number | undefined {
    return this.#rare?.pathMss;
  }
  protected set pathMss(v: number | undefined) {
    if (v !== undefined) TcbVars.#more(this).pathMss = v;
    else if (this.#rare !== undefined) this.#rare.pathMss = undefined;
  }

  /** Retransmission timeouts in a row for the segment at SND.UNA (RFC 9293 §3.8.3 R1/R2). */
  protected get retransmits(): number {
    const r = this.#rare;
    return r === undefined ? 0 : r.retransmits;
  }
  protected set retransmits(v: number) {
    if (this.#rare !== undefined) this.#rare.retransmits = v;
    else if (v !== 0) TcbVars.#more(this).retransmits = v;
  }

  /** Segments retransmitted over the connection's life (TcpInfo). */
  protected get totalRetransmits(): number {
    const r = this.#rare;
    return r === undefined ? 0 : r.totalRetransmits;
  }
  protected set totalRetransmits(v: number) {
    if (this.#rare !== undefined) this.#rare.totalRetransmits = v;
    else if (v !== 0) TcbVars.#more(this).totalRetransmits = v;
  }

  /** Duplicate ACKs in a row (RFC 5681 §3.2). */
  protected get dupAcks(): number {
    const r = this.#rare;
    return r === undefined ? 0 : r.dupAcks;
  }
  protected set dupAcks(v: number) {
    if (this.#rare !== undefined) this.#rare.dupAcks = v;
    else if (v !== 0) TcbVars.#more(this).dupAcks = v;
  }

  /** Persist probes sent without the window opening (their interval doubles, §3.8.6.1). */
  protected get persistBackoff(): number {
    const r = this.#rare;
    return r === undefined ? 0 : r.persistBackoff;
  }
  protected set persistBackoff(v: number) {
    if (this.#rare !== undefined) this.#rare.persistBackoff = v;
    else if (v !== 0) TcbVars.#more(this).persistBackoff = v;
  }

  /** Keep-alive probes unanswered (§3.8.4). */
  protected get keepAliveProbesSent(): number {
    const r = this.#rare;
    return r === undefined ? 0 : r.keepAliveProbesSent;
  }
  protected set keepAliveProbesSent(v: number) {
    if (this.#rare !== undefined) this.#rare.keepAliveProbesSent = v;
    else if (v !== 0) TcbVars.#more(this).keepAliveProbesSent = v;
  }

  /** Start of the current second of the RFC 5961 §7 challenge-ACK rate limit. */
  protected get challengeWindowStart(): number {
    const r = this.#rare;
    return r === undefined ? Number.NEGATIVE_INFINITY : r.challengeWindowStart;
  }
  protected set challengeWindowStart(v: number) {
    if (this.#rare !== undefined) this.#rare.challengeWindowStart = v;
    else if (v !== Number.NEGATIVE_INFINITY) TcbVars.#more(this).challengeWindowStart = v;
  }

  /** Challenge ACKs sent in that second. */
  protected get challengeCount(): number {
    const r = this.#rare;
    return r === undefined ? 0 : r.challengeCount;
  }
  protected set challengeCount(v: number) {
    if (this.#rare !== undefined) this.#rare.challengeCount = v;
    else if (v !== 0) TcbVars.#more(this).challengeCount = v;
  }

  /** Milliseconds without a segment from the peer before keep-alive probes start (§3.8.4). */
  protected get keepAliveIdle(): number {
    const r = this.#rare;
    return r === undefined ? this.cfg.keepAliveIdle : r.keepAliveIdle;
  }
  protected set keepAliveIdle(v: number) {
    if (this.#rare !== undefined) this.#rare.keepAliveIdle = v;
    else if (v !== this.cfg.keepAliveIdle) TcbVars.#more(this).keepAliveIdle = v;
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

  /** `closed` was reported (it is reported once). */
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

  /** Our SYN or SYN-ACK was sent more than once (Karn; RFC 6298 §5.7). */
  protected get synRetransmitted(): boolean {
    return (this.#flags & F_SYN_RETRANSMITTED) !== 0;
  }
  protected set synRetransmitted(on: boolean) {
    this.#flags = on ? this.#flags | F_SYN_RETRANSMITTED : this.#flags & ~F_SYN_RETRANSMITTED;
  }

  /** In fast recovery (RFC 5681 §3.2, RFC 6582). */
  protected get inRecovery(): boolean {
    return (this.#flags & F_IN_RECOVERY) !== 0;
  }
  protected set inRecovery(on: boolean) {
    this.#flags = on ? this.#flags | F_IN_RECOVERY : this.#flags & ~F_IN_RECOVERY;
  }

  /** The persist timer runs: the peer offers a zero window (§3.8.6.1). */
  protected get persisting(): boolean {
    return (this.#flags & F_PERSISTING) !== 0;
  }
  protected set persisting(on: boolean) {
    this.#flags = on ? this.#flags | F_PERSISTING : this.#flags & ~F_PERSISTING;
  }

  /** Nagle off (§3.7.4; setNoDelay). */
  protected get noDelay(): boolean {
    return (this.#flags & F_NO_DELAY) !== 0;
  }
  protected set noDelay(on: boolean) {
    this.#flags = on ? this.#flags | F_NO_DELAY : this.#flags & ~F_NO_DELAY;
  }

  /** Keep-alives on (§3.8.4; setKeepAlive). */
  protected get keepAlive(): boolean {
    return (this.#flags & F_KEEP_ALIVE) !== 0;
  }
  protected set keepAlive(on: boolean) {
    this.#flags = on ? this.#flags | F_KEEP_ALIVE : this.#flags & ~F_KEEP_ALIVE;
  }

  /** The last pollTransmit allowed GSO segments (ACKs of them then count as if sent one by one). */
  protected get gsoOn(): boolean {
    return (this.#flags & F_GSO_ON) !== 0;
  }
  protected set gsoOn(on: boolean) {
    this.#flags = on ? this.#flags | F_GSO_ON : this.#flags & ~F_GSO_ON;
  }

  /** Whether the rarely used variables were ever needed (tests: an idle connection holds none). */
  protected get hasRareVars(): boolean {
    return this.#rare !== undefined;
  }

  /** Static, not an instance method: a private instance method costs every instance a field. */
  static #more(t: TcbVars): RareVars {
    return (t.#rare ??= new RareVars(t.cfg.keepAliveIdle));
  }
}
