/** Small bounded helpers for the net tests: every wait has a deadline, so no test can hang. */
import { createHash } from 'node:crypto';
import type { EventEmitter } from 'node:events';

/** Resolves with the event's arguments; rejects after `ms` (the test's own bound, never an assertion on speed). */
export function waitFor<T extends unknown[] = unknown[]>(
  emitter: EventEmitter,
  event: string,
  ms = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`timed out after ${ms} ms waiting for '${event}'`));
    }, ms);
    const on = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(args as T);
    };
    emitter.once(event, on);
  });
}

/** Resolves once `cond()` holds, polling every few ms; rejects after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(2);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Records the named events of an emitter as "prefix:event[:arg]" strings, in order. */
export function record(
  emitter: EventEmitter,
  log: string[],
  prefix: string,
  events: readonly string[] = ['connect', 'ready', 'end', 'finish', 'close', 'error', 'timeout'],
): void {
  for (const e of events) {
    emitter.on(e, (arg: unknown) => {
      if (e === 'close') log.push(`${prefix}:close:${String(arg)}`);
      else if (e === 'error') log.push(`${prefix}:error:${(arg as { code?: string }).code}`);
      else log.push(`${prefix}:${e}`);
    });
  }
}

export function sha256(...chunks: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

/** Deterministic pseudo-random bytes (xorshift32), so both ends can be compared by hash. */
export function pattern(length: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Hashes everything a readable emits as 'data' until 'end'. */
export function collect(emitter: EventEmitter): { hash: () => string; length: () => number } {
  const h = createHash('sha256');
  let n = 0;
  emitter.on('data', (d: Buffer) => {
    h.update(d);
    n += d.length;
  });
  let digest: string | undefined;
  return {
    hash: () => (digest ??= h.digest('hex')),
    length: () => n,
  };
}
