/**
 * TunLink: a Stack on a Linux TUN device. Every packet the kernel routes into the device goes to
 * `stack.receive`, and everything the stack sends goes out through the device — the device is the
 * stack's route to everywhere, so the stack answers whatever address reaches it (the kernel decides
 * which destinations to route here: the `--host-ip` subnet, or any route pointing at the device).
 *
 * ICMP is the stack's business (echo replies, "fragmentation needed" / "packet too big" lowering a
 * connection's path MTU, unreachable during a handshake failing it): the link only carries packets.
 * A tap sees every packet in both directions (for pcap captures, written by the cli/trace layers).
 *
 * With `offload` (a device opened with a virtio-net header whose offloads the kernel accepted) the
 * link declares checksum offload and GSO to the stack (src/stack/link-offload.ts) and carries each
 * packet's metadata through the header, like a VM's virtio-net device: the stack writes 64 KiB GSO
 * packets with partial checksums and the kernel finishes them (or, delivering locally, never needs
 * to); the kernel hands over its own GSO packets, whose checksums it vouches for, and the stack does
 * not verify them again. The tap still sees complete checksums (filled in on its copy only).
 */
import { Stack, type StackOptions } from '../stack/stack.js';
import { RealClock } from '../stack/real-clock.js';
import type { TcpConfig } from '../tcp/config.js';
import type { TraceSink } from '../stack/trace-event.js';
import {
  GSO_MAX_SIZE,
  RX_CSUM_VALID,
  type LinkOffload,
  type RxMeta,
  type TxMeta,
} from '../stack/link-offload.js';
import { completeChecksum } from '../stack/gso-segment.js';
import {
  joined,
  TunDevice,
  type TunDeviceOptions,
  type TunInterfaceAddress,
} from './tun-device.js';
import {
  TUN_F_CSUM,
  TUN_F_TSO4,
  TUN_F_TSO6,
  VNET_F_DATA_VALID,
  VNET_F_NEEDS_CSUM,
  VNET_GSO_NONE,
  VNET_META_FIELDS,
} from './tun-native.js';

export type TunTap = (packet: Uint8Array, direction: 'in' | 'out', timeMs: number) => void;

export class TunLink {
  /** Sees every packet, 'in' from the kernel and 'out' to it, with the stack's clock time. */
  tap: TunTap | undefined;
  private closed = false;

  constructor(
    readonly device: TunDevice,
    readonly stack: Stack,
  ) {
    if (stack.mtu > device.mtu) {
      throw new RangeError(`stack MTU ${stack.mtu} exceeds the device's ${device.mtu}`);
    }
    const offload = linkOffloadOf(device);
    this.offload = offload;
    stack.setOutput((packet, meta, payload) => {
      const tap = this.tap;
      if (tap) {
        // The stack passes a payload only when it has bytes: joined copies then.
        const whole = joined(packet, payload);
        tap(meta?.needsCsum ? completed(whole, meta) : whole, 'out', stack.clock.now());
      }
      device.write(packet, meta, payload);
    }, offload);
    let gsoMeta: RxMeta = RX_CSUM_VALID;
    device.onPackets((packets, meta) => {
      const tap = this.tap;
      for (let i = 0; i < packets.length; i++) {
        const p = packets[i] as Uint8Array;
        let rx: RxMeta | undefined;
        let partial = false;
        if (meta) {
          const m = i * VNET_META_FIELDS;
          const flags = meta[m] as number;
          // NEEDS_CSUM: the kernel left the checksum partial (CHECKSUM_PARTIAL), which Linux also
          // treats as verified when it delivers locally; DATA_VALID: the kernel verified it.
          if ((flags & (VNET_F_NEEDS_CSUM | VNET_F_DATA_VALID)) !== 0) {
            partial = (flags & VNET_F_NEEDS_CSUM) !== 0;
            rx = RX_CSUM_VALID;
            if ((meta[m + 1] as number) !== VNET_GSO_NONE) {
              const gsoSize = meta[m + 3] as number;
              if (gsoMeta.gsoSize !== gsoSize)
                gsoMeta = Object.freeze({ csumValid: true, gsoSize });
              rx = gsoMeta;
            }
          }
          if (tap) {
            tap(
              partial
                ? completed(p, {
                    needsCsum: true,
                    csumStart: meta[m + 4] as number,
                    csumOffset: meta[m + 5] as number,
                    gsoSize: 0,
                    hdrLen: 0,
                  })
                : p,
              'in',
              stack.clock.now(),
            );
          }
        } else if (tap) {
          tap(p, 'in', stack.clock.now());
        }
        stack.receive(p, rx);
      }
    });
  }

  /** What the link declared to the stack (undefined: plain packets, full checksums). */
  readonly offload: LinkOffload | undefined;

  /** Closes the stack (aborting what is open) and then the device. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stack.close();
    this.device.close();
  }
}

/**
 * The offloads a device's accepted TUN_F_* flags allow: tx checksum offload (and with it
 * scatter-gather) with TUN_F_CSUM, and GSO of up to 64 KiB with TSO for both IP versions. (The kernel takes our NEEDS_CSUM and GSO packets on
 * any IFF_VNET_HDR device; the TUNSETOFFLOAD flags say what it may hand us. A device whose flags
 * were refused declares nothing: the plain path, as without the header.)
 */
function linkOffloadOf(device: TunDevice): LinkOffload | undefined {
  const f = device.offloadFlags;
  if (!device.vnetHdr || (f & TUN_F_CSUM) === 0) return undefined;
  const tso = (f & (TUN_F_TSO4 | TUN_F_TSO6)) === (TUN_F_TSO4 | TUN_F_TSO6);
  // Scatter-gather always: the addon writes the header, the packet's headers and its payload
  // with one writev, so the payload goes from the send buffer to the kernel without a copy.
  return tso
    ? { txChecksum: true, gsoMaxSize: GSO_MAX_SIZE, scatterGather: true }
    : { txChecksum: true, scatterGather: true };
}

/** A copy of a packet with a partial checksum, completed (for the tap, never the fast path). */
function completed(packet: Uint8Array, meta: TxMeta): Uint8Array {
  const copy = packet.slice();
  completeChecksum(copy, meta);
  return copy;
}

export interface TunStackOptions {
  /** Device name (created if needed). */
  device: string;
  /** The stack's own addresses (IPv4 and/or IPv6), the ones it answers as and connects from. */
  addresses: string[];
  /** The kernel side's addresses on the device. */
  hostAddresses: TunInterfaceAddress[];
  /** Link MTU for both the device and the stack (default 1500). */
  mtu?: number;
  tcp?: Partial<TcpConfig>;
  trace?: TraceSink;
  name?: string;
  /**
   * Checksum and segmentation offloads through a virtio-net header (see TunLink), default false:
   * without them every packet on the device is MTU-sized with a full checksum, as traces of a
   * plain link show. Falls back to plain packets (with a line on stderr) when the kernel refuses.
   */
  offload?: boolean;
  /** Passed to the device (read batch size, write queue bound, the offload flags asked for). */
  deviceOptions?: Pick<TunDeviceOptions, 'batch' | 'maxQueue' | 'offloadFlags'>;
}

/**
 * Opens the device (configured and up), makes a Stack on a RealClock that answers any destination
 * address, and links the two. Throws TunError (privilege, /dev/net/tun, addon) or StackError.
 */
export function openTunStack(opts: TunStackOptions): TunLink {
  const mtu = opts.mtu ?? 1500;
  const stackOpts: StackOptions = {
    addresses: opts.addresses,
    clock: new RealClock(),
    mtu,
    acceptAnyAddress: true,
  };
  if (opts.tcp) stackOpts.tcp = opts.tcp;
  if (opts.trace) stackOpts.trace = opts.trace;
  if (opts.name) stackOpts.name = opts.name;
  // The stack first: a bad address fails before a device is created.
  const stack = new Stack(stackOpts);
  const device = TunDevice.open({
    name: opts.device,
    mtu,
    addresses: opts.hostAddresses,
    offload: opts.offload === true,
    ...(opts.deviceOptions ?? {}),
  });
  return new TunLink(device, stack);
}
