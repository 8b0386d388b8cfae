/**
 * A Linux TUN device (layer 3, no packet-information header): each read is one IP packet from the
 * kernel, each write one IP packet to it. Reads are event driven and batched by the addon (a libuv
 * poll handle drains every ready packet into one callback: no thread-pool round trip per packet);
 * writes are synchronous and non-blocking, with a bounded queue for the rare EAGAIN/ENOBUFS.
 */
import { writeFileSync } from 'node:fs';
import {
  loadTunAddon,
  tunErrorFrom,
  TunError,
  type TunAddon,
  type TunPollHandle,
} from './tun-native.js';

/** An address for the kernel's side of the device, e.g. { address: '198.18.0.1', prefixLength: 24 }. */
export interface TunInterfaceAddress {
  address: string;
  prefixLength: number;
}

export interface TunDeviceOptions {
  /** Device name (created if it does not exist, attached to if it is a free persistent TUN). */
  name: string;
  /** Link MTU; default 1500. */
  mtu?: number;
  /** Addresses for the kernel's side, IPv4 and/or IPv6. */
  addresses?: TunInterfaceAddress[];
  /** Bring the link up (default true). */
  up?: boolean;
  /** Packets drained per read callback (default 64). */
  batch?: number;
  /** Packets queued while the kernel refuses writes (EAGAIN/ENOBUFS) before new ones are dropped. */
  maxQueue?: number;
}

export interface TunDeviceCounters {
  rxPackets: number;
  rxBytes: number;
  /** Read callbacks that delivered packets (rxPackets / rxBatches = the mean batch). */
  rxBatches: number;
  txPackets: number;
  txBytes: number;
  /** Writes that met EAGAIN/ENOBUFS and were queued. */
  txQueued: number;
  /** Packets dropped: queue full, or the kernel refused the packet (counted, never thrown). */
  txDropped: number;
  /** Read errors reported by the poll handle. */
  rxErrors: number;
}

const EAGAIN = 11;
const ENOBUFS = 105;

export type TunPacketHandler = (packets: Uint8Array[]) => void;

export class TunDevice {
  readonly name: string;
  readonly mtu: number;
  readonly counters: TunDeviceCounters = {
    rxPackets: 0,
    rxBytes: 0,
    rxBatches: 0,
    txPackets: 0,
    txBytes: 0,
    txQueued: 0,
    txDropped: 0,
    rxErrors: 0,
  };
  private fd: number;
  private readonly addon: TunAddon;
  private poll: TunPollHandle | undefined;
  private handler: TunPacketHandler | undefined;
  private readonly queue: Uint8Array[] = [];
  private readonly maxQueue: number;
  private readonly batch: number;
  private closed = false;

  private constructor(
    addon: TunAddon,
    fd: number,
    name: string,
    mtu: number,
    opts: TunDeviceOptions,
  ) {
    this.addon = addon;
    this.fd = fd;
    this.name = name;
    this.mtu = mtu;
    this.maxQueue = opts.maxQueue ?? 4096;
    this.batch = opts.batch ?? 64;
  }

  /**
   * Creates (or attaches to) the device, sets its MTU and the kernel side's addresses and brings it
   * up. Throws TunError with a message that says what is needed (privilege, /dev/net/tun, addon).
   */
  static open(opts: TunDeviceOptions): TunDevice {
    const addon = loadTunAddon();
    const mtu = opts.mtu ?? 1500;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) {
      throw new TunError('EINVAL', `MTU ${mtu} is not an integer in 68..65535 (RFC 791 §3.2).`);
    }
    let fd: number;
    let name: string;
    try {
      ({ fd, name } = addon.open(opts.name));
    } catch (err) {
      throw tunErrorFrom(err, opts.name);
    }
    const dev = new TunDevice(addon, fd, name, mtu, opts);
    try {
      addon.setMtu(name, mtu);
      for (const a of opts.addresses ?? []) dev.addAddress(a);
      if (opts.up !== false) addon.setUp(name, true);
    } catch (err) {
      dev.close();
      throw tunErrorFrom(err, name);
    }
    return dev;
  }

  /** Gives the kernel's side another address (IPv4 or IPv6). */
  addAddress(a: TunInterfaceAddress): void {
    if (a.address.includes(':')) {
      // Duplicate address detection would keep the address "tentative" (unusable) for a second or
      // more after the link comes up (RFC 4862 §5.4); on a point-to-point TUN nobody else can hold
      // it, so it is turned off for this device, as `ip addr add … nodad` does.
      try {
        writeFileSync(`/proc/sys/net/ipv6/conf/${this.name}/accept_dad`, '0');
      } catch {
        // Without IPv6 sysctls (IPv6 disabled) the address ioctl below reports the real problem.
      }
      this.addon.setAddress6(this.name, a.address, a.prefixLength);
    } else {
      this.addon.setAddress4(this.name, a.address, a.prefixLength);
    }
  }

  /** Starts delivering packets read from the device, in batches, to `handler`. */
  onPackets(handler: TunPacketHandler): void {
    this.handler = handler;
    if (this.poll || this.closed) return;
    this.poll = this.addon.poll(
      this.fd,
      (packets, errno) => this.deliver(packets, errno),
      () => this.flush(),
      this.batch,
    );
  }

  /** Pauses or resumes reading (the kernel queues, then drops, while paused). */
  setReading(on: boolean): void {
    if (this.poll) this.addon.setReading(this.poll, on);
  }

  private deliver(packets: Buffer[], errno: number): void {
    if (errno !== 0) this.counters.rxErrors++;
    if (packets.length === 0 || this.closed) return;
    this.counters.rxBatches++;
    this.counters.rxPackets += packets.length;
    for (const p of packets) this.counters.rxBytes += p.length;
    this.handler?.(packets);
  }

  /**
   * Writes one IP packet to the kernel. Returns false if it was queued (the kernel pushed back) or
   * dropped (queue full, device closed, or the kernel refused it); never throws.
   */
  write(packet: Uint8Array): boolean {
    if (this.closed) {
      this.counters.txDropped++;
      return false;
    }
    if (this.queue.length > 0) return this.enqueue(packet);
    return this.writeNow(packet);
  }

  private writeNow(packet: Uint8Array): boolean {
    const n = this.addon.write(this.fd, packet);
    if (n >= 0) {
      this.counters.txPackets++;
      this.counters.txBytes += n;
      return true;
    }
    if (-n === EAGAIN || -n === ENOBUFS) return this.enqueue(packet);
    // EINVAL (malformed packet), EIO (device down) …: a counted drop, as a real link would lose it.
    this.counters.txDropped++;
    return false;
  }

  private enqueue(packet: Uint8Array): boolean {
    if (this.queue.length >= this.maxQueue) {
      this.counters.txDropped++;
      return false;
    }
    if (this.queue.length === 0 && this.poll) this.addon.setWritable(this.poll, true);
    // The caller may reuse its buffer: keep a copy.
    this.queue.push(packet.slice());
    this.counters.txQueued++;
    return false;
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.closed) {
      const p = this.queue[0] as Uint8Array;
      const n = this.addon.write(this.fd, p);
      if (n < 0 && (-n === EAGAIN || -n === ENOBUFS)) return;
      this.queue.shift();
      if (n >= 0) {
        this.counters.txPackets++;
        this.counters.txBytes += n;
      } else {
        this.counters.txDropped++;
      }
    }
    if (this.poll && !this.closed) this.addon.setWritable(this.poll, false);
  }

  /** Stops reading and closes the fd; a device this process created disappears with it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.poll) this.addon.stop(this.poll);
    this.poll = undefined;
    this.handler = undefined;
    this.queue.length = 0;
    try {
      this.addon.closeFd(this.fd);
    } catch {
      // Already closed: nothing to release.
    }
    this.fd = -1;
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
