/** synack get's HTTP/1.1 response parser (RFC 9112), fed in pieces as a connection would. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpResponseParser } from '../../src/apps/http-response.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Feeds `text` in pieces of `step` bytes; returns the parser and the body it produced. */
function feed(text: string, step: number): { p: HttpResponseParser; body: string } {
  const p = new HttpResponseParser();
  let body = '';
  p.onBody = (b) => (body += new TextDecoder().decode(b));
  const bytes = enc(text);
  for (let o = 0; o < bytes.length; o += step) p.push(bytes.subarray(o, o + step));
  return { p, body };
}

describe('HTTP response parser', () => {
  for (const step of [1, 3, 1000]) {
    test(`response with Content-Length, fed ${step} bytes at a time → head, exact body, done`, () => {
      const { p, body } = feed(
        'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello',
        step,
      );
      assert.equal(p.head?.status, 200);
      assert.equal(p.head?.reason, 'OK');
      assert.equal(p.head?.headers['x-a'], '1, 2');
      assert.equal(p.contentLength, 5);
      assert.equal(body, 'hello');
      assert.equal(p.done, true);
    });

    test(`chunked response with extensions and trailers, fed ${step} bytes at a time → joined body, done`, () => {
      const { p, body } = feed(
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n7\r\n, world\r\n0\r\nT: v\r\n\r\n',
        step,
      );
      assert.equal(body, 'hello, world');
      assert.equal(p.done, true);
      assert.equal(p.error, undefined);
    });
  }

  test('response without length → body until the connection ends; end() completes it', () => {
    const { p, body } = feed('HTTP/1.0 200 OK\r\n\r\nall of it', 4);
    assert.equal(p.untilClose, true);
    assert.equal(body, 'all of it');
    assert.equal(p.end(), true);
    assert.equal(p.done, true);
  });

  test('Content-Length body cut short → end() reports it incomplete', () => {
    const { p } = feed('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 100);
    assert.equal(p.end(), false);
    assert.equal(p.bodyBytes, 3);
  });

  test('204 No Content → done with no body', () => {
    const { p, body } = feed('HTTP/1.1 204 No Content\r\n\r\n', 100);
    assert.equal(p.done, true);
    assert.equal(body, '');
  });

  const bad: [string, string][] = [
    ['HTTP/9 200 OK\r\n\r\n', 'bad-status'],
    ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'bad-header'],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'bad-header'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'bad-chunk'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n', 'bad-chunk'],
  ];
  for (const [text, kind] of bad) {
    test(`malformed response ${JSON.stringify(text.slice(0, 30))} → error ${kind}, no throw`, () => {
      const { p } = feed(text, 7);
      assert.equal(p.error?.kind, kind);
    });
  }

  test('a head over 64 KiB without its end → too-large', () => {
    const p = new HttpResponseParser();
    p.push(enc('HTTP/1.1 200 OK\r\nX: ' + 'a'.repeat(70_000)));
    assert.equal(p.error?.kind, 'too-large');
  });
});
