/** Every figure the bench prints carries its unit; these format the kinds of figure it produces. */
export type Unit = 'bit/s' | 'conn/s' | 'B' | 'endpoints' | 'B/s';

const SI = ['', 'k', 'M', 'G', 'T'];
const IEC = ['', 'Ki', 'Mi', 'Gi', 'Ti'];

function scaled(v: number, base: number, prefixes: string[]): [number, string] {
  let i = 0;
  let x = v;
  while (Math.abs(x) >= base && i < prefixes.length - 1) {
    x /= base;
    i++;
  }
  return [x, prefixes[i]!];
}

function digits(x: number): string {
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** "4.21 Gbit/s", "12.3 kconn/s", "812 B", "1.50 MiB", "1.05 M endpoints". */
export function formatValue(v: number, unit: Unit): string {
  if (!Number.isFinite(v)) return 'n/a';
  switch (unit) {
    case 'bit/s': {
      const [x, p] = scaled(v, 1000, SI);
      return `${digits(x)} ${p}bit/s`;
    }
    case 'B/s': {
      const [x, p] = scaled(v, 1024, IEC);
      return `${digits(x)} ${p}B/s`;
    }
    case 'conn/s': {
      const [x, p] = scaled(v, 1000, SI);
      return `${digits(x)} ${p}conn/s`;
    }
    case 'B': {
      const [x, p] = scaled(v, 1024, IEC);
      return p === '' ? `${Math.round(x)} B` : `${digits(x)} ${p}B`;
    }
    case 'endpoints': {
      const [x, p] = scaled(v, 1000, SI);
      return p === '' ? `${Math.round(x)} endpoints` : `${digits(x)} ${p} endpoints`;
    }
  }
}

/** "1.00 GiB" for sizes given in bytes (used in labels and notes). */
export function formatBytes(n: number): string {
  return formatValue(n, 'B');
}

/** Parses "1G", "64k", "512KiB", "1048576" into bytes (k = 1024). */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)(i?[bB])?$/.exec(text.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()] ?? 1;
  const v = Math.round(Number(m[1]) * mult);
  return Number.isSafeInteger(v) && v > 0 ? v : undefined;
}
