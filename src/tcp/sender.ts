/**
 * The sending half of the engine: what to transmit next (SYN, retransmissions, new data, FIN, bare
 * ACKs), sender SWS avoidance and Nagle, the retransmission, persist, keep-alive and close timers,
 * and what an arriving ACK does to the send side (RFC 9293 §3.8, §3.10.7.4 fifth step; RFC 5681,
 * RFC 6298, RFC 6582).
 */
import {
  seqAdd,
  seqDiff,
  seqGe,
  seqGt,
  seqLe,
  seqLt,
  seqMax,
  type SeqNum,
} from '../wire/seqnum.js';
import { TcpFlag, type TcpSegment } from '../wire/tcp-segment.js';
import type { ConnEvent, StateCause, TimerName } from './events.js';
import { synOptions } from './options-negotiation.js';
import type { TcpState } from './state.js';
import { TcbCore } from './tcb.js';

/**
 * States in which data (or our FIN) may be (re)transmitted. Comparisons rather than a Set: asked
 * on every pollTransmit, and a state is always one of the interned literals.
 */
function isSending(s: TcpState): boolean {
  return (
    s === 'ESTABLISHED' ||
    s === 'CLOSE-WAIT' ||
    s === 'FIN-WAIT-1' ||
    s === 'CLOSING' ||
    s === 'LAST-ACK'
  );
}

/** States in which keep-alives run (§3.8.4: an idle synchronized connection). */
function isKeepAliveState(s: TcpState): boolean {
  return s === 'ESTABLISHED' || s === 'CLOSE-WAIT' || s === 'FIN-WAIT-1' || s === 'FIN-WAIT-2';
}

/** Bound on timers run by one handleTimeout call (each clears itself; the bound guards bugs). */
const MAX_TIMERS_PER_CALL = 16;

/** The event has no fields: one shared, frozen object rather than one per ACK of data. */
const WRITABLE: ConnEvent = Object.freeze({ type: 'writable' });

export abstract class Sender extends TcbCore {
  /** The send MSS: a segment with more payload than this is a GSO segment. */
  get segmentSize(): number {
    return this.sndMss;
  }

  /**
   * The next segment to send, or undefined. Called until it returns undefined. With `gsoBytes` /
   * `gsoSegs` (the link's GSO, src/stack/link-offload.ts) new data may go out in one segment of up
   * to min(gsoSegs, gsoBytes / MSS) full-sized segments' worth, which the link or the receiver cuts.
   */
  pollTransmit(now: number, gsoBytes = 0, gsoSegs = 1): TcpSegment | undefined {
    this.lastNow = now;
    const queued = this.takeQueued();
    if (queued !== undefined) return queued;
    const s = this.st;
    if (s === 'CLOSED' || s === 'LISTEN') return undefined;
    if (this.synPending) return this.emitSyn(now);
    const sending = isSending(s);
    if (sending) {
      if (this.rtxPending) {
        this.rtxPending = false;
        const seg = this.emitRetransmitOne();
        if (seg !== undefined) return seg;
      }
      const seg = this.emitData(now, gsoBytes, gsoSegs);
      if (seg !== undefined) return seg;
    }
    if (this.ackPending && s !== 'SYN-SENT')
      return this.makeSegment(this.bareAckSeq(), TcpFlag.ACK);
    if (sending) this.armPersistIfBlocked(now);
    return undefined;
  }

  /**
   * SEG.SEQ of a bare ACK: SND.NXT (§3.10.7.4), unless that lies past the right edge the peer
   * offered (a persist probe byte into its zero window, §3.8.6.1, or a window it shrank, §3.8.6
   * MUST-34). A receiver drops a segment that starts beyond its window without reading its ACK
   * field (§3.10.7.4, first check), so a peer whose own sending waits for our acknowledgment
   * would never get it; the edge SND.UNA + SND.WND is in its window. Linux's tcp_acceptable_seq
   * picks the same.
   */
  private bareAckSeq(): SeqNum {
    const edge = seqAdd(this.sndUna, this.sndWnd);
    return this.synAcked && seqGt(this.sndNxt, edge) ? edge : this.sndNxt;
  }

  /** Runs every timer whose deadline is <= now. */
  handleTimeout(now: number): void {
    this.lastNow = now;
    for (let i = 0; i < MAX_TIMERS_PER_CALL; i++) {
      const name = this.takeDueTimer(now);
      if (name === undefined) return;
      this.onTimer(name, now);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // What to send

  protected dataEnd(): SeqNum {
    return seqAdd(this.sndBufSeq, this.sendBuf.length);
  }

  /** Queued bytes not yet sent from the transmit cursor. */
  protected unsent(dataEnd: SeqNum = this.dataEnd()): number {
    return Math.max(0, seqDiff(dataEnd, this.sndPos));
  }

  /** Our FIN was acknowledged (SND.UNA is past it). */
  protected finAcked(): boolean {
    return this.finQueued && seqGt(this.sndUna, this.dataEnd());
  }

  /** SYN in SYN-SENT, SYN,ACK otherwise (SYN-RECEIVED, or a SYN-ACK still unacknowledged). */
  private emitSyn(now: number): TcpSegment {
    this.synPending = false;
    const active = this.st === 'SYN-SENT';
    const flags = active ? TcpFlag.SYN : TcpFlag.SYN | TcpFlag.ACK;
    const options = synOptions(this.cfg, active ? undefined : this.peerSynOptions);
    const seg = this.makeSegment(this.iss, flags, undefined, options);
    if (this.synRetransmitted) {
      this.totalRetransmits++;
      this.rttSeq = undefined; // Karn: no sample from a retransmitted SYN
    } else {
      this.rttSeq = seqAdd(this.iss, 1);
      this.rtt.startTiming(now);
    }
    const end = seqAdd(this.iss, 1);
    this.sndNxt = seqMax(this.sndNxt, end);
    this.sndPos = seqMax(this.sndPos, end);
    if (!this.isTimerSet('retransmit')) this.timers.set('retransmit', now + this.rtt.rto);
    this.rtt.noteSend(now);
    return seg;
  }

  /** One segment at SND.UNA, whatever cwnd says: fast retransmit and NewReno partial ACKs. */
  private emitRetransmitOne(): TcpSegment | undefined {
    const off = Math.max(0, seqDiff(this.sndUna, this.sndBufSeq));
    const inFlight = Math.max(0, seqDiff(this.sndNxt, this.sndUna));
    const len = Math.min(this.sndMss, Math.max(0, this.sendBuf.length - off), inFlight);
    const end = seqAdd(this.sndUna, len);
    const dataEnd = this.dataEnd();
    const fin = this.finQueued && end === dataEnd && seqGt(this.sndNxt, dataEnd);
    if (len === 0 && !fin) return undefined;
    let flags = TcpFlag.ACK;
    if (fin) flags |= TcpFlag.FIN;
    if (len > 0 && end === dataEnd) flags |= TcpFlag.PSH;
    this.totalRetransmits++;
    this.rttSeq = undefined; // Karn's rule (RFC 6298 §3)
    this.bytesSent += len;
    const segEnd = seqAdd(end, fin ? 1 : 0);
    this.sndPos = seqMax(this.sndPos, segEnd);
    return this.makeSegment(this.sndUna, flags, this.sendBuf.peek(off, len));
  }

  /**
   * New data (or data after a timeout rewound the cursor) and the FIN, as the windows allow:
   * min(cwnd, SND.WND) − flight (RFC 5681 §3.1), in segments of at most the send MSS, holding small
   * segments back per Nagle (§3.7.4) and sender SWS avoidance (§3.8.6.2.1). With GSO a segment
   * of new data may be k·MSS: the windows bound the whole, and a short tail goes only when Nagle
   * and SWS avoidance would have let it go sent after the full-sized pieces.
   */
  private emitData(now: number, gsoBytes: number, gsoSegs: number): TcpSegment | undefined {
    if (!this.synAcked) return undefined; // our SYN is still unacknowledged
    const dataEnd = this.dataEnd();
    const unsent = this.unsent(dataEnd);
    const finToSend = this.finQueued && seqLe(this.sndPos, dataEnd);
    if (unsent === 0 && !finToSend) return undefined;
    const isRtx = seqLt(this.sndPos, this.sndNxt);
    const flight = Math.max(0, seqDiff(this.sndPos, this.sndUna));
    if (!isRtx && flight === 0 && seqGe(this.sndUna, this.sndNxt)) {
      // RFC 5681 §4.1: restart from at most the initial window after an idle RTO.
      const rtt = this.rtt;
      if (rtt.idleLongerThanRto(now)) this.cc.onIdleRestart(rtt.rto);
    }
    const wndRoom = seqDiff(seqAdd(this.sndUna, this.sndWnd), this.sndPos);
    const cwndRoom = this.cc.cwnd - flight;
    const usable = Math.max(0, Math.min(wndRoom, cwndRoom));
    const mss = this.sndMss;
    // GSO is for new data only: a retransmission is at most one SMSS (RFC 5681 §3.2, RFC 6298
    // §5.4), and urgent mode keeps MSS-sized segments so every SEG.UP is the one it would be.
    let maxLen = mss;
    this.gsoOn = gsoSegs > 1 && gsoBytes >= 2 * mss;
    if (this.gsoOn && !isRtx && this.sndUp === undefined) {
      maxLen = Math.min(gsoSegs, Math.floor(gsoBytes / mss)) * mss;
    }
    let len = Math.min(unsent, maxLen, usable);
    if (len > 0 && len < mss && !isRtx && !this.forceSend) {
      if (!this.smallSegmentOk(len, len === unsent, flight)) len = 0;
    } else if (len > mss && !this.forceSend) {
      // A GSO segment: its full-sized pieces go; its short tail, sent with those in flight, only
      // as it would one by one.
      const tail = len % mss;
      if (tail > 0 && !this.smallSegmentOk(tail, len === unsent, flight + len - tail)) len -= tail;
    }
    this.forceSend = false;
    const fin = finToSend && len === unsent;
    if (len === 0 && !fin) return undefined;
    const start = this.sndPos;
    const end = seqAdd(start, len);
    let flags = TcpFlag.ACK;
    if (len > 0 && end === dataEnd) flags |= TcpFlag.PSH;
    if (fin) flags |= TcpFlag.FIN;
    const segEnd = seqAdd(end, fin ? 1 : 0);
    if (seqLt(start, this.sndNxt)) {
      this.totalRetransmits++;
      this.rttSeq = undefined;
    } else if (this.rttSeq === undefined) {
      this.rttSeq = segEnd;
      this.rtt.startTiming(now);
    }
    if (len < mss || len % mss !== 0) this.lastSmallEnd = segEnd;
    const payload = this.sendBuf.peek(seqDiff(start, this.sndBufSeq), len);
    this.bytesSent += len;
    this.sndPos = segEnd;
    this.sndNxt = seqMax(this.sndNxt, segEnd);
    this.rtt.noteSend(now);
    if (this.persisting) this.stopPersist();
    if (!this.isTimerSet('retransmit')) this.timers.set('retransmit', now + this.rtt.rto);
    if (this.cfg.userTimeout > 0 && !this.isTimerSet('user-timeout')) {
      this.timers.set('user-timeout', now + this.cfg.userTimeout);
    }
    return this.makeSegment(start, flags, payload);
  }

  /**
   * May a segment of `len` < MSS bytes go now, with `flight` bytes outstanding? Nagle (RFC 9293
   * §3.7.4) with Minshall's refinement holds a small segment while an earlier small one is
   * unacknowledged; sender SWS avoidance (§3.8.6.2.1) holds it unless it is all the data queued
   * (`allOfIt`) or at least half the largest window the peer offered.
   */
  private smallSegmentOk(len: number, allOfIt: boolean, flight: number): boolean {
    const smallOutstanding = seqGt(this.lastSmallEnd, this.sndUna);
    // Urgent data is not held back either (§3.8.5: the point is timely delivery; Linux's
    // tcp_nagle_test lets urgent mode through the same way).
    const urgentMode = this.sndUp !== undefined && seqLt(this.sndPos, this.sndUp);
    const nagleOk =
      this.noDelay || flight === 0 || !smallOutstanding || this.finQueued || urgentMode;
    const swsOk = allOfIt || len >= this.maxSndWnd / 2;
    return nagleOk && swsOk;
  }

  /**
   * Nothing in flight yet data waits (zero window, or a window too small for sender SWS
   * avoidance): only the persist timer can get things moving again (§3.8.6.1).
   */
  private armPersistIfBlocked(now: number): void {
    if (this.persisting || this.isTimerSet('retransmit')) return;
    if (!this.synAcked || this.sndUna !== this.sndNxt) return;
    if (this.unsent() === 0) return;
    this.persisting = true;
    this.timers.set('persist', now + this.persistInterval());
  }

  private persistInterval(): number {
    return Math.min(this.cfg.maxRto, this.rtt.rto * 2 ** this.persistBackoff);
  }

  protected stopPersist(): void {
    this.persisting = false;
    this.persistBackoff = 0;
    this.clearTimer('persist');
  }

  // ---------------------------------------------------------------------------------------------
  // Timers

  private onTimer(name: TimerName, now: number): void {
    const cause: StateCause = { kind: 'timer', timer: name };
    switch (name) {
      case 'retransmit':
        return this.onRetransmitTimeout(now);
      case 'persist':
        return this.onPersistTimeout(now);
      case 'delayed-ack':
        this.ackPending = true;
        return;
      case 'keepalive':
        return this.onKeepAliveTimeout(now);
      case 'fin-wait-2':
        // The peer never sent its FIN; whatever it still had to say is lost.
        return this.terminate(cause, 'timed-out');
      case 'time-wait':
        return this.terminate(cause);
      case 'user-timeout':
        // RFC 9293 §3.8.3 / RFC 5482: data stayed unacknowledged longer than the user allows.
        if (this.sndUna !== this.sndNxt) this.terminate(cause, 'timed-out');
        return;
    }
  }

  /**
   * RFC 6298 §5.4–5.6: retransmit the earliest unacknowledged segment, back the timer off, and
   * (RFC 5681 §3.1) collapse cwnd to the loss window. The limit is synRetries while the SYN is
   * unacknowledged, dataRetries after (§3.8.3 R2).
   */
  private onRetransmitTimeout(now: number): void {
    if (this.sndUna === this.sndNxt) return;
    const synUnacked = !this.synAcked;
    const limit = synUnacked ? this.cfg.synRetries : this.cfg.dataRetries;
    if (this.retransmits >= limit) {
      const code = synUnacked && this.softUnreachable ? 'unreachable' : 'timed-out';
      this.terminate({ kind: 'timer', timer: 'retransmit' }, code);
      return;
    }
    this.retransmits++;
    this.rtt.backoff();
    this.rttSeq = undefined;
    if (synUnacked) {
      this.synPending = true;
      this.synRetransmitted = true;
    } else {
      const flightSize = seqDiff(this.sndNxt, this.sndUna);
      this.cc.onTimeout(flightSize, now);
      // RFC 6582 §3.2 step 1 / §4.2: no fast retransmit for data sent before the timeout.
      this.recover = this.sndNxt;
      this.inRecovery = false;
      this.dupAcks = 0;
      this.sndPos = this.sndUna;
      // The head segment goes out whatever the windows say (it doubles as a zero-window probe
      // when the peer's window is closed, as Linux's tcp_retransmit_timer does); cwnd, now one
      // segment, paces the rest.
      this.rtxPending = true;
    }
    this.timers.set('retransmit', now + this.rtt.rto);
  }

  /**
   * §3.8.6.1: while the peer's window is zero, probe it at backed-off intervals; the probe is one
   * byte of new data past the window (the peer drops it and re-advertises its window in the ACK;
   * if the window opened, it keeps the byte). A window that is open but too small for sender SWS
   * avoidance gets its data sent anyway (RFC 1122 4.2.3.4, the override timeout).
   */
  private onPersistTimeout(now: number): void {
    this.persisting = false;
    if (!isSending(this.st)) return;
    // In flight here is nothing, or the previous probe byte; more is retransmission's business.
    const inFlight = seqDiff(this.sndNxt, this.sndUna);
    if (inFlight > 1 || (inFlight === 0 && this.unsent() === 0)) return;
    if (this.sndWnd > 0) {
      this.forceSend = true;
      this.persistBackoff = 0;
      return;
    }
    const off = Math.max(0, seqDiff(this.sndUna, this.sndBufSeq));
    const payload = this.sendBuf.peek(off, 1);
    if (payload.length === 0) return;
    const end = seqAdd(this.sndUna, 1);
    this.sndNxt = seqMax(this.sndNxt, end);
    this.sndPos = seqMax(this.sndPos, end);
    this.bytesSent += 1;
    this.rtt.noteSend(now);
    const flags = end === this.dataEnd() ? TcpFlag.ACK | TcpFlag.PSH : TcpFlag.ACK;
    this.outq.push(this.makeSegment(this.sndUna, flags, payload));
    this.persistBackoff++;
    this.persisting = true;
    this.timers.set('persist', now + this.persistInterval());
  }

  /**
   * §3.8.4 / RFC 1122 4.2.3.6: after keepAliveIdle without a segment from the peer, send
   * <SEQ=SND.NXT−1><ACK=RCV.NXT> with no data (it elicits an ACK); keepAliveProbes unanswered
   * probes, keepAliveInterval apart, end the connection.
   */
  private onKeepAliveTimeout(now: number): void {
    if (!this.keepAlive || !isKeepAliveState(this.st)) return;
    if (this.keepAliveProbesSent >= this.cfg.keepAliveProbes) {
      this.terminate({ kind: 'timer', timer: 'keepalive' }, 'timed-out');
      return;
    }
    if (this.sndUna !== this.sndNxt || this.unsent() > 0) {
      // Data is outstanding: retransmission (or persist) watches the peer instead.
      this.timers.set('keepalive', now + this.keepAliveIdle);
      return;
    }
    this.outq.push(this.makeSegment(seqAdd(this.sndNxt, -1), TcpFlag.ACK));
    this.keepAliveProbesSent++;
    this.timers.set('keepalive', now + this.cfg.keepAliveInterval);
  }

  /** A segment arrived: the peer is alive. */
  protected noteActivity(now: number): void {
    this.keepAliveProbesSent = 0;
    if (this.keepAlive && isKeepAliveState(this.st)) {
      this.timers.set('keepalive', now + this.keepAliveIdle);
    }
  }

  setNoDelay(on: boolean): void {
    this.noDelay = on;
  }

  setKeepAlive(on: boolean, idleMs?: number): void {
    this.keepAlive = on;
    if (idleMs !== undefined && Number.isFinite(idleMs) && idleMs >= 0) this.keepAliveIdle = idleMs;
    if (on && isKeepAliveState(this.st)) {
      this.keepAliveProbesSent = 0;
      this.timers.set('keepalive', this.lastNow + this.keepAliveIdle);
    } else if (!on) {
      this.clearTimer('keepalive');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // An arriving acceptable ACK (§3.10.7.4 fifth step, ESTABLISHED processing)

  /**
   * SND.UNA < SEG.ACK =< SND.NXT advances SND.UNA; an ACK of nothing new may be a duplicate
   * (RFC 5681 §2); the window is taken from the newest segment (SND.WL1/SND.WL2). The caller has
   * already checked SEG.ACK against [SND.UNA − MAX.SND.WND, SND.NXT] (RFC 5961 §5).
   */
  protected processAck(seg: TcpSegment, now: number): void {
    const ack = seg.ack;
    const isSyn = (seg.flags & TcpFlag.SYN) !== 0;
    // RFC 7323 §2.2: the window of a SYN is never scaled. A shift, not 2 ** shift (a floating-point
    // power per ACK): the field is 16 bits and the shift at most 14 (§2.3), so it stays < 2^31.
    const wnd = isSyn ? seg.window : seg.window << this.sndShift;
    const advances = seqGt(ack, this.sndUna);
    if (advances) {
      this.onNewAck(ack, now);
    } else if (
      // RFC 5681 §2 DUPLICATE ACKNOWLEDGMENT, (d) (a) (b) (c) (e) in order. For (e) SND.WND is
      // the last incoming acknowledgment's window: every acceptable ACK without data updates it
      // below, unless the peer's own segments arrived reordered (SND.WL1 ahead of RCV.NXT).
      // Beyond §2: the answers to a zero-window probe are not duplicates (the "outstanding" byte
      // lies beyond the offered window, §3.8.6.1).
      ack === this.sndUna &&
      seqGt(this.sndNxt, this.sndUna) &&
      seg.payload.length === 0 &&
      (seg.flags & (TcpFlag.SYN | TcpFlag.FIN)) === 0 &&
      wnd === this.sndWnd &&
      !this.persisting &&
      this.sndWnd > 0
    ) {
      this.onDupAck(now);
    }
    // Window update (§3.10.7.4): only from a segment at least as new as the last one used. A
    // segment that acknowledges new data is the newest the peer sent (its SEG.ACK never goes
    // back), even when its SEG.SEQ is below SND.WL1: a retransmission of the peer's, after its
    // bare ACKs carried its SND.NXT. Keeping the old SND.WND there would move the right edge
    // SND.UNA + SND.WND past what the peer offered (§3.8.6), and data sent beyond it is dropped.
    // Linux's tcp_may_update_window takes the same rule.
    if (
      seqLe(this.sndUna, ack) &&
      (advances ||
        seqLt(this.sndWl1, seg.seq) ||
        (this.sndWl1 === seg.seq && seqLe(this.sndWl2, ack)))
    ) {
      this.sndWnd = wnd;
      this.sndWl1 = seg.seq;
      this.sndWl2 = ack;
      if (wnd > this.maxSndWnd) this.maxSndWnd = wnd;
      // A closed window with data outstanding: the peer is alive, only full. Retransmissions now
      // probe it, and §3.8.6.1 forbids giving up on a connection just because its window is zero.
      if (wnd === 0 && this.sndNxt !== this.sndUna) this.retransmits = 0;
      if (this.persisting && wnd > 0) {
        this.stopPersist();
        // A probe byte the peer did not keep is sent again as ordinary data.
        this.sndPos = this.sndUna;
        if (this.sndUna !== this.sndNxt) this.timers.set('retransmit', now + this.rtt.rto);
      }
    }
  }

  private onNewAck(ack: SeqNum, now: number): void {
    const acked = seqDiff(ack, this.sndUna);
    const sndUnaBefore = this.sndUna;
    const recoverBefore = this.recover;
    this.synAcked = true;
    // Markers that trail SND.UNA are dragged along with it, so that they never fall 2^31 behind
    // and compare the wrong way round.
    if (seqLt(this.lastSmallEnd, ack)) this.lastSmallEnd = ack;
    if (!this.inRecovery && seqLt(this.recover, ack)) this.recover = ack;
    const timed = this.rttSeq;
    if (timed !== undefined && seqGe(ack, timed)) {
      this.rtt.sampleTimed(now);
      this.rttSeq = undefined;
    }
    this.retransmits = 0;
    this.rtt.resetBackoff();
    const dataAcked = Math.max(0, Math.min(this.sendBuf.length, seqDiff(ack, this.sndBufSeq)));
    if (dataAcked > 0) {
      this.sendBuf.consume(dataAcked);
      this.sndBufSeq = seqAdd(this.sndBufSeq, dataAcked);
      this.bytesAcked += dataAcked;
      if (!this.finQueued) this.pushEvent(WRITABLE);
    }
    this.sndUna = ack;
    if (seqLt(this.sndPos, ack)) this.sndPos = ack;
    // Every urgent byte is acknowledged: urgent mode ends, segments stop carrying URG (§3.8.5).
    if (this.sndUp !== undefined && seqGe(ack, this.sndUp)) this.sndUp = undefined;
    if (this.inRecovery) {
      if (seqGe(ack, this.recover)) {
        // RFC 6582 §3.2 step 6: the full ACK ends recovery.
        this.inRecovery = false;
        this.dupAcks = 0;
        this.cc.onExitRecovery(seqDiff(this.sndNxt, this.sndUna));
      } else {
        // Step 5: a partial ACK: the next hole is retransmitted at once.
        this.cc.onPartialAck(acked);
        this.rtxPending = true;
      }
    } else {
      this.dupAcks = 0;
      if (dataAcked > 0) this.ackToCc(dataAcked, ack, sndUnaBefore, recoverBefore, now);
    }
    if (this.sndUna === this.sndNxt) {
      this.clearTimer('retransmit');
      this.clearTimer('user-timeout');
    } else if (!this.persisting) {
      // RFC 6298 §5.3: restart the timer when new data is acknowledged.
      this.timers.set('retransmit', now + this.rtt.rto);
      if (this.cfg.userTimeout > 0) this.timers.set('user-timeout', now + this.cfg.userTimeout);
    }
  }

  /**
   * New data acknowledged, to congestion control. A GSO segment is ACKed once where its pieces
   * sent one by one would have drawn an ACK per two of them (RFC 5681 §4.2): so that slow start
   * (RFC 5681 §3.1, cwnd += min(N, SMSS) per ACK) grows as it would one by one, such an ACK counts
   * as the ACKs of 2·SMSS each it stands for. Only the part above `recover` (the loss point: SND.NXT
   * at a timeout or at entering recovery) is split: what lay below it was sent before the loss, and
   * the cumulative ACK that covers it after a retransmission filled the hole is ONE ACK — split, it
   * would jump cwnd to ssthresh and burst right after an RTO.
   */
  private ackToCc(
    acked: number,
    ack: SeqNum,
    sndUnaBefore: SeqNum,
    recover: SeqNum,
    now: number,
  ): void {
    const unit = 2 * this.sndMss;
    if (!this.gsoOn || acked <= unit || seqLe(ack, recover)) {
      this.cc.onAck(acked, now);
      return;
    }
    // ack > recover here. SYN/FIN take sequence space but are no data: `acked` bounds the split.
    const above = Math.min(acked, seqDiff(ack, seqMax(sndUnaBefore, recover)));
    const below = acked - above;
    if (below > 0) this.cc.onAck(below, now);
    for (let left = above; left > 0; left -= unit) this.cc.onAck(Math.min(unit, left), now);
  }

  /** RFC 5681 §3.2 / RFC 6582 §3.2: the third duplicate ACK starts fast retransmit. */
  private onDupAck(now: number): void {
    this.dupAcks++;
    if (this.inRecovery) {
      this.cc.onDupAckInRecovery();
      return;
    }
    // RFC 6582 §3.2 step 2: only if the cumulative ACK covers `recover`.
    if (this.dupAcks === 3 && seqGe(this.sndUna, this.recover)) {
      this.inRecovery = true;
      this.recover = this.sndNxt;
      this.cc.onEnterRecovery(seqDiff(this.sndNxt, this.sndUna), now);
      this.rtxPending = true;
    }
  }
}
