/**
 * The congestion state of a connection that sends nothing more: in TIME-WAIT our FIN is
 * acknowledged (SND.UNA = SND.NXT) and only ACKs go out, which congestion control does not govern
 * (RFC 5681 §3.1 counts data; §4.2's ACKs are not). What remains is the cwnd and ssthresh the
 * connection ended with, for info(). Connections that ended with the same figures share one
 * instance (a short exchange leaves every connection with the same cwnd): a connection spends
 * most of its life in TIME-WAIT (2·MSL), and what it holds there is what the garbage collector
 * copies, so it should hold no congestion state of its own.
 */
import type { CongestionControl } from './congestion.js';

export class SettledCongestion implements CongestionControl {
  readonly name: string;
  readonly cwnd: number;
  readonly ssthresh: number;

  private constructor(name: string, cwnd: number, ssthresh: number) {
    this.name = name;
    this.cwnd = cwnd;
    this.ssthresh = ssthresh;
  }

  /** The shared instance with these figures (a new one when the cache slot holds others). */
  static of(name: string, cwnd: number, ssthresh: number): SettledCongestion {
    // A small direct-mapped cache: bounded, and no key to build per connection.
    const slot = (cwnd ^ (ssthresh * 31)) & (CACHE_SIZE - 1);
    const hit = CACHE[slot];
    if (hit !== undefined && hit.cwnd === cwnd && hit.ssthresh === ssthresh && hit.name === name) {
      return hit;
    }
    const made = new SettledCongestion(name, cwnd, ssthresh);
    CACHE[slot] = made;
    return made;
  }

  settle(): CongestionControl {
    return this;
  }

  /**
   * An ICMP "packet too big" may still arrive (RFC 8201): the new SMSS would shape only windows
   * of data to come, and none comes (the algorithm settled only once cwnd no longer follows SMSS).
   */
  setMss(_mss: number): void {}

  // Nothing is sent any more, so nothing is acknowledged, duplicated, lost or restarted: an event
  // here is a bug in the engine, thrown as such (as setState does) rather than ignored.
  onAck(_acked: number, _now: number): void {
    settledEvent('onAck');
  }
  onEnterRecovery(_flightSize: number, _now: number): void {
    settledEvent('onEnterRecovery');
  }
  onDupAckInRecovery(): void {
    settledEvent('onDupAckInRecovery');
  }
  onPartialAck(_acked: number): void {
    settledEvent('onPartialAck');
  }
  onExitRecovery(_flightSize: number): void {
    settledEvent('onExitRecovery');
  }
  onTimeout(_flightSize: number, _now: number): void {
    settledEvent('onTimeout');
  }
  onIdleRestart(_rto: number): void {
    settledEvent('onIdleRestart');
  }
}

const CACHE_SIZE = 64;
const CACHE: (SettledCongestion | undefined)[] = new Array<SettledCongestion | undefined>(
  CACHE_SIZE,
).fill(undefined);

function settledEvent(what: string): never {
  throw new Error(`synack engine bug: congestion control ${what} after the connection settled`);
}
