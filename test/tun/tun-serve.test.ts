/**
 * Kernel client → synack server, on a TUN device in a namespace of the test's own: Node's `net`
 * and Python sockets (the kernel's TCP) against `synack serve`. Each test checks exact bytes
 * (SHA-256 at both ends), exact states (synack's per-connection line, the kernel's `ss -tan`) and
 * that tshark's expert analysis of the capture finds no error.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePacket } from '../../src/wire/ip-packet.js';
import { TcpFlag } from '../../src/wire/tcp-segment.js';
import {
  ADDR,
  ChildProc,
  connLines,
  expertErrors,
  fixtureJson,
  kernelSockets,
  Netns,
  pcapRecords,
  removeFile,
  tmpPath,
  tunFlags,
  tunTest,
} from './netns.js';

interface EchoResult {
  index: number;
  sent: number;
  received: number;
  sentSha: string;
  receivedSha: string;
  localPort: number;
  error?: string;
}

/** Runs `fn` with a namespace and a `synack serve` in it; cleans up both, checks the capture. */
async function withServer(
  tag: string,
  serveArgs: string[],
  fn: (ns: Netns, server: ChildProc) => Promise<void>,
  opts: { capture?: boolean; inspect?: (pcap: string) => void } = {},
): Promise<void> {
  const ns = await Netns.create(tag);
  const pcap = opts.capture === false ? undefined : tmpPath('pcap');
  try {
    const server = await ChildProc.serve(ns, [
      ...tunFlags(),
      ...serveArgs,
      ...(pcap ? ['--pcap', pcap] : []),
    ]);
    await fn(ns, server);
    assert.equal(await server.stop(), 0, server.err.text());
    // serve's last line: nothing dropped on the way out, no checksum error on the way in.
    const stats = statsOf(server);
    assert.equal(stats.txDropped, 0);
    assert.equal(stats.TcpInCsumErrors, 0);
    if (pcap) {
      opts.inspect?.(pcap);
      const x = await expertErrors(pcap);
      assert.ok(x.packets > 0, 'the capture has packets');
      assert.equal(x.errors, '', `tshark expert errors:\n${x.report}`);
    }
  } finally {
    await ns.destroy();
    if (pcap) removeFile(pcap);
  }
}

/** The numbers of serve's closing `stats …` line. */
function statsOf(server: ChildProc): Record<string, number> {
  const line = server.out.lines.find((l) => l.startsWith('stats '));
  assert.ok(line, `serve printed its stats line: ${server.out.lines.join(' | ')}`);
  const out: Record<string, number> = {};
  for (const m of line.matchAll(/(\w+)=(\d+)/g)) out[m[1] as string] = Number(m[2]);
  return out;
}

/** Python in the namespace; returns stdout (throws on a non-zero exit). */
async function python(ns: Netns, code: string, timeout = 30_000): Promise<string> {
  const r = await ns.run('python3', ['-c', code], { timeout });
  if (r.code !== 0) throw new Error(`python exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function checkEcho(results: EchoResult[], count: number, bytes: number): void {
  assert.equal(results.length, count);
  for (const r of results) {
    assert.equal(r.error, undefined, `connection ${r.index}: ${r.error}`);
    assert.equal(r.sent, bytes);
    assert.equal(r.received, bytes);
    assert.equal(r.receivedSha, r.sentSha, `connection ${r.index}: echoed bytes differ`);
  }
}

describe('kernel client → synack serve (TUN)', () => {
  for (const [family, addr] of [
    ['IPv4', ADDR.synack4],
    ['IPv6', ADDR.synack6],
  ] as const) {
    tunTest(
      `serve echo, 200 concurrent kernel connections over ${family}, 64 KiB each way → all echoed, SHA-256 equal at both ends`,
      { timeout: 120_000 },
      async () => {
        await withServer(
          family === 'IPv4' ? 'many4' : 'many6',
          ['--port', '7', '--app', 'echo', '--msl', '1'],
          async (ns, server) => {
            const count = 200;
            const bytes = 64 * 1024;
            const r = await fixtureJson<{ results: EchoResult[] }>(
              ns,
              'kernel-client.js',
              ['echo', addr, '7', String(count), String(bytes)],
              90_000,
            );
            checkEcho(r.results, count, bytes);
            const lines = await connLines(server, count);
            // Reads came in batches: fewer read callbacks than packets (no per-packet round trip).
            await server.stop();
            const stats = statsOf(server);
            assert.ok(stats.rx !== undefined && stats.rxBatches !== undefined);
            assert.ok(
              (stats.rxBatches as number) < (stats.rx as number),
              `batched reads: ${stats.rx} packets in ${stats.rxBatches} callbacks`,
            );
            const byPort = new Map(
              lines.map((l) => [Number(l.peer.slice(l.peer.lastIndexOf(':') + 1)), l]),
            );
            for (const c of r.results) {
              const l = byPort.get(c.localPort);
              assert.ok(l, `synack has a line for the connection from port ${c.localPort}`);
              // Synack read exactly what the kernel sent, and sent back exactly what the kernel read.
              assert.equal(l.rxSha, c.sentSha);
              assert.equal(l.txSha, c.receivedSha);
              assert.equal(l.end, 'clean');
              // The kernel closed first (end() after sending): synack is the passive closer.
              assert.deepEqual(l.states, ['ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);
            }
          },
        );
      },
    );
  }

  for (const [family, addr] of [
    ['IPv4', ADDR.synack4],
    ['IPv6', ADDR.synack6],
  ] as const) {
    tunTest(
      `serve echo, one kernel connection moving 256 MiB each way over ${family} → SHA-256 equal at both ends`,
      { timeout: 180_000 },
      async () => {
        await withServer(
          family === 'IPv4' ? 'big4' : 'big6',
          ['--port', '7', '--app', 'echo', '--msl', '1'],
          async (ns, server) => {
            const bytes = 256 * 1024 * 1024;
            const r = await fixtureJson<{ seconds: number; results: EchoResult[] }>(
              ns,
              'kernel-client.js',
              ['echo', addr, '7', '1', String(bytes)],
              170_000,
            );
            checkEcho(r.results, 1, bytes);
            const [l] = await connLines(server, 1);
            assert.equal(l?.rx, bytes);
            assert.equal(l?.tx, bytes);
            assert.equal(l?.rxSha, r.results[0]?.sentSha);
            assert.equal(l?.txSha, r.results[0]?.receivedSha);
          },
        );
      },
    );
  }

  for (const [family, addr] of [
    ['IPv4', ADDR.synack4],
    ['IPv6', ADDR.synack6],
  ] as const) {
    tunTest(
      `serve echo --offload, MTU 1500, 32 MiB each way over ${family} → SHA-256 equal at both ends, GSO packets on the device`,
      { timeout: 120_000 },
      async () => {
        let largest = 0;
        await withServer(
          family === 'IPv4' ? 'off4' : 'off6',
          ['--port', '7', '--app', 'echo', '--msl', '1', '--offload'],
          async (ns, server) => {
            const bytes = 32 * 1024 * 1024;
            const r = await fixtureJson<{ seconds: number; results: EchoResult[] }>(
              ns,
              'kernel-client.js',
              ['echo', addr, '7', '1', String(bytes)],
              110_000,
            );
            checkEcho(r.results, 1, bytes);
            const [l] = await connLines(server, 1);
            assert.equal(l?.rxSha, r.results[0]?.sentSha);
            assert.equal(l?.txSha, r.results[0]?.receivedSha);
          },
          {
            inspect: (pcap) => {
              for (const p of pcapRecords(pcap)) largest = Math.max(largest, p.length);
            },
          },
        );
        // With the offloads on, whole GSO packets cross the device (as tcpdump shows on a veth).
        assert.ok(largest > 1500, `largest packet on the device: ${largest} bytes`);
      },
    );
  }

  tunTest(
    'serve discard, 10 MiB from the kernel → all read, SHA-256 equal; serve chargen → the RFC 864 pattern until the kernel half-closes',
    { timeout: 60_000, needs: ['python3'] },
    async () => {
      await withServer(
        'discard',
        ['--port', '9', '--app', 'discard', '--msl', '1'],
        async (ns, server) => {
          const out = await python(
            ns,
            [
              'import socket, hashlib, os',
              `s = socket.create_connection(("${ADDR.synack4}", 9), timeout=10)`,
              'data = os.urandom(10 * 1024 * 1024)',
              's.sendall(data)',
              's.shutdown(socket.SHUT_WR)',
              'assert s.recv(10) == b""',
              's.close()',
              'print(hashlib.sha256(data).hexdigest())',
            ].join('\n'),
          );
          const [l] = await connLines(server, 1);
          assert.equal(l?.rx, 10 * 1024 * 1024);
          assert.equal(l?.rxSha, out.trim());
          assert.equal(l?.tx, 0);
          assert.deepEqual(l?.states, ['ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);
        },
      );
      await withServer(
        'chargen',
        ['--port', '19', '--app', 'chargen', '--msl', '1'],
        async (ns, server) => {
          const out = await python(
            ns,
            [
              'import socket',
              `s = socket.create_connection(("${ADDR.synack6}", 19), timeout=10)`,
              'got = b""',
              'while len(got) < 1000000:',
              '    got += s.recv(65536)',
              // Half-close: chargen stops at our FIN (after what it already queued) and closes.
              's.shutdown(socket.SHUT_WR)',
              'while True:',
              '    d = s.recv(65536)',
              '    if not d: break',
              '    got += d',
              's.close()',
              'lines = got.split(b"\\r\\n")',
              'full = lines[:-1]',
              'ok = all(len(x) == 72 for x in full)',
              'ok = ok and all(full[i] == bytes(32 + (i + j) % 95 for j in range(72)) for i in range(len(full)))',
              'print(len(got), ok)',
            ].join('\n'),
          );
          const [n, ok] = out.trim().split(' ');
          assert.equal(ok, 'True');
          const [l] = await connLines(server, 1);
          assert.equal(l?.tx, Number(n));
          assert.equal(l?.end, 'clean');
          assert.deepEqual(l?.states, ['ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);
        },
      );
    },
  );

  tunTest(
    'serve hold, the kernel sends until its buffer is full → synack advertises a zero window and answers the probes with it',
    { timeout: 60_000, needs: ['python3'] },
    async () => {
      await withServer(
        'hold',
        ['--port', '7', '--app', 'hold', '--rcvbuf', '65536'],
        async (ns, server) => {
          const out = await python(
            ns,
            [
              'import socket, struct, time',
              `s = socket.create_connection(("${ADDR.synack4}", 7), timeout=10)`,
              's.setblocking(False)',
              'sent = 0',
              'deadline = time.time() + 10',
              'while time.time() < deadline:',
              '    try:',
              '        sent += s.send(b"z" * 65536)',
              '    except BlockingIOError:',
              '        time.sleep(0.05)',
              '        try:',
              '            sent += s.send(b"z" * 65536)',
              '        except BlockingIOError:',
              '            break',
              // Long enough for the kernel's persist timer to probe the zero window a few times.
              'time.sleep(1.5)',
              's.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))',
              's.close()',
              'print(sent)',
            ].join('\n'),
          );
          assert.ok(Number(out.trim()) > 65536, 'the kernel buffered more than synack would take');
          const [l] = await connLines(server, 1);
          assert.equal(l?.rx, 0, 'hold never reads');
          assert.equal(l?.end, 'error=reset');
        },
        {
          inspect: (pcap) => {
            const fromSynack = pcapRecords(pcap)
              .map((b) => parsePacket(b))
              .flatMap((r) => (r.ok && r.value.protocol === 'tcp' ? [r.value] : []))
              .filter((p) => p.src === ADDR.synack4);
            const zero = fromSynack.filter(
              (p) => p.segment.window === 0 && (p.segment.flags & TcpFlag.RST) === 0,
            );
            assert.ok(
              zero.length >= 2,
              `zero-window ACKs: ${zero.length} (the first, then answers to probes)`,
            );
          },
        },
      );
    },
  );

  tunTest(
    'serve echo, the kernel closes first → kernel TIME-WAIT (ss), synack CLOSE-WAIT → LAST-ACK → CLOSED',
    { timeout: 60_000, needs: ['python3', 'ss'] },
    async () => {
      const trace = tmpPath('ndjson');
      await withServer(
        'kclose',
        ['--port', '7', '--app', 'echo', '--msl', '1', '--trace', trace],
        async (ns, server) => {
          const out = await python(
            ns,
            [
              'import socket',
              `s = socket.create_connection(("${ADDR.synack4}", 7), timeout=10)`,
              'port = s.getsockname()[1]',
              's.sendall(b"x" * 5000)',
              's.shutdown(socket.SHUT_WR)',
              'got = b""',
              'while True:',
              '    d = s.recv(65536)',
              '    if not d: break',
              '    got += d',
              's.close()',
              'print(port, len(got))',
            ].join('\n'),
          );
          const [port, got] = out.trim().split(' ').map(Number);
          assert.equal(got, 5000);
          const [l] = await connLines(server, 1);
          assert.deepEqual(l?.states, ['ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);
          assert.equal(l?.end, 'clean');
          const socks = await kernelSockets(ns);
          const mine = socks.filter((s) => s.local === `${ADDR.host4}:${port}`);
          assert.deepEqual(
            mine.map((s) => s.state),
            ['TIME-WAIT'],
            `ss -tan: ${JSON.stringify(socks)}`,
          );
          // --trace: the NDJSON file has this connection's segments and state changes.
          assert.equal(await server.stop(), 0);
          const records = readFileSync(trace, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as { type: string; to?: string; event?: string });
          assert.deepEqual(
            records.filter((r) => r.type === 'state').map((r) => r.to),
            ['LISTEN', 'SYN-RECEIVED', 'ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSED'],
          );
          assert.ok(records.filter((r) => r.type === 'segment' && r.event === 'recv').length >= 4);
          removeFile(trace);
        },
      );
    },
  );

  tunTest(
    'serve close, synack closes first → kernel CLOSE-WAIT (ss) then LAST-ACK → CLOSED, synack ends in TIME-WAIT',
    { timeout: 60_000, needs: ['python3', 'ss'] },
    async () => {
      await withServer(
        'sclose',
        ['--port', '7', '--app', 'close', '--msl', '1'],
        async (ns, server) => {
          // Python reads to EOF (synack's FIN), reports, and waits for the test to look at `ss`
          // before it closes its own side.
          const py = ns.spawn('python3', [
            '-u',
            '-c',
            [
              'import socket, sys',
              `s = socket.create_connection(("${ADDR.synack4}", 7), timeout=10)`,
              'port = s.getsockname()[1]',
              'assert s.recv(100) == b""',
              'print("eof", port)',
              'sys.stdin.readline()',
              's.close()',
              'print("closed")',
            ].join('\n'),
          ]);
          const p = new ChildProc(py);
          const m = await p.out.waitFor(/^eof (\d+)$/, 15_000);
          const port = Number(m[1]);
          const before = (await kernelSockets(ns)).filter(
            (s) => s.local === `${ADDR.host4}:${port}`,
          );
          assert.deepEqual(
            before.map((s) => s.state),
            ['CLOSE-WAIT'],
          );
          py.stdin?.write('go\n');
          await p.out.waitFor(/^closed$/, 15_000);
          const [l] = await connLines(server, 1, 15_000);
          // RFC 9293 §3.6: the side that closes first passes through TIME-WAIT (here 2·MSL = 2 s).
          // FIN-WAIT-2 shows only when Linux ACKs our FIN before it sends its own: it delays that
          // ACK (pingpong mode after a FIN), so a quick close folds both into one segment.
          assert.match(
            l?.states.join('>') ?? '',
            /^ESTABLISHED>FIN-WAIT-1>(FIN-WAIT-2>)?TIME-WAIT>CLOSED$/,
          );
          assert.equal(l?.end, 'clean');
          // The kernel's side went LAST-ACK → CLOSED: nothing of it is left (in particular no TIME-WAIT).
          const after = (await kernelSockets(ns)).filter(
            (s) => s.local === `${ADDR.host4}:${port}`,
          );
          assert.deepEqual(after, []);
        },
      );
    },
  );

  tunTest(
    'serve shutwr, synack half-closes first → the kernel reads EOF and still sends 100000 bytes, all received',
    { timeout: 60_000, needs: ['python3'] },
    async () => {
      await withServer(
        'shutwr',
        ['--port', '7', '--app', 'shutwr', '--msl', '1'],
        async (ns, server) => {
          const out = await python(
            ns,
            [
              'import socket, hashlib',
              `s = socket.create_connection(("${ADDR.synack6}", 7), timeout=10)`,
              'assert s.recv(100) == b""',
              'data = bytes(range(256)) * 390 + b"0123456789" * 16',
              's.sendall(data)',
              's.close()',
              'print(len(data), hashlib.sha256(data).hexdigest())',
            ].join('\n'),
          );
          const [n, sha] = out.trim().split(' ');
          assert.equal(n, '100000');
          const [l] = await connLines(server, 1, 15_000);
          assert.equal(l?.rx, 100000);
          assert.equal(l?.rxSha, sha);
          assert.equal(l?.tx, 0);
          assert.equal(l?.states.at(-2), 'TIME-WAIT');
          assert.equal(l?.end, 'clean');
        },
      );
    },
  );

  tunTest(
    'serve, a port with no listener → the kernel client gets ECONNREFUSED (IPv4 and IPv6)',
    { timeout: 60_000 },
    async () => {
      await withServer('refused', ['--port', '7', '--app', 'echo'], async (ns) => {
        for (const addr of [ADDR.synack4, ADDR.synack6]) {
          const r = await fixtureJson<{ result: string }>(ns, 'kernel-client.js', [
            'connect',
            addr,
            '8',
          ]);
          assert.equal(r.result, 'ECONNREFUSED');
        }
      });
    },
  );

  tunTest(
    'serve abort, synack resets right after accepting → the kernel client gets ECONNRESET',
    { timeout: 60_000 },
    async () => {
      await withServer('abort', ['--port', '7', '--app', 'abort'], async (ns, server) => {
        const r = await fixtureJson<{ result: string }>(ns, 'kernel-client.js', [
          'reset-read',
          ADDR.synack4,
          '7',
        ]);
        assert.equal(r.result, 'ECONNRESET');
        const [l] = await connLines(server, 1);
        assert.equal(l?.end, 'error=aborted');
      });
    },
  );

  tunTest(
    'serve echo, the kernel aborts (SO_LINGER 0) → synack sees the RST: error=reset',
    { timeout: 60_000, needs: ['python3'] },
    async () => {
      await withServer('kabort', ['--port', '7', '--app', 'echo'], async (ns, server) => {
        await python(
          ns,
          [
            'import socket, struct',
            `s = socket.create_connection(("${ADDR.synack4}", 7), timeout=10)`,
            's.sendall(b"ping")',
            'assert s.recv(4) == b"ping"',
            's.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))',
            's.close()',
          ].join('\n'),
        );
        const [l] = await connLines(server, 1);
        assert.equal(l?.end, 'error=reset');
        assert.equal(l?.rx, 4);
      });
    },
  );

  tunTest(
    'serve echo, a kernel client from an address outside --host-ip and to an address routed to the device → answered',
    { timeout: 60_000 },
    async () => {
      await withServer(
        'anyaddr',
        ['--port', '7', '--app', 'echo', '--msl', '1'],
        async (ns, server) => {
          // A source the device's subnet does not contain (on lo), and a destination that is not
          // --ip but routed to the device: the stack answers both (the device is its route to everywhere).
          await ns.must('ip', ['addr', 'add', '198.19.7.7/32', 'dev', 'lo']);
          await ns.must('ip', ['route', 'add', '198.19.200.0/24', 'dev', 'syn0']);
          const js =
            `const s=require('net').connect({host:'198.19.200.5',port:7,localAddress:'198.19.7.7'});` +
            `let d='';s.on('data',x=>d+=x);s.on('end',()=>{console.log(JSON.stringify({d,local:s.localAddress}))});` +
            `s.on('error',e=>console.log(JSON.stringify({error:e.code})));s.end('anywhere');`;
          const r = await ns.run(process.execPath, ['-e', js], { timeout: 15_000 });
          assert.deepEqual(JSON.parse(r.stdout.trim()), { d: 'anywhere', local: '198.19.7.7' });
          const [l] = await connLines(server, 1);
          assert.equal(l?.peer, '198.19.7.7:' + l?.peer.split(':')[1]);
          assert.match(l?.local ?? '', /^198\.19\.200\.5:7$/);
        },
      );
    },
  );

  tunTest(
    'serve, ICMP and ICMPv6 echo requests from the kernel → echo replies with the same id, sequence and data',
    { timeout: 60_000, needs: ['python3'] },
    async () => {
      await withServer('ping', ['--port', '7', '--app', 'echo'], async (ns) => {
        const out = await python(
          ns,
          [
            'import socket, struct, os',
            'def csum(b):',
            '    if len(b) % 2: b += b"\\0"',
            '    s = sum(struct.unpack("!%dH" % (len(b)//2), b))',
            '    while s >> 16: s = (s & 0xffff) + (s >> 16)',
            '    return ~s & 0xffff',
            'ident = os.getpid() & 0xffff',
            'payload = b"synack-ping-" * 4',
            // ICMPv4: the kernel adds the IP header; we compute the ICMP checksum.
            's = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)',
            's.settimeout(5)',
            'h = struct.pack("!BBHHH", 8, 0, 0, ident, 1)',
            'pkt = struct.pack("!BBHHH", 8, 0, csum(h + payload), ident, 1) + payload',
            `s.sendto(pkt, ("${ADDR.synack4}", 0))`,
            'while True:',
            '    r, a = s.recvfrom(2048)',
            '    ihl = (r[0] & 15) * 4',
            '    t, c, ck, i, q = struct.unpack("!BBHHH", r[ihl:ihl+8])',
            '    if t == 0 and i == ident: break',
            'print("v4", a[0], q, r[ihl+8:] == payload, csum(r[ihl:]) == 0)',
            // ICMPv6: the kernel fills in the checksum (RFC 3542 §3.1) and strips the IPv6 header.
            's6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)',
            's6.settimeout(5)',
            `s6.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, 2) + payload, ("${ADDR.synack6}", 0))`,
            'while True:',
            '    r, a = s6.recvfrom(2048)',
            '    t, c, ck, i, q = struct.unpack("!BBHHH", r[:8])',
            '    if t == 129 and i == ident: break',
            'print("v6", a[0], q, r[8:] == payload)',
          ].join('\n'),
        );
        assert.deepEqual(out.trim().split('\n'), [
          `v4 ${ADDR.synack4} 1 True True`,
          `v6 ${ADDR.synack6} 2 True`,
        ]);
      });
    },
  );
});
