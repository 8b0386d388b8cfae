/**
 * NewReno: RFC 5681's slow start, congestion avoidance, fast retransmit and fast recovery, with
 * RFC 6582's partial-ACK handling. This class only moves cwnd and ssthresh; the engine counts
 * duplicate ACKs, keeps `recover`, and retransmits (see congestion.ts).
 */
import type { CongestionControl, CongestionControlOptions } from './congestion.js';
import { SettledCongestion } from './settled-cc.js';

/**
 * RFC 5681 §3.1: ssthresh starts "arbitrarily high". 2^31 − 1 (Linux's TCP_INFINITE_SSTHRESH) is
 * above any window TCP can advertise (2^30 with the largest scale, RFC 7323 §2.3) and prints well.
 */
export const INITIAL_SSTHRESH = 0x7fff_ffff;

export class NewReno implements CongestionControl {
  #mss: number;
  readonly #iwSegments: number;
  #cwnd: number;
  #ssthresh = INITIAL_SSTHRESH;
  /** Bytes ACKed in congestion avoidance since cwnd last grew (RFC 5681 §3.1 byte counting). */
  #bytesAcked = 0;
  /** True until the first event changes cwnd: a new SMSS then recomputes the initial window. */
  #pristine = true;

  constructor(opts: CongestionControlOptions) {
    checkMss(opts.mss);
    if (!Number.isInteger(opts.initialWindowSegments) || opts.initialWindowSegments < 0) {
      throw new RangeError(
        `initialWindowSegments must be an integer >= 0, got ${opts.initialWindowSegments}`,
      );
    }
    this.#mss = opts.mss;
    this.#iwSegments = opts.initialWindowSegments;
    this.#cwnd = this.initialWindow;
  }

  /** On the prototype, not a field: one less word in every connection. */
  get name(): string {
    return 'newreno';
  }

  get cwnd(): number {
    return this.#cwnd;
  }

  get ssthresh(): number {
    return this.#ssthresh;
  }

  get mss(): number {
    return this.#mss;
  }

  /**
   * IW. RFC 5681 §3.1 (from RFC 3390): min(4*SMSS, max(2*SMSS, 4380)) bytes when the configured
   * segment count is 0, otherwise that many segments.
   */
  get initialWindow(): number {
    const smss = this.#mss;
    if (this.#iwSegments > 0) return this.#iwSegments * smss;
    return Math.min(4 * smss, Math.max(2 * smss, 4380));
  }

  /** True while cwnd < ssthresh (RFC 5681 §3.1: slow start; at equality either may be used, we use CA). */
  get inSlowStart(): boolean {
    return this.#cwnd < this.#ssthresh;
  }

  setMss(mss: number): void {
    checkMss(mss);
    this.#mss = mss;
    // The handshake fixes SMSS before any data flows; the initial window follows it (RFC 5681 §3.1
    // defines IW in terms of SMSS). Once cwnd has moved, it is left alone.
    if (this.#pristine) this.#cwnd = this.initialWindow;
  }

  onAck(acked: number, _now: number): void {
    if (!(acked > 0)) return;
    this.#pristine = false;
    if (this.inSlowStart) {
      // RFC 5681 §3.1 eq. (2): cwnd += min(N, SMSS).
      this.#cwnd += Math.min(acked, this.#mss);
      return;
    }
    // Congestion avoidance with byte counting (RFC 5681 §3.1, the method it recommends over eq. (3)):
    // once a whole cwnd of bytes has been acknowledged, cwnd grows by SMSS.
    this.#bytesAcked += acked;
    if (this.#bytesAcked >= this.#cwnd) {
      this.#bytesAcked -= this.#cwnd;
      this.#cwnd += this.#mss;
    }
  }

  onEnterRecovery(flightSize: number, _now: number): void {
    this.#pristine = false;
    // RFC 5681 §3.2 step 2: ssthresh = max(FlightSize / 2, 2*SMSS) (eq. 4).
    this.#ssthresh = lossThreshold(flightSize, this.#mss);
    // Step 3: cwnd = ssthresh + 3*SMSS, inflating for the three segments that left the network.
    this.#cwnd = this.#ssthresh + 3 * this.#mss;
    this.#bytesAcked = 0;
  }

  onDupAckInRecovery(): void {
    // RFC 5681 §3.2 step 4: each further duplicate ACK means one more segment left the network.
    this.#cwnd += this.#mss;
  }

  onPartialAck(acked: number): void {
    if (!(acked >= 0)) return;
    // RFC 6582 §3.2 step 5: deflate by the newly acknowledged data, add back SMSS if at least SMSS
    // was acknowledged. Never below one SMSS: the engine must still be able to send.
    let cwnd = this.#cwnd - acked;
    if (acked >= this.#mss) cwnd += this.#mss;
    this.#cwnd = Math.max(cwnd, this.#mss);
  }

  onExitRecovery(flightSize: number): void {
    // RFC 6582 §3.2 step 6, option (1): cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) — avoids
    // a burst when little data is outstanding.
    this.#cwnd = Math.min(this.#ssthresh, Math.max(flightSize, this.#mss) + this.#mss);
    this.#bytesAcked = 0;
  }

  onTimeout(flightSize: number, _now: number): void {
    this.#pristine = false;
    // RFC 5681 §3.1 eq. (4) and "cwnd MUST be set to no more than the loss window, LW, which equals
    // 1 full-sized segment".
    this.#ssthresh = lossThreshold(flightSize, this.#mss);
    this.#cwnd = this.#mss;
    this.#bytesAcked = 0;
  }

  /**
   * Once untouched by any event a new SMSS (an ICMP "packet too big", RFC 8201) would still move
   * cwnd to the new initial window (setMss): only then is this one kept.
   */
  settle(): CongestionControl {
    return this.#pristine ? this : SettledCongestion.of(this.name, this.#cwnd, this.#ssthresh);
  }

  onIdleRestart(_rto: number): void {
    // RFC 5681 §4.1: after an idle period longer than the RTO, cwnd = RW = min(IW, cwnd). The engine
    // decides that the idle period exceeded the RTO.
    this.#cwnd = Math.min(this.initialWindow, this.#cwnd);
    this.#bytesAcked = 0;
  }
}

/**
 * RFC 5681 eq. (4): max(FlightSize / 2, 2*SMSS), in whole bytes. (A function, not a private
 * method: those cost every instance a field, its class brand.)
 */
function lossThreshold(flightSize: number, mss: number): number {
  const flight = Number.isFinite(flightSize) && flightSize > 0 ? flightSize : 0;
  return Math.max(Math.floor(flight / 2), 2 * mss);
}

function checkMss(mss: number): void {
  if (!Number.isInteger(mss) || mss <= 0)
    throw new RangeError(`SMSS must be an integer > 0, got ${mss}`);
}
