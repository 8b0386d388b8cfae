/**
 * Type tests: these assertions are checked by `tsc` when the project builds (a wrong type fails the
 * build, and each `@ts-expect-error` fails it if the line it guards stops being an error); the
 * runtime test below only records that the file compiled and runs the typed calls for real.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeNet from 'node:net';
import { SimNetwork } from '../../src/link/sim-network.js';
import type { Stack } from '../../src/stack/stack.js';
import type { TcpState } from '../../src/tcp/state.js';
import {
  Server,
  Socket,
  type AddressInfo,
  type NetError,
  type NetErrorCode,
  type SocketEvents,
  type ServerEvents,
  type TcpInfo,
} from '../../src/net/index.js';
import type { NetLike } from './net-like.js';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok?: T): void {}

// Every Stack is a `net`: the connection functions and what they return.
expectType<Equal<ReturnType<Stack['createServer']>, Server>>();
expectType<Equal<ReturnType<Stack['connect']>, Socket>>();
expectType<Equal<ReturnType<Stack['createConnection']>, Socket>>();

// Event listeners are typed like Node's.
expectType<Equal<Parameters<SocketEvents['close']>, [hadError: boolean]>>();
expectType<Equal<Parameters<SocketEvents['data']>, [data: Buffer]>>();
expectType<Equal<Parameters<SocketEvents['error']>, [err: Error]>>();
expectType<Equal<Parameters<ServerEvents['connection']>, [socket: Socket]>>();

// Members.
expectType<Equal<Socket['tcpState'], TcpState>>();
expectType<Equal<ReturnType<Socket['tcpInfo']>, TcpInfo | undefined>>();
expectType<Equal<Socket['readyState'], 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed'>>();
expectType<Equal<Socket['remoteFamily'], 'IPv4' | 'IPv6' | undefined>>();
expectType<Equal<ReturnType<Server['address']>, AddressInfo | null>>();
expectType<Equal<NetError['code'], NetErrorCode>>();
expectType<Equal<ReturnType<Socket['setNoDelay']>, Socket>>();
expectType<Equal<ReturnType<Socket['resetAndDestroy']>, Socket>>();

/** Compiled, never called: each line is a use the typings must accept or refuse. */
function typedUses(stack: Stack): void {
  const s = stack.connect(80, '198.18.0.2', () => {});
  s.on('close', (hadError) => {
    const b: boolean = hadError;
    void b;
  });
  s.on('data', (d) => {
    const b: Buffer = d;
    void b;
  });
  s.once('error', (e) => void e.message);
  s.on('custom-event', () => {}); // other names are allowed, as on any EventEmitter
  // @ts-expect-error 'close' passes a boolean, not a string
  s.on('close', (x: string) => void x);
  // @ts-expect-error 'data' passes a Buffer
  s.on('data', (n: number) => void n);
  // @ts-expect-error connect() takes a port number or options (IPC paths are not TCP)
  stack.connect('/tmp/socket');
  const srv = stack.createServer({ allowHalfOpen: true }, (sock) => {
    const x: Socket = sock;
    void x;
  });
  srv.on('connection', (sock) => void sock.tcpState);
  srv.listen({ port: 0, host: '198.18.0.2' }, () => {});
  srv.listen(0, '198.18.0.2', 511, () => {});
  // @ts-expect-error 'listening' passes no arguments
  srv.on('listening', (x: number) => void x);
  // Node's module and a Stack fit the same structural type.
  const both: NetLike[] = [nodeNet, stack];
  void both;
}
void typedUses;

test('types: typings compile (checked by tsc) and the typed calls run against a stack', async () => {
  const net = new SimNetwork({ seed: 1, clock: 'virtual' });
  const stack = net.addHost({ address: '198.18.0.2' });
  const srv = stack.createServer();
  assert.ok(srv instanceof Server);
  srv.listen(0, '198.18.0.2');
  const addr = srv.address();
  assert.equal(addr?.family, 'IPv4');
  const c = stack.connect({ port: addr?.port ?? 1, host: '198.18.0.2' });
  assert.ok(c instanceof Socket);
  assert.equal(c.tcpState, 'SYN-SENT');
  c.destroy();
  srv.close();
  net.close();
});
