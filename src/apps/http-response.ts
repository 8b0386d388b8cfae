/**
 * An incremental HTTP/1.1 response parser (RFC 9112) for `synack get`: status line, header fields,
 * then the body framed by Transfer-Encoding: chunked (§7.1), Content-Length (§6.3), or the end of
 * the connection. Feed it bytes as they arrive; body bytes come out through `onBody` without
 * copying. Errors are a typed result, never a throw.
 */

export interface HttpHead {
  version: string;
  status: number;
  reason: string;
  /** Lower-cased names; repeated fields joined with ', '. */
  headers: Record<string, string>;
}

export type HttpParseError = {
  kind: 'bad-status' | 'bad-header' | 'bad-chunk' | 'too-large';
  detail: string;
};

const MAX_HEAD = 64 * 1024;
const CRLF = [13, 10];

type Phase =
  'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'eof' | 'done';

export class HttpResponseParser {
  head: HttpHead | undefined;
  error: HttpParseError | undefined;
  /** Body bytes expected, when Content-Length gave it. */
  contentLength: number | undefined;
  bodyBytes = 0;
  onHead: ((h: HttpHead) => void) | undefined;
  onBody: ((b: Uint8Array) => void) | undefined;
  private phase: Phase = 'head';
  private buf: Uint8Array = new Uint8Array(0);
  private remaining = 0;

  get done(): boolean {
    return this.phase === 'done';
  }

  /** True while the body runs until the connection closes (no length, not chunked). */
  get untilClose(): boolean {
    return this.phase === 'eof';
  }

  push(data: Uint8Array): void {
    if (this.error || this.phase === 'done') return;
    let b = data;
    if (this.buf.length > 0) {
      const j = new Uint8Array(this.buf.length + data.length);
      j.set(this.buf);
      j.set(data, this.buf.length);
      b = j;
      this.buf = new Uint8Array(0);
    }
    let o = 0;
    for (let guard = 0; guard < 1_000_000 && o <= b.length && !this.error; guard++) {
      switch (this.phase) {
        case 'head': {
          const end = indexOf(b, [13, 10, 13, 10], o);
          if (end < 0) {
            if (b.length - o > MAX_HEAD) return this.fail('too-large', 'response head over 64 KiB');
            this.buf = b.slice(o);
            return;
          }
          this.parseHead(new TextDecoder('latin1').decode(b.subarray(o, end)));
          o = end + 4;
          continue;
        }
        case 'length': {
          const n = Math.min(this.remaining, b.length - o);
          if (n > 0) this.body(b.subarray(o, o + n));
          o += n;
          this.remaining -= n;
          if (this.remaining === 0) this.phase = 'done';
          return;
        }
        case 'eof':
          if (o < b.length) this.body(b.subarray(o));
          return;
        case 'chunk-size': {
          const end = indexOf(b, CRLF, o);
          if (end < 0) {
            if (b.length - o > 1024) return this.fail('bad-chunk', 'chunk-size line too long');
            this.buf = b.slice(o);
            return;
          }
          const line = new TextDecoder('latin1').decode(b.subarray(o, end));
          const m = /^([0-9a-fA-F]{1,8})(;.*)?$/.exec(line.trim());
          if (!m) return this.fail('bad-chunk', `bad chunk-size line '${line}'`);
          this.remaining = parseInt(m[1] as string, 16);
          o = end + 2;
          this.phase = this.remaining === 0 ? 'trailers' : 'chunk-data';
          continue;
        }
        case 'chunk-data': {
          const n = Math.min(this.remaining, b.length - o);
          if (n > 0) this.body(b.subarray(o, o + n));
          o += n;
          this.remaining -= n;
          if (this.remaining > 0) return;
          this.phase = 'chunk-crlf';
          continue;
        }
        case 'chunk-crlf': {
          if (b.length - o < 2) {
            this.buf = b.slice(o);
            return;
          }
          if (b[o] !== 13 || b[o + 1] !== 10)
            return this.fail('bad-chunk', 'chunk data not followed by CRLF');
          o += 2;
          this.phase = 'chunk-size';
          continue;
        }
        case 'trailers': {
          const end = indexOf(b, CRLF, o);
          if (end < 0) {
            this.buf = b.slice(o);
            return;
          }
          // An empty line ends the trailer section (RFC 9112 §7.1.2); other lines are ignored.
          if (end === o) this.phase = 'done';
          o = end + 2;
          if (this.phase === 'done') return;
          continue;
        }
        default:
          return;
      }
    }
  }

  /** The connection ended: complete for a read-until-close body, truncated otherwise. */
  end(): boolean {
    if (this.phase === 'eof') this.phase = 'done';
    return this.phase === 'done' && !this.error;
  }

  private body(b: Uint8Array): void {
    this.bodyBytes += b.length;
    this.onBody?.(b);
  }

  private fail(kind: HttpParseError['kind'], detail: string): void {
    this.error = { kind, detail };
  }

  private parseHead(text: string): void {
    const lines = text.split('\r\n');
    const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (!m) return this.fail('bad-status', `bad status line '${lines[0] ?? ''}'`);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i <= 0) return this.fail('bad-header', `bad header line '${line}'`);
      const name = line.slice(0, i).trim().toLowerCase();
      const value = line.slice(i + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    this.head = { version: m[1] as string, status: Number(m[2]), reason: m[3] ?? '', headers };
    this.onHead?.(this.head);
    const status = this.head.status;
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
      this.phase = 'done';
    } else if (te !== undefined && /(^|,)\s*chunked\s*$/i.test(te)) {
      this.phase = 'chunk-size';
    } else if (cl !== undefined) {
      if (!/^\d+$/.test(cl)) return this.fail('bad-header', `bad Content-Length '${cl}'`);
      this.contentLength = Number(cl);
      this.remaining = this.contentLength;
      this.phase = this.remaining === 0 ? 'done' : 'length';
    } else {
      this.phase = 'eof';
    }
  }
}

function indexOf(b: Uint8Array, pat: number[], from: number): number {
  const first = pat[0] as number;
  for (
    let i = b.indexOf(first, from);
    i >= 0 && i + pat.length <= b.length;
    i = b.indexOf(first, i + 1)
  ) {
    let ok = true;
    for (let j = 1; j < pat.length; j++) {
      if (b[i + j] !== pat[j]) {
        ok = false;
        break;
      }
    }
    if (ok) return i;
  }
  return -1;
}
