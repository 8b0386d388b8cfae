/**
 * Shared by `synack demo` and `synack trace`: turns a ladder (and its events) into the chosen
 * format, and decides on colour and box-drawing from the terminal (colour only on a TTY with
 * NO_COLOR unset; plain ASCII with --ascii or when stdout is not a terminal).
 */
import { writeFileSync } from 'node:fs';
import type { Ladder } from './ladder.js';
import { renderLadderText } from './ladder-text.js';
import { renderLadderSvg } from './ladder-svg.js';
import { renderLadderMermaid } from './ladder-mermaid.js';
import { toNdjson } from './ndjson.js';
import { pathsOf, renderStateDiagramMermaid, renderStateDiagramSvg } from './state-diagram.js';
import type { Traced } from './traced.js';

export const FORMATS = [
  'text',
  'svg',
  'mermaid',
  'json',
  'pcap',
  'state-svg',
  'state-mermaid',
] as const;
export type Format = (typeof FORMATS)[number];

/**
 * The parseArgs options both drawing commands take (`synack demo` and `synack trace`), one list so
 * that the two cannot drift apart; each command adds its own.
 */
export const RENDER_FLAGS = {
  format: { type: 'string', short: 'f' },
  out: { type: 'string', short: 'o' },
  explain: { type: 'boolean', short: 'e' },
  ascii: { type: 'boolean' },
  unicode: { type: 'boolean' },
  absolute: { type: 'boolean' },
  width: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface OutputOptions {
  format: Format;
  out?: string;
  explain: boolean;
  ascii: boolean;
  unicode: boolean;
  absolute: boolean;
  width?: number;
  title: string[];
}

export function parseFormat(s: string | undefined): Format {
  const f = s ?? 'text';
  if (!(FORMATS as readonly string[]).includes(f)) {
    throw new Error(`unknown --format ${f} (one of ${FORMATS.join(', ')})`);
  }
  return f as Format;
}

export function parseNumber(
  name: string,
  s: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new Error(`--${name} must be a number in [${min}, ${max}], got '${s}'`);
  }
  return n;
}

/** Writes the output; `pcap` is produced by the caller (it needs the packets). */
export function emit(
  l: Ladder,
  events: readonly Traced[],
  o: OutputOptions,
  pcap: () => Uint8Array,
): void {
  const tty = o.out === undefined && process.stdout.isTTY === true;
  let data: string | Uint8Array;
  switch (o.format) {
    case 'text': {
      const ascii = o.ascii || (!tty && !o.unicode);
      const color = tty && !o.ascii && (process.env.NO_COLOR ?? '') === '';
      const cols = tty ? process.stdout.columns : undefined;
      const width =
        o.width ?? (cols !== undefined && cols > 0 ? Math.max(72, Math.min(100, cols)) : 100);
      data = renderLadderText(l, {
        ascii,
        color,
        explain: o.explain,
        absolute: o.absolute,
        title: o.title,
        width,
      });
      break;
    }
    case 'svg':
      data = renderLadderSvg(l, { title: o.title, explain: o.explain, absolute: o.absolute });
      break;
    case 'mermaid':
      data = renderLadderMermaid(l, { explain: o.explain, absolute: o.absolute });
      break;
    case 'json':
      data = toNdjson(events);
      break;
    case 'state-svg':
      data = renderStateDiagramSvg({ paths: pathsOf(l), title: o.title[0] });
      break;
    case 'state-mermaid':
      data = renderStateDiagramMermaid({ paths: pathsOf(l) });
      break;
    case 'pcap':
      data = pcap();
      if (o.out === undefined && process.stdout.isTTY) {
        throw new Error('pcap output is binary: give --out FILE or redirect stdout');
      }
      break;
  }
  if (o.out !== undefined) writeFileSync(o.out, data);
  else process.stdout.write(data);
}
