/**
 * A Linux TUN device (layer 3, no packet-information header): each read is one IP packet from the
 * kernel, each write one IP packet to it. Reads are event driven and batched by the addon (a libuv
 * poll handle drains every ready packet into one callback: no thread-pool round trip per packet);
 * writes are synchronous and non-blocking, with a bounded queue for the rare EAGAIN/ENOBUFS.
 *
 * With `offload` the device carries a virtio-net header on every packet (IFF_VNET_HDR) and asks the
 * kernel for checksum and TCP segmentation offload (TUNSETOFFLOAD TUN_F_CSUM | TSO4 | TSO6), as a
 * VM's virtio-net device does: the kernel then hands over packets whose checksum it vouches for
 * (NEEDS_CSUM: still partial, DATA_VALID: verified) and GSO packets of up to 64 KiB that stand for
 * several MSS-sized segments, and it takes the same from us. The header's fields reach the reader
 * per packet (TunRxInfo); `write` takes them per packet (TunTxMeta).
 */
import { writeFileSync } from 'node:fs';
import {
  loadTunAddon,
  tunErrorFrom,
  TunError,
  TUN_F_CSUM,
  TUN_F_TSO4,
  TUN_F_TSO6,
  VNET_F_DATA_VALID,
  VNET_F_NEEDS_CSUM,
  VNET_META_FIELDS,
  VNET_GSO_NONE,
  VNET_GSO_TCPV4,
  VNET_GSO_TCPV6,
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
  /**
   * Open with a virtio-net header and ask for checksum + TSO offloads (default false). When the
   * kernel refuses TUNSETOFFLOAD the device still works, without offloads: `offloadError` says why,
   * `counters.offloadRefused` counts it and a line goes to stderr.
   */
  offload?: boolean;
  /** The TUN_F_* flags asked for with `offload` (default TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6). */
  offloadFlags?: number;
}

/**
 * Per-packet offload metadata for `write` (the virtio-net header's fields; the shape of the stack's
 * TxMeta): `needsCsum` — the TCP checksum field holds the pseudo-header sum and the kernel completes
 * it over [csumStart, end) at csumStart + csumOffset (CHECKSUM_PARTIAL); `gsoSize` > 0 — a GSO packet
 * the kernel cuts into segments of that many payload bytes after `hdrLen` header bytes.
 */
export interface TunTxMeta {
  readonly needsCsum: boolean;
  readonly csumStart: number;
  readonly csumOffset: number;
  readonly gsoSize: number;
  readonly hdrLen: number;
}

/** The default TUNSETOFFLOAD request: partial checksums and TCP segmentation, IPv4 and IPv6. */
export const TUN_OFFLOAD_DEFAULT = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

/**
 * The reader's view of a batch: `meta` (offload devices only, else null) holds each packet's
 * virtio-net header, VNET_META_FIELDS numbers per packet: flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset. It is valid only during the call.
 */
export type TunPacketHandler = (packets: Uint8Array[], meta: Uint16Array | null) => void;

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
  /** Offload devices: packets read as GSO aggregates (several segments in one), and written so. */
  rxGsoPackets: number;
  txGsoPackets: number;
  /** Offload devices: packets whose checksum the other side vouched for (read) or completes (written). */
  rxCsumOffloaded: number;
  txCsumOffloaded: number;
  /** 1 when the kernel refused TUNSETOFFLOAD and the device fell back to plain packets. */
  offloadRefused: number;
}

const EAGAIN = 11;
const ENOBUFS = 105;

/**
 * `packet` followed by `rest` in one new array (a queued packet must not depend on the caller's);
 * `packet` itself when there is no `rest` or it is empty.
 */
export function joined(packet: Uint8Array, rest: Uint8Array | undefined): Uint8Array {
  if (rest === undefined || rest.length === 0) return packet;
  const b = new Uint8Array(packet.length + rest.length);
  b.set(packet, 0);
  b.set(rest, packet.length);
  return b;
}

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
    rxGsoPackets: 0,
    txGsoPackets: 0,
    rxCsumOffloaded: 0,
    txCsumOffloaded: 0,
    offloadRefused: 0,
  };
  /** Every read and write carries a virtio-net header (opened with `offload`). */
  readonly vnetHdr: boolean;
  /** The TUN_F_* offloads the kernel accepted (0: none, plain packets both ways). */
  offloadFlags = 0;
  /** Why the kernel refused the offloads, when it did. */
  offloadError: string | undefined;
  private fd: number;
  private readonly addon: TunAddon;
  private poll: TunPollHandle | undefined;
  private handler: TunPacketHandler | undefined;
  private readonly queue: Uint8Array[] = [];
  /** The TxMeta of each queued packet (undefined: a plain one). */
  private readonly queueMeta: (TunTxMeta | undefined)[] = [];
  /** The virtio-net header written in front of each packet, refilled per write (host byte order). */
  private readonly vnet = new Uint8Array(10);
  private readonly vnet16 = new Uint16Array(this.vnet.buffer, 2, 4);
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
    this.vnetHdr = opts.offload === true;
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
      ({ fd, name } = addon.open(opts.name, opts.offload === true));
    } catch (err) {
      throw tunErrorFrom(err, opts.name);
    }
    const dev = new TunDevice(addon, fd, name, mtu, opts);
    if (dev.vnetHdr) dev.askOffloads(opts.offloadFlags ?? TUN_OFFLOAD_DEFAULT);
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

  /**
   * TUNSETOFFLOAD. A kernel that refuses it (too old for a flag, or a flag it does not know) leaves
   * the device on plain packets: the header stays (the fd was opened with it) but says nothing, the
   * kernel sums and segments everything itself, and the link declares no offloads.
   */
  private askOffloads(flags: number): void {
    try {
      this.addon.setOffload(this.fd, flags);
      this.offloadFlags = flags;
    } catch (err) {
      const e = err as { message?: string };
      this.offloadError = e.message ?? String(err);
      this.counters.offloadRefused++;
      console.error(
        `synack: TUN ${this.name}: the kernel refused offloads (${this.offloadError}); ` +
          'using plain packets (full checksums, MTU-sized segments).',
      );
    }
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
      (packets, errno, meta) => this.deliver(packets, errno, meta),
      () => this.flush(),
      this.batch,
      this.vnetHdr,
    );
  }

  /** Pauses or resumes reading (the kernel queues, then drops, while paused). */
  setReading(on: boolean): void {
    if (this.poll) this.addon.setReading(this.poll, on);
  }

  private deliver(packets: Uint8Array[], errno: number, meta: Uint16Array | null): void {
    if (errno !== 0) this.counters.rxErrors++;
    if (packets.length === 0 || this.closed) return;
    const c = this.counters;
    c.rxBatches++;
    c.rxPackets += packets.length;
    for (let i = 0; i < packets.length; i++) {
      c.rxBytes += (packets[i] as Uint8Array).length;
      if (meta) {
        if (
          ((meta[i * VNET_META_FIELDS] as number) & (VNET_F_NEEDS_CSUM | VNET_F_DATA_VALID)) !==
          0
        )
          c.rxCsumOffloaded++;
        if ((meta[i * VNET_META_FIELDS + 1] as number) !== VNET_GSO_NONE) c.rxGsoPackets++;
      }
    }
    this.handler?.(packets, meta);
  }

  /**
   * Writes one IP packet to the kernel. Returns false if it was queued (the kernel pushed back) or
   * dropped (queue full, device closed, or the kernel refused it); never throws.
   */
  write(packet: Uint8Array, meta?: TunTxMeta, rest?: Uint8Array): boolean {
    if (this.closed) {
      this.counters.txDropped++;
      return false;
    }
    if (meta !== undefined && !this.vnetHdr) {
      // Only a header can tell the kernel to finish a checksum or cut a GSO packet.
      this.counters.txDropped++;
      return false;
    }
    if (rest !== undefined && rest.length > 0 && !this.vnetHdr) {
      this.counters.txDropped++;
      return false;
    }
    if (this.queue.length > 0) return this.enqueue(joined(packet, rest), meta);
    return this.writeNow(packet, meta, rest);
  }

  /** One packet to the addon, behind its virtio-net header on an offload device. */
  private send(packet: Uint8Array, meta: TunTxMeta | undefined, rest?: Uint8Array): number {
    if (!this.vnetHdr) return this.addon.write(this.fd, packet);
    const h = this.vnet;
    const h16 = this.vnet16;
    if (meta === undefined) {
      h[0] = 0;
      h[1] = VNET_GSO_NONE;
      h16.fill(0);
    } else {
      h[0] = meta.needsCsum ? VNET_F_NEEDS_CSUM : 0;
      // The IP version picks the GSO type (RFC 791 / RFC 8200: the first nibble).
      h[1] =
        meta.gsoSize > 0
          ? (packet[0] as number) >>> 4 === 6
            ? VNET_GSO_TCPV6
            : VNET_GSO_TCPV4
          : VNET_GSO_NONE;
      h16[0] = meta.hdrLen;
      h16[1] = meta.gsoSize;
      h16[2] = meta.needsCsum ? meta.csumStart : 0;
      h16[3] = meta.needsCsum ? meta.csumOffset : 0;
    }
    return rest === undefined
      ? this.addon.writeVnet(this.fd, h, packet)
      : this.addon.writeVnet(this.fd, h, packet, rest);
  }

  private counted(n: number, meta: TunTxMeta | undefined): void {
    const c = this.counters;
    c.txPackets++;
    c.txBytes += n;
    if (meta) {
      if (meta.needsCsum) c.txCsumOffloaded++;
      if (meta.gsoSize > 0) c.txGsoPackets++;
    }
  }

  private writeNow(packet: Uint8Array, meta: TunTxMeta | undefined, rest?: Uint8Array): boolean {
    const n = this.send(packet, meta, rest);
    if (n >= 0) {
      this.counted(n, meta);
      return true;
    }
    if (-n === EAGAIN || -n === ENOBUFS) return this.enqueue(joined(packet, rest), meta);
    // EINVAL (malformed packet), EIO (device down) …: a counted drop, as a real link would lose it.
    this.counters.txDropped++;
    return false;
  }

  private enqueue(packet: Uint8Array, meta: TunTxMeta | undefined): boolean {
    if (this.queue.length >= this.maxQueue) {
      this.counters.txDropped++;
      return false;
    }
    if (this.queue.length === 0 && this.poll) this.addon.setWritable(this.poll, true);
    // The caller may reuse its buffer: keep a copy.
    this.queue.push(packet.slice());
    this.queueMeta.push(meta);
    this.counters.txQueued++;
    return false;
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.closed) {
      const p = this.queue[0] as Uint8Array;
      const meta = this.queueMeta[0];
      const n = this.send(p, meta);
      if (n < 0 && (-n === EAGAIN || -n === ENOBUFS)) return;
      this.queue.shift();
      this.queueMeta.shift();
      if (n >= 0) {
        this.counted(n, meta);
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
    this.queueMeta.length = 0;
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
