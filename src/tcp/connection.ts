/**
 * The connection engine, sans I/O: segments and time in, segments, timers and events out
 * (ARCHITECTURE.md). This file holds the user commands (RFC 9293 §3.10.1–3.10.6) and segment
 * arrival (§3.10.7); the TCB and the sending side live in tcb.ts and sender.ts.
 */
import {
  seq,
  seqAdd,
  seqDiff,
  seqGe,
  seqGt,
  seqInWindow,
  seqLe,
  seqLt,
  type SeqNum,
} from '../wire/seqnum.js';
import { TcpFlag, type TcpSegment } from '../wire/tcp-segment.js';
import type { CommandName, ConnEvent, StateCause } from './events.js';
import { MIN_SND_MSS, negotiate } from './options-negotiation.js';
import { resetFor } from './reset.js';
import { Sender } from './sender.js';
import type { TcpState } from './state.js';
import { EMPTY, type ConnectionOptions, type SendOptions } from './tcb.js';

export type { ConnectionOptions, SendOptions } from './tcb.js';
export type { TcpInfo } from './tcp-info.js';

/**
 * States whose arriving text is delivered (§3.10.7.4 seventh step). Comparisons rather than a
 * Set: asked for most segments, and a state is always one of the interned literals.
 */
function isReceiving(s: TcpState): boolean {
  return s === 'ESTABLISHED' || s === 'FIN-WAIT-1' || s === 'FIN-WAIT-2';
}

/**
 * One frozen cause per command: a state change by a user call allocates nothing, and each call
 * site reads its cause as a constant property (no lookup by name).
 */
const callCause = (c: CommandName): StateCause => Object.freeze({ kind: 'call', call: c });
const CALL: Readonly<Record<CommandName, StateCause>> = Object.freeze({
  open: callCause('open'),
  listen: callCause('listen'),
  send: callCause('send'),
  close: callCause('close'),
  abort: callCause('abort'),
});

/** The cause of a state change by an arriving segment. */
const segmentCause = (segment: TcpSegment): StateCause => ({ kind: 'segment', segment });

/** Events without fields, shared (frozen) rather than allocated per event. */
const READABLE: ConnEvent = Object.freeze({ type: 'readable' });
const PEER_FIN: ConnEvent = Object.freeze({ type: 'peer-fin' });
const URGENT: ConnEvent = Object.freeze({ type: 'urgent' });

/** The TCP header without options; the IP header's size comes with the connection (ipHeaderSize). */
const TCP_HEADER = 20;

export class Connection extends Sender {
  private constructor(opts: ConnectionOptions) {
    super(opts);
  }

  /** Active OPEN (§3.10.1): CLOSED → SYN-SENT, the SYN queued. */
  static connect(opts: ConnectionOptions): Connection {
    const c = new Connection(opts);
    c.setState('SYN-SENT', CALL.open);
    c.startActiveOpen();
    return c;
  }

  /** Passive OPEN (§3.10.1): CLOSED → LISTEN, waiting for a SYN. */
  static listen(opts: ConnectionOptions): Connection {
    const c = new Connection(opts);
    c.passiveOpen = true;
    c.setState('LISTEN', CALL.listen);
    return c;
  }

  private startActiveOpen(): void {
    this.passiveOpen = false;
    this.synPending = true;
    this.sndNxt = seqAdd(this.iss, 1);
    this.sndPos = this.sndNxt;
  }

  /** Segments retransmitted so far (info().totalRetransmits without building the whole info). */
  get retransmissionCount(): number {
    return this.totalRetransmits;
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  /**
   * SEND (§3.10.2): bytes accepted into the send buffer (0 when it is full or the connection
   * cannot send). Never throws; the stack checks the state for its own errors. With
   * `{ urgent: true }` the accepted bytes end the urgent data (§3.8.5): SND.UP moves past the last
   * of them, and every segment sent while SND.UP is ahead of it carries URG and the pointer. That
   * holds for data queued before ESTABLISHED too ("the urgent bit if requested in the command must
   * be sent with the data segments sent as a result of this command").
   */
  send(data: Uint8Array, now: number, opts?: SendOptions): number {
    this.lastNow = now;
    if (!(data instanceof Uint8Array) || data.length === 0) return 0;
    let n: number;
    switch (this.st) {
      case 'LISTEN':
        // §3.10.2: a SEND on a passive connection with a known peer makes it active.
        if (this.remotePort === 0) return 0;
        this.setState('SYN-SENT', CALL.send);
        this.startActiveOpen();
        n = this.sendBuf.write(data);
        break;
      case 'SYN-SENT':
      case 'SYN-RECEIVED':
      case 'ESTABLISHED':
      case 'CLOSE-WAIT':
        if (this.finQueued || this.closeDeferred) return 0;
        n = this.sendBuf.write(data);
        break;
      default:
        return 0;
    }
    // SND.UP <- the end of the queued data (§3.10.2 says SND.NXT, which is the same thing when
    // every byte is sent at once; with a send buffer the urgent data ends where this SEND's bytes
    // end). It only moves forward: the data end never moves back.
    if (n > 0 && opts?.urgent === true) this.sndUp = this.dataEnd();
    return n;
  }

  /**
   * RECEIVE (§3.10.3): in-order bytes; reading may open the window enough to announce it. The
   * bytes are the caller's from now on, though they may be a view into an arrived packet.
   */
  read(max?: number, now?: number): Uint8Array {
    if (now !== undefined) this.lastNow = now;
    const m = max === undefined || !Number.isFinite(max) ? undefined : Math.max(0, Math.floor(max));
    const data = this.recvBuf.read(m);
    if (data.length > 0) {
      this.rcvUser = seqAdd(this.rcvUser, data.length);
      // Read past RCV.UP: back to "normal mode" (§3.8.5).
      if (this.rcvUp !== undefined && this.urgentPending === 0) this.rcvUp = undefined;
    }
    if (data.length > 0 && isReceiving(this.st)) {
      // A window update when the window would grow by the receiver-SWS amount and at least double
      // (or was under one MSS): not one ACK per read (RFC 9293 §3.8.6.2.2).
      const current = this.rcvWnd();
      // A shift, not 2 ** shift (a floating-point power): at most 14 (RFC 7323 §2.3), < 2^31.
      const free = Math.min(this.recvBuf.window, 0xffff << this.rcvShift);
      const threshold = Math.min(Math.floor(this.recvBuf.capacity / 2), this.rcvMss);
      if (free - current >= threshold && (free >= 2 * current || current < this.rcvMss)) {
        this.ackPending = true;
      }
    }
    return data;
  }

  /** CLOSE (§3.10.4): a FIN after all queued data; we may still receive (half-close). */
  close(now: number): void {
    this.lastNow = now;
    switch (this.st) {
      case 'LISTEN':
      case 'SYN-SENT':
        this.terminate(CALL.close);
        return;
      case 'SYN-RECEIVED':
        // "If no SENDs have been issued and there is no pending data to send, then form a FIN
        // segment and send it, and enter FIN-WAIT-1 state; otherwise, queue for processing after
        // entering ESTABLISHED state."
        if (this.sendBuf.length === 0) {
          this.finQueued = true;
          this.setState('FIN-WAIT-1', CALL.close);
        } else {
          this.closeDeferred = true;
        }
        return;
      case 'ESTABLISHED':
        this.finQueued = true;
        this.setState('FIN-WAIT-1', CALL.close);
        return;
      case 'CLOSE-WAIT':
        this.finQueued = true;
        this.setState('LAST-ACK', CALL.close);
        return;
      default:
        // CLOSED: "connection does not exist"; FIN-WAIT-*, CLOSING, LAST-ACK, TIME-WAIT:
        // "connection closing". Nothing to do.
        return;
    }
  }

  /** ABORT (§3.10.5): a RST when synchronized, then CLOSED; queued data is discarded. */
  abort(now: number): void {
    this.lastNow = now;
    switch (this.st) {
      case 'CLOSED':
        return;
      case 'SYN-RECEIVED':
      case 'ESTABLISHED':
      case 'FIN-WAIT-1':
      case 'FIN-WAIT-2':
      case 'CLOSE-WAIT':
        this.outq.length = 0;
        this.outq.push(this.makeSegment(this.sndNxt, TcpFlag.RST));
        break;
      default:
        // LISTEN, SYN-SENT: no peer to tell; CLOSING, LAST-ACK, TIME-WAIT: "respond with ok and
        // delete the TCB".
        break;
    }
    this.terminate(CALL.abort, 'aborted');
  }

  /**
   * ICMP "fragmentation needed" / "packet too big" (RFC 1191, RFC 8201): lower the send MSS to
   * MTU − IP header − TCP header (RFC 9293 §3.7.1; the IP header is 20 bytes for IPv4, 40 for IPv6,
   * from ConnectionOptions.ipHeaderSize).
   */
  handlePathMtu(mtu: number, now: number): void {
    this.lastNow = now;
    if (!Number.isFinite(mtu)) return;
    const mss = Math.max(MIN_SND_MSS, Math.floor(mtu) - this.ipHeaderSize - TCP_HEADER);
    this.pathMss = Math.min(mss, this.pathMss ?? mss);
    if (mss >= this.sndMss) return;
    this.sndMss = mss;
    this.cc.setMss(mss);
    // The segments in flight were too big and are lost: send them again at the new size. Not a
    // congestion signal, so cwnd is left alone (as Linux's tcp_simple_retransmit).
    if (seqGt(this.sndNxt, this.sndUna) && this.synAcked) this.sndPos = this.sndUna;
  }

  /**
   * ICMP unreachable: fatal only while opening (RFC 1122 4.2.3.9, RFC 5927 §4.1), as most stacks
   * do (RFC 5461). With `{ soft: true }` (the stack's judgement, e.g. IPv4 codes 0, 1, 5) it is not
   * fatal even then — RFC 9293 §3.9.2.2 MUST-56 — but remembered: if the SYN retransmissions then
   * give up, the error reported is 'unreachable' rather than 'timed-out' (SHLD-25; Linux reports
   * its soft error the same way).
   */
  handleUnreachable(now: number, opts?: { soft?: boolean }): void {
    this.lastNow = now;
    if (this.st !== 'SYN-SENT') return;
    if (opts?.soft === true) {
      this.softUnreachable = true;
      return;
    }
    this.terminate({ kind: 'icmp', icmp: 'unreachable' }, 'unreachable');
  }

  // ---------------------------------------------------------------------------------------------
  // Segment arrival (§3.10.7)

  /**
   * RFC 9293 §3.10.7. Never throws on any segment. The payload's in-order bytes may be kept as they
   * are until read() hands them on (no copy, see ReceiveBuffer): the caller gives the payload up.
   */
  handleSegment(raw: TcpSegment, now: number): void {
    this.lastNow = now;
    const seg = sanitize(raw);
    switch (this.st) {
      case 'CLOSED':
        return this.onClosed(raw, seg);
      case 'LISTEN':
        return this.onListen(raw, seg, now);
      case 'SYN-SENT':
        return this.onSynSent(raw, seg, now);
      default:
        return this.onSynchronized(raw, seg, now);
    }
  }

  /** §3.10.7.1: a segment for a deleted TCB is answered with a reset. */
  private onClosed(raw: TcpSegment, seg: TcpSegment): void {
    this.drop(raw, 'closed');
    const rst = resetFor(seg);
    if (rst !== undefined) this.outq.push(rst);
  }

  /** §3.10.7.2. */
  private onListen(raw: TcpSegment, seg: TcpSegment, now: number): void {
    if (has(seg, TcpFlag.RST)) return this.drop(raw, 'unexpected');
    if (has(seg, TcpFlag.ACK)) {
      // "Any acknowledgment is bad if it arrives on a connection still in the LISTEN state."
      const rst = resetFor(seg);
      if (rst !== undefined) this.outq.push(rst);
      return this.drop(raw, 'unexpected');
    }
    if (!has(seg, TcpFlag.SYN)) return this.drop(raw, 'unexpected');
    if (this.remotePort === 0) this.remotePort = seg.srcPort;
    this.acceptPeerSyn(seg, this.iss);
    // "Any other control or text should be queued for processing later": text (and a FIN) on the
    // SYN is held, not acknowledged by the SYN,ACK, and delivered once the handshake completes.
    this.holdSynText(seg);
    this.synPending = true;
    this.setState('SYN-RECEIVED', { kind: 'segment', segment: raw });
    this.noteActivity(now);
  }

  /**
   * Records the peer's SYN (§3.10.7.2 in LISTEN, §3.10.7.3 in SYN-SENT): IRS and RCV.NXT = IRS + 1
   * (the SYN occupies one sequence number), the options it negotiates, and the send window it
   * offers (never scaled in a SYN, RFC 7323 §2.2) with SND.WL1/SND.WL2 for later window updates.
   */
  private acceptPeerSyn(seg: TcpSegment, sndWl2: SeqNum): void {
    this.irs = seg.seq;
    this.rcvNxt = seqAdd(seg.seq, 1);
    this.rcvUser = this.rcvNxt;
    this.rcvAdv = seqAdd(this.rcvNxt, this.synWindow());
    this.peerSynOptions = seg.options;
    this.applyNegotiation(seg);
    this.sndWnd = seg.window;
    this.maxSndWnd = seg.window;
    this.sndWl1 = seg.seq;
    this.sndWl2 = sndWl2;
  }

  /** §3.10.7.3. */
  private onSynSent(raw: TcpSegment, seg: TcpSegment, now: number): void {
    const cause: StateCause = { kind: 'segment', segment: raw };
    const hasAck = has(seg, TcpFlag.ACK);
    if (hasAck && (seqLe(seg.ack, this.iss) || seqGt(seg.ack, this.sndNxt))) {
      // First: an ACK of something we never sent.
      if (!has(seg, TcpFlag.RST)) {
        const rst = resetFor(seg);
        if (rst !== undefined) this.outq.push(rst);
      }
      return this.drop(raw, 'bad-ack');
    }
    // Here any ACK acknowledges our SYN (SND.UNA = ISS < SEG.ACK =< SND.NXT).
    if (has(seg, TcpFlag.RST)) {
      // Second: RFC 5961 §3.2 — a reset is believed only if it acknowledges our SYN.
      if (hasAck) return this.terminate(cause, 'refused');
      return this.drop(raw, 'unexpected');
    }
    if (!has(seg, TcpFlag.SYN)) return this.drop(raw, 'unexpected');
    // Fourth: the peer's SYN.
    this.acceptPeerSyn(seg, seg.ack);
    this.noteActivity(now);
    if (!hasAck) {
      // Simultaneous open (Figure 8): SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. "If
      // there are other controls or text in the segment, queue them for processing after the
      // ESTABLISHED state has been reached."
      this.holdSynText(seg);
      this.synPending = true;
      this.setState('SYN-RECEIVED', cause);
      return;
    }
    this.onNewAckOfSyn(seg.ack, now);
    this.setState('ESTABLISHED', cause);
    this.onEstablished(now);
    this.ackPending = true; // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
    // "If there are other controls or text in the segment, then continue processing at the
    // sixth step below where the URG bit is checked" — urgent pointer, text and FIN after the SYN.
    this.processUrg(seg);
    if (seg.payload.length > 0 || has(seg, TcpFlag.FIN)) {
      this.processText(raw, seqAdd(seg.seq, 1), seg.payload, has(seg, TcpFlag.FIN), now);
    }
  }

  /** §3.10.7.4, for SYN-RECEIVED and the synchronized states. */
  private onSynchronized(raw: TcpSegment, seg: TcpSegment, now: number): void {
    // The state-change cause is made only where the state changes (most segments change none).
    this.noteActivity(now);
    const rcvWnd = this.rcvWnd();

    // RST (second check, done first: RFC 5961 §3.2 replaces the window test for resets).
    if (has(seg, TcpFlag.RST)) {
      if (seg.seq === this.rcvNxt) return this.onReset(segmentCause(raw));
      if (seqInWindow(seg.seq, this.rcvNxt, Math.max(rcvWnd, 1))) {
        this.challengeAck(now);
        return this.drop(raw, 'rst-challenged');
      }
      return this.drop(raw, 'rst-out-of-window');
    }

    let start = seg.seq;
    let payload = seg.payload;
    let fin = has(seg, TcpFlag.FIN);
    // SYN (fourth check, done before the window test so that every SYN gets the RFC 5961 §4
    // challenge whatever its sequence number).
    if (has(seg, TcpFlag.SYN)) {
      if (this.st === 'SYN-RECEIVED' && seg.seq === this.irs) {
        if (!has(seg, TcpFlag.ACK)) {
          // The peer's SYN again: our SYN,ACK was lost; send it again (a retransmission: no RTT
          // sample from it, Karn). Its text is held if the first copy's was not.
          if (this.heldSynText === undefined) this.holdSynText(seg);
          this.synPending = true;
          this.synRetransmitted = true;
          return this.drop(raw, 'duplicate');
        }
        // Simultaneous open (Figure 8, line 7): the peer's SYN,ACK. The SYN is old; the ACK counts.
        start = seqAdd(start, 1);
      } else if (this.st === 'SYN-RECEIVED' && this.passiveOpen) {
        // §3.10.7.4 fourth: "If the connection was initiated with a passive OPEN, then return
        // this connection to the LISTEN state and return."
        this.returnToListen(segmentCause(raw));
        return this.drop(raw, 'unexpected');
      } else {
        this.challengeAck(now);
        return this.drop(raw, 'syn-challenged');
      }
    }

    // First check: acceptability (the four cases), then trimming to the window.
    const len = payload.length + (fin ? 1 : 0);
    let acceptable: boolean;
    if (len === 0) {
      acceptable = rcvWnd === 0 ? start === this.rcvNxt : seqInWindow(start, this.rcvNxt, rcvWnd);
    } else {
      acceptable =
        rcvWnd > 0 &&
        (seqInWindow(start, this.rcvNxt, rcvWnd) ||
          seqInWindow(seqAdd(start, len - 1), this.rcvNxt, rcvWnd));
    }
    let trimmed = false;
    if (!acceptable && rcvWnd === 0 && len > 0 && start === this.rcvNxt) {
      // "If the RCV.WND is zero, no segments will be acceptable, but special allowance should be
      // made to accept valid ACKs": keep the ACK, drop the text (a zero-window probe).
      acceptable = true;
      payload = EMPTY;
      fin = false;
      trimmed = true;
    }
    if (!acceptable) {
      if (this.st === 'TIME-WAIT' && fin && seqAdd(start, len) === this.rcvNxt) {
        // The peer's FIN again: our last ACK was lost. Re-ACK and restart 2·MSL (§3.10.7.4).
        this.timers.set('time-wait', now + 2 * this.cfg.msl);
      }
      this.ackPending = true;
      const old = len > 0 && seqLe(seqAdd(start, len), this.rcvNxt);
      return this.drop(raw, old ? 'duplicate' : 'not-acceptable');
    }
    if (seqLt(start, this.rcvNxt)) {
      const cut = seqDiff(this.rcvNxt, start);
      if (cut > payload.length) fin = false; // (cannot happen for an acceptable segment)
      payload = payload.subarray(Math.min(cut, payload.length));
      start = this.rcvNxt;
      trimmed = true;
    }
    const room = Math.max(0, seqDiff(seqAdd(this.rcvNxt, rcvWnd), start));
    if (payload.length > room || (fin && payload.length === room)) {
      // Past the right edge: the text beyond it, and the FIN after it, are dropped.
      payload = payload.subarray(0, Math.min(room, payload.length));
      fin = false;
      trimmed = true;
    }
    if (trimmed) this.ackPending = true;
    if (this.st === 'FIN-WAIT-2') {
      // The FIN-WAIT-2 timeout counts from the last acceptable segment: a peer still sending
      // over a half-closed connection is not cut off, only a silent one.
      this.timers.set('fin-wait-2', now + this.cfg.finWait2Timeout);
    }

    // Fifth check: the ACK field.
    if (!has(seg, TcpFlag.ACK)) return this.drop(raw, 'no-ack');
    if (this.st === 'SYN-RECEIVED') {
      if (!(seqLt(this.sndUna, seg.ack) && seqLe(seg.ack, this.sndNxt))) {
        const rst = resetFor(seg);
        if (rst !== undefined) this.outq.push(rst);
        return this.drop(raw, 'bad-ack');
      }
      // SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK
      this.sndWnd = has(seg, TcpFlag.SYN) ? seg.window : seg.window << this.sndShift;
      if (this.sndWnd > this.maxSndWnd) this.maxSndWnd = this.sndWnd;
      this.sndWl1 = seg.seq;
      this.sndWl2 = seg.ack;
      this.onNewAckOfSyn(seg.ack, now);
      this.setState('ESTABLISHED', segmentCause(raw));
      this.onEstablished(now);
    } else {
      // RFC 5961 §5: SND.UNA − MAX.SND.WND =< SEG.ACK =< SND.NXT, or a challenge ACK.
      const oldest = seqAdd(this.sndUna, -this.maxSndWnd);
      if (seqGt(seg.ack, this.sndNxt) || seqLt(seg.ack, oldest)) {
        this.challengeAck(now);
        return this.drop(raw, 'ack-challenged');
      }
      this.processAck(seg, now);
      if (this.st === 'CLOSING' && this.finAcked()) {
        this.enterTimeWait(segmentCause(raw), now);
      } else if (this.st === 'LAST-ACK' && this.finAcked()) {
        return this.terminate(segmentCause(raw));
      } else if (this.finAcked() && (this.st === 'FIN-WAIT-1' || this.st === 'FIN-WAIT-2')) {
        this.clearTimer('retransmit');
      }
    }

    // Text held from the peer's SYN is processed now that our SYN is acknowledged (§3.10.7.2).
    if (this.heldSynText !== undefined && this.synAcked && isReceiving(this.st)) {
      this.deliverHeldSynText(raw, now);
      // This segment may repeat the held bytes (the peer resends what we did not acknowledge).
      if (seqLt(start, this.rcvNxt)) {
        const cut = seqDiff(this.rcvNxt, start);
        if (cut > payload.length) fin = false; // its FIN, if any, is already in
        payload = payload.subarray(Math.min(cut, payload.length));
        start = this.rcvNxt;
        this.ackPending = true;
      }
    }

    // Sixth: the URG bit. Seventh and eighth: text and FIN.
    this.processUrg(seg);
    if (payload.length > 0 || fin) this.processText(raw, start, payload, fin, now);

    // FIN-WAIT-1 whose FIN is now acknowledged, and which did not also get the peer's FIN in
    // this segment (that is FIN-WAIT-1 → TIME-WAIT directly, §3.10.7.4 eighth step).
    if (this.st === 'FIN-WAIT-1' && this.finAcked()) {
      this.setState('FIN-WAIT-2', segmentCause(raw));
      // Linux applies its FIN-WAIT-2 timeout only once the application has closed the socket;
      // the engine cannot tell a half-closed reader from a closed one, so it always arms it (and
      // restarts it whenever the peer sends something acceptable, see above).
      this.timers.set('fin-wait-2', now + this.cfg.finWait2Timeout);
    }
  }

  /**
   * §3.10.7.4 sixth step, in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2 (in the later states the
   * peer's FIN came already, and its urgent data with it): RCV.UP <- max(RCV.UP, SEG.UP), and the
   * user is told when urgent data becomes pending and none was before. It runs for every
   * acceptable segment, a zero-window one too (MUST-66). Robust to any pointer value: one at or
   * behind what was read changes nothing.
   */
  private processUrg(seg: TcpSegment): void {
    if (!has(seg, TcpFlag.URG) || !isReceiving(this.st)) return;
    this.noteUrgentPointer(seqAdd(seg.seq, seg.urgent));
  }

  private noteUrgentPointer(up: SeqNum): void {
    const before = this.urgentPending;
    if (this.rcvUp === undefined || seqGt(up, this.rcvUp)) this.rcvUp = up;
    if (this.urgentPending === 0) {
      this.rcvUp = undefined;
      return;
    }
    // "If the user has already been signaled (or is still in the 'urgent mode') for this
    // continuous sequence of urgent data, do not signal the user again" (and §3.8.5: an update
    // while in urgent mode is invisible to the user, who can poll urgentPending).
    if (before === 0) this.pushEvent(URGENT);
  }

  /**
   * Keeps the text (and FIN) of the peer's SYN for later (§3.10.7.2, §3.10.7.3), as much of it as
   * our SYN window will admit: a copy, since a parsed payload is a view into the packet buffer.
   */
  private holdSynText(seg: TcpSegment): void {
    const fin = has(seg, TcpFlag.FIN);
    const urgentPointer = has(seg, TcpFlag.URG) ? seqAdd(seg.seq, seg.urgent) : undefined;
    if (seg.payload.length === 0 && !fin && urgentPointer === undefined) return;
    const room = this.synWindow();
    const payload = seg.payload.slice(0, Math.min(room, seg.payload.length));
    // A FIN past the window's right edge is dropped with the text beyond it.
    this.heldSynText = { payload, fin: fin && seg.payload.length < room, urgentPointer };
  }

  /** The held SYN text, at IRS + 1, now that we are synchronized; ACKed at once. */
  private deliverHeldSynText(raw: TcpSegment, now: number): void {
    const held = this.heldSynText;
    if (held === undefined) return;
    this.heldSynText = undefined;
    if (held.urgentPointer !== undefined) this.noteUrgentPointer(held.urgentPointer);
    const start = seqAdd(this.irs, 1);
    if (start !== this.rcvNxt) return; // (cannot happen: nothing is received before this)
    if (held.payload.length > 0 || held.fin) {
      this.processText(raw, start, held.payload, held.fin, now);
      // The peer has waited a round trip for these bytes to be acknowledged.
      this.ackPending = true;
    }
  }

  /** §3.10.7.4 seventh and eighth steps: deliver the text, then the FIN. */
  private processText(
    raw: TcpSegment,
    start: SeqNum,
    payload: Uint8Array,
    fin: boolean,
    now: number,
  ): void {
    if (!isReceiving(this.st)) {
      // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer's FIN came already; this cannot be
      // new (the window test passed only retransmissions of it). Ignore it.
      return;
    }
    const offset = seqDiff(start, this.rcvNxt);
    if (payload.length > 0) {
      const holesBefore = this.recvBuf.outOfOrderBytes;
      const gained = this.recvBuf.insert(offset, payload);
      if (gained > 0) {
        this.rcvNxt = seqAdd(this.rcvNxt, gained);
        this.bytesReceived += gained;
        this.pushEvent(READABLE);
      }
      if (offset > 0 || holesBefore > 0) {
        // RFC 5681 §4.2: an out-of-order segment, or one that fills (part of) a hole, is ACKed at
        // once (the duplicate ACKs drive the peer's fast retransmit).
        this.ackPending = true;
      } else if (!this.cfg.delayedAck) {
        this.ackPending = true;
      } else {
        // Delayed ACK (§3.8.6.3): at least every second segment, never later than the timeout. A
        // GSO/GRO segment larger than our MSS counts as the full-sized segments it stands for, so
        // one carrying >= 2·MSS is ACKed at once (RFC 5681 §4.2), as its pieces would have been.
        const len = payload.length;
        this.delackSegs += len > this.rcvMss ? Math.ceil(len / this.rcvMss) : 1;
        if (this.delackSegs >= 2) this.ackPending = true;
        else if (!this.isTimerSet('delayed-ack')) {
          this.timers.set('delayed-ack', now + ackDelay(this.cfg.delayedAckTimeout));
        }
      }
    }
    if (fin) {
      const finSeq = seqAdd(start, payload.length);
      this.ackPending = true;
      if (finSeq !== this.rcvNxt) {
        // Ahead of a hole: remembered until the bytes before it arrive.
        this.peerFinSeq = finSeq;
        return;
      }
    }
    if (this.peerFinSeq !== undefined && this.peerFinSeq === this.rcvNxt) {
      this.peerFinSeq = undefined;
      this.processFin({ kind: 'segment', segment: raw }, now);
    } else if (fin) {
      this.processFin({ kind: 'segment', segment: raw }, now);
    }
  }

  /** §3.10.7.4 eighth step: the FIN is in sequence. */
  private processFin(cause: StateCause, now: number): void {
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    // The FIN takes a sequence number but no buffer space: the right edge moves with it.
    this.rcvAdv = seqAdd(this.rcvAdv, 1);
    this.ackPending = true;
    this.pushEvent(PEER_FIN);
    switch (this.st) {
      case 'ESTABLISHED':
        this.setState('CLOSE-WAIT', cause);
        return;
      case 'FIN-WAIT-1':
        if (this.finAcked()) this.enterTimeWait(cause, now);
        else this.setState('CLOSING', cause);
        return;
      case 'FIN-WAIT-2':
        this.enterTimeWait(cause, now);
        return;
      default:
        return;
    }
  }

  /** RST accepted (seq = RCV.NXT). */
  private onReset(cause: StateCause): void {
    switch (this.st) {
      case 'SYN-RECEIVED':
        if (this.passiveOpen) return this.returnToListen(cause);
        return this.terminate(cause, 'refused');
      case 'TIME-WAIT':
        return this.terminate(cause);
      default:
        return this.terminate(cause, 'reset');
    }
  }

  private enterTimeWait(cause: StateCause, now: number): void {
    this.setState('TIME-WAIT', cause);
    this.clearAllTimers();
    this.persisting = false;
    this.timers.set('time-wait', now + 2 * this.cfg.msl);
    this.releaseBuffers();
    this.settlePath();
  }

  /** SYN-RECEIVED → LISTEN (passive open): forget the peer, wait for another SYN. */
  private returnToListen(cause: StateCause): void {
    this.setState('LISTEN', cause);
    this.clearAllTimers();
    this.synPending = false;
    this.ackPending = false;
    this.synRetransmitted = false;
    this.retransmits = 0;
    this.rtt.resetBackoff();
    this.rttSeq = undefined;
    this.synAcked = false;
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.sndPos = this.iss;
    this.sndWnd = 0;
    this.maxSndWnd = 0;
    this.peerSynOptions = undefined;
    this.sndShift = 0;
    this.rcvShift = 0;
    this.irs = seq(0);
    this.rcvNxt = seq(0);
    this.rcvUser = seq(0);
    this.rcvUp = undefined;
    this.rcvAdv = seq(0);
    this.heldSynText = undefined;
  }

  /** MSS and window scale from the peer's SYN (RFC 9293 §3.7.1, RFC 7323 §2). */
  private applyNegotiation(seg: TcpSegment): void {
    const n = negotiate(this.cfg, seg.options);
    this.sndMss = Math.min(n.sndMss, this.pathMss ?? n.sndMss);
    this.sndShift = n.sndShift;
    this.rcvShift = n.rcvShift;
    this.cc.setMss(this.sndMss);
  }

  /** The ACK of our SYN: SND.UNA moves past the ISN; an RTT sample unless the SYN was resent. */
  private onNewAckOfSyn(ack: SeqNum, now: number): void {
    const timed = this.rttSeq;
    if (timed !== undefined && seqGe(ack, timed)) {
      this.rtt.sampleTimed(now);
    }
    this.rttSeq = undefined;
    if (this.synRetransmitted) this.rtt.applySynTimeoutRule();
    this.retransmits = 0;
    this.synAcked = true;
    this.sndUna = ack;
    if (seqLt(this.sndPos, ack)) this.sndPos = ack;
    this.lastSmallEnd = ack;
    this.clearTimer('retransmit');
  }

  private onEstablished(now: number): void {
    this.recover = this.sndUna;
    this.noteActivity(now);
    if (this.closeDeferred) {
      this.closeDeferred = false;
      this.finQueued = true;
      this.setState('FIN-WAIT-1', CALL.close);
    }
  }
}

/**
 * RFC 9293 §3.8.6.3 (MUST-40): "the delay MUST be less than 0.5 seconds" — whatever the
 * configuration says, the delayed-ACK timer never runs longer than 499 ms.
 */
const MAX_ACK_DELAY = 499;
function ackDelay(configured: number): number {
  if (!Number.isFinite(configured) || configured < 0) return 0;
  return Math.min(configured, MAX_ACK_DELAY);
}

function has(seg: TcpSegment, flag: number): boolean {
  return (seg.flags & flag) !== 0;
}

/**
 * A copy with every field in range, so that no garbage (NaN, out-of-range numbers, a missing
 * options object) can reach the arithmetic.
 */
function sanitize(s: TcpSegment): TcpSegment {
  // A parsed segment (every segment from the stack) is already clean: checked, not copied.
  if (
    isU16(s.srcPort) &&
    isU16(s.dstPort) &&
    isU32(s.seq) &&
    isU32(s.ack) &&
    isU8(s.flags) &&
    isU16(s.window) &&
    isU16(s.urgent) &&
    typeof s.options === 'object' &&
    s.options !== null &&
    s.payload instanceof Uint8Array
  ) {
    return s;
  }
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    srcPort: num(s.srcPort) & 0xffff,
    dstPort: num(s.dstPort) & 0xffff,
    seq: seq(num(s.seq)),
    ack: seq(num(s.ack)),
    flags: num(s.flags) & 0xff,
    window: num(s.window) & 0xffff,
    urgent: num(s.urgent) & 0xffff,
    options: typeof s.options === 'object' && s.options !== null ? s.options : {},
    payload: s.payload instanceof Uint8Array ? s.payload : EMPTY,
  };
}

/*
 * An integer in [0, 2^k) — what sanitize would leave unchanged — by one bitwise operation, which
 * leaves exactly those numbers as they are (it truncates fractions, wraps negatives and turns NaN
 * and the infinities into 0): a check per field of every arriving segment.
 */
function isU8(v: unknown): boolean {
  return typeof v === 'number' && (v & 0xff) === v;
}
function isU16(v: unknown): boolean {
  return typeof v === 'number' && (v & 0xffff) === v;
}
function isU32(v: unknown): boolean {
  return typeof v === 'number' && v >>> 0 === v;
}
