/**
 * What the SYNs carry and what the two of them settle: MSS (RFC 9293 §3.7.1) and window scaling
 * (RFC 7323 §2). SACK-permitted (RFC 2018) and timestamps (RFC 7323 §3) are not offered yet; when
 * they are, they are added to synOptions() and settled in negotiate() the same way.
 */
import type { TcpOptions } from '../wire/tcp-segment.js';
import type { TcpConfig } from './config.js';

/** RFC 7323 §2.3: the shift is at most 14. */
export const MAX_WINDOW_SHIFT = 14;
/** Linux's tcp_min_snd_mss: a peer's MSS (or an ICMP-reported MTU) never drives segments below this. */
export const MIN_SND_MSS = 48;

/** The smallest shift that lets the whole receive buffer be advertised in a 16-bit field. */
export function chooseWindowShift(receiveBufferSize: number): number {
  // Asked three times per connection, nearly always for the one configured size: the last answer
  // is kept.
  if (receiveBufferSize === lastShiftFor.size) return lastShiftFor.shift;
  let shift = 0;
  while (shift < MAX_WINDOW_SHIFT && receiveBufferSize > 0xffff * 2 ** shift) shift++;
  lastShiftFor.size = receiveBufferSize;
  lastShiftFor.shift = shift;
  return shift;
}

/** chooseWindowShift's last question and answer (NaN never equals: the first call computes). */
const lastShiftFor = { size: NaN, shift: 0 };

/**
 * Options for our SYN (active open) or SYN-ACK (passive open). RFC 7323 §2.2: a SYN-ACK carries
 * window scale only if the SYN it answers did.
 */
export function synOptions(cfg: TcpConfig, peerSyn?: TcpOptions): TcpOptions {
  const offerScale =
    cfg.windowScaling && (peerSyn === undefined || peerSyn.windowScale !== undefined);
  const shift = offerScale ? chooseWindowShift(cfg.receiveBufferSize) : undefined;
  // Every SYN of a stack carries the same options: the last ones made are shared (frozen, as
  // NO_OPTIONS is) while the values they were made from are the same.
  const last = lastSynOptions;
  if (last !== undefined && last.mss === cfg.mss && last.windowScale === shift) return last;
  const opts: TcpOptions = { mss: cfg.mss };
  if (shift !== undefined) opts.windowScale = shift;
  return (lastSynOptions = Object.freeze(opts));
}

/** synOptions' last answer (frozen), shared by the SYNs that carry the same options. */
let lastSynOptions: Readonly<TcpOptions> | undefined;

export interface Negotiated {
  /** Effective send MSS: min(peer's MSS option or the default, our own MSS) (§3.7.1). */
  sndMss: number;
  /** Shift applied to windows the peer sends us (its option), 0 without scaling. */
  sndShift: number;
  /** Shift applied to windows we send (our option), 0 without scaling. */
  rcvShift: number;
}

/** Settles the options of a handshake from the peer's SYN (or SYN-ACK) options. */
export function negotiate(cfg: TcpConfig, peer: TcpOptions): Negotiated {
  const peerMss =
    typeof peer.mss === 'number' && Number.isFinite(peer.mss) ? peer.mss : cfg.defaultPeerMss;
  const sndMss = Math.max(MIN_SND_MSS, Math.min(Math.floor(peerMss), cfg.mss));
  // RFC 7323 §2.2: scaling is in effect only when both SYNs carried the option.
  if (!cfg.windowScaling || typeof peer.windowScale !== 'number') {
    return { sndMss, sndShift: 0, rcvShift: 0 };
  }
  // RFC 7323 §2.3: a shift above 14 is treated as 14.
  const sndShift = Math.max(0, Math.min(MAX_WINDOW_SHIFT, Math.floor(peer.windowScale) || 0));
  return { sndMss, sndShift, rcvShift: chooseWindowShift(cfg.receiveBufferSize) };
}
