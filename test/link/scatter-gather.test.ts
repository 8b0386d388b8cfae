/**
 * Scatter-gather output (LinkOffload.scatterGather, Linux NETIF_F_SG): a link that declares it gets
 * each data-carrying TCP packet as its IP + TCP headers plus the payload as a separate view, never
 * copied; headers ‖ payload is byte for byte the packet the stack builds without it (partial
 * checksum included). Segments without payload still come whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../../src/stack/stack.js';
import { VirtualClock } from '../../src/stack/virtual-clock.js';
import { completeChecksum } from '../../src/stack/gso-segment.js';
import type { LinkOffload, TxMeta } from '../../src/stack/link-offload.js';
import { buildTcpPacket, parsePacket } from '../../src/wire/ip-packet.js';

interface Out {
  packet: Uint8Array;
  meta: TxMeta | undefined;
  payload: Uint8Array | undefined;
}

/** Runs the virtual clock until `done` or nothing is left to run. */
function settle(clock: VirtualClock, done: () => boolean): void {
  for (let i = 0; i < 100_000 && !done() && clock.advance(); i++);
}

/** Two stacks wired back to back; A's output is recorded and then delivered to B whole. */
function pair(
  a: string,
  b: string,
  offload: LinkOffload,
): { sa: Stack; sb: Stack; out: Out[]; clock: VirtualClock } {
  const clock = new VirtualClock();
  const sa = new Stack({ addresses: [a], clock, mtu: 1500 });
  const sb = new Stack({ addresses: [b], clock, mtu: 1500 });
  const out: Out[] = [];
  sa.setOutput((packet, meta, payload) => {
    // The views are only good during the call: keep copies.
    out.push({ packet: packet.slice(), meta, payload: payload?.slice() });
    const whole = payload === undefined ? packet : Buffer.concat([packet, payload]);
    const p = new Uint8Array(whole);
    if (meta?.needsCsum) completeChecksum(p, meta);
    clock.schedule(clock.now() + 1, () => sb.receive(p));
  }, offload);
  sb.setOutput((packet) => {
    const copy = packet.slice();
    clock.schedule(clock.now() + 1, () => sa.receive(copy));
  });
  return { sa, sb, out, clock };
}

for (const [a, b] of [
  ['198.18.0.1', '198.18.0.2'],
  ['2001:db8::1', '2001:db8::2'],
] as const) {
  test(`scatter-gather (${a}): data goes as headers + payload view; joined, the packet the stack would build`, () => {
    const { sa, sb, out, clock } = pair(a, b, {
      txChecksum: true,
      gsoMaxSize: 65535,
      scatterGather: true,
    });
    let got = 0;
    const l = sb.openListener({ port: 80 });
    l.onConnection = (c) => {
      c.onEvent = (ev) => {
        if (ev.type === 'readable') got += c.read().length;
      };
    };
    const c = sa.openConnection({ address: b, port: 80 });
    const data = new Uint8Array(20_000).map((_, i) => (i * 7) & 0xff);
    c.onEvent = (ev) => {
      if (ev.type === 'established') c.write(data);
    };
    settle(clock, () => got === data.length);
    assert.equal(got, data.length, 'every byte arrived');
    const withData = out.filter((o) => o.payload !== undefined);
    assert.ok(withData.length > 0, 'data segments went scatter-gather');
    assert.ok(
      withData.some((o) => (o.meta?.gsoSize ?? 0) > 0),
      'GSO packets too',
    );
    // SYN and pure ACKs carry no payload: they come whole.
    assert.ok(out.some((o) => o.payload === undefined));
    const ipLen = a.includes(':') ? 40 : 20;
    for (const o of withData) {
      const payload = o.payload as Uint8Array;
      assert.ok(payload.length > 0);
      assert.equal(o.meta?.needsCsum, true);
      assert.equal(o.meta?.csumStart, ipLen);
      assert.equal(o.meta?.csumOffset, 16);
      // The headers piece is exactly IP + TCP header (data offset × 4).
      const tcpHdr = ((o.packet[ipLen + 12] as number) >>> 4) * 4;
      assert.equal(o.packet.length, ipLen + tcpHdr);
      if ((o.meta?.gsoSize ?? 0) > 0) assert.equal(o.meta?.hdrLen, ipLen + tcpHdr);
      // Joined, it is the packet buildTcpPacket makes with a partial checksum.
      const joined = new Uint8Array(Buffer.concat([o.packet, payload]));
      const completed = joined.slice();
      completeChecksum(completed, o.meta as TxMeta);
      const r = parsePacket(completed);
      assert.ok(r.ok && r.value.protocol === 'tcp', 'the completed packet verifies');
      if (!(r.ok && r.value.protocol === 'tcp')) return;
      const rebuilt = buildTcpPacket(a, b, r.value.segment, { partialChecksum: true });
      // IPv4 identification and the like are the stack's defaults in both.
      assert.deepEqual(joined, rebuilt);
    }
  });
}

test('scatter-gather needs checksum offload: without it every packet comes whole', () => {
  const { sa, sb, out, clock } = pair('198.18.0.1', '198.18.0.2', {
    txChecksum: false,
    scatterGather: true,
  });
  let got = 0;
  sb.openListener({ port: 80 }).onConnection = (c) => {
    c.onEvent = (ev) => {
      if (ev.type === 'readable') got += c.read().length;
    };
  };
  const c = sa.openConnection({ address: '198.18.0.2', port: 80 });
  c.onEvent = (ev) => {
    if (ev.type === 'established') c.write(new Uint8Array(5000).fill(1));
  };
  settle(clock, () => got === 5000);
  assert.equal(got, 5000);
  assert.ok(out.length > 3);
  for (const o of out) {
    assert.equal(o.payload, undefined);
    assert.equal(o.meta, undefined);
    const r = parsePacket(o.packet);
    assert.ok(r.ok, 'a whole packet with a full checksum');
  }
});
