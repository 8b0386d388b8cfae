/**
 * chargen (RFC 864): send the rotating 72-character lines of printable ASCII until the peer closes
 * (its FIN: then close); what the peer sends is read and dropped, as RFC 864 says.
 */
import type { AppConn, RawApp } from './app.js';

const LINE = 72;
const PRINTABLE = 95; // ' ' (32) .. '~' (126)

/** One period of the pattern: 95 lines of 72 characters + CRLF, each starting one character later. */
function buildPattern(): Uint8Array {
  const period = new Uint8Array(PRINTABLE * (LINE + 2));
  let o = 0;
  for (let l = 0; l < PRINTABLE; l++) {
    for (let i = 0; i < LINE; i++) period[o++] = 32 + ((l + i) % PRINTABLE);
    period[o++] = 13;
    period[o++] = 10;
  }
  // Several periods in one buffer so that a write can take up to 64 KiB from any offset.
  const reps = Math.ceil((65536 + period.length) / period.length);
  const out = new Uint8Array(period.length * reps);
  for (let r = 0; r < reps; r++) out.set(period, r * period.length);
  return out;
}

let pattern: Uint8Array | undefined;

/** The chargen byte stream from `offset` on, `length` bytes (at most 64 KiB). */
export function chargenBytes(offset: number, length: number): Uint8Array {
  pattern ??= buildPattern();
  const period = PRINTABLE * (LINE + 2);
  const start = offset % period;
  return pattern.subarray(start, start + Math.min(length, 65536));
}

export const chargenApp: RawApp = {
  name: 'chargen',
  summary: 'send the RFC 864 character pattern until the peer closes',
  start(c: AppConn): void {
    let finished = false;
    const fill = (): void => {
      for (let i = 0; i < 10_000 && !finished && !c.closed; i++) {
        const n = c.write(chargenBytes(c.tx, 65536));
        if (n === 0) return;
      }
    };
    c.onWritable = fill;
    c.onReadable = () => c.discardReadable();
    c.onPeerFin = () => {
      c.discardReadable();
      if (!finished) {
        finished = true;
        c.close();
      }
    };
    fill();
    c.kick();
  },
};
