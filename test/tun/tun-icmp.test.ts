/**
 * ICMP on the TUN link, with the kernel as the router that sends it: "destination unreachable"
 * during a handshake fails the connection (RFC 1122 4.2.3.9 / RFC 5461), and "fragmentation
 * needed" (RFC 1191) / ICMPv6 "packet too big" (RFC 8201) lowers the path MTU of the connection
 * whose packet was too big, so the transfer completes. A second namespace behind a veth pair with
 * a 1280-byte route MTU is the far side of the narrow path.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  assertCleanCapture,
  ChildProc,
  exited,
  expertErrors,
  FIXTURES,
  fixtureJson,
  Netns,
  pcapRecords,
  removeFile,
  SYNACK_BIN,
  tmpPath,
  tunFlags,
  tunTest,
} from './netns.js';

interface PacketInfo {
  version: 4 | 6;
  length: number;
  proto: number;
  icmpType?: number;
  icmpCode?: number;
  mtu?: number;
  src: string;
}

function describePacket(p: Uint8Array): PacketInfo {
  const v = (p[0] as number) >> 4;
  if (v === 4) {
    const ihl = ((p[0] as number) & 15) * 4;
    const info: PacketInfo = {
      version: 4,
      length: (p[2]! << 8) | p[3]!,
      proto: p[9]!,
      src: p.subarray(12, 16).join('.'),
    };
    if (info.proto === 1) {
      info.icmpType = p[ihl];
      info.icmpCode = p[ihl + 1];
      info.mtu = (p[ihl + 6]! << 8) | p[ihl + 7]!;
    }
    return info;
  }
  const info: PacketInfo = {
    version: 6,
    length: 40 + ((p[4]! << 8) | p[5]!),
    proto: p[6]!,
    src: Buffer.from(p.subarray(8, 24)).toString('hex'),
  };
  if (info.proto === 58) {
    info.icmpType = p[40];
    info.icmpCode = p[41];
    info.mtu = ((p[44]! << 24) | (p[45]! << 16) | (p[46]! << 8) | p[47]!) >>> 0;
  }
  return info;
}

/** `synack connect` with binary stdin/stdout; resolves once it exited. */
async function connectBinary(
  ns: Netns,
  args: string[],
  input: Uint8Array,
  timeout = 60_000,
): Promise<{ code: number | null; out: Buffer; stderr: string }> {
  const child = ns.spawn(process.execPath, [SYNACK_BIN, 'connect', ...args]);
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => chunks.push(d));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin?.end(input);
  const code = await exited(child, timeout);
  return { code, out: Buffer.concat(chunks), stderr };
}

describe('ICMP on the TUN link', () => {
  tunTest(
    'synack connect, the kernel router answers the SYN with a hard ICMP error (prohibited; IPv4 and IPv6) → the handshake fails at once: exit 1, EHOSTUNREACH',
    { timeout: 60_000 },
    async () => {
      const ns = await Netns.create('unreach');
      try {
        // With forwarding on, a packet for a "prohibit" route gets ICMP destination unreachable,
        // "communication administratively prohibited" (IPv4 code 13, ICMPv6 code 1): a hard error
        // (RFC 9293 §3.9.2.2, Linux's icmp_err_convert), so the open fails on the first one.
        await ns.must('sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
        await ns.must('ip', ['route', 'add', 'prohibit', '198.19.99.0/24']);
        await ns.must('ip', ['-6', 'route', 'add', 'prohibit', '2001:db8:99::/48']);
        for (const host of ['198.19.99.1', '2001:db8:99::1']) {
          const pcap = tmpPath('pcap');
          const r = await connectBinary(
            ns,
            [...tunFlags(), '--pcap', pcap, host, '80'],
            new Uint8Array(0),
            30_000,
          );
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr.trim(), /^synack connect: \S+:80 is unreachable \(EHOSTUNREACH\)$/);
          const packets = pcapRecords(pcap).map(describePacket);
          const icmp = packets.filter((p) => p.proto === 1 || p.proto === 58);
          assert.deepEqual(
            icmp.map((p) => [p.icmpType, p.icmpCode]),
            [host.includes(':') ? [1, 1] : [3, 13]],
          );
          // Failed on the first ICMP: one SYN, no retransmission.
          assert.equal(packets.filter((p) => p.proto === 6).length, 1);
          await assertCleanCapture(pcap);
          removeFile(pcap);
          // The same through synack's Node-compatible socket: the error Node programs see.
          const r2 = await fixtureJson<{ result: string; syscall: string }>(ns, 'synack-net.js', [
            'refused',
            host,
            '80',
          ]);
          assert.deepEqual([r2.result, r2.syscall], ['EHOSTUNREACH', 'connect']);
        }
      } finally {
        await ns.destroy();
      }
    },
  );

  tunTest(
    'synack connect --syn-retries 1, the router answers with a soft ICMP error (host unreachable; IPv4 and IPv6) → the SYN is retried, then exit 1, EHOSTUNREACH (not ETIMEDOUT)',
    { timeout: 60_000 },
    async () => {
      const ns = await Netns.create('softunr');
      try {
        // "unreachable" routes give IPv4 code 1 (host unreachable) and ICMPv6 code 0 (no route):
        // soft errors, which MUST NOT abort the open (RFC 9293 §3.9.2.2, MUST-56); when the SYN
        // retries run out, the error reported is the ICMP's.
        await ns.must('sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
        await ns.must('ip', ['route', 'add', 'unreachable', '198.19.99.0/24']);
        await ns.must('ip', ['-6', 'route', 'add', 'unreachable', '2001:db8:99::/48']);
        for (const host of ['198.19.99.1', '2001:db8:99::1']) {
          const pcap = tmpPath('pcap');
          const r = await connectBinary(
            ns,
            [...tunFlags(), '--syn-retries', '1', '--pcap', pcap, host, '80'],
            new Uint8Array(0),
            30_000,
          );
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr.trim(), /^synack connect: \S+:80 is unreachable \(EHOSTUNREACH\)$/);
          const packets = pcapRecords(pcap).map(describePacket);
          assert.equal(packets.filter((p) => p.proto === 6).length, 2, 'the SYN and one retry');
          assert.ok(
            packets.some((p) =>
              p.version === 4
                ? p.icmpType === 3 && p.icmpCode === 1
                : p.icmpType === 1 && p.icmpCode === 0,
            ),
          );
          await assertCleanCapture(pcap);
          removeFile(pcap);
        }
      } finally {
        await ns.destroy();
      }
    },
  );

  tunTest(
    'synack connect through a 1280-byte path (IPv4 frag-needed, IPv6 packet-too-big) → path MTU lowered, 2 MiB echoed intact',
    { timeout: 120_000 },
    async () => {
      const a = await Netns.create('pmtuA');
      const b = await Netns.create('pmtuB');
      try {
        // A: synack on syn0 + the kernel as a router; B: the far server behind a veth pair.
        await a.must('sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
        await a.must('ip', [
          'link',
          'add',
          'a0',
          'type',
          'veth',
          'peer',
          'name',
          'b0',
          'netns',
          b.name,
        ]);
        await a.must('ip', ['addr', 'add', '198.19.1.1/24', 'dev', 'a0']);
        await a.must('ip', ['addr', 'add', '2001:db8:1::1/64', 'dev', 'a0', 'nodad']);
        await a.must('ip', ['link', 'set', 'a0', 'up']);
        await b.must('ip', ['addr', 'add', '198.19.1.2/24', 'dev', 'b0']);
        await b.must('ip', ['addr', 'add', '2001:db8:1::2/64', 'dev', 'b0', 'nodad']);
        await b.must('ip', ['addr', 'add', '198.19.2.2/32', 'dev', 'lo']);
        await b.must('ip', ['addr', 'add', '2001:db8:2::2/128', 'dev', 'lo']);
        await b.must('ip', ['link', 'set', 'b0', 'up']);
        // The narrow hop: A's routes towards B's server carry MTU 1280; everything else is 1500, so
        // B advertises MSS 1460 and synack's first full-size segments do not fit.
        await a.must('ip', [
          'route',
          'add',
          '198.19.2.0/24',
          'via',
          '198.19.1.2',
          'dev',
          'a0',
          'mtu',
          '1280',
        ]);
        await a.must('ip', [
          '-6',
          'route',
          'add',
          '2001:db8:2::/64',
          'via',
          '2001:db8:1::2',
          'dev',
          'a0',
          'mtu',
          '1280',
        ]);
        await b.must('ip', ['route', 'add', '198.18.0.0/24', 'via', '198.19.1.1']);
        await b.must('ip', ['-6', 'route', 'add', '2001:db8::/64', 'via', '2001:db8:1::1']);
        const server = new ChildProc(
          b.spawn(process.execPath, [join(FIXTURES, 'kernel-server.js'), '7']),
        );
        await server.out.waitFor(/^listening$/);
        for (const host of ['198.19.2.2', '2001:db8:2::2']) {
          const pcap = tmpPath('pcap');
          const data = randomBytes(2 * 1024 * 1024);
          const r = await connectBinary(
            a,
            [...tunFlags(), '--pcap', pcap, host, '7'],
            data,
            60_000,
          );
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.out.length, data.length);
          assert.equal(
            createHash('sha256').update(r.out).digest('hex'),
            createHash('sha256').update(data).digest('hex'),
          );
          const packets = pcapRecords(pcap).map(describePacket);
          const v6 = host.includes(':');
          const ptb = packets.findIndex((p) =>
            v6 ? p.icmpType === 2 : p.icmpType === 3 && p.icmpCode === 4,
          );
          assert.ok(ptb >= 0, 'the router sent "fragmentation needed" / "packet too big"');
          assert.equal(packets[ptb]?.mtu, 1280);
          const ours = v6
            ? Buffer.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]).toString(
                'hex',
              )
            : '198.18.0.2';
          const sent = packets.filter((p) => p.proto === 6 && p.src === ours);
          const before = packets.slice(0, ptb).filter((p) => p.proto === 6 && p.src === ours);
          assert.ok(
            before.some((p) => p.length > 1280),
            'synack first sent full-size segments',
          );
          // Let the packets in flight when the ICMP arrived go by, then every segment fits the path.
          const after = packets.slice(ptb + 1).filter((p) => p.proto === 6 && p.src === ours);
          const tail = after.slice(Math.min(after.length, 64));
          assert.ok(
            tail.length > 100,
            `enough segments after the ICMP (${tail.length} of ${sent.length})`,
          );
          assert.ok(
            tail.every((p) => p.length <= 1280),
            `segments after the ICMP fit 1280: max ${Math.max(...tail.map((p) => p.length))}`,
          );
          const x = await expertErrors(pcap);
          assert.equal(x.errors, '', x.report);
          removeFile(pcap);
        }
        await server.stop();
      } finally {
        await a.destroy();
        await b.destroy();
      }
    },
  );
});
