/** Targeted drops for scenarios: SimNetwork filters that drop exactly the packet a lesson needs. */
import type { SimFilter, SimPacket } from '../link/sim-network.js';
import { TcpFlag } from '../wire/tcp-segment.js';

/** Drops the first `count` packets matching `match` (then lets everything pass). */
export function dropFirst(match: (p: SimPacket) => boolean, count = 1): SimFilter {
  let left = count;
  return (p) => {
    if (left > 0 && match(p)) {
      left--;
      return 'drop';
    }
    return 'pass';
  };
}

export function flagsOf(p: SimPacket): number {
  return p.segment?.flags ?? 0;
}

export const isSyn = (p: SimPacket): boolean =>
  (flagsOf(p) & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
export const isSynAck = (p: SimPacket): boolean =>
  (flagsOf(p) & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK);
/** An ACK with no data and no SYN/FIN/RST. */
export const isPureAck = (p: SimPacket): boolean =>
  p.segment !== undefined && flagsOf(p) === TcpFlag.ACK && p.segment.payload.length === 0;
export const hasData = (p: SimPacket): boolean => (p.segment?.payload.length ?? 0) > 0;
