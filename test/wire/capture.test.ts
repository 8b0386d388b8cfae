// The reference capture: real Linux 6.18 TCP (curl ↔ python http.server over a veth pair).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ethernetPayload, readPcap, toHex } from './pcap-reader.js';
import { buildTcpPacket, parsePacket } from '../../src/wire/ip-packet.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';
import { checksumFinish, checksumPartial, pseudoHeaderSumV4 } from '../../src/wire/checksum.js';
import { TcpFlag } from '../../src/wire/tcp-segment.js';
import { seq } from '../../src/wire/seqnum.js';

const PCAP = '/work/shared/captures/linux-http-get.pcap';
const LINKTYPE_ETHERNET = 1;

function packets(): Uint8Array[] {
  const { linkType, records } = readPcap(PCAP);
  assert.equal(linkType, LINKTYPE_ETHERNET);
  return records.map((r) => {
    assert.equal(r.frame.length, r.origLength, 'no record is snapped');
    const e = ethernetPayload(r.frame);
    assert.equal(e.etherType, 0x0800);
    return e.packet.slice();
  });
}

/**
 * Completes a CHECKSUM_PARTIAL TCP checksum in place: zero the field, sum pseudo-header + segment.
 * (What the receiving veth/NIC would do; the test does it by hand, not through parsePacket.)
 */
function completeTcpChecksum(p: Uint8Array): void {
  const ihl = ((p[0] as number) & 0x0f) * 4;
  const total = ((p[2] as number) << 8) | (p[3] as number);
  p[ihl + 16] = 0;
  p[ihl + 17] = 0;
  const ph = pseudoHeaderSumV4(p.subarray(12, 16), p.subarray(16, 20), 6, total - ihl);
  const c = checksumFinish(checksumPartial(p, ph, ihl, total));
  p[ihl + 16] = c >>> 8;
  p[ihl + 17] = c & 0xff;
}

describe('linux-http-get.pcap', () => {
  test('first SYN parsed → every IP and TCP field as Linux sent it', { timeout: 10_000 }, () => {
    const syn = packets()[0] as Uint8Array;
    const ip = parseIpv4(syn);
    assert.ok(ip.ok);
    const h = ip.value.header;
    assert.equal(h.headerLength, 20);
    assert.equal(h.tos, 0);
    assert.equal(h.totalLength, 60);
    assert.equal(h.id, 0xe12e);
    assert.equal(h.dontFragment, true);
    assert.equal(h.moreFragments, false);
    assert.equal(h.fragmentOffset, 0);
    assert.equal(h.ttl, 64);
    assert.equal(h.protocol, 6);
    assert.equal(h.checksum, 0xcd65);
    assert.deepEqual([...h.src], [198, 18, 0, 1]);
    assert.deepEqual([...h.dst], [198, 18, 0, 2]);

    completeTcpChecksum(syn);
    const r = parsePacket(syn);
    assert.ok(r.ok, r.ok ? '' : r.detail);
    const p = r.value;
    assert.equal(p.version, 4);
    assert.equal(p.src, '198.18.0.1');
    assert.equal(p.dst, '198.18.0.2');
    assert.equal(p.ttl, 64);
    assert.equal(p.protocol, 'tcp');
    if (p.protocol !== 'tcp') return;
    assert.deepEqual(p.segment, {
      srcPort: 37222,
      dstPort: 8000,
      seq: seq(0x5bdb090b),
      ack: seq(0),
      flags: TcpFlag.SYN,
      window: 64240,
      urgent: 0,
      options: {
        mss: 1460,
        sackPermitted: true,
        timestamps: { tsVal: 0x251cbe4d, tsEcr: 0 },
        windowScale: 10,
      },
      payload: new Uint8Array(0),
    });
    // Re-emitting the parsed SYN gives Linux's exact bytes (option order and padding included).
    const rebuilt = buildTcpPacket(p.src, p.dst, p.segment, { id: 0xe12e });
    assert.equal(toHex(rebuilt), toHex(syn));
  });

  test(
    'all 25 packets → IPv4 checksum verifies; TCP checksum is CHECKSUM_PARTIAL (pseudo-header sum only)',
    { timeout: 10_000 },
    () => {
      const ps = packets();
      assert.equal(ps.length, 25);
      let payloadBytes = 0;
      const fromServer: Uint8Array[] = [];
      const fromClient: Uint8Array[] = [];
      for (const [i, pkt] of ps.entries()) {
        const ip = parseIpv4(pkt);
        assert.ok(ip.ok, `packet ${i + 1}: IPv4 header must verify`);
        // Finding: Linux captured these on the sending veth with TX checksum offload, so the TCP
        // checksum field holds only the folded pseudo-header sum (CHECKSUM_PARTIAL) — for every one
        // of the 25 packets, not just the TSO super-segments. Our parser correctly refuses them…
        const asCaptured = parsePacket(pkt);
        assert.equal(asCaptured.ok, false, `packet ${i + 1}`);
        assert.equal(asCaptured.ok ? '' : asCaptured.reason, 'bad-checksum');
        const tcp = ip.value.payload;
        const field = ((tcp[16] as number) << 8) | (tcp[17] as number);
        const ph = pseudoHeaderSumV4(ip.value.header.src, ip.value.header.dst, 6, tcp.length);
        assert.equal(field, ph, `packet ${i + 1}: field is exactly the pseudo-header sum`);
        // …and once the checksum is completed as the receiver's offload would, each one verifies.
        const fixed = pkt.slice();
        completeTcpChecksum(fixed);
        const r = parsePacket(fixed);
        assert.ok(r.ok, `packet ${i + 1}: ${r.ok ? '' : r.detail}`);
        assert.equal(r.value.protocol, 'tcp');
        if (r.value.protocol === 'tcp') {
          payloadBytes += r.value.segment.payload.length;
          (r.value.segment.srcPort === 8000 ? fromServer : fromClient).push(
            r.value.segment.payload,
          );
          // And re-emitting reproduces every packet exactly.
          const rebuilt = buildTcpPacket(r.value.src, r.value.dst, r.value.segment, {
            id: ip.value.header.id,
          });
          assert.equal(toHex(rebuilt), toHex(fixed), `packet ${i + 1} re-emitted`);
        }
      }
      // 87-byte request; 204-byte response header + 100,000-byte body.
      assert.equal(payloadBytes, 87 + 204 + 100_000);
      const text = (parts: Uint8Array[]): string => Buffer.concat(parts).toString('latin1');
      assert.ok(text(fromClient).startsWith('GET /file.bin HTTP/1.1\r\nHost: 198.18.0.2:8000\r\n'));
      const response = text(fromServer);
      assert.ok(response.startsWith('HTTP/1.0 200 OK\r\n'));
      assert.ok(response.includes('\r\nContent-Length: 100000\r\n'));
      assert.equal(response.length - (response.indexOf('\r\n\r\n') + 4), 100_000);
    },
  );
});
