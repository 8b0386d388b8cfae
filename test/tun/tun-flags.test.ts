/**
 * The stack settings every TUN command takes (--mss, --keepalive, --syn-retries, --rcvbuf …) seen
 * on the wire against the kernel.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { parsePacket } from '../../src/wire/ip-packet.js';
import { TcpFlag } from '../../src/wire/tcp-segment.js';
import {
  ADDR,
  assertCleanCapture,
  ChildProc,
  connLines,
  exited,
  Netns,
  pcapRecords,
  removeFile,
  run,
  tmpPath,
  tunFlags,
  tunTest,
} from './netns.js';

/** TCP segments of a capture, parsed. */
function segments(pcap: string) {
  return pcapRecords(pcap)
    .map((b) => parsePacket(b))
    .flatMap((r) => (r.ok && r.value.protocol === 'tcp' ? [r.value] : []));
}

describe('TUN command flags on the wire', () => {
  tunTest(
    'serve --mss 1000 --rcvbuf 20000 → the SYN-ACK carries MSS 1000 and the kernel never sends more than 1000 bytes a segment',
    { timeout: 60_000, needs: ['python3'] },
    async () => {
      const ns = await Netns.create('mss');
      const pcap = tmpPath('pcap');
      try {
        const server = await ChildProc.serve(ns, [
          ...tunFlags(),
          '--port',
          '9',
          '--app',
          'discard',
          '--mss',
          '1000',
          '--rcvbuf',
          '20000',
          '--pcap',
          pcap,
        ]);
        const r = await ns.run(
          'python3',
          [
            '-c',
            `import socket\ns = socket.create_connection(("${ADDR.synack4}", 9))\ns.sendall(b"m" * 300000)\ns.shutdown(socket.SHUT_WR)\ns.recv(1)\ns.close()`,
          ],
          { timeout: 30_000 },
        );
        assert.equal(r.code, 0, r.stderr);
        const [l] = await connLines(server, 1);
        assert.equal(l?.rx, 300000);
        await server.stop();
        const segs = segments(pcap);
        const synAck = segs.find((p) => p.segment.flags === (TcpFlag.SYN | TcpFlag.ACK));
        assert.equal(synAck?.segment.options.mss, 1000);
        const fromKernel = segs.filter((p) => p.src === ADDR.host4);
        assert.ok(Math.max(...fromKernel.map((p) => p.segment.payload.length)) <= 1000);
        // The window synack advertises never exceeds its receive buffer.
        const fromSynack = segs.filter(
          (p) => p.src === ADDR.synack4 && (p.segment.flags & TcpFlag.SYN) === 0,
        );
        const scale = synAck?.segment.options.windowScale ?? 0;
        assert.ok(fromSynack.every((p) => p.segment.window << scale <= 20000));
        await assertCleanCapture(pcap);
      } finally {
        await ns.destroy();
        removeFile(pcap);
      }
    },
  );

  tunTest(
    'serve --keepalive 1, an idle kernel connection → synack sends keep-alive probes and the kernel answers them',
    { timeout: 60_000, needs: ['python3', 'tshark'] },
    async () => {
      const ns = await Netns.create('keepalive');
      const pcap = tmpPath('pcap');
      try {
        const server = await ChildProc.serve(ns, [
          ...tunFlags(),
          '--port',
          '7',
          '--app',
          'echo',
          '--keepalive',
          '1',
          '--pcap',
          pcap,
        ]);
        const r = await ns.run(
          'python3',
          [
            '-c',
            `import socket, time\ns = socket.create_connection(("${ADDR.synack4}", 7))\ns.sendall(b"x")\nassert s.recv(1) == b"x"\ntime.sleep(3.5)\ns.close()`,
          ],
          { timeout: 30_000 },
        );
        assert.equal(r.code, 0, r.stderr);
        await connLines(server, 1);
        await server.stop();
        const ka = await run('tshark', ['-n', '-r', pcap, '-Y', 'tcp.analysis.keep_alive'], {
          timeout: 60_000,
        });
        const kaAck = await run('tshark', ['-n', '-r', pcap, '-Y', 'tcp.analysis.keep_alive_ack'], {
          timeout: 60_000,
        });
        const probes = ka.stdout.trim().split('\n').filter(Boolean);
        assert.ok(
          probes.length >= 2,
          `keep-alive probes after 1 s idle: ${probes.length}\n${ka.stdout}`,
        );
        assert.ok(
          probes.every(
            (l) => l.includes(`${ADDR.synack4} → ${ADDR.host4}`) || l.includes(ADDR.synack4),
          ),
        );
        assert.ok(
          kaAck.stdout.trim().split('\n').filter(Boolean).length >= 2,
          'the kernel ACKed the probes',
        );
        await assertCleanCapture(pcap);
      } finally {
        await ns.destroy();
        removeFile(pcap);
      }
    },
  );

  tunTest(
    'connect --syn-retries 1 to a black-holed address → the SYN is sent twice, then exit 1 "timed out (ETIMEDOUT)"',
    { timeout: 60_000 },
    async () => {
      const ns = await Netns.create('synretry');
      const pcap = tmpPath('pcap');
      try {
        await ns.must('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
        await ns.must('ip', ['route', 'add', 'blackhole', '198.19.66.0/24']);
        const p = ChildProc.synack(ns, [
          'connect',
          ...tunFlags(),
          '--syn-retries',
          '1',
          '--pcap',
          pcap,
          '198.19.66.1',
          '80',
        ]);
        p.child.stdin?.end();
        assert.equal(await exited(p.child, 30_000), 1);
        assert.equal(
          p.err.text().trim(),
          'synack connect: connection to 198.19.66.1:80 timed out (ETIMEDOUT)',
        );
        const syns = segments(pcap).filter((s) => s.segment.flags === TcpFlag.SYN);
        assert.equal(syns.length, 2);
        await assertCleanCapture(pcap);
      } finally {
        await ns.destroy();
        removeFile(pcap);
      }
    },
  );
});
