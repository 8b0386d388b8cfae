/**
 * read() hands out views of the received packets (zero copy). A reader may change its chunk in
 * place (ws unmasks frames so): the trace, which may keep its events, holds copies of received
 * payloads, and a duplicated packet is delivered from bytes of its own.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SimNetwork } from '../../src/link/sim-network.js';
import type { TraceEvent } from '../../src/stack/trace-event.js';

/** A 1000-byte write of 0xab from 10.0.0.1 to a reader on 10.0.0.2 that zeroes every chunk. */
function zeroingReader(opts: { duplicate?: number; close?: boolean }): {
  net: SimNetwork;
  events: TraceEvent[];
  read: number[];
} {
  const net = new SimNetwork({ seed: 1, clock: 'virtual', duplicate: opts.duplicate ?? 0 });
  const a = net.addHost({ address: '10.0.0.1' });
  const b = net.addHost({ address: '10.0.0.2' });
  const events: TraceEvent[] = [];
  b.setTrace((e) => events.push(e));
  const read: number[] = [];
  b.openListener({ port: 80 }).onConnection = (s): void => {
    s.onEvent = (ev): void => {
      if (ev.type !== 'readable') return;
      const chunk = s.read();
      read.push(...new Set(chunk));
      chunk.fill(0); // e.g. unmasking or decrypting in place
    };
  };
  const c = a.openConnection({ address: '10.0.0.2', port: 80 });
  c.onEvent = (ev): void => {
    if (ev.type !== 'established') return;
    c.write(new Uint8Array(1000).fill(0xab));
    if (opts.close === true) c.close(); // the FIN rides on the data segment
  };
  net.run(5_000);
  return { net, events, read };
}

describe('trace: received payloads are copies', () => {
  test('a reader zeroes its chunk → the "recv" segment in the trace keeps the bytes that arrived', () => {
    const { net, events, read } = zeroingReader({});
    net.close();
    assert.deepEqual(read, [0xab]);
    const rx = events.filter(
      (e) => e.type === 'segment' && e.event === 'recv' && e.segment.payload.length > 0,
    );
    assert.equal(rx.length, 1);
    for (const e of rx) {
      if (e.type === 'segment') assert.deepEqual(new Set(e.segment.payload), new Set([0xab]));
    }
  });

  test('a reader zeroes its chunk → the segment that caused a state change keeps its bytes', () => {
    const { net, events } = zeroingReader({ close: true });
    net.close();
    const closeWait = events.find((e) => e.type === 'state' && e.to === 'CLOSE-WAIT');
    assert.ok(closeWait?.type === 'state' && closeWait.cause.kind === 'segment');
    assert.equal(closeWait.cause.segment.payload.length, 1000);
    assert.deepEqual(new Set(closeWait.cause.segment.payload), new Set([0xab]));
  });

  test('duplicate 1, a reader zeroes its chunk → the duplicate arrives intact (no checksum error)', () => {
    const { net, events, read } = zeroingReader({ duplicate: 1 });
    const b = net.hosts.find((h) => h.name === '10.0.0.2');
    assert.ok(b);
    const csumErrors = b.counters.TcpInCsumErrors;
    net.close();
    assert.ok(net.stats.duplicated > 0);
    assert.deepEqual(read, [0xab]);
    assert.equal(csumErrors, 0);
    const rx = events.filter(
      (e) => e.type === 'segment' && e.event === 'recv' && e.segment.payload.length > 0,
    );
    assert.equal(rx.length, 2); // the segment and its duplicate
    for (const e of rx) {
      if (e.type === 'segment') assert.deepEqual(new Set(e.segment.payload), new Set([0xab]));
    }
  });
});
