/**
 * TUN with offloads (a virtio-net header, TUNSETOFFLOAD TUN_F_CSUM | TSO4 | TSO6): the kernel hands
 * synack GSO packets of up to 64 KiB with checksums it vouches for, and takes synack's GSO packets
 * with partial checksums. Every transfer is hashed at both ends; the device counters show that the
 * offloads were really used; a capture of it stays clean for tshark; a refused TUNSETOFFLOAD falls
 * back to plain packets, counted and said.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ADDR,
  assertCleanCapture,
  ChildProc,
  fixtureJson,
  FIXTURES,
  Netns,
  pcapRecords,
  removeFile,
  tmpPath,
  tunTest,
} from './netns.js';

interface Counters {
  rxPackets: number;
  txPackets: number;
  rxGsoPackets: number;
  txGsoPackets: number;
  rxCsumOffloaded: number;
  txCsumOffloaded: number;
  offloadRefused: number;
  txDropped: number;
  rxErrors: number;
}

interface Ready {
  offload: { txChecksum: boolean; gsoMaxSize?: number; scatterGather?: boolean } | null;
  offloadFlags: number;
  offloadError: string | null;
}

interface EchoResult {
  sent: number;
  received: number;
  sentSha: string;
  receivedSha: string;
  error?: string;
}

const TUN_F_ALL = 0x01 | 0x02 | 0x04;

async function withNs(tag: string, fn: (ns: Netns) => Promise<void>): Promise<void> {
  const ns = await Netns.create(tag);
  try {
    await fn(ns);
  } finally {
    await ns.destroy();
  }
}

/** The offload echo server (fixtures/synack-offload.js server), once ready. */
async function offloadServer(
  ns: Netns,
  mtu: number,
  pcap = '-',
  flags?: number,
): Promise<{ p: ChildProc; ready: Ready }> {
  const args = [join(FIXTURES, 'synack-offload.js'), 'server', String(mtu), '7', pcap];
  if (flags !== undefined) args.push(String(flags));
  const p = new ChildProc(ns.spawn(process.execPath, args));
  const m = await p.out.waitFor(/^ready (.*)$/, 15_000);
  return { p, ready: JSON.parse(m[1] ?? '') as Ready };
}

/** SIGTERM the server and read its counters line. */
async function stopServer(p: ChildProc): Promise<Counters> {
  await p.stop();
  const line = p.out.lines.find((l) => l.startsWith('{"counters"'));
  assert.ok(line, `the server printed its counters: ${p.out.lines.join(' | ')} ${p.err.text()}`);
  return (JSON.parse(line) as { counters: Counters }).counters;
}

/** One kernel client connection through the echo server: sends `bytes`, reads them back. */
async function kernelEcho(ns: Netns, host: string, bytes: number): Promise<void> {
  const r = await fixtureJson<{ results: EchoResult[] }>(
    ns,
    'kernel-client.js',
    ['echo', host, '7', '1', String(bytes)],
    90_000,
  );
  const c = r.results[0];
  assert.ok(c, 'one result');
  assert.equal(c.error, undefined);
  assert.equal(c.sent, bytes);
  assert.equal(c.received, bytes);
  assert.equal(c.receivedSha, c.sentSha, `${host}: the echo is the bytes sent`);
}

describe('TUN offloads (virtio-net header)', () => {
  tunTest(
    'offload, MTU 1500: 16 MiB kernel → synack → kernel over IPv4 and IPv6 → intact; GSO packets and partial checksums both ways',
    { timeout: 120_000 },
    async () => {
      await withNs('off1500', async (ns) => {
        const { p, ready } = await offloadServer(ns, 1500);
        assert.deepEqual(ready.offload, {
          txChecksum: true,
          gsoMaxSize: 65535,
          scatterGather: true,
        });
        assert.equal(ready.offloadFlags, TUN_F_ALL);
        assert.equal(ready.offloadError, null);
        await kernelEcho(ns, ADDR.synack4, 16 << 20);
        await kernelEcho(ns, ADDR.synack6, 16 << 20);
        const c = await stopServer(p);
        // The kernel sent TSO packets (several 1460/1440-byte segments in one read) and vouched
        // for their checksums; synack wrote GSO packets the kernel took whole.
        assert.ok(c.rxGsoPackets > 0, `GSO packets read: ${c.rxGsoPackets}`);
        assert.ok(c.txGsoPackets > 0, `GSO packets written: ${c.txGsoPackets}`);
        assert.ok(c.rxCsumOffloaded > 0, `partial/verified checksums read: ${c.rxCsumOffloaded}`);
        assert.ok(c.txCsumOffloaded > 0, `partial checksums written: ${c.txCsumOffloaded}`);
        // 2 × 16 MiB each way in far fewer packets than 1460-byte segments would take (~23k).
        assert.ok(c.rxPackets < 23_000, `packets read: ${c.rxPackets}`);
        assert.equal(c.txDropped, 0);
        assert.equal(c.rxErrors, 0);
        assert.equal(c.offloadRefused, 0);
      });
    },
  );

  tunTest(
    'offload, MTU 65535: synack client → kernel echo server, 16 MiB over IPv4 and IPv6 → SHA-256 equal at both ends',
    { timeout: 120_000 },
    async () => {
      await withNs('off64k', async (ns) => {
        const server = new ChildProc(
          ns.spawn(process.execPath, [join(FIXTURES, 'kernel-server.js'), '7']),
        );
        await server.out.waitFor(/^listening$/);
        const sentShas: string[] = [];
        for (const host of [ADDR.host4, ADDR.host6]) {
          const r = await fixtureJson<EchoResult & { counters: Counters }>(
            ns,
            'synack-offload.js',
            ['client', '65535', host, '7', String(16 << 20)],
            90_000,
          );
          assert.equal(r.error, undefined);
          assert.equal(r.sent, 16 << 20);
          assert.equal(r.received, 16 << 20);
          assert.equal(r.receivedSha, r.sentSha, `${host}: the echo is the bytes sent`);
          assert.ok(r.counters.txCsumOffloaded > 0, 'partial checksums written');
          assert.ok(r.counters.rxCsumOffloaded > 0, 'checksums the kernel vouched for');
          assert.equal(r.counters.txDropped, 0);
          sentShas.push(r.sentSha);
        }
        // And the kernel server read exactly what synack sent, each time (one line per closed
        // connection).
        const deadline = Date.now() + 5000;
        let lines: { rx: number; rxSha: string; tx: number }[] = [];
        while (Date.now() < deadline) {
          lines = server.out.lines
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as { rx: number; rxSha: string; tx: number });
          if (lines.length >= 2) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.deepEqual(
          lines.map((l) => [l.rx, l.tx, l.rxSha]),
          sentShas.map((sha) => [16 << 20, 16 << 20, sha]),
        );
        await server.stop();
      });
    },
  );

  tunTest(
    'offload capture, MTU 1500: the tap sees GSO packets whole with complete checksums → tshark -z expert clean',
    { timeout: 120_000, needs: ['tshark'] },
    async () => {
      const pcap = tmpPath('pcap');
      try {
        await withNs('offcap', async (ns) => {
          const { p } = await offloadServer(ns, 1500, pcap);
          await kernelEcho(ns, ADDR.synack4, 2 << 20);
          await kernelEcho(ns, ADDR.synack6, 2 << 20);
          const c = await stopServer(p);
          assert.ok(c.rxGsoPackets > 0 && c.txGsoPackets > 0);
        });
        // GSO packets are in the capture as the one large packet they are on the device (as
        // tcpdump shows them on a Linux veth or virtio-net), longer than the 1500-byte MTU.
        const records = pcapRecords(pcap);
        assert.ok(
          records.some((r) => r.length > 1500),
          'a GSO packet is captured whole',
        );
        // tshark checks every IP and TCP checksum (expertErrors turns checking on).
        await assertCleanCapture(pcap);
      } finally {
        removeFile(pcap);
      }
    },
  );

  tunTest(
    'checksum offload only (TUN_F_CSUM, no TSO) → partial checksums both ways, no GSO packet either way; intact',
    { timeout: 60_000 },
    async () => {
      await withNs('offcsum', async (ns) => {
        const { p, ready } = await offloadServer(ns, 1500, '-', 0x01);
        // Without TSO for both IP versions the link declares no GSO to the stack.
        assert.deepEqual(ready.offload, { txChecksum: true, scatterGather: true });
        assert.equal(ready.offloadFlags, 0x01);
        await kernelEcho(ns, ADDR.synack4, 4 << 20);
        await kernelEcho(ns, ADDR.synack6, 4 << 20);
        const c = await stopServer(p);
        assert.equal(c.rxGsoPackets, 0, 'the kernel segments itself for a device without TSO');
        assert.equal(c.txGsoPackets, 0);
        assert.ok(c.rxCsumOffloaded > 0 && c.txCsumOffloaded > 0);
      });
    },
  );

  tunTest(
    'offload refused (a TUN_F flag the kernel does not know) → plain packets, counted and said; the transfer is intact',
    { timeout: 60_000 },
    async () => {
      await withNs('offno', async (ns) => {
        // Bit 16 is no TUN_F_* flag: the kernel answers TUNSETOFFLOAD with EINVAL.
        const { p, ready } = await offloadServer(ns, 1500, '-', TUN_F_ALL | 0x10000);
        assert.equal(ready.offload, null);
        assert.equal(ready.offloadFlags, 0);
        assert.match(ready.offloadError ?? '', /TUNSETOFFLOAD.*EINVAL/);
        assert.match(p.err.text(), /refused offloads/);
        await kernelEcho(ns, ADDR.synack4, 1 << 20);
        const c = await stopServer(p);
        assert.equal(c.offloadRefused, 1);
        assert.equal(c.rxGsoPackets, 0);
        assert.equal(c.txGsoPackets, 0);
        assert.equal(c.rxCsumOffloaded, 0);
        assert.equal(c.txCsumOffloaded, 0);
      });
    },
  );
});
