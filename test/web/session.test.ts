/**
 * The page's run driver on Node: the same WebSession the browser bundle runs, with the real stacks
 * on the simulated network. Exact segments, states and bytes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { WebSession, pattern, type HostRuntime } from '../../src/web/session.js';
import { arrowsOf } from '../../src/trace/ladder.js';
import { readCapture } from '../../src/trace/pcap-reader.js';
import { parsePacket } from '../../src/wire/ip-packet.js';

const sha = (chunks: Uint8Array[]): string => {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
};
const received = (h: HostRuntime): string => sha(h.peer.received);

function open(seed = 1, delay = 50): WebSession {
  const s = new WebSession({ seed, loss: 0, delay, reorder: 0 });
  assert.deepEqual(s.apply({ kind: 'listen', host: 'server' }), { ok: true });
  assert.deepEqual(s.apply({ kind: 'connect', host: 'client' }), { ok: true });
  return s;
}

describe('WebSession', { timeout: 30_000 }, () => {
  test('listen + connect, 50 ms delay → SYN at 0, SYN,ACK at 50, ACK at 100, both ESTABLISHED at 150', () => {
    const s = open();
    assert.equal(s.runToEnd(), true);
    const l = s.ladder();
    const got = arrowsOf(l).map((a) => [
      l.lanes[a.from]!.label,
      a.view.flags.join(','),
      a.tSend,
      a.tEnd,
      a.fate,
    ]);
    assert.deepEqual(got, [
      ['client', 'SYN', 0, 50, 'delivered'],
      ['server', 'SYN,ACK', 50, 100, 'delivered'],
      ['client', 'ACK', 100, 150, 'delivered'],
    ]);
    assert.deepEqual(
      l.lanes.map((x) => x.states),
      [
        ['CLOSED', 'SYN-SENT', 'ESTABLISHED'],
        ['LISTEN', 'SYN-RECEIVED', 'ESTABLISHED'],
      ],
    );
    assert.equal(s.stateOf('client'), 'ESTABLISHED');
    assert.equal(s.stateOf('server'), 'ESTABLISHED');
    const syn = arrowsOf(l)[0]!;
    assert.equal(syn.view.relSeq, 0);
    assert.equal(syn.segment.options.mss, 1460);
  });

  test('step → exactly one event: SYN delivered first, then the SYN,ACK goes out', () => {
    const s = open();
    assert.equal(arrowsOf(s.ladder()).length, 1);
    assert.equal(s.step(), true);
    const after1 = arrowsOf(s.ladder());
    assert.equal(s.now, 50);
    assert.deepEqual(
      after1.map((a) => [a.view.flags.join(','), a.fate]),
      [
        ['SYN', 'delivered'],
        ['SYN,ACK', 'in-flight'],
      ],
    );
  });

  test('drop the next client→server segment, send 13 bytes → lost, retransmitted after the RTO, read once', () => {
    const s = open(3);
    s.runToEnd();
    assert.deepEqual(s.apply({ kind: 'drop-next', host: 'client' }), { ok: true });
    assert.equal(s.dropArmed('client'), true);
    s.apply({ kind: 'send-text', host: 'client', text: 'retransmit me' });
    assert.equal(s.dropArmed('client'), false);
    assert.equal(s.runToEnd(), true);
    const data = arrowsOf(s.ladder()).filter((a) => a.view.len > 0);
    assert.deepEqual(
      data.map((a) => [a.fate, a.retransmission, a.view.relSeq, a.view.len]),
      [
        ['lost', false, 1, 13],
        ['delivered', true, 1, 13],
      ],
    );
    // RFC 6298 §2.4: the RTO is at least 1 s.
    assert.ok(data[1]!.tSend - data[0]!.tSend >= 1000);
    assert.equal(
      new TextDecoder().decode(Buffer.concat(s.hosts.server.peer.received)),
      'retransmit me',
    );
  });

  test('200 kB each way over 5 % loss and reordering → every byte arrives intact at both ends', () => {
    const s = new WebSession({ seed: 11, loss: 5, delay: 20, reorder: 5 });
    s.apply({ kind: 'listen', host: 'server' });
    s.apply({ kind: 'connect', host: 'client' });
    s.runToEnd();
    s.apply({ kind: 'send-bytes', host: 'client', count: 200_000 });
    s.apply({ kind: 'send-bytes', host: 'server', count: 200_000 });
    assert.equal(s.runToEnd(200_000), true);
    const want = sha([pattern(200_000)]);
    assert.equal(s.hosts.server.peer.receivedBytes, 200_000);
    assert.equal(s.hosts.client.peer.receivedBytes, 200_000);
    assert.equal(received(s.hosts.server), want);
    assert.equal(received(s.hosts.client), want);
    assert.ok(arrowsOf(s.ladder()).some((a) => a.fate === 'lost'));
    assert.ok(arrowsOf(s.ladder()).some((a) => a.retransmission));
  });

  test('a run replayed from its log → the identical trace, event for event', () => {
    const a = open(7, 30);
    a.runToEnd();
    a.apply({ kind: 'network', loss: 20, delay: 30, reorder: 10 });
    a.apply({ kind: 'send-bytes', host: 'client', count: 30_000 });
    for (let i = 0; i < 25; i++) a.step();
    a.apply({ kind: 'close', host: 'client' });
    a.runToEnd();
    a.apply({ kind: 'close', host: 'server' });
    a.runToEnd();
    const b = new WebSession({ seed: 7, loss: 0, delay: 30, reorder: 0 });
    const results = b.replay(a.log);
    assert.ok(results.every((r) => r.ok));
    b.runToEnd();
    assert.equal(b.ndjson(), a.ndjson());
    assert.ok(a.ndjson().split('\n').length > 50);
  });

  test('commands without a connection → refused with a message, not logged', () => {
    const s = new WebSession({ seed: 1, loss: 0, delay: 50, reorder: 0 });
    const r = s.apply({ kind: 'send-text', host: 'client', text: 'x' });
    assert.equal(r.ok, false);
    assert.equal(s.apply({ kind: 'abort', host: 'server' }).ok, false);
    assert.deepEqual(s.log, []);
    s.apply({ kind: 'listen', host: 'server' });
    const again = s.apply({ kind: 'listen', host: 'server' });
    assert.equal(again.ok, false);
  });

  test('connect to a host that does not listen → RST answers the SYN, client CLOSED with error refused', () => {
    const s = new WebSession({ seed: 1, loss: 0, delay: 10, reorder: 0 });
    s.apply({ kind: 'connect', host: 'client' });
    s.runToEnd();
    const l = s.ladder();
    assert.deepEqual(
      arrowsOf(l).map((a) => [l.lanes[a.from]!.label, a.view.flags.join(',')]),
      [
        ['client', 'SYN'],
        ['server', 'RST,ACK'],
      ],
    );
    assert.equal(s.stateOf('client'), 'CLOSED');
    assert.equal(s.errorOf('client'), 'refused');
  });

  test('pcap export → one record per segment sent, each parsing back to the traced segment', () => {
    const s = open();
    s.runToEnd();
    s.apply({ kind: 'send-text', host: 'server', text: 'hi' });
    s.apply({ kind: 'abort', host: 'client' });
    s.runToEnd();
    const sent = s.events.filter((e) => e.type === 'segment' && e.event === 'send');
    const cap = readCapture(s.pcap());
    assert.equal(cap.packets.length, sent.length);
    cap.packets.forEach((p, i) => {
      const e = sent[i]!;
      assert.equal(e.type, 'segment');
      if (e.type !== 'segment') return;
      const r = parsePacket(p.data);
      assert.ok(r.ok);
      assert.equal(r.value.protocol, 'tcp');
      if (r.value.protocol !== 'tcp') return;
      assert.equal(r.value.segment.seq, e.segment.seq);
      assert.equal(r.value.segment.flags, e.segment.flags);
      assert.equal(p.t, e.t);
    });
  });
});
