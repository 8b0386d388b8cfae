/**
 * Summaries of repeated measurements. Figures are reported as the median of the runs with the
 * min–max range, never a mean: one run disturbed by another engineer's test on the shared machine
 * should move the range, not the headline figure.
 */
export interface Summary {
  median: number;
  min: number;
  max: number;
  /** Every run's value, in the order they ran. */
  runs: number[];
}

export function summarize(values: readonly number[]): Summary | undefined {
  const runs = values.filter((v) => Number.isFinite(v));
  if (runs.length === 0) return undefined;
  const sorted = [...runs].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { median, min: sorted[0]!, max: sorted[n - 1]!, runs: [...runs] };
}

/**
 * synack ÷ the alternative, oriented so that > 1 always means "synack is better": for figures where
 * lower is better (bytes per connection) it is alternative ÷ synack.
 */
export function ratio(
  synack: Summary | undefined,
  alternative: Summary | undefined,
  higherIsBetter: boolean,
): number | undefined {
  if (!synack || !alternative) return undefined;
  const [a, b] = higherIsBetter
    ? [synack.median, alternative.median]
    : [alternative.median, synack.median];
  if (b === 0) return undefined;
  return a / b;
}
