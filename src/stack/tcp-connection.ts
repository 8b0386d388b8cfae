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

const B_DIRTY = 1;
const B_REMOVED = 2;
const B_COUNTED_ESTAB = 4;
const B_QUEUE = 24;
const B_QUEUE_SYN = 8;
const B_QUEUE_ACCEPT = 16;

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
  /** @internal the listener that created it, while it waits in its SYN or accept queue. */
  listener: TcpListener | undefined = undefined;
  /** @internal position in the stack's timer heap (TimerQueue). */
  heapSlot = -1;

  readonly #host: ConnectionHost;
  /** dirty, removed, countedEstab and queue as bits (B_* below): one field, not four. */
  #bits = 0;

  /** @internal queued for draining. */
  get dirty(): boolean {
    return (this.#bits & B_DIRTY) !== 0;
  }
  set dirty(on: boolean) {
    this.#bits = on ? this.#bits | B_DIRTY : this.#bits & ~B_DIRTY;
  }

  /** @internal removed from the stack (its 'closed' event was delivered). */
  get removed(): boolean {
    return (this.#bits & B_REMOVED) !== 0;
  }
  set removed(on: boolean) {
    this.#bits = on ? this.#bits | B_REMOVED : this.#bits & ~B_REMOVED;
  }

  /** @internal established counted in TcpCurrEstab. */
  get countedEstab(): boolean {
    return (this.#bits & B_COUNTED_ESTAB) !== 0;
  }
  set countedEstab(on: boolean) {
    this.#bits = on ? this.#bits | B_COUNTED_ESTAB : this.#bits & ~B_COUNTED_ESTAB;
  }

  /** @internal 'syn' while in the listener's SYN queue, 'accept' while in its accept queue. */
  get queue(): 'syn' | 'accept' | undefined {
    const q = this.#bits & B_QUEUE;
    return q === B_QUEUE_SYN ? 'syn' : q === B_QUEUE_ACCEPT ? 'accept' : undefined;
  }
  set queue(q: 'syn' | 'accept' | undefined) {
    const v = q === 'syn' ? B_QUEUE_SYN : q === 'accept' ? B_QUEUE_ACCEPT : 0;
    this.#bits = (this.#bits & ~B_QUEUE) | v;
  }

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
