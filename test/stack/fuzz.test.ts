/**
 * Random API use across two stacks on a lossy network: listeners opened and closed, connections
 * opened, written, read, half-closed, aborted, and their handlers calling back into the stack —
 * all at random virtual times. Invariants: nothing throws, every stream a connection reads is a
 * prefix of what its peer wrote, and once everything is closed and TIME-WAIT is over, neither stack
 * holds a connection, a timer or a listener.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SimNetwork } from '../../src/link/sim-network.js';
import type { Stack, TcpConnection, TcpListener } from '../../src/stack/stack.js';
import type { VirtualClock } from '../../src/stack/virtual-clock.js';
import { seededRandom, type RandomSource } from '../../src/tcp/random.js';

interface Side {
  conn: TcpConnection;
  written: number[];
  read: number[];
  key: string;
}

function key(c: TcpConnection, local: boolean): string {
  const t = c.tuple;
  return local
    ? `${t.localAddress}:${t.localPort}>${t.remoteAddress}:${t.remotePort}`
    : `${t.remoteAddress}:${t.remotePort}>${t.localAddress}:${t.localPort}`;
}

function fuzz(seed: number): { sides: number; bytesRead: number } {
  const r: RandomSource = seededRandom(seed);
  const net = new SimNetwork({
    seed,
    clock: 'virtual',
    delay: 1 + (r.nextU32() % 20),
    loss: r.next() * 0.1,
    reorder: r.next() * 0.1,
    duplicate: r.next() * 0.05,
    corrupt: r.next() * 0.02,
  });
  const clock = net.clock as VirtualClock;
  const tcp = { msl: 1000, finWait2Timeout: 120_000, synRetries: 10, dataRetries: 20 };
  const hosts: Stack[] = [
    net.addHost({ address: ['198.18.0.1', '2001:db8::1'], name: 'h1', tcp }),
    net.addHost({ address: ['198.18.0.2', '2001:db8::2'], name: 'h2', tcp }),
  ];
  const errors: unknown[] = [];
  for (const h of hosts) h.onError = (e) => errors.push(e);
  const sides = new Map<string, Side>();
  const listeners: TcpListener[] = [];
  const live: Side[] = [];

  const adopt = (c: TcpConnection): Side => {
    const s: Side = { conn: c, written: [], read: [], key: key(c, true) };
    sides.set(s.key, s);
    live.push(s);
    c.onEvent = (ev) => {
      if (ev.type === 'readable' || ev.type === 'peer-fin') {
        // Reentrant: read (and sometimes echo) from inside the handler.
        const b = c.read(r.next() < 0.5 ? undefined : 1 + (r.nextU32() % 3000));
        for (const x of b) s.read.push(x);
        if (b.length > 0 && r.next() < 0.2) {
          const n = c.write(b.subarray(0, Math.min(b.length, 100)));
          for (let i = 0; i < n; i++) s.written.push(b[i]!);
        }
      }
      if (ev.type === 'peer-fin' && r.next() < 0.5) c.close();
    };
    return s;
  };

  for (let step = 0; step < 300; step++) {
    const h = hosts[r.nextU32() % 2]!;
    const other = hosts[h === hosts[0] ? 1 : 0]!;
    const op = r.nextU32() % 10;
    try {
      if (op === 0 && listeners.length < 4) {
        const l = h.openListener({
          port: 1000 + (r.nextU32() % 4),
          backlog: 1 + (r.nextU32() % 4),
        });
        l.onConnection = (c) => adopt(c);
        listeners.push(l);
      } else if (op === 1 && listeners.length > 0) {
        listeners.splice(r.nextU32() % listeners.length, 1)[0]!.close();
      } else if (op <= 4) {
        const v6 = r.next() < 0.3;
        const addr = other.addresses.find((a) => a.includes(':') === v6)!;
        adopt(h.openConnection({ address: addr, port: 1000 + (r.nextU32() % 4) }));
      } else if (live.length > 0) {
        const s = live[r.nextU32() % live.length]!;
        const c = s.conn;
        if (op <= 7) {
          const data = r.bytes(r.nextU32() % 20_000);
          const n = c.write(data);
          for (let i = 0; i < n; i++) s.written.push(data[i]!);
        } else if (op === 8) {
          c.close();
        } else if (r.next() < 0.3) {
          c.abort();
        } else {
          c.setNoDelay(r.next() < 0.5);
        }
      }
    } catch (e) {
      // Only the documented StackErrors are acceptable here (a port in use, …).
      assert.equal((e as { name?: string }).name, 'StackError', String(e));
    }
    clock.advanceBy(r.nextU32() % 200);
  }
  // Wind down: close everything gracefully, then let retransmissions and TIME-WAIT finish.
  for (const l of listeners) l.close();
  for (const s of live) s.conn.close();
  for (const s of live) {
    s.conn.onEvent = (ev) => {
      if (ev.type === 'readable' || ev.type === 'peer-fin')
        for (const x of s.conn.read()) s.read.push(x);
    };
  }
  assert.equal(net.run(3_600_000), true, 'network not idle after an hour of virtual time');
  assert.deepEqual(errors, []);
  for (const s of sides.values()) {
    const peer = sides.get(key(s.conn, false));
    const sent = peer ? peer.written : [];
    assert.ok(s.read.length <= sent.length, `${s.key}: read more than the peer wrote`);
    for (let i = 0; i < s.read.length; i++) {
      if (s.read[i] !== sent[i])
        assert.fail(`${s.key}: byte ${i} differs from what the peer wrote`);
    }
  }
  for (const h of hosts) {
    assert.equal(h.connectionCount, 0, `${h.name}: connections left`);
    assert.equal(h.pendingTimerCount, 0, `${h.name}: timers left`);
    assert.equal(h.listenerCount, 0, `${h.name}: listeners left`);
    assert.equal(h.counters.TcpCurrEstab, 0, `${h.name}: TcpCurrEstab`);
  }
  let bytesRead = 0;
  for (const s of sides.values()) bytesRead += s.read.length;
  return { sides: sides.size, bytesRead };
}

describe('Stack: random API use on a lossy network', () => {
  for (let seed = 1; seed <= 12; seed++) {
    test(
      `seed ${seed}: 300 random operations → no exception, prefixes only, nothing left`,
      { timeout: 60_000 },
      () => {
        const { sides, bytesRead } = fuzz(seed);
        // Not vacuous: connections were made and bytes flowed.
        assert.ok(sides > 10, `only ${sides} connection ends`);
        assert.ok(bytesRead > 0, 'no byte was read');
      },
    );
  }
});
