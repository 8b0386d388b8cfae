/**
 * The retransmission timer's value, RFC 6298 ("Computing TCP's Retransmission Timer"). Times are in
 * milliseconds. Karn's algorithm (§3: no samples from retransmitted segments) is the engine's job:
 * it simply does not call sample() for those.
 */
export interface RttEstimatorOptions {
  /** §2.1: RTO before any sample (1 s). */
  initialRto: number;
  /** §2.4: lower bound on the RTO (the RFC says 1 s). */
  minRto: number;
  /** §2.5: upper bound on the RTO (at least 60 s). */
  maxRto: number;
  /** G, the clock granularity (§2.2/§2.3: RTO = SRTT + max(G, K*RTTVAR)); default 1 ms. */
  granularity?: number;
}

/** What info() reports of the estimator. */
export interface RttFigures {
  readonly srtt: number | undefined;
  readonly rttvar: number | undefined;
  readonly rto: number;
}

/**
 * The figures of an estimator that takes no more samples (a connection in TIME-WAIT sends nothing
 * to time): three fields, where the estimator keeps six and its bounds.
 */
class SettledRtt implements RttFigures {
  readonly srtt: number | undefined;
  readonly rttvar: number | undefined;
  readonly rto: number;

  constructor(srtt: number | undefined, rttvar: number | undefined, rto: number) {
    this.srtt = srtt;
    this.rttvar = rttvar;
    this.rto = rto;
  }
}

/** §2.3: alpha = 1/8, beta = 1/4, K = 4. */
const ALPHA = 1 / 8;
const BETA = 1 / 4;
const K = 4;
/** Beyond 2^30 the doubled value is far above any maxRto; capping keeps the arithmetic finite. */
const MAX_BACKOFF_EXPONENT = 30;
/** RFC 6298 §5.7: RTO after a SYN timed out, once data transmission begins. */
const SYN_TIMEOUT_RTO = 3000;

function checkBound(name: string, v: number): void {
  if (!Number.isFinite(v) || v < 0)
    throw new RangeError(`RttEstimator: ${name} must be >= 0, got ${v}`);
}

/** The last frozen options the constructor checked and kept by reference. */
let lastChecked: Readonly<RttEstimatorOptions> | undefined;

export class RttEstimator {
  /**
   * The bounds, kept by reference when the caller's options are frozen (the engine passes its
   * shared, frozen TcpConfig): one word per connection instead of four.
   */
  readonly #limits: Readonly<RttEstimatorOptions>;
  /**
   * SRTT and RTTVAR; undefined until the first sample. Not NaN-initialised numbers: V8 would then
   * keep each in a heap-number box of its own for the connection's life (32 bytes an idle
   * connection), where whole-millisecond values (a virtual clock's) need none at all; a fractional
   * sample allocates a new number instead, which dies young.
   */
  #srtt: number | undefined = undefined;
  #rttvar: number | undefined = undefined;
  /** RTO before backoff and clamping: the initial value, or SRTT + max(G, K*RTTVAR). */
  #base: number;
  #backoff = 0;
  #rejected = 0;
  /** When the segment being timed left (see startTiming). */
  #timedAt = 0;
  /** When data last left (see noteSend). */
  #lastSend = 0;

  constructor(opts: RttEstimatorOptions) {
    if (opts === lastChecked) {
      // The frozen options checked last time (every connection of a stack passes its one frozen
      // TcpConfig): frozen, they cannot have changed since.
      this.#limits = opts;
      this.#base = opts.initialRto;
      return;
    }
    const { initialRto, minRto, maxRto } = opts;
    const granularity = opts.granularity ?? 1;
    // One call per bound rather than a loop over [name, value] pairs: those were five arrays per
    // connection, the estimator's whole allocation.
    checkBound('initialRto', initialRto);
    checkBound('minRto', minRto);
    checkBound('maxRto', maxRto);
    checkBound('granularity', granularity);
    if (minRto > maxRto) throw new RangeError(`RttEstimator: minRto ${minRto} > maxRto ${maxRto}`);
    if (Object.isFrozen(opts)) {
      this.#limits = opts;
      lastChecked = opts;
    } else {
      this.#limits = Object.freeze({ initialRto, minRto, maxRto, granularity });
    }
    this.#base = initialRto;
  }

  /** Smoothed RTT (§2.2), undefined before the first sample. */
  get srtt(): number | undefined {
    return this.#srtt;
  }

  /** RTT variation (§2.2), undefined before the first sample. */
  get rttvar(): number | undefined {
    return this.#rttvar;
  }

  /**
   * The RTO to arm the timer with: the §2 value (rounded up to minRto, §2.4), doubled once per
   * backoff (§5.5), bounded by maxRto (§2.5).
   */
  get rto(): number {
    const limits = this.#limits;
    const clamped = Math.max(limits.minRto, this.#base);
    // Without backoff (nearly always) no floating-point power: x * 2 ** 0 is x.
    const b = this.#backoff;
    return Math.min(limits.maxRto, b === 0 ? clamped : clamped * 2 ** b);
  }

  /** How many times backoff() ran since the last sample or resetBackoff(). */
  get backoffCount(): number {
    return this.#backoff;
  }

  /** Samples refused because they were negative or not finite (bad input, counted, not thrown). */
  get rejectedSamples(): number {
    return this.#rejected;
  }

  /**
   * A new RTT measurement R. §2.2 for the first one (SRTT = R, RTTVAR = R/2), §2.3 afterwards
   * (RTTVAR first, from the old SRTT, then SRTT). A new measurement also ends any backoff: the
   * note after §5.7 says the RTO may "collapse" back once a sample arrives.
   */
  sample(rtt: number): void {
    if (!Number.isFinite(rtt) || rtt < 0) {
      this.#rejected++;
      return;
    }
    const srtt = this.#srtt;
    const rttvar = this.#rttvar;
    let s: number;
    let v: number;
    if (srtt === undefined || rttvar === undefined) {
      s = rtt;
      v = rtt / 2;
    } else {
      v = (1 - BETA) * rttvar + BETA * Math.abs(srtt - rtt);
      s = (1 - ALPHA) * srtt + ALPHA * rtt;
    }
    this.#srtt = s;
    this.#rttvar = v;
    this.#base = s + Math.max(this.#limits.granularity ?? 1, K * v);
    this.#backoff = 0;
  }

  /**
   * The segment to time leaves now. One at a time (§3); which one, and Karn's algorithm (no sample
   * from a retransmission), are the engine's: it calls sampleTimed when that segment is ACKed.
   */
  startTiming(now: number): void {
    this.#timedAt = now;
  }

  /** The timed segment's acknowledgment arrived at `now`: one sample (see sample). */
  sampleTimed(now: number): void {
    this.sample(now - this.#timedAt);
  }

  /**
   * A segment of data (a SYN, a probe) leaves now. Kept here because RFC 5681 §4.1 measures the
   * idle period against the RTO (see idleLongerThanRto); the estimator goes when the connection
   * sends nothing more (settle), and this time with it.
   */
  noteSend(now: number): void {
    this.#lastSend = now;
  }

  /** RFC 5681 §4.1: nothing sent for longer than the RTO (cwnd then restarts from at most IW). */
  idleLongerThanRto(now: number): boolean {
    return now - this.#lastSend > this.rto;
  }

  /** §5.5: the retransmission timer expired: double the RTO (bounded by maxRto in `rto`). */
  backoff(): void {
    if (this.#backoff < MAX_BACKOFF_EXPONENT) this.#backoff++;
  }

  /** Forget the backoff without a new sample. */
  resetBackoff(): void {
    this.#backoff = 0;
  }

  /**
   * RFC 6298 §5.7: if the SYN (or SYN-ACK) timed out and no RTT sample has been taken, the RTO is
   * re-initialised to 3 s when data transmission begins (unless it is already larger). The engine
   * calls this on entering ESTABLISHED after a handshake retransmission.
   */
  applySynTimeoutRule(): void {
    this.#backoff = 0;
    if (this.#srtt === undefined) this.#base = Math.max(this.#base, SYN_TIMEOUT_RTO);
  }

  /** The figures as they are now, for good: no sample or backoff will follow. */
  settle(): RttFigures {
    return new SettledRtt(this.srtt, this.rttvar, this.rto);
  }

  /** The configured initial RTO (§2.1). */
  get initialRto(): number {
    return this.#limits.initialRto;
  }
}
