/**
 * The stack's handle on one engine Connection: the object users (and the net/ layer) hold. Every
 * command goes to the engine with the stack's clock time, then the stack drains the engine's
 * output (segments to the link, events to `onEvent`) — see Stack for the ordering guarantees.
 */
import type { Connection } from '../tcp/connection.js';
import type { TcpInfo } from '../tcp/tcp-info.js';
import type { ConnEvent } from '../tcp/events.js';
import type { TcpState } from '../tcp/state.js';
import type { FourTuple } from './trace-event.js';
import type { Stack } from './stack.js';
import type { TcpListener } from './tcp-listener.js';

/** What a TcpConnection needs from its stack (kept narrow so the two files do not import each other's internals). */
export interface ConnectionHost {
  readonly stack: Stack;
  now(): number;
  /** Queues the connection for draining and drains unless a drain is already running. */
  touch(conn: TcpConnection): void;
}

/**
 * A connection's 4-tuple, one per connection. A class of its own rather than a copied literal:
 * every tuple shares one hidden class whose ports stay small integers (`| 0`), so a tuple is 56
 * bytes. (A frozen spread copy got a hidden class of its own per connection in V8, ~190 bytes
 * more, and a literal shares its hidden class with every other such literal, where one port
 * computed in floating point turns the field into a boxed number for all.)
 */
class ConnTuple implements FourTuple {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;

  constructor(t: FourTuple) {
    this.localAddress = t.localAddress;
    this.localPort = t.localPort | 0;
    this.remoteAddress = t.remoteAddress;
    this.remotePort = t.remotePort | 0;
  }
}

export class TcpConnection {
  readonly tuple: Readonly<FourTuple>;
  /**
   * Every engine event, delivered after the stack has sent the segments the same input produced.
   * Events are not replayed: a connection taken with accept() may already be readable or have seen
   * the peer's FIN — check `readableLength` and `state` after setting this.
   */
  onEvent: ((ev: ConnEvent) => void) | undefined;

  /** @internal the engine. */
  readonly engine: Connection;
  /** @internal queued for draining. */
  dirty = false;
  /** @internal removed from the stack (its 'closed' event was delivered). */
  removed = false;
  /** @internal the listener that created it, while it waits in its SYN or accept queue. */
  listener: TcpListener | undefined;
  /** @internal 'syn' while in the listener's SYN queue, 'accept' while in its accept queue. */
  queue: 'syn' | 'accept' | undefined;
  /** @internal established counted in TcpCurrEstab. */
  countedEstab = false;
  /** @internal position in the stack's timer heap (TimerQueue). */
  heapSlot = -1;
  /** @internal entry in the stack's TIME-WAIT queue (DeadlineFifo), -1 when not in it. */
  fifoSeq = -1;

  readonly #host: ConnectionHost;

  /** @internal created by Stack only. */
  constructor(host: ConnectionHost, engine: Connection, tuple: FourTuple) {
    this.#host = host;
    this.engine = engine;
    this.tuple = Object.freeze(new ConnTuple(tuple));
  }

  get stack(): Stack {
    return this.#host.stack;
  }

  get state(): TcpState {
    return this.engine.state;
  }

  /** Bytes taken into the send buffer; 0 when it is full (wait for 'writable') or sending is over. */
  write(data: Uint8Array): number {
    if (!(data instanceof Uint8Array))
      throw new TypeError('TcpConnection.write: data must be a Uint8Array');
    if (data.length === 0) return 0;
    const n = this.engine.send(data, this.#host.now());
    this.#host.touch(this);
    return n;
  }

  /** In-order received bytes, at most `max` (all when omitted); length 0 if none. */
  read(max?: number): Uint8Array {
    const out = this.engine.read(max, this.#host.now());
    // Reading may open the window: the engine may have queued a window update.
    this.#host.touch(this);
    return out;
  }

  get readableLength(): number {
    return this.engine.readableLength;
  }

  get writableLength(): number {
    return this.engine.writableLength;
  }

  /** RFC 9293 CLOSE (§3.10.4): a FIN after the queued data; receiving continues. */
  close(): void {
    this.engine.close(this.#host.now());
    this.#host.touch(this);
  }

  /** RFC 9293 ABORT (§3.10.5): RST if synchronized, then CLOSED. */
  abort(): void {
    this.engine.abort(this.#host.now());
    this.#host.touch(this);
  }

  setNoDelay(on: boolean): void {
    this.engine.setNoDelay(on);
    this.#host.touch(this);
  }

  setKeepAlive(on: boolean, idleMs?: number): void {
    this.engine.setKeepAlive(on, idleMs);
    this.#host.touch(this);
  }

  info(): TcpInfo {
    return this.engine.info();
  }
}
