/**
 * Per-connection settings, with the defaults a new connection gets. Times are milliseconds.
 * Every default names its source; where Linux and the RFC differ the RFC is followed unless noted.
 */
export interface TcpConfig {
  /** Our MSS to advertise (RFC 9293 §3.7.1); the stack derives it from the link MTU (MTU − 40 for IPv4). */
  mss: number;
  /** MSS assumed when the peer sends no MSS option (RFC 9293 §3.7.1: 536 for IPv4). */
  defaultPeerMss: number;
  /** Send buffer capacity in bytes (queued + unacknowledged). */
  sendBufferSize: number;
  /** Receive buffer capacity in bytes; the advertised window never exceeds it. */
  receiveBufferSize: number;
  /** Offer window scaling (RFC 7323 §2). */
  windowScaling: boolean;
  /** Disable Nagle's algorithm (RFC 9293 §3.7.4) when true. */
  noDelay: boolean;
  /** Delay ACKs (RFC 9293 §3.8.6.3, RFC 5681 §4.2): ACK at least every second full segment. */
  delayedAck: boolean;
  /** Bound on the ACK delay (RFC 9293 §3.8.6.3: "MUST be less than 0.5 seconds"); Linux uses 40 ms minimum. */
  delayedAckTimeout: number;
  /** RFC 6298 §2.1: initial RTO 1 s. */
  initialRto: number;
  /** RFC 6298 §2.4: "SHOULD be rounded up to 1 second". */
  minRto: number;
  /** RFC 6298 §2.5: a maximum of at least 60 s may be placed on the RTO. */
  maxRto: number;
  /**
   * SYN / SYN-ACK retransmissions before the open fails with 'timed-out'. With a 1 s initial RTO
   * doubling up to the 60 s cap, 7 gives up after 183 s, meeting RFC 9293 MUST-23's "at least 3
   * minutes"; Linux's tcp_syn_retries = 6 (about 127 s) does not.
   */
  synRetries: number;
  /** Data retransmissions before the connection fails with 'timed-out' (RFC 9293 §3.8.3 R2; Linux tcp_retries2 = 15). */
  dataRetries: number;
  /** User timeout (RFC 9293 §3.8.3 / RFC 5482): fail if data stays unacknowledged this long; 0 = off. */
  userTimeout: number;
  /** Maximum segment lifetime; TIME-WAIT lasts 2·MSL (RFC 9293 §3.4.2; Linux's TIME-WAIT is 60 s). */
  msl: number;
  /** How long FIN-WAIT-2 waits for the peer's FIN once we can no longer receive (Linux tcp_fin_timeout = 60 s). */
  finWait2Timeout: number;
  /** Keep-alives (RFC 9293 §3.8.4, RFC 1122 4.2.3.6): off by default. */
  keepAlive: boolean;
  /** Idle time before the first keep-alive probe (RFC 1122: no less than two hours by default). */
  keepAliveIdle: number;
  keepAliveInterval: number;
  keepAliveProbes: number;
  /** RFC 5961 §7: at most this many challenge ACKs a second per connection. */
  challengeAckLimit: number;
  /** Congestion control algorithm (RFC 5681 + RFC 6582). */
  congestionControl: 'newreno';
  /** Initial window in segments; 0 means RFC 5681 §3.1's formula (min(4·MSS, max(2·MSS, 4380))). */
  initialWindowSegments: number;
}

export const DEFAULT_TCP_CONFIG: Readonly<TcpConfig> = Object.freeze({
  mss: 1460,
  defaultPeerMss: 536,
  sendBufferSize: 256 * 1024,
  receiveBufferSize: 256 * 1024,
  windowScaling: true,
  noDelay: false,
  delayedAck: true,
  delayedAckTimeout: 40,
  initialRto: 1000,
  minRto: 1000,
  maxRto: 60_000,
  synRetries: 7,
  dataRetries: 15,
  userTimeout: 0,
  msl: 30_000,
  finWait2Timeout: 60_000,
  keepAlive: false,
  keepAliveIdle: 7_200_000,
  keepAliveInterval: 75_000,
  keepAliveProbes: 9,
  challengeAckLimit: 1000,
  congestionControl: 'newreno',
  initialWindowSegments: 0,
});

export function resolveTcpConfig(partial: Partial<TcpConfig> = {}): TcpConfig {
  return { ...DEFAULT_TCP_CONFIG, ...partial };
}
