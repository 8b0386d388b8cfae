/**
 * Flow control and ACK policy with exact segments: zero window and persist probes (§3.8.6.1),
 * Nagle (§3.7.4), delayed ACKs (§3.8.6.3), sender and receiver SWS avoidance (§3.8.6.2), window
 * scaling (RFC 7323 §2), keep-alives (§3.8.4), path MTU changes.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, FIN, PSH, SYN, activeOpen, bytes, established, seg, shape } from './helpers.js';
import { Pair, pseudoRandomBytes, sha256 } from './pair.js';

const T = { timeout: 10_000 };

describe('zero window and persist', () => {
  test('ESTABLISHED window 0 → 1-byte probes with backoff, then data when it opens', T, () => {
    const d = established({}, 2000);
    assert.equal(d.conn.send(bytes(5000), 20), 5000);
    assert.deepEqual(
      d.output(20).map((s) => shape(s)),
      [
        { seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 1000 },
        { seq: 2001, ack: 9001, flags: 'ACK', window: 8000, len: 1000 },
      ],
    );
    assert.deepEqual(d.input(seg({ seq: 9001, ack: 3001, flags: ACK, window: 0 }), 40), []);
    assert.deepEqual(d.conn.timerDeadlines(), [['persist', 1040]]);
    const p1 = d.fireNext();
    assert.equal(p1.at, 1040);
    assert.deepEqual(
      p1.out.map((s) => shape(s)),
      [{ seq: 3001, ack: 9001, flags: 'ACK', window: 8000, len: 1 }],
    );
    assert.deepEqual(d.input(seg({ seq: 9001, ack: 3001, flags: ACK, window: 0 }), 1050), []);
    const p2 = d.fireNext();
    assert.equal(p2.at, 3040, 'the interval doubles');
    assert.deepEqual(
      p2.out.map((s) => shape(s)),
      [{ seq: 3001, ack: 9001, flags: 'ACK', window: 8000, len: 1 }],
    );
    // The window opens (the probe byte was not kept): everything goes out, probe byte included.
    const out = d.input(seg({ seq: 9001, ack: 3001, flags: ACK, window: 4000 }), 3050);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [
        { seq: 3001, ack: 9001, flags: 'ACK', window: 8000, len: 1000 },
        { seq: 4001, ack: 9001, flags: 'ACK', window: 8000, len: 1000 },
        { seq: 5001, ack: 9001, flags: 'PSH,ACK', window: 8000, len: 1000 },
      ],
    );
    assert.deepEqual(d.conn.timerDeadlines(), [['retransmit', 4050]]);
  });

  test(
    'ESTABLISHED probe byte outstanding, data arrives → the ACK carries SEG.SEQ = the window edge',
    T,
    () => {
      const d = established({}, 1000);
      d.conn.send(bytes(3000), 20);
      assert.equal(d.output(20).length, 1);
      d.input(seg({ seq: 9001, ack: 2001, flags: ACK, window: 0 }), 40);
      const probe = d.fireNext();
      assert.deepEqual(
        probe.out.map((s) => shape(s)),
        [{ seq: 2001, ack: 9001, flags: 'ACK', window: 8000, len: 1 }],
      );
      // SND.NXT is 2002, past the peer's closed window [2001, 2001): a bare ACK at 2002 would be
      // unacceptable to it (§3.10.7.4) and dropped unread; 2001 is its RCV.NXT.
      const out = d.input(
        seg({ seq: 9001, ack: 2001, flags: ACK | PSH, window: 0, payload: bytes(500) }),
        probe.at + 10,
      );
      assert.deepEqual(out, []);
      const ack = d.fireNext();
      assert.equal(ack.at, 1090, 'the delayed ACK');
      assert.deepEqual(
        ack.out.map((s) => shape(s)),
        [{ seq: 2001, ack: 9501, flags: 'ACK', window: 7500, len: 0 }],
      );
    },
  );

  test('ESTABLISHED probe byte kept by the peer → SND.UNA moves past it', T, () => {
    const d = established({}, 1000);
    d.conn.send(bytes(3000), 20);
    assert.equal(d.output(20).length, 1);
    d.input(seg({ seq: 9001, ack: 2001, flags: ACK, window: 0 }), 40);
    const probe = d.fireNext();
    assert.deepEqual(
      probe.out.map((s) => shape(s)),
      [{ seq: 2001, ack: 9001, flags: 'ACK', window: 8000, len: 1 }],
    );
    const out = d.input(seg({ seq: 9001, ack: 2002, flags: ACK, window: 1000 }), probe.at + 10);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 2002, ack: 9001, flags: 'ACK', window: 8000, len: 1000 }],
    );
    assert.equal(d.conn.info().sndUna, 2002);
  });

  test(
    'Pair receiver stops reading → window closes, persist probes, transfer resumes on read',
    T,
    () => {
      const p = new Pair({ b: { receiveBufferSize: 4000 } });
      p.autoRead.b = false;
      p.run(() => p.b.state === 'ESTABLISHED', 100);
      const data = pseudoRandomBytes(20_000, 21);
      let taken = p.a.send(data, p.now);
      p.flush();
      p.advance(10_000);
      assert.equal(p.b.readableLength, 4000);
      assert.equal(p.a.info().sndWnd, 0);
      const probes = p.sent.filter((s) => s.from === 'a' && s.seg.payload.length === 1);
      assert.ok(probes.length >= 2, `persist probes sent (${probes.length})`);
      p.autoRead.b = true;
      for (let i = 0; i < 1000 && p.a.info().bytesAcked < data.length; i++) {
        if (taken < data.length) taken += p.a.send(data.subarray(taken), p.now);
        p.received.b.push(p.b.read(undefined, p.now));
        p.flush();
        p.step();
      }
      p.run(() => p.a.info().bytesAcked === data.length, 10_000);
      assert.equal(sha256(p.receivedBytes('b')), sha256(data));
    },
  );
});

describe('Nagle and sender SWS avoidance', () => {
  test('ESTABLISHED small writes with data in flight → held until the ACK (Nagle)', T, () => {
    const d = established();
    d.conn.send(bytes(100), 20);
    assert.deepEqual(
      d.output(20).map((s) => shape(s)),
      [{ seq: 1001, ack: 9001, flags: 'PSH,ACK', window: 8000, len: 100 }],
    );
    d.conn.send(bytes(100), 21);
    d.conn.send(bytes(100), 22);
    assert.deepEqual(d.output(22), []);
    const out = d.input(seg({ seq: 9001, ack: 1101, flags: ACK }), 40);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1101, ack: 9001, flags: 'PSH,ACK', window: 8000, len: 200 }],
    );
  });

  test('ESTABLISHED noDelay small writes → each sent at once', T, () => {
    const d = established();
    d.conn.setNoDelay(true);
    d.conn.send(bytes(100), 20);
    d.output(20);
    d.conn.send(bytes(100), 21);
    assert.deepEqual(
      d.output(21).map((s) => shape(s)),
      [{ seq: 1101, ack: 9001, flags: 'PSH,ACK', window: 8000, len: 100 }],
    );
  });

  test(
    'ESTABLISHED 2500-byte write → the 500-byte tail is not held behind full segments (Minshall)',
    T,
    () => {
      const d = established();
      d.conn.send(bytes(2500), 20);
      assert.deepEqual(
        d.output(20).map((s) => [s.seq, s.payload.length, shape(s).flags]),
        [
          [1001, 1000, 'ACK'],
          [2001, 1000, 'ACK'],
          [3001, 500, 'PSH,ACK'],
        ],
      );
    },
  );

  test(
    'ESTABLISHED usable window below SMSS and below half the max window → held (sender SWS)',
    T,
    () => {
      const d = established({ noDelay: true }, 8000);
      d.conn.send(bytes(8000), 20);
      assert.equal(d.output(20).length, 4, 'cwnd = IW = 4 segments');
      // The peer ACKs two segments but shrinks its offer so only 300 bytes are usable past SND.NXT.
      const out = d.input(seg({ seq: 9001, ack: 3001, flags: ACK, window: 2300 }), 40);
      assert.deepEqual(out, []);
      assert.ok(d.conn.timerDeadlines().some(([n]) => n === 'retransmit'));
    },
  );
});

describe('delayed ACK', () => {
  test('ESTABLISHED one segment in → ACK after delayedAckTimeout (500 bytes unread)', T, () => {
    const d = established();
    assert.deepEqual(
      d.input(seg({ seq: 9001, ack: 1001, flags: ACK | PSH, payload: bytes(500) }), 100),
      [],
    );
    assert.deepEqual(d.conn.timerDeadlines(), [['delayed-ack', 140]]);
    const { at, out } = d.fireNext();
    assert.equal(at, 140);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 9501, flags: 'ACK', window: 7500, len: 0 }],
    );
  });

  test('ESTABLISHED second segment in → ACK at once', T, () => {
    const d = established();
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(1000) }), 100);
    const out = d.input(seg({ seq: 10001, ack: 1001, flags: ACK, payload: bytes(1000) }), 101);
    // 2000 bytes unread: the right edge stays where it was (receiver SWS avoidance).
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 11001, flags: 'ACK', window: 6000, len: 0 }],
    );
    assert.equal(d.conn.pollTimeout(), undefined);
  });

  test(
    'ESTABLISHED out-of-order segment → immediate duplicate ACK; hole filled → immediate ACK',
    T,
    () => {
      const d = established();
      const dup = d.input(seg({ seq: 10001, ack: 1001, flags: ACK, payload: bytes(1000) }), 100);
      assert.deepEqual(
        dup.map((s) => shape(s)),
        [{ seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 0 }],
      );
      const fill = d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(1000) }), 101);
      assert.deepEqual(
        fill.map((s) => shape(s)),
        [{ seq: 1001, ack: 11001, flags: 'ACK', window: 6000, len: 0 }],
      );
      assert.equal(d.conn.readableLength, 2000);
    },
  );

  test('ESTABLISHED delayedAck off → every segment ACKed at once', T, () => {
    const d = established({ delayedAck: false });
    const out = d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(10) }), 100);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 9011, flags: 'ACK', window: 7990, len: 0 }],
    );
  });

  test('ESTABLISHED read opens a closed window → window update', T, () => {
    const d = established({ receiveBufferSize: 2000, delayedAck: false });
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(1000) }), 100);
    const full = d.input(seg({ seq: 10001, ack: 1001, flags: ACK, payload: bytes(1000) }), 101);
    assert.deepEqual(
      full.map((s) => shape(s)),
      [{ seq: 1001, ack: 11001, flags: 'ACK', window: 0, len: 0 }],
    );
    assert.equal(d.conn.read(undefined, 200).length, 2000);
    assert.deepEqual(
      d.output(200).map((s) => shape(s)),
      [{ seq: 1001, ack: 11001, flags: 'ACK', window: 2000, len: 0 }],
    );
  });

  test('ESTABLISHED zero window, data at RCV.NXT → text dropped, ACK still processed', T, () => {
    const d = established({ receiveBufferSize: 1000, delayedAck: false });
    d.conn.send(bytes(10), 90);
    d.output(90);
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(1000) }), 100);
    const out = d.input(seg({ seq: 10001, ack: 1011, flags: ACK, payload: bytes(1) }), 110);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1011, ack: 10001, flags: 'ACK', window: 0, len: 0 }],
    );
    assert.equal(d.conn.info().sndUna, 1011);
  });
});

describe('window scaling (RFC 7323)', () => {
  test('SYN-SENT with a 1 MB buffer → WS 5 offered; both SYNs carry it → scaled windows', T, () => {
    const d = activeOpen({ windowScaling: true, receiveBufferSize: 1 << 20 });
    assert.deepEqual(
      d.output(0).map((s) => shape(s, true)),
      [
        {
          seq: 1000,
          ack: 0,
          flags: 'SYN',
          window: 65535,
          len: 0,
          options: { mss: 1000, windowScale: 5 },
        },
      ],
    );
    const out = d.input(
      seg({
        seq: 9000,
        ack: 1001,
        flags: SYN | ACK,
        window: 65535,
        options: { mss: 1000, windowScale: 7 },
      }),
      10,
    );
    // The SYN-ACK's window is not scaled; our ACK's is (1 MiB >> 5).
    assert.equal(d.conn.info().sndWnd, 65535);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 9001, flags: 'ACK', window: 32768, len: 0 }],
    );
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, window: 1000 }), 20);
    assert.equal(d.conn.info().sndWnd, 128_000);
    assert.deepEqual(d.conn.info().windowScale, { send: 7, recv: 5 });
  });

  test('SYN-SENT peer without WS → no scaling either way, window capped at 65535', T, () => {
    const d = activeOpen({ windowScaling: true, receiveBufferSize: 1 << 20 });
    d.output(0);
    const out = d.input(seg({ seq: 9000, ack: 1001, flags: SYN | ACK, window: 65535 }), 10);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 9001, flags: 'ACK', window: 65535, len: 0 }],
    );
    assert.deepEqual(d.conn.info().windowScale, { send: 0, recv: 0 });
  });

  test('Pair with 1 MB buffers → 3 MB transfer, flight above 64 KiB, bytes intact', T, () => {
    const big = { windowScaling: true, receiveBufferSize: 1 << 20, sendBufferSize: 1 << 20 };
    const p = new Pair({ a: big, b: big, delay: 50 });
    p.run(() => p.a.state === 'ESTABLISHED', 100);
    assert.deepEqual(p.a.info().windowScale, { send: 5, recv: 5 });
    const data = pseudoRandomBytes(3 << 20, 31);
    let maxFlight = 0;
    let off = 0;
    for (let i = 0; i < 1_000_000 && p.a.info().bytesAcked < data.length; i++) {
      if (off < data.length) off += p.a.send(data.subarray(off), p.now);
      p.flush();
      maxFlight = Math.max(maxFlight, p.a.info().bytesInFlight);
      if (!p.step()) break;
    }
    assert.equal(sha256(p.receivedBytes('b')), sha256(data));
    assert.ok(maxFlight > 65535, `max flight ${maxFlight}`);
  });
});

describe('keep-alive', () => {
  test(
    'ESTABLISHED idle with keep-alive → <SEQ=SND.NXT−1> probes, timed-out after the last',
    T,
    () => {
      const d = established({
        keepAlive: true,
        keepAliveIdle: 10_000,
        keepAliveInterval: 1000,
        keepAliveProbes: 2,
      });
      assert.deepEqual(d.conn.timerDeadlines(), [['keepalive', 10_010]]);
      const p1 = d.fireNext();
      assert.equal(p1.at, 10_010);
      assert.deepEqual(
        p1.out.map((s) => shape(s)),
        [{ seq: 1000, ack: 9001, flags: 'ACK', window: 8000, len: 0 }],
      );
      const p2 = d.fireNext();
      assert.equal(p2.at, 11_010);
      assert.equal(p2.out.length, 1);
      const last = d.fireNext();
      assert.equal(last.at, 12_010);
      assert.deepEqual(last.out, []);
      assert.equal(d.state, 'CLOSED');
      const closed = d.closedEvents()[0];
      assert.ok(closed?.type === 'closed' && closed.error?.code === 'timed-out');
    },
  );

  test('ESTABLISHED keep-alive answered → stays open, next probe after the idle time', T, () => {
    const d = established({ keepAlive: true, keepAliveIdle: 10_000, keepAliveInterval: 1000 });
    const p1 = d.fireNext();
    assert.equal(p1.out.length, 1);
    assert.deepEqual(d.input(seg({ seq: 9001, ack: 1001, flags: ACK }), 10_020), []);
    assert.deepEqual(d.conn.timerDeadlines(), [['keepalive', 20_020]]);
    assert.equal(d.state, 'ESTABLISHED');
  });

  test('Pair keep-alive on one side → the peer answers the probes; connection stays up', T, () => {
    const p = new Pair({ a: { keepAlive: true, keepAliveIdle: 5000, keepAliveInterval: 500 } });
    p.run(() => p.b.state === 'ESTABLISHED', 100);
    p.advance(60_000);
    assert.equal(p.a.state, 'ESTABLISHED');
    const probes = p.sent.filter((s) => s.from === 'a' && s.seg.seq === 1000 && s.t > 100);
    assert.ok(probes.length >= 10, `${probes.length} probes`);
  });

  test('ESTABLISHED setKeepAlive(true, 3000) → first probe 3 s after the last activity', T, () => {
    const d = established();
    d.conn.setKeepAlive(true, 3000);
    assert.deepEqual(d.conn.timerDeadlines(), [['keepalive', 3010]]);
    d.conn.setKeepAlive(false);
    assert.deepEqual(d.conn.timerDeadlines(), []);
  });
});

describe('path MTU and ICMP', () => {
  test('ESTABLISHED path MTU 576 → MSS 536, data in flight resent in smaller segments', T, () => {
    const d = established();
    d.conn.send(bytes(2000), 20);
    assert.equal(d.output(20).length, 2);
    d.conn.handlePathMtu(576, 30);
    const out = d.output(30);
    assert.deepEqual(
      out.map((s) => [s.seq, s.payload.length]),
      [
        [1001, 536],
        [1537, 536],
        [2073, 536],
        [2609, 392],
      ],
    );
    assert.equal(d.conn.info().sndMss, 536);
  });

  test('SYN-SENT path MTU 576 → the MSS negotiated later stays within it', T, () => {
    const d = activeOpen();
    d.output(0);
    d.conn.handlePathMtu(576, 5);
    d.input(seg({ seq: 9000, ack: 1001, flags: SYN | ACK, options: { mss: 1400 } }), 10);
    assert.equal(d.conn.info().sndMss, 536);
  });

  test('SYN-SENT ICMP unreachable → CLOSED, unreachable', T, () => {
    const d = activeOpen();
    d.output(0);
    d.conn.handleUnreachable(5);
    assert.deepEqual(d.output(5), []);
    assert.equal(d.state, 'CLOSED');
    const closed = d.closedEvents()[0];
    assert.ok(closed?.type === 'closed' && closed.error?.code === 'unreachable');
  });

  test('ESTABLISHED ICMP unreachable → ignored', T, () => {
    const d = established();
    d.conn.handleUnreachable(5);
    assert.equal(d.state, 'ESTABLISHED');
  });
});

describe('FIN ordering', () => {
  test('ESTABLISHED FIN ahead of a hole → held; CLOSE-WAIT when the hole fills', T, () => {
    const d = established();
    const out = d.input(seg({ seq: 9501, ack: 1001, flags: ACK | FIN, payload: bytes(500) }), 100);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 0 }],
    );
    assert.equal(d.state, 'ESTABLISHED');
    const fill = d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(500) }), 110);
    assert.deepEqual(
      fill.map((s) => shape(s)),
      [{ seq: 1001, ack: 10002, flags: 'ACK', window: 7000, len: 0 }],
    );
    assert.equal(d.state, 'CLOSE-WAIT');
    assert.equal(d.conn.readableLength, 1000);
  });

  test('ESTABLISHED CLOSE with data queued → FIN rides on the last data segment', T, () => {
    const d = established();
    d.conn.send(bytes(1500), 20);
    d.conn.close(20);
    assert.deepEqual(
      d.output(20).map((s) => shape(s)),
      [
        { seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 1000 },
        { seq: 2001, ack: 9001, flags: 'FIN,PSH,ACK', window: 8000, len: 500 },
      ],
    );
    assert.equal(d.conn.send(bytes(1), 21), 0, 'no SEND after CLOSE');
  });
});

describe('Pair: Nagle and delayed ACK end to end', () => {
  function tenSmallWrites(noDelay: boolean): Pair {
    const p = new Pair({ a: { noDelay } });
    p.run(() => p.b.state === 'ESTABLISHED', 100);
    for (let i = 0; i < 10; i++) {
      p.a.send(bytes(10, i), p.now);
      p.flush();
    }
    p.run(() => p.a.info().bytesAcked === 100, 1000);
    assert.equal(p.receivedBytes('b').length, 100);
    return p;
  }

  test(
    'Pair Nagle on, ten 10-byte writes → 10 bytes now, 90 coalesced after the (delayed) ACK',
    T,
    () => {
      const p = tenSmallWrites(false);
      const data = p.sent.filter((s) => s.from === 'a' && s.seg.payload.length > 0);
      assert.deepEqual(
        data.map((s) => [s.t, s.seg.payload.length]),
        [
          [30, 10],
          [90, 90],
        ],
        'the first ACK waits out the 40 ms delayed-ACK timer at b',
      );
    },
  );

  test('Pair Nagle off, ten 10-byte writes → ten segments at once', T, () => {
    const p = tenSmallWrites(true);
    const data = p.sent.filter((s) => s.from === 'a' && s.seg.payload.length > 0);
    assert.equal(data.length, 10);
    assert.ok(data.every((s) => s.t === 30 && s.seg.payload.length === 10));
    // b ACKs every second segment at once.
    const acks = p.sent.filter((s) => s.from === 'b' && s.t === 40);
    assert.deepEqual(
      acks.map((s) => s.seg.ack),
      [1021, 1041, 1061, 1081, 1101],
    );
  });
});

describe('zero window with data in flight', () => {
  test(
    'ESTABLISHED window closes with data unacknowledged → the RTO resends the head segment anyway',
    T,
    () => {
      const d = established({ dataRetries: 2 }, 8000);
      d.conn.send(bytes(3000), 20);
      assert.equal(d.output(20).length, 3);
      // The peer takes the first segment only and its window closes (a reordered stale ACK can
      // do this too).
      assert.deepEqual(d.input(seg({ seq: 9001, ack: 2001, flags: ACK, window: 0 }), 40), []);
      const r1 = d.fireNext();
      assert.equal(r1.at, 1040);
      assert.deepEqual(
        r1.out.map((s) => shape(s)),
        [{ seq: 2001, ack: 9001, flags: 'ACK', window: 8000, len: 1000 }],
      );
      // Each answer with a zero window shows the peer alive: no give-up after dataRetries.
      for (let i = 0; i < 4; i++) {
        const r = d.fireNext();
        assert.equal(r.out.length, 1);
        d.input(seg({ seq: 9001, ack: 2001, flags: ACK, window: 0 }), r.at + 10);
      }
      assert.equal(d.state, 'ESTABLISHED');
      // The window opens: the rest follows.
      const out = d.input(seg({ seq: 9001, ack: 3001, flags: ACK, window: 8000 }), 100_000);
      assert.deepEqual(
        out.map((s) => [s.seq, s.payload.length]),
        [[3001, 1000]],
      );
    },
  );
});

describe('window update from a retransmission of the peer', () => {
  test(
    'ESTABLISHED peer bare ACK at its SND.NXT, then its retransmission ACKs new data with a smaller window → the right edge is that window, not the old one moved',
    T,
    () => {
      const d = established({}, 8000);
      d.conn.send(bytes(8000), 20);
      assert.deepEqual(
        d.output(20).map((s) => [s.seq, s.payload.length]),
        [
          [1001, 1000],
          [2001, 1000],
          [3001, 1000],
          [4001, 1000],
        ],
      );
      // The peer's segment 9001..10001 is lost; its bare ACK carries its SND.NXT 10001 (inside
      // our receive window, so acceptable): SND.WL1 = 10001, right edge 2001 + 3000 = 5001.
      const out1 = d.input(seg({ seq: 10001, ack: 2001, flags: ACK, window: 3000 }), 30);
      assert.deepEqual(out1, []);
      // Its retransmission (SEG.SEQ 9001 < SND.WL1) acknowledges 4001 and offers 2000 bytes:
      // right edge 6001: one segment fits. The old SND.WND (3000) counted from the new SND.UNA
      // would be 7001, a segment past what the peer offered (it would drop it).
      const out2 = d.input(
        seg({ seq: 9001, ack: 4001, flags: ACK, window: 2000, payload: bytes(1000) }),
        40,
      );
      assert.deepEqual(
        out2.map((s) => shape(s)),
        [{ seq: 5001, ack: 10001, flags: 'ACK', window: 7000, len: 1000 }],
      );
    },
  );
});
