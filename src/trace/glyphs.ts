/**
 * The characters a terminal drawing uses: box-drawing and arrows when the terminal can show them,
 * plain ASCII when asked (`--ascii`) or when the output is not a terminal.
 */
export interface Glyphs {
  v: string;
  h: string;
  /** Lifeline tee where an arrow leaves to the right / to the left. */
  teeRight: string;
  teeLeft: string;
  /** Staircase corners: ╮ ╰ (left-to-right arrow), ╭ ╯ (right-to-left). */
  downRight: string;
  upRight: string;
  downLeft: string;
  upLeft: string;
  headRight: string;
  headLeft: string;
  cross: string;
  ellipsis: string;
  bullet: string;
  explain: string;
}

export const UNICODE_GLYPHS: Glyphs = {
  v: '│',
  h: '─',
  teeRight: '├',
  teeLeft: '┤',
  downRight: '╮',
  upRight: '╰',
  downLeft: '╭',
  upLeft: '╯',
  headRight: '▶',
  headLeft: '◀',
  cross: '✕',
  ellipsis: '…',
  bullet: '·',
  explain: '↳',
};

export const ASCII_GLYPHS: Glyphs = {
  v: '|',
  h: '-',
  teeRight: '|',
  teeLeft: '|',
  downRight: '.',
  upRight: "'",
  downLeft: '.',
  upLeft: "'",
  headRight: '>',
  headLeft: '<',
  cross: 'X',
  ellipsis: '~',
  bullet: '-',
  explain: '>',
};

const ASCII_MAP: Record<string, string> = {
  '→': '->',
  '←': '<-',
  '⇄': '<->',
  '·': '.',
  '–': '-',
  '—': '-',
  '…': '...',
  '§': 'sec.',
  '✕': 'X',
  '↳': '>',
  '×': 'x',
  '≥': '>=',
  '≤': '<=',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
};

/** Text made pure ASCII: known symbols spelled out, anything else non-ASCII as '?'. */
export function asciify(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.codePointAt(0) as number;
    if (code < 0x80) out += c;
    else out += ASCII_MAP[c] ?? '?';
  }
  return out;
}
