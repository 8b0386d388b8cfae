/** The result table: every figure with its unit, median [min–max], the ratio and the target. */
import type { Summary } from './stats.js';
import { formatValue, type Unit } from './units.js';

export interface RowResult {
  id: string;
  section: string;
  label: string;
  unit: Unit;
  higherIsBetter: boolean;
  synack: Summary | undefined;
  alternative: Summary | undefined;
  alternativeLabel: string;
  /** > 1 means synack is better (see stats.ratio). */
  ratio: number | undefined;
  target: string | undefined;
  targetMet: boolean | undefined;
  notes: string[];
  errors: string[];
}

export function formatSummary(s: Summary | undefined, unit: Unit): string {
  if (!s) return '—';
  if (s.runs.length === 1) return `${formatValue(s.median, unit)} (1 run)`;
  return `${formatValue(s.median, unit)} [${formatValue(s.min, unit)}–${formatValue(s.max, unit)}]`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderTable(rows: RowResult[]): string {
  const head = [
    'benchmark',
    'synack: median [min–max]',
    'alternative: median [min–max]',
    'ratio',
    'target',
  ];
  const body = rows.map((r) => [
    r.label,
    r.synack ? formatSummary(r.synack, r.unit) : r.errors.length ? 'FAILED' : '—',
    r.alternative
      ? `${formatSummary(r.alternative, r.unit)} ${r.alternativeLabel}`
      : r.alternativeLabel,
    r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target === undefined
      ? ''
      : `${r.target} ${r.targetMet === undefined ? '?' : r.targetMet ? 'MET' : 'NOT MET'}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join(' | ')
      .trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('-|-')];
  let section = '';
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.section !== section) {
      section = rows[i]!.section;
      out.push(`[${section}]`);
    }
    out.push(line(body[i]!));
  }
  const notes: string[] = [];
  for (const r of rows) {
    for (const n of r.notes) notes.push(`  ${r.label}: ${n}`);
    for (const e of r.errors) notes.push(`  ${r.label}: ERROR ${e}`);
  }
  if (notes.length) out.push('', 'notes:', ...notes);
  out.push(
    '',
    'ratio = synack ÷ alternative for rates, alternative ÷ synack for bytes: > 1 is synack ahead.',
  );
  return out.join('\n');
}
