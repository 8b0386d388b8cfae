/**
 * The memory case's holder for endpoints wrapped in the Node-compatible Socket (src/net).
 */
import type { Pair } from './synack-pair.js';

export interface SocketHolder {
  open(n: number): Promise<void>;
  endpoints(): number;
  close(): void;
}

export async function socketHolder(
  _pair: Pair,
  _ports: number[],
  _server: string,
): Promise<SocketHolder> {
  throw new Error('src/net (the Node-compatible Socket) has not landed yet');
}
