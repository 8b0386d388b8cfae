/**
 * Third-party clients and servers over synack through their public transport hooks:
 * `ws` (WebSocket) with http's 'upgrade' on the server and the `createConnection` option on the
 * client, and `undici` with its `connect` option. A round trip each, bytes hashed at both ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { Client, buildConnector } from 'undici';
import { httpPair, SERVER } from './http-harness.js';
import { pattern, sha256, waitFor } from './helpers.js';

test(
  'ws: a 256 KiB binary and a text message → echoed intact over synack; clean close 1000 both ends',
  { timeout: 60_000 },
  async () => {
    const wss = new WebSocketServer({ noServer: true });
    const serverSaw: string[] = [];
    const serverClose: string[] = [];
    wss.on('connection', (ws) => {
      ws.on('close', (code: number, reason: Buffer) =>
        serverClose.push(`${code}:${reason.toString()}`),
      );
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
        serverSaw.push(sha256(buf));
        ws.send(buf, { binary: isBinary });
      });
    });
    const pair = await httpPair({ clock: 'real', handler: (_req, res) => res.end('no') });
    pair.httpServer.on('upgrade', (req, socket: Duplex, head: Buffer) => {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
    try {
      const ws = new WebSocket(`ws://${SERVER}/echo`, {
        createConnection: () =>
          pair.client.connect({ port: 80, host: SERVER }) as unknown as import('node:net').Socket,
      });
      await waitFor(ws, 'open');
      const binary = pattern(256 * 1024, 21);
      const replies: { data: Buffer; binary: boolean }[] = [];
      ws.on('message', (data: RawData, isBinary: boolean) =>
        replies.push({ data: data as Buffer, binary: isBinary }),
      );
      ws.send(binary);
      ws.send('hello over synack');
      const deadline = Date.now() + 20_000;
      while (replies.length < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      assert.equal(replies.length, 2);
      assert.equal(replies[0]!.binary, true);
      assert.equal(sha256(replies[0]!.data), sha256(binary));
      assert.equal(replies[1]!.binary, false);
      assert.equal(replies[1]!.data.toString(), 'hello over synack');
      assert.deepEqual(serverSaw, [sha256(binary), sha256(Buffer.from('hello over synack'))]);
      const closed = waitFor<[number, Buffer]>(ws, 'close');
      ws.close(1000, 'done');
      const [code, reason] = await closed;
      assert.equal(code, 1000);
      assert.equal(reason.toString(), 'done');
      const until = Date.now() + 5000;
      while (serverClose.length === 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(serverClose, ['1000:done']);
    } finally {
      wss.close();
      await pair.close();
    }
  },
);

test(
  'undici Client with a synack `connect` → POST round trip, body hashes equal at both ends',
  { timeout: 60_000 },
  async () => {
    const pair = await httpPair({
      clock: 'real',
      handler: (req, res) => {
        const h = createHash('sha256');
        req.on('data', (d: Buffer) => h.update(d));
        req.on('end', () =>
          res.end(JSON.stringify({ sha256: h.digest('hex'), method: req.method, url: req.url })),
        );
      },
    });
    // undici's `connect` option: (options, callback(err, socket)). Only plain TCP here (no TLS).
    const connect: buildConnector.connector = (opts, cb) => {
      const s = pair.client.connect({ port: Number(opts.port) || 80, host: opts.hostname });
      const onError = (e: Error): void => cb(e, null);
      s.once('error', onError);
      s.once('connect', () => {
        s.off('error', onError);
        cb(null, s as unknown as import('node:net').Socket);
      });
    };
    const client = new Client(`http://${SERVER}`, { connect });
    try {
      const body = pattern(100 * 1024, 31);
      const res = await client.request({ path: '/undici', method: 'POST', body });
      assert.equal(res.statusCode, 200);
      const reply = JSON.parse(await res.body.text()) as {
        sha256: string;
        method: string;
        url: string;
      };
      assert.deepEqual(reply, { sha256: sha256(body), method: 'POST', url: '/undici' });
      const res2 = await client.request({ path: '/again', method: 'GET' });
      assert.equal(res2.statusCode, 200);
      await res2.body.text();
      assert.equal(pair.accepted.length, 1, 'undici reused its keep-alive connection');
    } finally {
      await client.close();
      await pair.close();
    }
  },
);
