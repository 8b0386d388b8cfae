/**
 * One behaviour suite, two implementations. Each behaviour below is ported from what Node's own
 * test/parallel/test-net-*.js files check (written anew, not copied): the order of connect / ready /
 * end / finish / close, half-open sockets, pause/resume, destroy during connect, server close with
 * open sockets, timeouts, and the errors for refused / reset connections. `runBehaviours` registers
 * them against an implementation: Node's `net` over loopback (the oracle) or a pair of synack stacks
 * on the simulated network. The expectations are what Node does, observed, not what we wish it did.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  NetLike,
  ServerLike,
  SocketLike,
  AddressInfoLike,
  ServerOptionsLike,
} from './net-like.js';
import { collect, pattern, record, sha256, sleep, until, waitFor } from './helpers.js';

export interface NetImpl {
  name: string;
  /** The client's `net`: Node's module, or the client stack. */
  client: NetLike;
  /** The server's `net`: Node's module again, or the server stack. */
  server: NetLike;
  serverHost: string;
  clientHost: string;
  /** A port on serverHost where nothing listens. */
  refusedPort(): Promise<number>;
  teardown(): Promise<void>;
}

/** What one test touches, so that teardown can close everything even when an assertion fails. */
export class Ctx {
  readonly sockets: SocketLike[] = [];
  readonly servers: ServerLike[] = [];
  constructor(readonly impl: NetImpl) {}

  createServer(options: ServerOptionsLike = {}, onConn?: (s: SocketLike) => void): ServerLike {
    const srv = this.impl.server.createServer(options, (s) => {
      this.sockets.push(s);
      onConn?.(s);
    });
    this.servers.push(srv);
    return srv;
  }

  /** listen(0, serverHost) and resolve with the port. */
  async listen(srv: ServerLike): Promise<number> {
    srv.listen(0, this.impl.serverHost);
    await waitFor(srv, 'listening');
    return (srv.address() as AddressInfoLike).port;
  }

  connect(port: number, options: { allowHalfOpen?: boolean; timeout?: number } = {}): SocketLike {
    const c = this.impl.client.connect({ port, host: this.impl.serverHost, ...options });
    this.sockets.push(c);
    return c;
  }

  /** A connected client and the server's socket for it. */
  async pair(
    serverOptions: ServerOptionsLike = {},
    clientOptions: { allowHalfOpen?: boolean } = {},
  ): Promise<{ server: ServerLike; port: number; client: SocketLike; accepted: SocketLike }> {
    let accepted: SocketLike | undefined;
    const server = this.createServer(serverOptions, (s) => (accepted = s));
    const port = await this.listen(server);
    const client = this.connect(port, clientOptions);
    await waitFor(client, 'connect');
    await until(() => accepted !== undefined, 5000, 'the connection event');
    return { server, port, client, accepted: accepted as SocketLike };
  }

  async cleanup(): Promise<void> {
    for (const s of this.sockets) {
      s.on('error', () => {});
      s.destroy();
    }
    for (const srv of this.servers) if (srv.listening) srv.close();
    await this.impl.teardown();
  }
}

/** getConnections() as a synchronous number (both implementations answer on a later tick). */
const lastCount = new WeakMap<ServerLike, number>();
function connections(srv: ServerLike): number {
  srv.getConnections((_e, n) => lastCount.set(srv, n));
  return lastCount.get(srv) ?? -1;
}

type Behaviour = [name: string, body: (ctx: Ctx) => Promise<void>];

const closeOnce = (log: string[], prefix: string): number =>
  log.filter((e) => e.startsWith(`${prefix}:close`)).length;

const before = (log: string[], a: string, b: string): boolean => {
  const i = log.indexOf(a);
  const j = log.indexOf(b);
  return i >= 0 && j >= 0 && i < j;
};

export const BEHAVIOURS: Behaviour[] = [
  [
    "server listen(0, host) → 'listening', address() gives host, IPv4 and an ephemeral port",
    async (ctx) => {
      const srv = ctx.createServer();
      assert.equal(srv.listening, false);
      assert.equal(srv.address(), null);
      const port = await ctx.listen(srv);
      assert.equal(srv.listening, true);
      assert.ok(port > 0 && port < 65536);
      assert.deepEqual(srv.address(), { address: ctx.impl.serverHost, family: 'IPv4', port });
    },
  ],
  [
    'server listen({ port: 0, host }, cb) → cb called once, after which it is listening',
    async (ctx) => {
      const srv = ctx.createServer();
      let calls = 0;
      srv.listen({ port: 0, host: ctx.impl.serverHost }, () => {
        calls++;
        assert.equal(srv.listening, true);
      });
      await waitFor(srv, 'listening');
      await sleep(5);
      assert.equal(calls, 1);
    },
  ],
  [
    "connect(port, host, cb) → 'connect' then 'ready', cb once; both ends agree on the 4-tuple",
    async (ctx) => {
      let accepted: SocketLike | undefined;
      const srv = ctx.createServer({}, (s) => (accepted = s));
      const port = await ctx.listen(srv);
      const log: string[] = [];
      let cbCalls = 0;
      const c = ctx.impl.client.connect(port, ctx.impl.serverHost, () => cbCalls++);
      ctx.sockets.push(c);
      record(c, log, 'c');
      await waitFor(c, 'ready');
      await until(() => accepted !== undefined);
      const a = accepted as SocketLike;
      assert.deepEqual(log, ['c:connect', 'c:ready']);
      assert.equal(cbCalls, 1);
      assert.equal(c.remoteAddress, ctx.impl.serverHost);
      assert.equal(c.remotePort, port);
      assert.equal(c.remoteFamily, 'IPv4');
      assert.equal(c.localAddress, ctx.impl.clientHost);
      assert.equal(c.localFamily, 'IPv4');
      assert.deepEqual(c.address(), {
        address: ctx.impl.clientHost,
        family: 'IPv4',
        port: c.localPort,
      });
      assert.equal(a.localAddress, ctx.impl.serverHost);
      assert.equal(a.localPort, port);
      assert.equal(a.remoteAddress, ctx.impl.clientHost);
      assert.equal(a.remotePort, c.localPort);
      assert.equal(a.remoteFamily, 'IPv4');
    },
  ],
  [
    'createConnection(options, cb) and connect(options) → connected like connect(port, host)',
    async (ctx) => {
      const srv = ctx.createServer({}, (s) => s.resume());
      const port = await ctx.listen(srv);
      let cb = 0;
      const a = ctx.impl.client.createConnection({ port, host: ctx.impl.serverHost }, () => cb++);
      const b = ctx.impl.client.connect({ port, host: ctx.impl.serverHost });
      const d = ctx.impl.client.createConnection(port, ctx.impl.serverHost);
      ctx.sockets.push(a, b, d);
      await Promise.all([waitFor(a, 'connect'), waitFor(b, 'connect'), waitFor(d, 'connect')]);
      assert.equal(cb, 1);
      for (const s of [a, b, d]) assert.equal(s.remotePort, port);
      const ports = new Set([a.localPort, b.localPort, d.localPort]);
      assert.equal(ports.size, 3, 'three distinct ephemeral ports');
      await until(() => connections(srv) === 3, 5000, 'three connections on the server');
    },
  ],
  [
    "client before connect → pending, connecting, 'opening'; after → 'open', not pending",
    async (ctx) => {
      const srv = ctx.createServer({}, (s) => s.resume());
      const port = await ctx.listen(srv);
      const c = ctx.connect(port);
      assert.equal(c.pending, true);
      assert.equal(c.connecting, true);
      assert.equal(c.readyState, 'opening');
      await waitFor(c, 'connect');
      assert.equal(c.pending, false);
      assert.equal(c.connecting, false);
      assert.equal(c.readyState, 'open');
    },
  ],
  [
    "server 'connection' → an open socket that never emits 'connect'",
    async (ctx) => {
      const log: string[] = [];
      let state = '';
      const srv = ctx.createServer({}, (s) => {
        record(s, log, 's');
        state = `${s.readyState}/${s.pending}/${s.connecting}`;
      });
      const port = await ctx.listen(srv);
      const c = ctx.connect(port);
      await waitFor(c, 'connect');
      await until(() => state !== '');
      await sleep(10);
      assert.equal(state, 'open/false/false');
      assert.deepEqual(log, []);
    },
  ],
  [
    '1 MiB each way → same sha256 at both ends; bytesRead and bytesWritten exact',
    async (ctx) => {
      const up = pattern(1 << 20, 7);
      const down = pattern(1 << 20, 8);
      let serverGot: ReturnType<typeof collect> | undefined;
      const srv = ctx.createServer({ allowHalfOpen: true }, (s) => {
        serverGot = collect(s);
        s.on('end', () => s.end(down));
      });
      const port = await ctx.listen(srv);
      const c = ctx.connect(port);
      const got = collect(c);
      c.end(up);
      await waitFor(c, 'close', 20000);
      assert.equal(got.length(), down.length);
      assert.equal(got.hash(), sha256(down));
      assert.equal(serverGot?.length(), up.length);
      assert.equal(serverGot?.hash(), sha256(up));
      assert.equal(c.bytesWritten, up.length);
      assert.equal(c.bytesRead, down.length);
    },
  ],
  [
    "client end() (allowHalfOpen false) → server 'end','finish','close(false)'; client 'finish','end','close(false)'",
    async (ctx) => {
      const log: string[] = [];
      let serverState = '';
      let s: SocketLike | undefined;
      const srv = ctx.createServer({}, (sock) => {
        s = sock;
        record(sock, log, 's');
        sock.on('end', () => (serverState = sock.readyState));
        sock.resume();
      });
      const port = await ctx.listen(srv);
      const c = ctx.connect(port);
      record(c, log, 'c');
      c.resume();
      await waitFor(c, 'connect');
      c.end();
      assert.equal(c.readyState, 'readOnly');
      await waitFor(c, 'close');
      await until(() => closeOnce(log, 's') === 1);
      await sleep(10);
      assert.equal(serverState, 'writeOnly', "the server's readyState inside its 'end' handler");
      assert.deepEqual(
        log.filter((e) => e.startsWith('s:')),
        ['s:end', 's:finish', 's:close:false'],
      );
      const cl = log.filter((e) => e.startsWith('c:'));
      assert.deepEqual(cl.slice(0, 2), ['c:connect', 'c:ready']);
      assert.deepEqual([...cl.slice(2, 4)].sort(), ['c:end', 'c:finish']);
      assert.equal(cl[4], 'c:close:false');
      assert.equal(cl.length, 5);
      assert.equal(c.readyState, 'closed');
      assert.equal(s?.readyState, 'closed');
      assert.equal(c.destroyed, true);
    },
  ],
  [
    "allowHalfOpen server, client end() → server still writes after 'end'; the client reads it, then closes",
    async (ctx) => {
      let afterEnd = '';
      const srv = ctx.createServer({ allowHalfOpen: true }, (s) => {
        s.resume();
        s.on('end', () => {
          afterEnd = s.readyState;
          // CLOSE-WAIT: the application decides when to send its own FIN.
          setTimeout(() => s.end('late reply'), 20);
        });
      });
      const port = await ctx.listen(srv);
      const c = ctx.connect(port);
      const chunks: Buffer[] = [];
      c.on('data', (d: Buffer) => chunks.push(d));
      const log: string[] = [];
      record(c, log, 'c');
      await waitFor(c, 'connect');
      c.end();
      await waitFor(c, 'close');
      assert.equal(afterEnd, 'writeOnly');
      assert.equal(Buffer.concat(chunks).toString(), 'late reply');
      assert.ok(before(log, 'c:end', 'c:close:false'));
      assert.ok(before(log, 'c:finish', 'c:close:false'));
    },
  ],
  [
    "allowHalfOpen client, server end() → client 'end', readyState writeOnly, its later writes reach the server",
    async (ctx) => {
      let serverGot: ReturnType<typeof collect> | undefined;
      const serverLog: string[] = [];
      const srv = ctx.createServer({}, (s) => {
        serverGot = collect(s);
        record(s, serverLog, 's');
        s.end('bye');
      });
      const port = await ctx.listen(srv);
      const c = ctx.connect(port, { allowHalfOpen: true });
      c.resume();
      await waitFor(c, 'end');
      await sleep(10);
      assert.equal(c.readyState, 'writeOnly');
      assert.equal(c.writable, true);
      c.end('after your FIN');
      await waitFor(c, 'close');
      await until(() => closeOnce(serverLog, 's') === 1);
      assert.equal(serverGot?.length(), 'after your FIN'.length);
      assert.equal(serverGot?.hash(), sha256(Buffer.from('after your FIN')));
      assert.deepEqual(serverLog, ['s:finish', 's:end', 's:close:false']);
    },
  ],
  [
    "write while connecting, then end(data) → the peer receives both in order, then 'end'",
    async (ctx) => {
      let got: ReturnType<typeof collect> | undefined;
      let ended = false;
      const srv = ctx.createServer({}, (s) => {
        got = collect(s);
        s.on('end', () => (ended = true));
      });
      const port = await ctx.listen(srv);
      const c = ctx.connect(port);
      let cb = 0;
      assert.equal(
        c.write('hello ', () => cb++),
        true,
      );
      c.end('world');
      c.resume();
      await waitFor(c, 'close');
      await until(() => ended);
      assert.equal(cb, 1);
      assert.equal(got?.hash(), sha256(Buffer.from('hello world')));
    },
  ],
  [
    "write after the peer's FIN ended the socket → returns false, callback gets EPIPE",
    async (ctx) => {
      const srv = ctx.createServer({}, (s) => {
        s.resume();
        s.end();
      });
      const port = await ctx.listen(srv);
      const c = ctx.connect(port);
      c.resume();
      await waitFor(c, 'end');
      await waitFor(c, 'close');
      let sync = true;
      const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
        const r = c.write('x', (e) => {
          assert.equal(sync, false, 'the callback runs on a later tick');
          resolve(e as NodeJS.ErrnoException);
        });
        assert.equal(r, false);
        sync = false;
      });
      assert.equal(err.code, 'EPIPE');
      assert.equal(err.message, 'This socket has been ended by the other party');
    },
  ],
  [
    'write after end() → ERR_STREAM_WRITE_AFTER_END; write after destroy() → ERR_STREAM_DESTROYED',
    async (ctx) => {
      const srv = ctx.createServer({}, (s) => s.resume());
      const port = await ctx.listen(srv);
      const c = ctx.connect(port);
      const errors: string[] = [];
      c.on('error', (e: NodeJS.ErrnoException) => errors.push(`event:${e.code}`));
      await waitFor(c, 'connect');
      c.end();
      const e1 = await new Promise<NodeJS.ErrnoException>((r) =>
        c.write('x', (e) => r(e as NodeJS.ErrnoException)),
      );
      assert.equal(e1.code, 'ERR_STREAM_WRITE_AFTER_END');
      const d = ctx.connect(port);
      d.destroy();
      const e2 = await new Promise<NodeJS.ErrnoException>((r) =>
        d.write('y', (e) => r(e as NodeJS.ErrnoException)),
      );
      assert.equal(e2.code, 'ERR_STREAM_DESTROYED');
      await sleep(5);
      assert.deepEqual(errors, ['event:ERR_STREAM_WRITE_AFTER_END']);
    },
  ],
  [
    "pause() → no 'data' while paused; resume() → every byte, in order",
    async (ctx) => {
      const body = pattern(64 * 1024, 3);
      const { client, accepted } = await ctx.pair();
      accepted.pause();
      let dataWhilePaused = 0;
      const onData = (): void => {
        dataWhilePaused++;
      };
      accepted.on('data', onData);
      accepted.pause(); // adding a 'data' listener resumes a stream: pause again, like Node's tests do
      client.end(body);
      await sleep(60);
      assert.equal(dataWhilePaused, 0);
      accepted.off('data', onData);
      const got = collect(accepted);
      accepted.resume();
      await waitFor(accepted, 'end');
      assert.equal(got.hash(), sha256(body));
    },
  ],
  [
    'pauseOnConnect server → nothing read until resume(); then every byte',
    async (ctx) => {
      const body = pattern(32 * 1024, 4);
      const { client, accepted } = await ctx.pair({ pauseOnConnect: true });
      client.end(body);
      await sleep(60);
      assert.equal(accepted.bytesRead, 0, 'nothing read while paused on connect');
      assert.equal(accepted.readableLength, 0);
      const got = collect(accepted);
      accepted.resume();
      await waitFor(accepted, 'end');
      assert.equal(got.hash(), sha256(body));
    },
  ],
  [
    "fast writer, paused reader → write() returns false; 'drain' after the reader resumes; every byte arrives",
    async (ctx) => {
      const { client, accepted } = await ctx.pair();
      accepted.pause();
      const chunk = pattern(64 * 1024, 5);
      let written = 0;
      // Bounded: at most 64 MiB before the kernel's (or synack's) buffers must push back.
      while (written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!client.write(chunk)) break;
      }
      assert.ok(written < 64 * 1024 * 1024, 'write() returned false');
      const got = collect(accepted);
      const drained = waitFor(client, 'drain', 10000);
      accepted.resume();
      await drained;
      client.end();
      await waitFor(accepted, 'end', 10000);
      assert.equal(got.length(), written);
      const h = sha256(...Array.from({ length: written / chunk.length }, () => chunk));
      assert.equal(got.hash(), h);
    },
  ],
  [
    "destroy() while connecting → no 'connect', no 'error', 'close(false)', readyState 'closed'",
    async (ctx) => {
      const srv = ctx.createServer({}, (s) => {
        s.on('error', () => {});
        s.resume();
      });
      const port = await ctx.listen(srv);
      const log: string[] = [];
      const c = ctx.connect(port);
      record(c, log, 'c');
      assert.equal(c.connecting, true);
      c.destroy();
      assert.equal(c.destroyed, true);
      assert.equal(c.readyState, 'closed');
      await waitFor(c, 'close');
      await sleep(20);
      assert.deepEqual(log, ['c:close:false']);
    },
  ],
  [
    "server close() with an open connection → stops listening now; 'close' and cb once the connection ends",
    async (ctx) => {
      const { server, client } = await ctx.pair();
      client.resume();
      const log: string[] = [];
      server.on('close', () => log.push('close-event'));
      server.close(() => log.push('close-cb'));
      assert.equal(server.listening, false);
      assert.equal(server.address(), null);
      const n1 = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
      assert.equal(n1, 1);
      await sleep(30);
      assert.deepEqual(log, [], 'not closed while a connection is open');
      client.end();
      await until(() => log.length === 2);
      assert.deepEqual(log.sort(), ['close-cb', 'close-event']);
      const n2 = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
      assert.equal(n2, 0);
    },
  ],
  [
    'server close() when not listening → callback gets ERR_SERVER_NOT_RUNNING',
    async (ctx) => {
      const srv = ctx.createServer();
      await ctx.listen(srv);
      srv.close();
      const err = await new Promise<NodeJS.ErrnoException | undefined>((r) => srv.close(r));
      assert.equal(err?.code, 'ERR_SERVER_NOT_RUNNING');
    },
  ],
  [
    "setTimeout(ms) on an idle socket → 'timeout', socket stays open; setTimeout(0) → no more",
    async (ctx) => {
      const { client } = await ctx.pair();
      let timeouts = 0;
      client.on('timeout', () => timeouts++);
      assert.equal(client.setTimeout(30), client);
      await waitFor(client, 'timeout');
      assert.equal(client.destroyed, false);
      assert.equal(client.readyState, 'open');
      client.setTimeout(0);
      await sleep(100);
      assert.equal(timeouts, 1);
    },
  ],
  [
    "connect({ timeout }) → 'timeout' on the idle connection, which stays open",
    async (ctx) => {
      const srv = ctx.createServer({}, (s) => s.resume());
      const port = await ctx.listen(srv);
      const log: string[] = [];
      const c = ctx.connect(port, { timeout: 40 });
      record(c, log, 'c');
      await waitFor(c, 'timeout');
      assert.deepEqual(log, ['c:connect', 'c:ready', 'c:timeout']);
      assert.equal(c.destroyed, false);
    },
  ],
  [
    "connect to a port with no listener → ECONNREFUSED (connect, address, port, errno) on a later tick, then 'close(true)'",
    async (ctx) => {
      const port = await ctx.impl.refusedPort();
      const log: string[] = [];
      const c = ctx.connect(port);
      record(c, log, 'c');
      const [err] = await waitFor<[NodeJS.ErrnoException]>(c, 'error');
      await waitFor(c, 'close');
      assert.ok(err instanceof Error);
      assert.equal(err.code, 'ECONNREFUSED');
      assert.equal(err.syscall, 'connect');
      assert.equal((err as { address?: string }).address, ctx.impl.serverHost);
      assert.equal((err as { port?: number }).port, port);
      assert.equal(err.errno, -111);
      assert.equal(err.message, `connect ECONNREFUSED ${ctx.impl.serverHost}:${port}`);
      assert.deepEqual(log, ['c:error:ECONNREFUSED', 'c:close:true']);
    },
  ],
  [
    "peer resetAndDestroy() → ECONNRESET (read) then 'close(true)'; the resetting side closes without error",
    async (ctx) => {
      const { client, accepted } = await ctx.pair();
      client.resume();
      const log: string[] = [];
      record(client, log, 'c');
      record(accepted, log, 's');
      assert.equal(accepted.resetAndDestroy(), accepted);
      await waitFor(client, 'close');
      await until(() => closeOnce(log, 's') === 1);
      const cl = log.filter((e) => e.startsWith('c:'));
      assert.deepEqual(cl, ['c:error:ECONNRESET', 'c:close:true']);
      assert.deepEqual(
        log.filter((e) => e.startsWith('s:')),
        ['s:close:false'],
      );
    },
  ],
  [
    'ECONNRESET error → Node fields: read syscall, errno -104, message "read ECONNRESET"',
    async (ctx) => {
      const { client, accepted } = await ctx.pair();
      client.resume();
      accepted.resetAndDestroy();
      const [err] = await waitFor<[NodeJS.ErrnoException]>(client, 'error');
      assert.equal(err.code, 'ECONNRESET');
      assert.equal(err.syscall, 'read');
      assert.equal(err.errno, -104);
      assert.equal(err.message, 'read ECONNRESET');
    },
  ],
  [
    'listen on a port in use → EADDRINUSE (listen, address, port, errno) as an event; not listening',
    async (ctx) => {
      const a = ctx.createServer();
      const port = await ctx.listen(a);
      const b = ctx.createServer();
      b.listen(port, ctx.impl.serverHost);
      const [err] = await waitFor<[NodeJS.ErrnoException]>(b, 'error');
      assert.equal(err.code, 'EADDRINUSE');
      assert.equal(err.syscall, 'listen');
      assert.equal(err.errno, -98);
      assert.equal((err as { address?: string }).address, ctx.impl.serverHost);
      assert.equal((err as { port?: number }).port, port);
      assert.equal(
        err.message,
        `listen EADDRINUSE: address already in use ${ctx.impl.serverHost}:${port}`,
      );
      assert.equal(b.listening, false);
      assert.equal(b.address(), null);
    },
  ],
  [
    "maxConnections = 1 → the second connection is closed by the server ('end', 'close(false)'), 'drop' emitted",
    async (ctx) => {
      const { server, port } = await ctx.pair();
      server.maxConnections = 1;
      const drops: unknown[] = [];
      server.on('drop', (d: unknown) => drops.push(d));
      const log: string[] = [];
      const c2 = ctx.connect(port);
      record(c2, log, 'c2');
      c2.resume();
      await waitFor(c2, 'close');
      assert.deepEqual(log, ['c2:connect', 'c2:ready', 'c2:end', 'c2:finish', 'c2:close:false']);
      assert.equal(drops.length, 1);
      const d = drops[0] as { remotePort: number; localPort: number };
      assert.equal(d.localPort, port);
      const n = await new Promise<number>((r) => server.getConnections((_e, k) => r(k)));
      assert.equal(n, 1);
    },
  ],
  [
    "destroy(err) → 'error' with that error, then 'close(true)'",
    async (ctx) => {
      const { client } = await ctx.pair();
      const log: string[] = [];
      record(client, log, 'c');
      const boom = new Error('boom');
      let seen: unknown;
      client.on('error', (e) => (seen = e));
      client.destroy(boom);
      await waitFor(client, 'close');
      assert.equal(seen, boom);
      assert.deepEqual(log, ['c:error:undefined', 'c:close:true']);
    },
  ],
  [
    "destroySoon() after a write → 'finish', the peer gets the bytes, 'close(false)'",
    async (ctx) => {
      let got: ReturnType<typeof collect> | undefined;
      let ended = false;
      const srv = ctx.createServer({}, (s) => {
        got = collect(s);
        s.on('end', () => (ended = true));
      });
      const port = await ctx.listen(srv);
      const c = ctx.connect(port);
      c.resume();
      const log: string[] = [];
      record(c, log, 'c');
      await waitFor(c, 'connect');
      c.write('zz');
      c.destroySoon();
      await waitFor(c, 'close');
      await until(() => ended);
      assert.equal(got?.hash(), sha256(Buffer.from('zz')));
      assert.deepEqual(log, ['c:connect', 'c:ready', 'c:finish', 'c:close:false']);
    },
  ],
  [
    'setNoDelay, setKeepAlive, setTimeout → return the socket (chainable), before and after connect',
    async (ctx) => {
      const srv = ctx.createServer({}, (s) => s.resume());
      const port = await ctx.listen(srv);
      const c = ctx.connect(port);
      assert.equal(c.setNoDelay(true), c);
      assert.equal(c.setKeepAlive(true, 1000), c);
      assert.equal(c.setTimeout(0), c);
      await waitFor(c, 'connect');
      assert.equal(c.setNoDelay(false), c);
      assert.equal(c.setKeepAlive(false), c);
    },
  ],
  [
    "end() while connecting → 'connect', then 'finish'; the peer sees 'end'",
    async (ctx) => {
      let peerEnded = false;
      const srv = ctx.createServer({}, (s) => {
        s.resume();
        s.on('end', () => (peerEnded = true));
      });
      const port = await ctx.listen(srv);
      const c = ctx.connect(port);
      const log: string[] = [];
      record(c, log, 'c');
      c.end();
      c.resume();
      await waitFor(c, 'close');
      await until(() => peerEnded);
      assert.ok(before(log, 'c:connect', 'c:finish'));
      assert.equal(log.at(-1), 'c:close:false');
    },
  ],
  [
    "destroy() twice → one 'close', no error",
    async (ctx) => {
      const { client } = await ctx.pair();
      const log: string[] = [];
      record(client, log, 'c');
      client.destroy();
      client.destroy();
      await waitFor(client, 'close');
      await sleep(20);
      assert.deepEqual(log, ['c:close:false']);
    },
  ],
  [
    "end(cb) → cb called as the writable side finishes, just before 'finish'",
    async (ctx) => {
      const { client } = await ctx.pair();
      client.resume();
      const log: string[] = [];
      client.on('finish', () => log.push('finish'));
      await new Promise<void>((r) =>
        client.end(() => {
          log.push('cb');
          r();
        }),
      );
      assert.deepEqual(log, ['cb', 'finish']);
    },
  ],
  [
    "write(string, encoding) and setEncoding('utf8') → the peer gets exactly those bytes, as strings",
    async (ctx) => {
      const { client, accepted } = await ctx.pair();
      accepted.setEncoding('utf8');
      const parts: string[] = [];
      accepted.on('data', (d: string) => parts.push(d));
      client.write('héllo ', 'utf8');
      client.write('776f726c64', 'hex');
      client.end(Buffer.from(' ✓'));
      await waitFor(accepted, 'end');
      assert.ok(parts.every((p) => typeof p === 'string'));
      assert.equal(parts.join(''), 'héllo world ✓');
      assert.equal(accepted.bytesRead, Buffer.byteLength('héllo world ✓'));
    },
  ],
  [
    '100 ping-pong round trips → every reply in order, bytes counted at both ends',
    async (ctx) => {
      const { client, accepted } = await ctx.pair();
      accepted.on('data', (d: Buffer) => accepted.write(Buffer.concat([Buffer.from('pong:'), d])));
      let got = '';
      client.on('data', (d: Buffer) => (got += d.toString()));
      for (let i = 0; i < 100; i++) {
        const expect = got + `pong:${i};`;
        client.write(`${i};`);
        await until(() => got.length >= expect.length, 5000, `reply ${i}`);
        assert.equal(got, expect);
      }
      const sent = Array.from({ length: 100 }, (_, i) => `${i};`).join('');
      assert.equal(client.bytesWritten, sent.length);
      assert.equal(accepted.bytesRead, sent.length);
      assert.equal(client.bytesRead, sent.length + 100 * 'pong:'.length);
    },
  ],
];

/** Registers every behaviour as a test against implementations made by `make` (one per test). */
export function runBehaviours(title: string, make: () => Promise<NetImpl>): void {
  describe(title, () => {
    for (const [name, body] of BEHAVIOURS) {
      test(name, { timeout: 30_000 }, async () => {
        const ctx = new Ctx(await make());
        try {
          await body(ctx);
        } finally {
          await ctx.cleanup();
        }
      });
    }
  });
}
