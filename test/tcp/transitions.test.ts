/**
 * Every arrow of TRANSITIONS, taken by feeding exact segments to one Connection and checking the
 * exact segments it answers with and the state it lands in. The last test fails if any row of the
 * table was never taken in this file.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../../src/tcp/connection.js';
import { TRANSITIONS } from '../../src/tcp/transitions.js';
import { seq } from '../../src/wire/seqnum.js';
import {
  ACK,
  A_PORT,
  B_PORT,
  Driver,
  FIN,
  RST,
  SYN,
  acceptedConn,
  activeOpen,
  bytes,
  established,
  passiveOpen,
  rowKey,
  seg,
  shape,
  takenArrows,
  testConfig,
} from './helpers.js';

const T = { timeout: 5000 };

/** ESTABLISHED (active open, ISS 1000, peer ISS 9000), then CLOSE: FIN 1001 sent. */
function finWait1(): Driver {
  const d = established();
  d.conn.close(20);
  assert.deepEqual(
    d.output(20).map((s) => shape(s)),
    [{ seq: 1001, ack: 9001, flags: 'FIN,ACK', window: 8000, len: 0 }],
  );
  assert.equal(d.state, 'FIN-WAIT-1');
  return d;
}

function finWait2(): Driver {
  const d = finWait1();
  assert.deepEqual(d.input(seg({ seq: 9001, ack: 1002, flags: ACK }), 30), []);
  assert.equal(d.state, 'FIN-WAIT-2');
  return d;
}

function closeWait(): Driver {
  const d = established();
  assert.deepEqual(
    d.input(seg({ seq: 9001, ack: 1001, flags: FIN | ACK }), 20).map((s) => shape(s)),
    [{ seq: 1001, ack: 9002, flags: 'ACK', window: 8000, len: 0 }],
  );
  assert.equal(d.state, 'CLOSE-WAIT');
  return d;
}

function closing(): Driver {
  const d = finWait1();
  assert.deepEqual(
    d.input(seg({ seq: 9001, ack: 1001, flags: FIN | ACK }), 30).map((s) => shape(s)),
    [{ seq: 1002, ack: 9002, flags: 'ACK', window: 8000, len: 0 }],
  );
  assert.equal(d.state, 'CLOSING');
  return d;
}

function lastAck(): Driver {
  const d = closeWait();
  d.conn.close(30);
  assert.deepEqual(
    d.output(30).map((s) => shape(s)),
    [{ seq: 1001, ack: 9002, flags: 'FIN,ACK', window: 8000, len: 0 }],
  );
  assert.equal(d.state, 'LAST-ACK');
  return d;
}

function timeWait(): Driver {
  const d = finWait2();
  assert.deepEqual(
    d.input(seg({ seq: 9001, ack: 1002, flags: FIN | ACK }), 40).map((s) => shape(s)),
    [{ seq: 1002, ack: 9002, flags: 'ACK', window: 8000, len: 0 }],
  );
  assert.equal(d.state, 'TIME-WAIT');
  return d;
}

function lastClosed(d: Driver): string | undefined {
  const closed = d.closedEvents();
  assert.equal(closed.length, 1, 'exactly one closed event');
  const e = closed[0]!;
  assert.ok(e.type === 'closed');
  return e.error?.code;
}

describe('opening', () => {
  test('CLOSED active OPEN → SYN-SENT, <SEQ=ISS><CTL=SYN> with MSS', T, () => {
    const d = activeOpen();
    assert.equal(d.state, 'SYN-SENT');
    assert.deepEqual(
      d.output(0).map((s) => shape(s, true)),
      [{ seq: 1000, ack: 0, flags: 'SYN', window: 8000, len: 0, options: { mss: 1000 } }],
    );
    assert.equal(d.conn.pollTimeout(), 1000);
  });

  test('CLOSED passive OPEN → LISTEN, nothing sent', T, () => {
    const d = passiveOpen();
    assert.equal(d.state, 'LISTEN');
    assert.deepEqual(d.output(0), []);
    assert.equal(d.conn.pollTimeout(), undefined);
  });

  test('LISTEN rcv SYN → SYN-RECEIVED, <SEQ=ISS><ACK=SEG.SEQ+1><CTL=SYN,ACK>', T, () => {
    const d = passiveOpen();
    const out = d.input(seg({ seq: 7000, flags: SYN, window: 4000, options: { mss: 1200 } }), 0);
    assert.deepEqual(
      out.map((s) => shape(s, true)),
      [{ seq: 5000, ack: 7001, flags: 'SYN,ACK', window: 8000, len: 0, options: { mss: 1000 } }],
    );
    assert.equal(out[0]!.dstPort, B_PORT);
    assert.equal(out[0]!.srcPort, A_PORT);
    assert.equal(d.state, 'SYN-RECEIVED');
    assert.equal(d.conn.info().sndMss, 1000);
    assert.equal(d.conn.info().sndWnd, 4000);
  });

  test('LISTEN rcv ACK → <SEQ=SEG.ACK><CTL=RST>, stays LISTEN', T, () => {
    const d = passiveOpen();
    const out = d.input(seg({ seq: 7000, ack: 4242, flags: ACK }), 0);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 4242, ack: 0, flags: 'RST', window: 0, len: 0 }],
    );
    assert.equal(d.state, 'LISTEN');
    assert.deepEqual(d.drops(), ['unexpected']);
  });

  test('LISTEN rcv RST → ignored', T, () => {
    const d = passiveOpen();
    assert.deepEqual(d.input(seg({ seq: 7000, flags: RST }), 0), []);
    assert.equal(d.state, 'LISTEN');
  });

  test('LISTEN SEND (peer known) → SYN-SENT, SYN sent', T, () => {
    const d = new Driver(
      Connection.listen({
        config: testConfig(),
        localPort: A_PORT,
        remotePort: B_PORT,
        iss: seq(300),
        now: 0,
      }),
    );
    assert.equal(d.conn.send(bytes(10), 0), 10);
    assert.equal(d.state, 'SYN-SENT');
    assert.deepEqual(
      d.output(0).map((s) => shape(s)),
      [{ seq: 300, ack: 0, flags: 'SYN', window: 8000, len: 0 }],
    );
    // The queued bytes follow the handshake.
    const out = d.input(seg({ seq: 9000, ack: 301, flags: SYN | ACK, options: { mss: 1000 } }), 5);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 301, ack: 9001, flags: 'PSH,ACK', window: 8000, len: 10 }],
    );
  });

  test('LISTEN CLOSE → CLOSED, closed without error', T, () => {
    const d = passiveOpen();
    d.conn.close(0);
    assert.deepEqual(d.output(0), []);
    assert.equal(d.state, 'CLOSED');
    assert.equal(lastClosed(d), undefined);
  });

  test(
    'SYN-SENT rcv SYN (simultaneous open) → SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>',
    T,
    () => {
      const d = activeOpen();
      d.output(0);
      const out = d.input(seg({ seq: 9000, flags: SYN, options: { mss: 1000 } }), 5);
      assert.deepEqual(
        out.map((s) => shape(s, true)),
        [{ seq: 1000, ack: 9001, flags: 'SYN,ACK', window: 8000, len: 0, options: { mss: 1000 } }],
      );
      assert.equal(d.state, 'SYN-RECEIVED');
    },
  );

  test('SYN-RECEIVED (simultaneous) rcv SYN,ACK → ESTABLISHED, nothing more sent', T, () => {
    const d = activeOpen();
    d.output(0);
    d.input(seg({ seq: 9000, flags: SYN, options: { mss: 1000 } }), 5);
    const out = d.input(
      seg({ seq: 9000, ack: 1001, flags: SYN | ACK, options: { mss: 1000 } }),
      10,
    );
    assert.deepEqual(out, []);
    assert.equal(d.state, 'ESTABLISHED');
    assert.equal(d.conn.info().sndUna, 1001);
  });

  test('SYN-SENT rcv SYN,ACK → ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>', T, () => {
    const d = activeOpen();
    d.output(0);
    const out = d.input(
      seg({ seq: 9000, ack: 1001, flags: SYN | ACK, window: 3000, options: { mss: 500 } }),
      40,
    );
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 0 }],
    );
    assert.equal(d.state, 'ESTABLISHED');
    const info = d.conn.info();
    assert.equal(info.sndMss, 500);
    assert.equal(info.sndWnd, 3000);
    assert.equal(info.srtt, 40);
    assert.equal(d.conn.pollTimeout(), undefined);
    assert.deepEqual(
      d.events.filter((e) => e.type === 'established'),
      [{ type: 'established' }],
    );
  });

  test(
    'SYN-SENT rcv ACK of something never sent → <SEQ=SEG.ACK><CTL=RST>, stays SYN-SENT',
    T,
    () => {
      const d = activeOpen();
      d.output(0);
      const out = d.input(seg({ seq: 9000, ack: 5555, flags: SYN | ACK }), 5);
      assert.deepEqual(
        out.map((s) => shape(s)),
        [{ seq: 5555, ack: 0, flags: 'RST', window: 0, len: 0 }],
      );
      assert.equal(d.state, 'SYN-SENT');
      assert.deepEqual(d.drops(), ['bad-ack']);
    },
  );

  test('SYN-SENT rcv RST without ACK → dropped, stays SYN-SENT', T, () => {
    const d = activeOpen();
    d.output(0);
    assert.deepEqual(d.input(seg({ seq: 0, flags: RST }), 5), []);
    assert.equal(d.state, 'SYN-SENT');
  });

  test('SYN-SENT rcv RST,ACK → CLOSED, refused', T, () => {
    const d = activeOpen();
    d.output(0);
    assert.deepEqual(d.input(seg({ seq: 0, ack: 1001, flags: RST | ACK }), 5), []);
    assert.equal(d.state, 'CLOSED');
    assert.equal(lastClosed(d), 'refused');
    assert.equal(d.conn.pollTimeout(), undefined);
  });

  test('SYN-SENT CLOSE → CLOSED, nothing sent', T, () => {
    const d = activeOpen();
    d.output(0);
    d.conn.close(1);
    assert.deepEqual(d.output(1), []);
    assert.equal(d.state, 'CLOSED');
    assert.equal(lastClosed(d), undefined);
  });

  test('SYN-SENT ABORT → CLOSED, aborted, nothing sent', T, () => {
    const d = activeOpen();
    d.output(0);
    d.conn.abort(1);
    assert.deepEqual(d.output(1), []);
    assert.equal(d.state, 'CLOSED');
    assert.equal(lastClosed(d), 'aborted');
  });

  test('SYN-SENT ICMP unreachable → CLOSED, unreachable, nothing sent', T, () => {
    const d = activeOpen();
    d.output(0);
    d.conn.handleUnreachable(5);
    assert.deepEqual(d.output(5), []);
    assert.equal(d.state, 'CLOSED');
    assert.equal(lastClosed(d), 'unreachable');
  });

  test('SYN-SENT SYN retries exhausted → SYN at 0, 1000, 3000, CLOSED timed-out at 7000', T, () => {
    const d = activeOpen({ synRetries: 2 });
    const sent: Array<[number, number]> = d.output(0).map((s) => [0, s.seq]);
    for (let i = 0; i < 10 && d.state !== 'CLOSED'; i++) {
      const { at, out } = d.fireNext();
      for (const s of out) {
        assert.equal(shape(s).flags, 'SYN');
        sent.push([at, s.seq]);
      }
      if ((d.state as string) === 'CLOSED') assert.equal(at, 7000);
    }
    assert.deepEqual(sent, [
      [0, 1000],
      [1000, 1000],
      [3000, 1000],
    ]);
    assert.equal(lastClosed(d), 'timed-out');
    assert.equal(d.conn.info().totalRetransmits, 2);
  });

  test('SYN-RECEIVED rcv ACK of SYN → ESTABLISHED, nothing sent', T, () => {
    const d = passiveOpen();
    d.input(seg({ seq: 7000, flags: SYN }), 0);
    assert.deepEqual(d.input(seg({ seq: 7001, ack: 5001, flags: ACK, window: 6000 }), 25), []);
    assert.equal(d.state, 'ESTABLISHED');
    assert.equal(d.conn.info().sndWnd, 6000);
    assert.equal(d.conn.info().srtt, 25);
    assert.equal(d.conn.info().sndMss, 536, 'no MSS option: the default peer MSS');
  });

  test('SYN-RECEIVED rcv ACK out of range → <SEQ=SEG.ACK><CTL=RST>, stays', T, () => {
    const d = passiveOpen();
    d.input(seg({ seq: 7000, flags: SYN }), 0);
    const out = d.input(seg({ seq: 7001, ack: 6000, flags: ACK }), 5);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 6000, ack: 0, flags: 'RST', window: 0, len: 0 }],
    );
    assert.equal(d.state, 'SYN-RECEIVED');
  });

  test('SYN-RECEIVED rcv the SYN again → SYN,ACK again', T, () => {
    const d = passiveOpen();
    d.input(seg({ seq: 7000, flags: SYN }), 0);
    const out = d.input(seg({ seq: 7000, flags: SYN }), 300);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 5000, ack: 7001, flags: 'SYN,ACK', window: 8000, len: 0 }],
    );
    assert.equal(d.state, 'SYN-RECEIVED');
  });

  test('SYN-RECEIVED CLOSE → FIN-WAIT-1; the FIN follows the ACK of our SYN', T, () => {
    const d = passiveOpen();
    d.input(seg({ seq: 7000, flags: SYN }), 0);
    d.conn.close(1);
    assert.equal(d.state, 'FIN-WAIT-1');
    assert.deepEqual(d.output(1), []);
    const out = d.input(seg({ seq: 7001, ack: 5001, flags: ACK }), 10);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 5001, ack: 7001, flags: 'FIN,ACK', window: 8000, len: 0 }],
    );
    assert.equal(d.state, 'FIN-WAIT-1');
  });

  test('SYN-RECEIVED (passive) rcv RST → LISTEN', T, () => {
    const d = passiveOpen();
    d.input(seg({ seq: 7000, flags: SYN }), 0);
    assert.deepEqual(d.input(seg({ seq: 7001, flags: RST }), 5), []);
    assert.equal(d.state, 'LISTEN');
    assert.equal(d.conn.pollTimeout(), undefined);
    assert.equal(d.closedEvents().length, 0);
  });

  test('SYN-RECEIVED (active) rcv RST → CLOSED, refused', T, () => {
    const d = activeOpen();
    d.output(0);
    d.input(seg({ seq: 9000, flags: SYN }), 5);
    assert.deepEqual(d.input(seg({ seq: 9001, flags: RST }), 10), []);
    assert.equal(d.state, 'CLOSED');
    assert.equal(lastClosed(d), 'refused');
  });

  test('SYN-RECEIVED SYN,ACK retries exhausted → CLOSED, timed-out', T, () => {
    const d = passiveOpen({ synRetries: 1 });
    assert.equal(d.input(seg({ seq: 7000, flags: SYN }), 0).length, 1);
    const first = d.fireNext();
    assert.equal(first.at, 1000);
    assert.deepEqual(
      first.out.map((s) => shape(s)),
      [{ seq: 5000, ack: 7001, flags: 'SYN,ACK', window: 8000, len: 0 }],
    );
    const second = d.fireNext();
    assert.equal(second.at, 3000);
    assert.deepEqual(second.out, []);
    assert.equal(d.state, 'CLOSED');
    assert.equal(lastClosed(d), 'timed-out');
  });

  test('SYN-RECEIVED ABORT → CLOSED, <SEQ=SND.NXT><CTL=RST>', T, () => {
    const d = passiveOpen();
    d.input(seg({ seq: 7000, flags: SYN }), 0);
    d.conn.abort(5);
    assert.deepEqual(
      d.output(5).map((s) => shape(s)),
      [{ seq: 5001, ack: 0, flags: 'RST', window: 0, len: 0 }],
    );
    assert.equal(d.state, 'CLOSED');
    assert.equal(lastClosed(d), 'aborted');
  });
});

describe('closing', () => {
  test('ESTABLISHED CLOSE → FIN-WAIT-1, <SEQ=SND.NXT><CTL=FIN,ACK>', T, () => {
    finWait1();
  });

  test('ESTABLISHED rcv FIN → CLOSE-WAIT, ACK of the FIN, peer-fin', T, () => {
    const d = closeWait();
    assert.ok(d.events.some((e) => e.type === 'peer-fin'));
  });

  test('FIN-WAIT-1 rcv ACK of FIN → FIN-WAIT-2, fin-wait-2 timer armed', T, () => {
    const d = finWait2();
    assert.equal(d.conn.pollTimeout(), 30 + 60_000);
  });

  test('FIN-WAIT-1 rcv FIN → CLOSING, ACK sent', T, () => {
    closing();
  });

  test('FIN-WAIT-1 rcv FIN + ACK of FIN → TIME-WAIT directly', T, () => {
    const d = finWait1();
    const out = d.input(seg({ seq: 9001, ack: 1002, flags: FIN | ACK }), 30);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1002, ack: 9002, flags: 'ACK', window: 8000, len: 0 }],
    );
    assert.equal(d.state, 'TIME-WAIT');
    const states = d.events.flatMap((e) => (e.type === 'state' ? [`${e.from}>${e.to}`] : []));
    assert.equal(states.at(-1), 'FIN-WAIT-1>TIME-WAIT');
    assert.equal(d.conn.pollTimeout(), 30 + 60_000);
  });

  test('FIN-WAIT-2 rcv FIN → TIME-WAIT, ACK sent, 2·MSL timer', T, () => {
    const d = timeWait();
    assert.equal(d.conn.pollTimeout(), 40 + 60_000);
  });

  test('FIN-WAIT-2 timeout → CLOSED, timed-out', T, () => {
    const d = finWait2();
    const { at, out } = d.fireNext();
    assert.equal(at, 60_030);
    assert.deepEqual(out, []);
    assert.equal(d.state, 'CLOSED');
    assert.equal(lastClosed(d), 'timed-out');
  });

  test('CLOSE-WAIT CLOSE → LAST-ACK, FIN sent', T, () => {
    lastAck();
  });

  test('CLOSING rcv ACK of FIN → TIME-WAIT', T, () => {
    const d = closing();
    assert.deepEqual(d.input(seg({ seq: 9002, ack: 1002, flags: ACK }), 40), []);
    assert.equal(d.state, 'TIME-WAIT');
    assert.equal(d.conn.pollTimeout(), 40 + 60_000);
  });

  test('LAST-ACK rcv ACK of FIN → CLOSED, closed without error', T, () => {
    const d = lastAck();
    assert.deepEqual(d.input(seg({ seq: 9002, ack: 1002, flags: ACK }), 40), []);
    assert.equal(d.state, 'CLOSED');
    assert.equal(lastClosed(d), undefined);
    assert.equal(d.conn.pollTimeout(), undefined);
  });

  test('TIME-WAIT 2·MSL → CLOSED, closed without error', T, () => {
    const d = timeWait();
    const { at, out } = d.fireNext();
    assert.equal(at, 60_040);
    assert.deepEqual(out, []);
    assert.equal(d.state, 'CLOSED');
    assert.equal(lastClosed(d), undefined);
  });

  test('TIME-WAIT rcv FIN again → re-ACK, timer restarted', T, () => {
    const d = timeWait();
    const out = d.input(seg({ seq: 9001, ack: 1002, flags: FIN | ACK }), 5000);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1002, ack: 9002, flags: 'ACK', window: 8000, len: 0 }],
    );
    assert.equal(d.state, 'TIME-WAIT');
    assert.equal(d.conn.pollTimeout(), 5000 + 60_000);
  });
});

describe('resets, aborts and give-ups', () => {
  const builders: Record<string, () => Driver> = {
    ESTABLISHED: () => established(),
    'FIN-WAIT-1': finWait1,
    'FIN-WAIT-2': finWait2,
    'CLOSE-WAIT': closeWait,
    CLOSING: closing,
    'LAST-ACK': lastAck,
    'TIME-WAIT': timeWait,
  };
  // RCV.NXT in each of them: 9001 before the peer's FIN, 9002 after.
  const rcvNxt: Record<string, number> = {
    ESTABLISHED: 9001,
    'FIN-WAIT-1': 9001,
    'FIN-WAIT-2': 9001,
    'CLOSE-WAIT': 9002,
    CLOSING: 9002,
    'LAST-ACK': 9002,
    'TIME-WAIT': 9002,
  };
  const sndNxt: Record<string, number> = {
    ESTABLISHED: 1001,
    'FIN-WAIT-1': 1002,
    'FIN-WAIT-2': 1002,
    'CLOSE-WAIT': 1001,
  };

  for (const [name, build] of Object.entries(builders)) {
    test(`${name} rcv RST at RCV.NXT → CLOSED${name === 'TIME-WAIT' ? '' : ', reset'}`, T, () => {
      const d = build();
      assert.deepEqual(d.input(seg({ seq: rcvNxt[name]!, flags: RST }), 50), []);
      assert.equal(d.state, 'CLOSED');
      assert.equal(lastClosed(d), name === 'TIME-WAIT' ? undefined : 'reset');
    });

    test(`${name} rcv RST in window but not at RCV.NXT → challenge ACK, stays`, T, () => {
      const d = build();
      const out = d.input(seg({ seq: rcvNxt[name]! + 10, flags: RST }), 50);
      assert.equal(out.length, 1);
      assert.equal(shape(out[0]!).flags, 'ACK');
      assert.equal(out[0]!.ack, rcvNxt[name]);
      assert.equal(d.state, name);
      assert.deepEqual(d.drops(), ['rst-challenged']);
    });

    test(
      `${name} ABORT → CLOSED, aborted${name in sndNxt ? ', RST sent' : ', nothing sent'}`,
      T,
      () => {
        const d = build();
        d.conn.abort(50);
        const out = d.output(50).map((s) => shape(s));
        const expected = sndNxt[name];
        assert.deepEqual(
          out,
          expected === undefined
            ? []
            : [{ seq: expected, ack: 0, flags: 'RST', window: 0, len: 0 }],
        );
        assert.equal(d.state, 'CLOSED');
        assert.equal(lastClosed(d), 'aborted');
      },
    );
  }

  const withOutstanding: Record<string, () => Driver> = {
    ESTABLISHED: () => {
      const d = established({ dataRetries: 2 });
      d.conn.send(bytes(100), 20);
      assert.equal(d.output(20).length, 1);
      return d;
    },
    'CLOSE-WAIT': () => {
      const d = established({ dataRetries: 2 });
      d.input(seg({ seq: 9001, ack: 1001, flags: FIN | ACK }), 20);
      d.conn.send(bytes(100), 20);
      assert.equal(d.output(20).length, 1);
      return d;
    },
    'FIN-WAIT-1': () => {
      const d = established({ dataRetries: 2 });
      d.conn.close(20);
      assert.equal(d.output(20).length, 1);
      return d;
    },
    CLOSING: () => {
      const d = established({ dataRetries: 2 });
      d.conn.close(20);
      d.output(20);
      d.input(seg({ seq: 9001, ack: 1001, flags: FIN | ACK }), 30);
      return d;
    },
    'LAST-ACK': () => {
      const d = established({ dataRetries: 2 });
      d.input(seg({ seq: 9001, ack: 1001, flags: FIN | ACK }), 20);
      d.conn.close(20);
      d.output(20);
      return d;
    },
  };
  for (const [name, build] of Object.entries(withOutstanding)) {
    test(`${name} retransmissions exhausted → resent twice, then CLOSED timed-out`, T, () => {
      const d = build();
      assert.equal(d.state, name);
      const times: number[] = [];
      for (let i = 0; i < 10 && d.state !== 'CLOSED'; i++) {
        const { at, out } = d.fireNext();
        if (out.length) times.push(at);
      }
      assert.equal(d.state, 'CLOSED');
      assert.equal(times.length, 2);
      assert.equal(lastClosed(d), 'timed-out');
    });
  }
});

describe('transitions table', () => {
  test('accepted connection (passive) reaches ESTABLISHED', T, () => {
    assert.equal(acceptedConn().state, 'ESTABLISHED');
  });

  after(() => {
    // Nothing to clean: the check is the next test, registered last.
  });

  test('every row of TRANSITIONS was taken by a test in this file', T, () => {
    const missing = TRANSITIONS.map(rowKey).filter((k) => !takenArrows.has(k));
    assert.deepEqual(missing, []);
  });
});
