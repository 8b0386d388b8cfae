/**
 * Node-compatible sockets over synack. Importing this module installs createServer / connect /
 * createConnection on every Stack (see stack-net.ts for why it is done this way).
 */
export { Socket, type SocketOptions, type AddressInfo } from './socket.js';
export { Server, type ServerOptions } from './server.js';
export { createServer, connect } from './stack-net.js';
export type { SocketConnectOptions, ListenOptions } from './args.js';
export type { SocketEvents, ServerEvents, DropInfo } from './events.js';
export type { NetError, NetErrorCode, NetSyscall, NodeCodeError } from './errors.js';
export type { TcpInfo } from '../tcp/tcp-info.js';
