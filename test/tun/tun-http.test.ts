/**
 * HTTP over the TUN link: curl (the kernel's TCP) against `synack serve --app http` — Node's
 * http.Server on synack connections — up to 1 GiB, and `synack get` against a kernel HTTP server.
 * Bodies are the fixed pattern of src/apps/http-pattern.ts, so each end's SHA-256 is compared with
 * the pattern's.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { patternBytes } from '../../src/apps/http-pattern.js';
import { parsePacket } from '../../src/wire/ip-packet.js';
import { TcpFlag } from '../../src/wire/tcp-segment.js';
import {
  ADDR,
  assertCleanCapture,
  ChildProc,
  connLines,
  expertErrors,
  FIXTURES,
  Netns,
  pcapRecords,
  removeFile,
  SYNACK_BIN,
  tmpPath,
  tunFlags,
  tunTest,
} from './netns.js';

/** SHA-256 of the first n bytes of the pattern. */
function patternSha(n: number): string {
  const h = createHash('sha256');
  for (let o = 0; o < n;) {
    const b = patternBytes(o, Math.min(1 << 20, n - o));
    h.update(b);
    o += b.length;
  }
  return h.digest('hex');
}

describe('HTTP on the TUN link', () => {
  tunTest(
    'serve --app http, curl GET / and /bytes/N over IPv4 and IPv6 → 200, exact bodies; capture has no tshark error',
    { timeout: 120_000, needs: ['curl'] },
    async () => {
      const ns = await Netns.create('http');
      const pcap = tmpPath('pcap');
      try {
        const server = await ChildProc.serve(ns, [
          ...tunFlags(),
          '--port',
          '80',
          '--app',
          'http',
          '--msl',
          '1',
          '--pcap',
          pcap,
        ]);
        const page = await ns.run('curl', ['-sS', '-f', `http://${ADDR.synack4}/`], {
          timeout: 20_000,
        });
        assert.equal(page.code, 0, page.stderr);
        assert.match(page.stdout, /<h1>synack<\/h1>/);
        const n = 3 * 1024 * 1024 + 17;
        for (const host of [ADDR.synack4, `[${ADDR.synack6}]`]) {
          const r = await ns.run(
            'sh',
            ['-c', `curl -sS -f http://${host}/bytes/${n} | sha256sum`],
            { timeout: 60_000 },
          );
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout.split(' ')[0], patternSha(n));
        }
        const missing = await ns.run(
          'curl',
          ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `http://${ADDR.synack4}/nope`],
          { timeout: 20_000 },
        );
        assert.equal(missing.stdout, '404');
        const lines = await connLines(server, 4);
        for (const l of lines) assert.equal(l.end, 'clean');
        assert.equal(await server.stop(), 0);
        // MSS defaults (RFC 9293 §3.7.1, RFC 8200 §5): MTU − 40 over IPv4, MTU − 60 over IPv6.
        const synAcks = pcapRecords(pcap)
          .map((b) => parsePacket(b))
          .flatMap((r) => (r.ok && r.value.protocol === 'tcp' ? [r.value] : []))
          .filter((p) => p.segment.flags === (TcpFlag.SYN | TcpFlag.ACK));
        const mss = (src: string) =>
          synAcks.filter((p) => p.src === src).map((p) => p.segment.options.mss);
        assert.deepEqual([...new Set(mss(ADDR.synack4))], [1460]);
        assert.deepEqual([...new Set(mss(ADDR.synack6))], [1440]);
        const x = await expertErrors(pcap);
        assert.ok(x.packets > 100);
        assert.equal(x.errors, '', x.report);
      } finally {
        await ns.destroy();
        removeFile(pcap);
      }
    },
  );

  tunTest(
    'serve --app http, curl GET /bytes/1073741824 (1 GiB) → 200, SHA-256 of the body equals the pattern',
    { timeout: 240_000, needs: ['curl'] },
    async () => {
      const ns = await Netns.create('http1g');
      const pcap = tmpPath('pcap');
      try {
        const server = await ChildProc.serve(ns, [
          ...tunFlags(),
          '--port',
          '80',
          '--app',
          'http',
          '--msl',
          '1',
          '--pcap',
          pcap,
        ]);
        const n = 1024 * 1024 * 1024;
        const expected = patternSha(n);
        const c = await ns.run(
          'bash',
          ['-c', `set -o pipefail; curl -sS -f http://${ADDR.synack4}/bytes/${n} | sha256sum`],
          { timeout: 230_000 },
        );
        assert.equal(c.code, 0, c.stderr);
        assert.equal(c.stdout.split(' ')[0], expected);
        const [l] = await connLines(server, 1);
        assert.ok((l?.tx ?? 0) > n);
        assert.equal(l?.end, 'clean');
        await server.stop();
        // About 1.1 GB of capture: tshark reads it in seconds.
        await assertCleanCapture(pcap);
      } finally {
        await ns.destroy();
        removeFile(pcap);
      }
    },
  );

  tunTest(
    'synack get from a kernel HTTP server, 256 MiB over IPv4 and 1 MiB over IPv6 → body to --out, SHA-256 printed equals the pattern',
    { timeout: 180_000 },
    async () => {
      const ns = await Netns.create('get');
      const out = tmpPath('bin');
      const pcap = tmpPath('pcap');
      try {
        const server = new ChildProc(
          ns.spawn(process.execPath, [join(FIXTURES, 'kernel-http.js'), '8080']),
        );
        await server.out.waitFor(/^listening$/);
        for (const [host, n] of [
          [ADDR.host4, 256 * 1024 * 1024],
          [`[${ADDR.host6}]`, 1024 * 1024],
        ] as const) {
          const r = await ns.run(
            process.execPath,
            [
              SYNACK_BIN,
              'get',
              ...tunFlags(),
              '--pcap',
              pcap,
              '--out',
              out,
              `http://${host}:8080/bytes/${n}`,
            ],
            {
              timeout: 170_000,
            },
          );
          assert.equal(r.code, 0, r.stderr);
          const lines = r.stderr.trim().split('\n');
          assert.equal(lines[0], `sha256 ${patternSha(n)}`);
          assert.match(
            lines[1] ?? '',
            new RegExp(`^${n} bytes in \\d+\\.\\d\\d s \\(\\d+\\.\\d MiB/s\\)$`),
          );
          await assertCleanCapture(pcap);
        }
        // --progress draws the bar on stderr even when it is not a terminal.
        const withBar = await ns.run(
          process.execPath,
          [
            SYNACK_BIN,
            'get',
            ...tunFlags(),
            '--progress',
            '--out',
            out,
            `http://${ADDR.host4}:8080/bytes/2097152`,
          ],
          { timeout: 60_000 },
        );
        assert.equal(withBar.code, 0, withBar.stderr);
        assert.match(withBar.stderr, /\r\[#{30}\] 100% 2\.0 MiB \/ 2\.0 MiB [\d.]+ MiB\/s/);
        assert.match(withBar.stderr, new RegExp(`\\nsha256 ${patternSha(2097152)}\\n`));
        const missing = await ns.run(
          process.execPath,
          [SYNACK_BIN, 'get', ...tunFlags(), `http://${ADDR.host4}:8080/nope`],
          {
            timeout: 30_000,
          },
        );
        assert.equal(missing.code, 1);
        assert.match(missing.stderr.trim(), /^synack get: HTTP 404 Not Found$/);
        await server.stop();
      } finally {
        await ns.destroy();
        removeFile(out);
        removeFile(pcap);
      }
    },
  );
});
