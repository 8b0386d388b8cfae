/**
 * TunLink: a Stack on a Linux TUN device. Every packet the kernel routes into the device goes to
 * `stack.receive`, and everything the stack sends goes out through the device — the device is the
 * stack's route to everywhere, so the stack answers whatever address reaches it (the kernel decides
 * which destinations to route here: the `--host-ip` subnet, or any route pointing at the device).
 *
 * ICMP is the stack's business (echo replies, "fragmentation needed" / "packet too big" lowering a
 * connection's path MTU, unreachable during a handshake failing it): the link only carries packets.
 * A tap sees every packet in both directions (for pcap captures, written by the cli/trace layers).
 */
import { Stack, type StackOptions } from '../stack/stack.js';
import { RealClock } from '../stack/real-clock.js';
import type { TcpConfig } from '../tcp/config.js';
import type { TraceSink } from '../stack/trace-event.js';
import { TunDevice, type TunDeviceOptions, type TunInterfaceAddress } from './tun-device.js';

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
    stack.setOutput((packet) => {
      const tap = this.tap;
      if (tap) tap(packet, 'out', stack.clock.now());
      device.write(packet);
    });
    device.onPackets((packets) => {
      const tap = this.tap;
      for (const p of packets) {
        if (tap) tap(p, 'in', stack.clock.now());
        stack.receive(p);
      }
    });
  }

  /** Closes the stack (aborting what is open) and then the device. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stack.close();
    this.device.close();
  }
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
  /** Passed to the device (read batch size, write queue bound). */
  deviceOptions?: Pick<TunDeviceOptions, 'batch' | 'maxQueue'>;
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
    ...(opts.deviceOptions ?? {}),
  });
  return new TunLink(device, stack);
}
