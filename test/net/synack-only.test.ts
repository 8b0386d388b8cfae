/**
 * What only synack can show or do in a test: the RFC 9293 state under a socket (`tcpState`), its
 * TCP_INFO-like figures (`tcpInfo()`), and errors that need control of the network or of TCP's
 * timers (ETIMEDOUT after retries gave up — Node over loopback cannot be made to lose packets, and
 * its kernel's SYN retries take minutes, so this half of "errors for timed-out" is synack-only).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeNet from 'node:net';
import { SimNetwork } from '../../src/link/sim-network.js';
import type { Stack } from '../../src/stack/stack.js';
import { Socket, type NetError } from '../../src/net/index.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import { collect, pattern, sha256, sleep, until, waitFor } from './helpers.js';
import type { NetLike, SocketLike, AddressInfoLike } from './net-like.js';

interface World {
  net: SimNetwork;
  client: Stack;
  server: Stack;
}

async function withWorld(
  tcp: Partial<TcpConfig>,
  body: (w: World) => Promise<void>,
): Promise<void> {
  const net = new SimNetwork({ seed: 3, clock: 'real' });
  const client = net.addHost({ address: '198.18.0.1', tcp: { msl: 50, ...tcp } });
  const server = net.addHost({ address: '198.18.0.2', tcp: { msl: 50, ...tcp } });
  try {
    await body({ net, client, server });
  } finally {
    net.close();
  }
}

describe('synack sockets: tcpState and tcpInfo', () => {
  test(
    'half-close lifecycle → tcpState walks ESTABLISHED, FIN-WAIT-2 / CLOSE-WAIT, TIME-WAIT / LAST-ACK, CLOSED',
    { timeout: 20_000 },
    async () => {
      await withWorld({ msl: 500 }, async ({ client, server }) => {
        let s: Socket | undefined;
        const srv = server.createServer({ allowHalfOpen: true }, (sock) => {
          s = sock;
          sock.resume();
        });
        srv.listen(7, '198.18.0.2');
        await waitFor(srv, 'listening');
        const c = client.connect(7, '198.18.0.2');
        assert.equal(c.tcpState, 'SYN-SENT');
        await waitFor(c, 'connect');
        await until(() => s !== undefined);
        const a = s as Socket;
        assert.equal(c.tcpState, 'ESTABLISHED');
        assert.equal(a.tcpState, 'ESTABLISHED');
        c.resume();
        c.end();
        await waitFor(a, 'end');
        // The server application has not closed: CLOSE-WAIT is the application's decision.
        assert.equal(a.tcpState, 'CLOSE-WAIT');
        await until(() => c.tcpState === 'FIN-WAIT-2', 5000, 'FIN-WAIT-2');
        a.end();
        await waitFor(c, 'close');
        await until(() => c.tcpState === 'TIME-WAIT', 5000, 'TIME-WAIT');
        await until(() => a.tcpState === 'CLOSED', 5000, 'the server TCB to close');
        // 2·MSL later (MSL 500 ms here: long enough to observe under load) TIME-WAIT ends too.
        await until(() => c.tcpState === 'CLOSED', 5000, 'TIME-WAIT to end');
        srv.close();
      });
    },
  );

  test(
    '1 MiB sent → tcpInfo() has srtt, rttvar, rto, cwnd, ssthresh, windows; nothing in flight once acknowledged',
    { timeout: 20_000 },
    async () => {
      await withWorld({}, async ({ client, server }) => {
        let got: ReturnType<typeof collect> | undefined;
        const srv = server.createServer((sock) => (got = collect(sock)));
        srv.listen(9, '198.18.0.2');
        await waitFor(srv, 'listening');
        const c = client.connect(9, '198.18.0.2');
        assert.equal(c.tcpInfo()?.state, 'SYN-SENT');
        await waitFor(c, 'connect');
        const body = pattern(1 << 20, 9);
        c.write(body);
        await until(() => got?.length() === body.length, 10_000, 'all bytes');
        await until(() => (c.tcpInfo()?.bytesInFlight ?? -1) === 0, 5000, 'all acknowledged');
        const info = c.tcpInfo();
        assert.ok(info);
        assert.equal(info.state, 'ESTABLISHED');
        assert.equal(typeof info.srtt, 'number');
        assert.equal(typeof info.rttvar, 'number');
        assert.ok(info.rto >= 1000, 'RFC 6298 §2.4: RTO at least 1 s');
        assert.ok(info.cwnd > 0);
        assert.ok(info.ssthresh > 0);
        assert.equal(info.retransmits, 0);
        assert.equal(info.bytesAcked, body.length);
        assert.ok(info.sndWnd > 0);
        assert.ok(info.rcvWnd > 0);
        assert.equal(got?.hash(), sha256(body));
        c.destroy();
        srv.close();
      });
    },
  );
});

describe('synack sockets: errors Node reports, that need synack to provoke', () => {
  test(
    'SYNs all lost → ETIMEDOUT (connect, address, port) after synRetries, then close(true)',
    { timeout: 20_000 },
    async () => {
      await withWorld({ synRetries: 2, initialRto: 20, minRto: 20 }, async ({ net, client }) => {
        net.addFilter(() => 'drop');
        const c = client.connect(80, '198.18.0.2');
        const events: string[] = [];
        c.on('connect', () => events.push('connect'));
        c.on('close', (hadError) => events.push(`close:${hadError}`));
        const [err] = await waitFor<[NetError]>(c, 'error', 10_000);
        await waitFor(c, 'close');
        assert.equal(err.code, 'ETIMEDOUT');
        assert.equal(err.syscall, 'connect');
        assert.equal(err.errno, -110);
        assert.equal(err.address, '198.18.0.2');
        assert.equal(err.port, 80);
        assert.equal(err.message, 'connect ETIMEDOUT 198.18.0.2:80');
        assert.deepEqual(events, ['close:true']);
        assert.equal(c.tcpState, 'CLOSED');
      });
    },
  );

  test(
    'established, then every segment lost → ETIMEDOUT (read) after dataRetries',
    { timeout: 20_000 },
    async () => {
      await withWorld(
        // maxRto bounds every wait: on a loaded machine the SYN may be retransmitted, and RFC 6298
        // §5.7 then raises the RTO to 3 s — capped here so the give-up stays well inside the wait.
        { dataRetries: 2, initialRto: 20, minRto: 20, maxRto: 100 },
        async ({ net, client, server }) => {
          const srv = server.createServer((s) => s.resume());
          srv.listen(80, '198.18.0.2');
          await waitFor(srv, 'listening');
          const c = client.connect(80, '198.18.0.2');
          await waitFor(c, 'connect');
          net.addFilter(() => 'drop');
          c.write('into the void');
          const [err] = await waitFor<[NetError]>(c, 'error', 10_000);
          assert.equal(err.code, 'ETIMEDOUT');
          assert.equal(err.syscall, 'read');
          assert.equal(err.message, 'read ETIMEDOUT');
          assert.ok((c.tcpInfo()?.totalRetransmits ?? 0) >= 2);
          srv.close();
        },
      );
    },
  );

  test(
    'listen on an address the stack does not own → EADDRNOTAVAIL (listen) as an event',
    { timeout: 10_000 },
    async () => {
      await withWorld({}, async ({ server }) => {
        const srv = server.createServer();
        srv.listen(80, '198.18.0.9');
        const [err] = await waitFor<[NetError]>(srv, 'error');
        assert.equal(err.code, 'EADDRNOTAVAIL');
        assert.equal(err.syscall, 'listen');
        assert.equal(err.errno, -99);
        assert.equal(err.message, 'listen EADDRNOTAVAIL: address not available 198.18.0.9:80');
        assert.equal(srv.listening, false);
      });
    },
  );

  test(
    'connect from a localAddress the stack does not own → EADDRNOTAVAIL (connect) on a later tick',
    { timeout: 10_000 },
    async () => {
      await withWorld({}, async ({ client }) => {
        const c = client.connect({ port: 80, host: '198.18.0.2', localAddress: '198.18.0.7' });
        const [err] = await waitFor<[NetError]>(c, 'error');
        assert.equal(err.code, 'EADDRNOTAVAIL');
        assert.equal(err.syscall, 'connect');
        await waitFor(c, 'close');
      });
    },
  );

  test(
    'connect to a host name → ENOTFOUND (getaddrinfo): synack resolves no names',
    { timeout: 10_000 },
    async () => {
      await withWorld({}, async ({ client }) => {
        const c = client.connect(80, 'example.invalid');
        const [err] = await waitFor<[NetError]>(c, 'error');
        assert.equal(err.code, 'ENOTFOUND');
        assert.equal(err.syscall, 'getaddrinfo');
        assert.equal(err.hostname, 'example.invalid');
      });
    },
  );

  test('bad port → RangeError ERR_SOCKET_BAD_PORT thrown synchronously, as Node does', () => {
    const net = new SimNetwork({ seed: 1, clock: 'virtual' });
    const client = net.addHost({ address: '198.18.0.1' });
    for (const impl of [client, nodeNet] as NetLike[]) {
      assert.throws(
        () => impl.connect({ port: 70000, host: '198.18.0.2' }),
        (e: NodeJS.ErrnoException) => e instanceof RangeError && e.code === 'ERR_SOCKET_BAD_PORT',
      );
    }
    net.close();
  });

  test(
    'resetAndDestroy() → a RST on the wire: the peer TCB is CLOSED at once, no FIN exchange',
    { timeout: 10_000 },
    async () => {
      await withWorld({}, async ({ client, server }) => {
        let s: Socket | undefined;
        const srv = server.createServer((sock) => {
          s = sock;
          sock.on('error', () => {});
        });
        srv.listen(80, '198.18.0.2');
        await waitFor(srv, 'listening');
        const c = client.connect(80, '198.18.0.2');
        await waitFor(c, 'connect');
        await until(() => s !== undefined);
        c.resetAndDestroy();
        assert.equal(c.tcpState, 'CLOSED');
        await waitFor(s as Socket, 'close');
        assert.equal((s as Socket).tcpState, 'CLOSED');
        assert.ok(client.counters.TcpOutRsts >= 1);
        srv.close();
      });
    },
  );
});

describe('synack sockets over IPv6', () => {
  test(
    '2001:db8::1 → [2001:db8::2]:80 → families IPv6, address() IPv6, bytes intact',
    { timeout: 10_000 },
    async () => {
      const net = new SimNetwork({ seed: 6, clock: 'real' });
      const a = net.addHost({ address: '2001:db8::1', tcp: { msl: 50 } });
      const b = net.addHost({ address: '2001:db8::2', tcp: { msl: 50 } });
      const sockets: Socket[] = [];
      try {
        const srv = b.createServer((s) => {
          sockets.push(s);
          s.pipe(s);
        });
        srv.listen(80, '2001:db8::2');
        await waitFor(srv, 'listening');
        assert.deepEqual(srv.address(), { address: '2001:db8::2', family: 'IPv6', port: 80 });
        const c = a.connect(80, '2001:db8::2');
        sockets.push(c);
        await waitFor(c, 'connect');
        assert.equal(c.remoteFamily, 'IPv6');
        assert.equal(c.remoteAddress, '2001:db8::2');
        assert.deepEqual(c.address(), {
          address: '2001:db8::1',
          family: 'IPv6',
          port: c.localPort,
        });
        const body = pattern(200_000, 66);
        const got = collect(c);
        c.end(body);
        await waitFor(c, 'close');
        assert.equal(got.hash(), sha256(body));
        srv.close();
      } finally {
        for (const s of sockets) s.destroy();
        net.close();
      }
    },
  );
});

describe('a Stack is a `net`', () => {
  /** Code written for Node's net module, unchanged: an echo server and a client on one `net`. */
  async function main(net: NetLike, host: string): Promise<string> {
    const server = net.createServer((s: SocketLike) => s.pipe(s));
    server.listen(0, host);
    await waitFor(server, 'listening');
    const { port } = server.address() as AddressInfoLike;
    const c = net.createConnection(port, host);
    const chunks: Buffer[] = [];
    c.on('data', (d: Buffer) => chunks.push(d));
    c.end('echo me');
    await waitFor(c, 'close');
    server.close();
    await sleep(1);
    return Buffer.concat(chunks).toString();
  }

  test(
    "main(net) with Node's net and with one synack stack → the same echo",
    { timeout: 10_000 },
    async () => {
      assert.equal(await main(nodeNet, '127.0.0.1'), 'echo me');
      const sim = new SimNetwork({ seed: 5, clock: 'real' });
      const host = sim.addHost({ address: '198.18.0.5', tcp: { msl: 50 } });
      try {
        assert.equal(await main(host, '198.18.0.5'), 'echo me');
      } finally {
        sim.close();
      }
    },
  );

  test(
    'new Socket({ stack }).connect(...) → the same as stack.connect(...)',
    { timeout: 10_000 },
    async () => {
      await withWorld({}, async ({ client, server }) => {
        const srv = server.createServer((s) => s.end('hi'));
        srv.listen(80, '198.18.0.2');
        await waitFor(srv, 'listening');
        const sock = new Socket({ stack: client });
        // Node's quirk, kept: a fresh unconnected Socket reports 'open' (readable and writable).
        assert.equal(sock.readyState, new nodeNet.Socket().readyState);
        assert.equal(sock.pending, true);
        const got = collect(sock);
        sock.connect(80, '198.18.0.2');
        assert.equal(sock.readyState, 'opening');
        await waitFor(sock, 'close');
        assert.equal(got.hash(), sha256(Buffer.from('hi')));
        srv.close();
      });
    },
  );
});
