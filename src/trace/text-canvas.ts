/**
 * A grid of characters with a style per cell, printed as plain text or with ANSI colours
 * (ECMA-48 SGR). The terminal ladder draws on it; a style is a name, its colour chosen here.
 */
export type CellStyle =
  | 'syn'
  | 'fin'
  | 'rst'
  | 'data'
  | 'ack'
  | 'lost'
  | 'state'
  | 'time'
  | 'dim'
  | 'explain'
  | 'header'
  | 'lane';

const SGR: Record<CellStyle, string> = {
  syn: '32', // green
  fin: '33', // yellow
  rst: '31', // red
  data: '36', // cyan
  ack: '37', // white
  lost: '1;31', // bold red
  state: '1;35', // bold magenta
  time: '2', // dim
  dim: '2',
  explain: '2;3', // dim italic
  header: '1', // bold
  lane: '1;34', // bold blue
};

export class TextCanvas {
  private readonly rows: { ch: string[]; st: (CellStyle | undefined)[] }[] = [];

  constructor(readonly width: number) {}

  get height(): number {
    return this.rows.length;
  }

  /** Adds an empty row; returns its index. */
  addRow(): number {
    this.rows.push({
      ch: new Array<string>(this.width).fill(' '),
      st: new Array(this.width).fill(undefined),
    });
    return this.rows.length - 1;
  }

  /** Writes `text` at (row, x), clipped to the width. One code point per cell. */
  put(row: number, x: number, text: string, style?: CellStyle): void {
    const r = this.rows[row];
    if (!r) return;
    let i = x;
    for (const c of text) {
      if (i >= this.width) break;
      if (i >= 0) {
        r.ch[i] = c;
        r.st[i] = style;
      }
      i++;
    }
  }

  /** Repeats `c` over [x0, x1). */
  fill(row: number, x0: number, x1: number, c: string, style?: CellStyle): void {
    for (let x = Math.max(0, x0); x < Math.min(x1, this.width); x++) this.put(row, x, c, style);
  }

  get(row: number, x: number): string {
    return this.rows[row]?.ch[x] ?? ' ';
  }

  toString(color: boolean): string {
    const lines: string[] = [];
    for (const r of this.rows) {
      let end = r.ch.length;
      while (end > 0 && r.ch[end - 1] === ' ') end--;
      if (!color) {
        lines.push(r.ch.slice(0, end).join(''));
        continue;
      }
      let out = '';
      let cur: CellStyle | undefined;
      for (let i = 0; i < end; i++) {
        const s = r.st[i];
        if (s !== cur) {
          if (cur !== undefined) out += '\x1b[0m';
          if (s !== undefined) out += `\x1b[${SGR[s]}m`;
          cur = s;
        }
        out += r.ch[i];
      }
      if (cur !== undefined) out += '\x1b[0m';
      lines.push(out);
    }
    return lines.join('\n');
  }
}

/** Wraps `text` into lines of at most `width` code points, at spaces where possible. */
export function wrap(text: string, width: number): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const lines: string[] = [];
  let cur = '';
  for (let w of words) {
    while ([...w].length > width) {
      if (cur !== '') {
        lines.push(cur);
        cur = '';
      }
      const cps = [...w];
      lines.push(cps.slice(0, width).join(''));
      w = cps.slice(width).join('');
    }
    if (cur === '') cur = w;
    else if ([...cur].length + 1 + [...w].length <= width) cur += ' ' + w;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur !== '') lines.push(cur);
  return lines;
}
