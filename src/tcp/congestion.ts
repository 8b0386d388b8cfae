/**
 * The congestion-control interface. The engine owns everything about *which* segments to send —
 * duplicate-ACK counting, the `recover` point and retransmissions (RFC 6582 §3.2) — and tells the
 * algorithm what happened; the algorithm owns only cwnd and ssthresh. New algorithms (CUBIC,
 * RFC 9438) implement the same interface. All quantities are bytes; `now` is milliseconds.
 */
import { NewReno } from './newreno.js';

export interface CongestionControl {
  readonly name: string;
  /** Congestion window in bytes (RFC 5681 §2). */
  readonly cwnd: number;
  /** Slow-start threshold in bytes; initially "arbitrarily high" (RFC 5681 §3.1). */
  readonly ssthresh: number;
  /** SMSS, once known (RFC 5681 §2: from the path MTU and the peer's MSS option). */
  setMss(mss: number): void;
  /** New data ACKed outside recovery: slow start or congestion avoidance (RFC 5681 §3.1). */
  onAck(acked: number, now: number): void;
  /** Third duplicate ACK (RFC 5681 §3.2 steps 2-3). */
  onEnterRecovery(flightSize: number, now: number): void;
  /** Another duplicate ACK during recovery (RFC 5681 §3.2 step 4). */
  onDupAckInRecovery(): void;
  /** An ACK that advances SND.UNA but not past `recover` (RFC 6582 §3.2 step 5). */
  onPartialAck(acked: number): void;
  /** The full ACK that ends recovery (RFC 6582 §3.2 step 6). */
  onExitRecovery(flightSize: number): void;
  /** The retransmission timer expired (RFC 5681 §3.1 eq. (4) and the loss window). */
  onTimeout(flightSize: number, now: number): void;
  /** Sending restarts after an idle period longer than the RTO (RFC 5681 §4.1). */
  onIdleRestart(rto: number): void;
  /**
   * The connection will send no more data (TIME-WAIT, see settled-cc.ts): an object reporting
   * the same cwnd and ssthresh from now on, possibly shared with other connections, or this one
   * when some event could still change them.
   */
  settle(): CongestionControl;
}

export type CongestionControlName = 'newreno';

export interface CongestionControlOptions {
  /** SMSS in bytes (may be changed later with setMss). */
  mss: number;
  /** Initial window in segments; 0 selects RFC 5681 §3.1's formula. */
  initialWindowSegments: number;
}

export function createCongestionControl(
  name: CongestionControlName,
  opts: CongestionControlOptions,
): CongestionControl {
  switch (name) {
    case 'newreno':
      return new NewReno(opts);
    default: {
      const unknown: never = name;
      throw new RangeError(`unknown congestion control ${String(unknown)}`);
    }
  }
}
