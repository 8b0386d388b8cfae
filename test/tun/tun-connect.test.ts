/**
 * synack client → kernel server, on a TUN device in a namespace of the test's own: `synack
 * connect` (like nc) and a many-connection synack client against Node `net` and Python servers.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  ADDR,
  assertCleanCapture,
  ChildProc,
  exited,
  expertErrors,
  fixtureJson,
  FIXTURES,
  kernelSockets,
  Netns,
  parseConnLine,
  removeFile,
  SYNACK_BIN,
  tmpPath,
  tunFlags,
  tunTest,
} from './netns.js';

interface ClientResult {
  index: number;
  localPort: number;
  sent: number;
  received: number;
  sentSha: string;
  receivedSha: string;
  states: string[];
  error?: string;
}

interface ServerLine {
  peer: string;
  rx: number;
  rxSha: string;
  tx: number;
  error?: string;
}

async function withNs(tag: string, fn: (ns: Netns) => Promise<void>): Promise<void> {
  const ns = await Netns.create(tag);
  try {
    await fn(ns);
  } finally {
    await ns.destroy();
  }
}

/** The kernel's Node echo server (fixtures/kernel-server.js) on `port`, once listening. */
async function kernelEchoServer(ns: Netns, port: number): Promise<ChildProc> {
  const p = new ChildProc(
    ns.spawn(process.execPath, [join(FIXTURES, 'kernel-server.js'), String(port)]),
  );
  await p.out.waitFor(/^listening$/);
  return p;
}

async function serverLines(p: ChildProc, n: number, timeout = 30_000): Promise<ServerLine[]> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const lines = p.out.lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as ServerLine);
    if (lines.length >= n) return lines;
    if (Date.now() > deadline)
      throw new Error(`expected ${n} server lines, have ${lines.length}: ${p.err.text()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Python TCP server in the namespace; its script prints "listening" once bound. */
async function pythonServer(ns: Netns, code: string): Promise<ChildProc> {
  const p = new ChildProc(ns.spawn('python3', ['-u', '-c', code]));
  await p.out.waitFor(/^listening$/);
  return p;
}

/** Runs `synack connect` with `input` on stdin; resolves to exit code, stdout bytes and stderr. */
async function connect(
  ns: Netns,
  args: string[],
  input: Uint8Array | (() => Promise<void>),
  timeout = 60_000,
): Promise<{ code: number | null; stdout: Buffer; stderr: string; proc: ChildProc }> {
  const child = ns.spawn(process.execPath, [SYNACK_BIN, 'connect', ...args]);
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => chunks.push(d));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (stderr += d));
  const proc = { child } as unknown as ChildProc;
  if (input instanceof Uint8Array) child.stdin?.end(input);
  else await input();
  const code = await exited(child, timeout);
  return { code, stdout: Buffer.concat(chunks), stderr, proc };
}

describe('synack client → kernel server (TUN)', () => {
  for (const [family, addr] of [
    ['IPv4', ADDR.host4],
    ['IPv6', ADDR.host6],
  ] as const) {
    tunTest(
      `synack client, 200 concurrent connections to a kernel echo server over ${family}, 64 KiB each way → SHA-256 equal at both ends`,
      { timeout: 120_000 },
      async () => {
        await withNs(family === 'IPv4' ? 'cmany4' : 'cmany6', async (ns) => {
          const server = await kernelEchoServer(ns, 7);
          const count = 200;
          const bytes = 64 * 1024;
          const r = await fixtureJson<{ results: ClientResult[] }>(
            ns,
            'synack-clients.js',
            [addr, '7', String(count), String(bytes)],
            110_000,
          );
          assert.equal(r.results.length, count);
          const lines = await serverLines(server, count);
          const byPort = new Map(
            lines.map((l) => [Number(l.peer.slice(l.peer.lastIndexOf(':') + 1)), l]),
          );
          for (const c of r.results) {
            assert.equal(c.error, undefined, `connection ${c.index}: ${c.error}`);
            assert.equal(c.sent, bytes);
            assert.equal(c.received, bytes);
            assert.equal(c.receivedSha, c.sentSha);
            const l = byPort.get(c.localPort);
            assert.ok(l, `the kernel server saw the connection from port ${c.localPort}`);
            assert.equal(l.rxSha, c.sentSha);
            assert.equal(l.rx, bytes);
            // synack closed first (after sending): it is the active closer and ends in TIME-WAIT.
            // RFC 9293 §3.6 allows three paths there: FIN-WAIT-2 (our FIN acknowledged before the
            // peer's FIN), straight to TIME-WAIT (one segment ACKs our FIN and carries theirs), or
            // CLOSING (the FINs crossed); which one the kernel's timing gives varies under load.
            assert.ok(
              [
                'SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT',
                'SYN-SENT>ESTABLISHED>FIN-WAIT-1>TIME-WAIT',
                'SYN-SENT>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT',
              ].includes(c.states.join('>')),
              `connection ${c.index}: ${c.states.join('>')}`,
            );
          }
          await server.stop();
        });
      },
    );
  }

  for (const [family, host] of [
    ['IPv4', ADDR.host4],
    ['IPv6', ADDR.host6],
  ] as const) {
    tunTest(
      `synack connect, 256 MiB each way through a Python echo server over ${family} → SHA-256 equal at both ends`,
      { timeout: 180_000, needs: ['python3'] },
      async () => {
        await withNs(family === 'IPv4' ? 'cbig4' : 'cbig6', async (ns) => {
          const pcap = tmpPath('pcap');
          const server = await pythonServer(
            ns,
            [
              'import socket, hashlib',
              's = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)',
              's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
              's.bind(("::", 7)); s.listen(1)',
              'print("listening")',
              'c, a = s.accept()',
              'h = hashlib.sha256(); n = 0',
              'while True:',
              '    d = c.recv(1 << 20)',
              '    if not d: break',
              '    h.update(d); n += len(d)',
              '    c.sendall(d)',
              'c.shutdown(socket.SHUT_WR)',
              'c.close()',
              'print(n, h.hexdigest())',
            ].join('\n'),
          );
          const total = 256 * 1024 * 1024;
          const inHash = createHash('sha256');
          const outHash = createHash('sha256');
          let outBytes = 0;
          // Spawned directly (not through ChildProc, which reads stdout as text lines).
          const child = ns.spawn(process.execPath, [
            SYNACK_BIN,
            'connect',
            ...tunFlags(),
            '--pcap',
            pcap,
            host,
            '7',
          ]);
          child.stdout?.on('data', (d: Buffer) => {
            outBytes += d.length;
            outHash.update(d);
          });
          let stderr = '';
          child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
          // Feed 256 MiB of random bytes with backpressure.
          await new Promise<void>((resolve, reject) => {
            let sent = 0;
            const stdin = child.stdin!;
            stdin.on('error', reject);
            const write = (): void => {
              while (sent < total) {
                const b = randomBytes(1 << 20);
                inHash.update(b);
                sent += b.length;
                if (!stdin.write(b)) {
                  stdin.once('drain', write);
                  return;
                }
              }
              stdin.end(resolve);
            };
            write();
          });
          assert.equal(await exited(child, 170_000), 0, stderr);
          const m = await server.out.waitFor(/^(\d+) ([0-9a-f]{64})$/);
          const inSha = inHash.digest('hex');
          assert.equal(Number(m[1]), total);
          assert.equal(m[2], inSha, 'the kernel server read what synack connect was given');
          assert.equal(outBytes, total);
          assert.equal(
            outHash.digest('hex'),
            inSha,
            'synack connect printed what the server echoed',
          );
          await assertCleanCapture(pcap);
          removeFile(pcap);
        });
      },
    );
  }

  tunTest(
    'synack connect closes first (stdin EOF) → kernel CLOSE-WAIT (ss) then LAST-ACK → CLOSED, synack reaches TIME-WAIT',
    { timeout: 60_000, needs: ['python3', 'ss'] },
    async () => {
      await withNs('cclose', async (ns) => {
        const pcap = tmpPath('pcap');
        const server = await pythonServer(
          ns,
          [
            'import socket, sys',
            's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
            's.bind(("0.0.0.0", 7)); s.listen(1)',
            'print("listening")',
            'c, a = s.accept()',
            'got = b""',
            'while True:',
            '    d = c.recv(65536)',
            '    if not d: break',
            '    got += d',
            // Half-close from synack: the kernel can still send after the client's FIN.
            'c.sendall(b"reply after your FIN:" + got)',
            'print("eof", a[1], len(got))',
            'sys.stdin.readline()',
            'c.close()',
            'print("closed")',
          ].join('\n'),
        );
        const child = ChildProc.synack(ns, [
          'connect',
          '-v',
          ...tunFlags(),
          '--pcap',
          pcap,
          '--msl',
          '1',
          ADDR.host4,
          '7',
        ]);
        child.child.stdin?.end('hello kernel');
        const m = await server.out.waitFor(/^eof (\d+) (\d+)$/, 15_000);
        assert.equal(Number(m[2]), 12);
        const port = Number(m[1]);
        const before = (await kernelSockets(ns)).filter(
          (s) => s.local === `${ADDR.host4}:7` && s.peer === `${ADDR.synack4}:${port}`,
        );
        assert.deepEqual(
          before.map((s) => s.state),
          ['CLOSE-WAIT'],
        );
        server.child.stdin?.write('go\n');
        await server.out.waitFor(/^closed$/);
        assert.equal(await exited(child.child, 15_000), 0, child.err.text());
        assert.deepEqual(child.out.lines, []);
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(child.out.pending, 'reply after your FIN:hello kernel');
        const line = parseConnLine(
          child.err
            .text()
            .trim()
            .split('\n')
            .find((l) => l.startsWith('conn ')) ?? '',
        );
        assert.deepEqual(line?.states, [
          'SYN-SENT',
          'ESTABLISHED',
          'FIN-WAIT-1',
          'FIN-WAIT-2',
          'TIME-WAIT',
        ]);
        assert.equal(line?.end, 'clean');
        const after = (await kernelSockets(ns)).filter((s) => s.peer === `${ADDR.synack4}:${port}`);
        assert.deepEqual(after, [], 'the kernel side went LAST-ACK → CLOSED (no TIME-WAIT there)');
        const x = await expertErrors(pcap);
        assert.ok(x.packets >= 8);
        assert.equal(x.errors, '', x.report);
        removeFile(pcap);
      });
    },
  );

  tunTest(
    'kernel server closes first → kernel TIME-WAIT (ss), synack connect CLOSE-WAIT → LAST-ACK → CLOSED, still sending after the FIN',
    { timeout: 60_000, needs: ['python3', 'ss'] },
    async () => {
      await withNs('kfirst', async (ns) => {
        const server = await pythonServer(
          ns,
          [
            'import socket',
            's = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
            's.bind(("::", 7)); s.listen(1)',
            'print("listening")',
            'c, a = s.accept()',
            'c.sendall(b"bye")',
            'c.shutdown(socket.SHUT_WR)',
            // The kernel half-closed: it still reads what synack sends after that.
            'got = b""',
            'while True:',
            '    d = c.recv(65536)',
            '    if not d: break',
            '    got += d',
            'c.close()',
            'print("got", a[1], got.decode())',
          ].join('\n'),
        );
        const child = ChildProc.synack(ns, ['connect', '-v', ...tunFlags(), ADDR.host6, '7']);
        // Wait for the server's bytes and FIN (stdout ends), then send after it and close.
        for (let i = 0; i < 200 && !child.out.ended; i++)
          await new Promise((r) => setTimeout(r, 50));
        assert.equal(child.out.pending, 'bye');
        const mid = (await kernelSockets(ns)).filter((s) => s.local === `[${ADDR.host6}]:7`);
        assert.deepEqual(
          mid.map((s) => s.state),
          ['FIN-WAIT-2'],
        );
        child.child.stdin?.end('after your FIN');
        const m = await server.out.waitFor(/^got (\d+) (.*)$/, 15_000);
        assert.equal(m[2], 'after your FIN');
        assert.equal(await exited(child.child, 15_000), 0, child.err.text());
        const line = parseConnLine(
          child.err
            .text()
            .trim()
            .split('\n')
            .find((l) => l.startsWith('conn ')) ?? '',
        );
        assert.deepEqual(line?.states, [
          'SYN-SENT',
          'ESTABLISHED',
          'CLOSE-WAIT',
          'LAST-ACK',
          'CLOSED',
        ]);
        const after = (await kernelSockets(ns)).filter(
          (s) => s.local === `[${ADDR.host6}]:7` && s.peer.endsWith(`:${m[1]}`),
        );
        assert.deepEqual(
          after.map((s) => s.state),
          ['TIME-WAIT'],
        );
      });
    },
  );

  tunTest(
    'synack connect to a kernel port with no listener → RST → exit 1, "refused (ECONNREFUSED)"',
    { timeout: 60_000 },
    async () => {
      await withNs('crefused', async (ns) => {
        for (const host of [ADDR.host4, ADDR.host6]) {
          const r = await connect(ns, [...tunFlags(), host, '9'], new Uint8Array(0), 20_000);
          assert.equal(r.code, 1);
          assert.match(
            r.stderr.trim(),
            /^synack connect: connection to \S+:9 refused \(ECONNREFUSED\)$/,
          );
        }
      });
    },
  );

  tunTest(
    'synack connect, the kernel server aborts (SO_LINGER 0) → exit 1, "reset by peer (ECONNRESET)"',
    { timeout: 60_000, needs: ['python3'] },
    async () => {
      await withNs('creset', async (ns) => {
        await pythonServer(
          ns,
          [
            'import socket, struct',
            's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
            's.bind(("0.0.0.0", 7)); s.listen(1)',
            'print("listening")',
            'c, a = s.accept()',
            'c.recv(100)',
            'c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))',
            'c.close()',
          ].join('\n'),
        );
        const child = ChildProc.synack(ns, ['connect', ...tunFlags(), ADDR.host4, '7']);
        child.child.stdin?.write('hello');
        const code = await exited(child.child, 20_000);
        assert.equal(code, 1);
        assert.match(
          child.err.text().trim(),
          /^synack connect: connection to 198\.18\.0\.1:7 reset by peer \(ECONNRESET\)$/,
        );
      });
    },
  );

  tunTest(
    'synack client aborts after sending → the kernel server reads ECONNRESET',
    { timeout: 60_000 },
    async () => {
      await withNs('cabort', async (ns) => {
        const server = await kernelEchoServer(ns, 7);
        const r = await fixtureJson<{ results: ClientResult[] }>(ns, 'synack-clients.js', [
          ADDR.host4,
          '7',
          '1',
          '1000',
          'abort',
        ]);
        assert.equal(r.results[0]?.error, 'aborted');
        const [l] = await serverLines(server, 1);
        assert.equal(l?.error, 'ECONNRESET');
        await server.stop();
      });
    },
  );
});

describe("synack's Node-compatible sockets (src/net) → kernel (TUN)", () => {
  tunTest(
    'net socket, connect to a kernel port with no listener (IPv4, IPv6) → error code ECONNREFUSED, syscall connect',
    { timeout: 60_000 },
    async () => {
      await withNs('netrefused', async (ns) => {
        for (const host of [ADDR.host4, ADDR.host6]) {
          const r = await fixtureJson<{ result: string; syscall: string }>(ns, 'synack-net.js', [
            'refused',
            host,
            '9',
          ]);
          assert.equal(r.result, 'ECONNREFUSED');
          assert.equal(r.syscall, 'connect');
        }
      });
    },
  );

  tunTest(
    'net socket, the kernel server aborts (SO_LINGER 0) → error code ECONNRESET',
    { timeout: 60_000, needs: ['python3'] },
    async () => {
      await withNs('netreset', async (ns) => {
        await pythonServer(
          ns,
          [
            'import socket, struct',
            's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
            's.bind(("0.0.0.0", 7)); s.listen(1)',
            'print("listening")',
            'c, a = s.accept()',
            'c.recv(100)',
            'c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))',
            'c.close()',
          ].join('\n'),
        );
        const r = await fixtureJson<{ result: string }>(ns, 'synack-net.js', [
          'reset',
          ADDR.host4,
          '7',
        ]);
        assert.equal(r.result, 'ECONNRESET');
      });
    },
  );

  tunTest(
    'net socket, 8 MiB to a kernel echo server over IPv6 and end() → the echo back, SHA-256 equal at both ends',
    { timeout: 60_000 },
    async () => {
      await withNs('netecho', async (ns) => {
        const server = await kernelEchoServer(ns, 7);
        const r = await fixtureJson<{
          result: string;
          received: number;
          sentSha: string;
          receivedSha: string;
        }>(ns, 'synack-net.js', ['echo', ADDR.host6, '7', String(8 * 1024 * 1024)]);
        assert.equal(r.result, 'ok');
        assert.equal(r.received, 8 * 1024 * 1024);
        assert.equal(r.receivedSha, r.sentSha);
        const [l] = await serverLines(server, 1);
        assert.equal(l?.rxSha, r.sentSha);
        await server.stop();
      });
    },
  );
});
