/**
 * A listening port. There is no engine object for it: each arriving SYN gets its own engine
 * Connection (passive OPEN, fed the SYN), held in the SYN queue until ESTABLISHED, then in the
 * accept queue until the user takes it. The two queues together hold at most `backlog`
 * connections, so neither can outgrow it; SYNs beyond it are dropped and counted
 * (TcpExtListenDrops), as Linux does when SYN cookies are off, and the client's SYN retransmission
 * tries again later.
 */
import type { TcpConfig } from '../tcp/config.js';
import type { TcpConnection } from './tcp-connection.js';

/** What a TcpListener needs from its stack. */
export interface ListenerHost {
  removeListener(l: TcpListener): void;
  /** Resets a connection the user never accepted. */
  abortConnection(c: TcpConnection): void;
}

export class TcpListener {
  readonly address: string;
  readonly port: number;
  readonly backlog: number;
  /** Called when an accepted connection reaches ESTABLISHED; if unset they wait in the accept queue. */
  onConnection: ((c: TcpConnection) => void) | undefined;

  /** @internal listener key in the stack. */
  readonly key: string;
  /** @internal TCP settings for the connections it creates. */
  readonly tcp: Partial<TcpConfig>;
  /** @internal half-open children (SYN-RECEIVED). */
  readonly synQueue = new Set<TcpConnection>();
  /** @internal established children not yet accepted, oldest first. */
  readonly acceptQueue = new Set<TcpConnection>();
  /** @internal */
  closed = false;
  readonly #host: ListenerHost;

  /** @internal created by Stack.openListener only. */
  constructor(
    host: ListenerHost,
    key: string,
    address: string,
    port: number,
    backlog: number,
    tcp: Partial<TcpConfig>,
  ) {
    this.#host = host;
    this.key = key;
    this.address = address;
    this.port = port;
    this.backlog = backlog;
    this.tcp = tcp;
  }

  /** The oldest established connection not yet accepted, or undefined. */
  accept(): TcpConnection | undefined {
    for (const c of this.acceptQueue) {
      this.acceptQueue.delete(c);
      c.listener = undefined;
      c.queue = undefined;
      return c;
    }
    return undefined;
  }

  /** Established connections waiting for accept(). */
  get pendingCount(): number {
    return this.acceptQueue.size;
  }

  /** Stops listening; connections not yet accepted (either queue) are reset. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#host.removeListener(this);
    const orphans = [...this.synQueue, ...this.acceptQueue];
    this.synQueue.clear();
    this.acceptQueue.clear();
    for (const c of orphans) {
      c.listener = undefined;
      c.queue = undefined;
      this.#host.abortConnection(c);
    }
  }
}
