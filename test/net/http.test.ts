/**
 * Node's http over synack (public hooks only: server.emit('connection'), Agent#createConnection):
 * 1,000 keep-alive requests and a 100 MiB body, bytes hashed at both ends — on a clean network with
 * the real clock, and under 2 % loss with 2 % reordering.
 *
 * Clock choice under loss, measured (2 shared cores, MTU 1500): with the real clock, recovering
 * 2 % loss needs a shortened RTO (minRto 50 ms) and still took ~2.6 s for the 1,000 requests and
 * ~22 s for the 100 MiB body; with the virtual clock the default RFC 6298 timers (1 s minimum RTO)
 * apply and it took ~0.5 s and ~1.3 s of wall time (~50 s and ~185 s of simulated time). So the
 * lossy runs use the virtual clock and default TCP settings. Clean runs on the real clock: ~0.7 s
 * for 1,000 requests, ~1.3 s for 100 MiB (~80 MB/s). Each test prints its figures as a diagnostic.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { httpPair, request, type HttpPair } from './http-harness.js';
import { pattern, sha256 } from './helpers.js';

/** Hashes the request body; answers with that hash and a body derived from the path. */
const hashingHandler: http.RequestListener = (req, res) => {
  const h = createHash('sha256');
  let n = 0;
  req.on('data', (d: Buffer) => {
    h.update(d);
    n += d.length;
  });
  req.on('end', () => {
    const i = Number((req.url ?? '/0').slice(1)) || 0;
    res.setHeader('x-request-sha256', h.digest('hex'));
    res.setHeader('x-request-bytes', String(n));
    res.end(pattern(1024, i + 1));
  });
};

async function thousandRequests(pair: HttpPair): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const body = pattern(256, 100_000 + i);
    const reply = await request(pair, `/${i}`, (req) => req.end(body));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['x-request-sha256'], sha256(body), `request ${i} body`);
    assert.equal(sha256(reply.body), sha256(pattern(1024, i + 1)), `response ${i} body`);
  }
  assert.equal(pair.accepted.length, 1, 'all 1,000 requests on one keep-alive connection');
}

const MiB = 1024 * 1024;

async function hundredMiB(pair: HttpPair): Promise<void> {
  const total = 100 * MiB;
  const base = pattern(MiB, 99);
  const sent = createHash('sha256');
  const reply = await request(pair, '/upload', (req) => {
    let i = 0;
    const pump = (): void => {
      while (i < total / MiB) {
        // Every MiB differs (its index in the first bytes), so a misplaced chunk changes the hash.
        const chunk = Buffer.from(base);
        chunk.writeUInt32BE(i, 0);
        i++;
        sent.update(chunk);
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['x-request-bytes'], String(total));
  assert.equal(reply.headers['x-request-sha256'], sent.digest('hex'));
}

describe('http over synack, clean network, real clock, MTU 1500', () => {
  test(
    '1,000 keep-alive requests → every request and response body hashes equal at both ends',
    { timeout: 120_000 },
    async (t) => {
      const pair = await httpPair({ clock: 'real', handler: hashingHandler });
      try {
        const t0 = performance.now();
        await thousandRequests(pair);
        t.diagnostic(
          `thousandRequests: ${Math.round(performance.now() - t0)} ms wall, ` +
            `${Math.round(pair.net.clock.now())} ms on the ${pair.net.clock.kind} clock`,
        );
      } finally {
        await pair.close();
      }
    },
  );

  test('100 MiB request body → same sha256 at both ends', { timeout: 120_000 }, async (t) => {
    const pair = await httpPair({ clock: 'real', handler: hashingHandler });
    try {
      const t0 = performance.now();
      await hundredMiB(pair);
      t.diagnostic(
        `hundredMiB: ${Math.round(performance.now() - t0)} ms wall, ` +
          `${Math.round(pair.net.clock.now())} ms on the ${pair.net.clock.kind} clock`,
      );
    } finally {
      await pair.close();
    }
  });
});

describe('http over synack, 2 % loss + 2 % reordering, virtual clock, MTU 1500', () => {
  const lossy = { clock: 'virtual' as const, loss: 0.02, reorder: 0.02, handler: hashingHandler };

  test(
    '1,000 keep-alive requests → every body hashes equal; losses were recovered',
    { timeout: 120_000 },
    async (t) => {
      const pair = await httpPair({ ...lossy, seed: 11 });
      try {
        const t0 = performance.now();
        await thousandRequests(pair);
        t.diagnostic(
          `thousandRequests: ${Math.round(performance.now() - t0)} ms wall, ` +
            `${Math.round(pair.net.clock.now())} ms on the ${pair.net.clock.kind} clock`,
        );
        assert.ok(pair.net.stats.dropped.loss > 0, 'the network lost packets');
        assert.ok(pair.net.stats.reordered > 0, 'the network reordered packets');
        const retrans = pair.client.counters.TcpRetransSegs + pair.server.counters.TcpRetransSegs;
        assert.ok(retrans > 0, 'TCP retransmitted');
      } finally {
        await pair.close();
      }
    },
  );

  test(
    '100 MiB request body → same sha256 at both ends; losses were recovered',
    { timeout: 120_000 },
    async (t) => {
      const pair = await httpPair({ ...lossy, seed: 12 });
      try {
        const t0 = performance.now();
        await hundredMiB(pair);
        t.diagnostic(
          `hundredMiB: ${Math.round(performance.now() - t0)} ms wall, ` +
            `${Math.round(pair.net.clock.now())} ms on the ${pair.net.clock.kind} clock`,
        );
        assert.ok(pair.net.stats.dropped.loss > 0, 'the network lost packets');
        assert.ok(pair.client.counters.TcpRetransSegs > 0, 'the sender retransmitted');
      } finally {
        await pair.close();
      }
    },
  );
});
