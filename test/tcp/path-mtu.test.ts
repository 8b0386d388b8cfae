/**
 * Path MTU → send MSS with the connection's IP header size (RFC 9293 §3.7.1: MSS = MTU − IP
 * header − TCP header; RFC 1191 for IPv4, RFC 8201 for IPv6): ConnectionOptions.ipHeaderSize.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, type ConnectionOptions } from '../../src/tcp/connection.js';
import { seq } from '../../src/wire/seqnum.js';
import { A_PORT, ACK, B_PORT, Driver, SYN, bytes, seg, testConfig } from './helpers.js';

const T = { timeout: 10_000 };

/** ESTABLISHED by active open with MSS 1440 both ways, our ISS 1000, the peer's 9000. */
function establishedWith(ipHeaderSize: ConnectionOptions['ipHeaderSize'] | 99): Driver {
  const d = new Driver(
    Connection.connect({
      config: testConfig({ mss: 1440 }),
      localPort: A_PORT,
      remotePort: B_PORT,
      iss: seq(1000),
      now: 0,
      // 99 stands for a bad value from a JavaScript caller.
      ipHeaderSize: ipHeaderSize as ConnectionOptions['ipHeaderSize'],
    }),
  );
  d.output(0);
  d.input(
    seg({ seq: 9000, ack: 1001, flags: SYN | ACK, window: 8000, options: { mss: 1440 } }),
    10,
  );
  return d;
}

describe('path MTU and the IP header size', () => {
  test('ESTABLISHED IPv6 (ipHeaderSize 40) path MTU 1280 → send MSS 1220', T, () => {
    const d = establishedWith(40);
    assert.equal(d.conn.info().sndMss, 1440);
    d.conn.handlePathMtu(1280, 20);
    assert.equal(d.conn.info().sndMss, 1220);
    d.conn.send(bytes(2000), 30);
    assert.deepEqual(
      d.output(30).map((s) => [s.seq, s.payload.length]),
      [
        [1001, 1220],
        [2221, 780],
      ],
    );
  });

  test('ESTABLISHED IPv4 (ipHeaderSize default 20) path MTU 1280 → send MSS 1240', T, () => {
    const d = establishedWith(undefined);
    d.conn.handlePathMtu(1280, 20);
    assert.equal(d.conn.info().sndMss, 1240);
  });

  test('ESTABLISHED ipHeaderSize 20 explicitly, path MTU 576 → send MSS 536', T, () => {
    const d = establishedWith(20);
    d.conn.handlePathMtu(576, 20);
    assert.equal(d.conn.info().sndMss, 536);
  });

  test('ESTABLISHED bad ipHeaderSize → treated as IPv4, no crash', T, () => {
    const d = establishedWith(99);
    d.conn.handlePathMtu(1280, 20);
    assert.equal(d.conn.info().sndMss, 1240);
  });

  test('ESTABLISHED IPv6 path MTU above the negotiated MSS → MSS unchanged', T, () => {
    const d = establishedWith(40);
    d.conn.handlePathMtu(1500, 20);
    assert.equal(d.conn.info().sndMss, 1440);
    d.conn.send(bytes(10), 30);
    assert.deepEqual(
      d.output(30).map((s) => [s.seq, s.payload.length, s.flags & ACK]),
      [[1001, 10, ACK]],
    );
  });
});
