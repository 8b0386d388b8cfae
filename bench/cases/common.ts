/** Small helpers shared by the cases (child side). */
import type { Params } from '../child.js';

export function num(p: Params, key: string, fallback?: number): number {
  const v = p[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (fallback !== undefined) return fallback;
  throw new TypeError(`bench case: parameter '${key}' must be a number, got ${String(v)}`);
}

export function str(p: Params, key: string, fallback?: string): string {
  const v = p[key];
  if (typeof v === 'string') return v;
  if (fallback !== undefined) return fallback;
  throw new TypeError(`bench case: parameter '${key}' must be a string, got ${String(v)}`);
}

/** One progress line on stderr (stdout carries the result). */
export function progress(msg: string): void {
  process.stderr.write(`    · ${msg}\n`);
}

/** Full garbage collection, several times so that finalizers and weak references settle. */
export async function fullGc(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('memory cases need node --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

export interface MemSnapshot {
  heapUsed: number;
  external: number;
  rss: number;
}

export async function memSnapshot(): Promise<MemSnapshot> {
  await fullGc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, rss: m.rss };
}

/** A promise that rejects after `ms` with a message: every wait in a case is bounded. */
/** `what` may be a function: it is read when the deadline passes (e.g. a count of what got done). */
export function deadline(
  ms: number,
  what: string | (() => string),
): { promise: Promise<never>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const text = typeof what === 'function' ? what() : what;
      reject(new Error(`${text}: not done after ${ms} ms`));
    }, ms);
  });
  promise.catch(() => {});
  return { promise, cancel: () => clearTimeout(timer) };
}

export async function bounded<T>(
  p: Promise<T>,
  ms: number,
  what: string | (() => string),
): Promise<T> {
  const d = deadline(ms, what);
  try {
    return await Promise.race([p, d.promise]);
  } finally {
    d.cancel();
  }
}
