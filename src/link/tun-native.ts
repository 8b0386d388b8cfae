/**
 * Loads synack's TUN addon (native/tun.cc, built by `npm install`) on first use, and turns the
 * ways that can fail into one clear line each: not Linux, addon not built, /dev/net/tun missing,
 * no privilege. Nothing else in synack loads native code, so the package installs and everything
 * but the TUN link works where the addon cannot be built.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The addon's functions (see native/tun.cc for each one's system calls). */
export interface TunAddon {
  /** With `vnetHdr` every read and write carries a 10-byte virtio-net header (IFF_VNET_HDR). */
  open(name: string, vnetHdr?: boolean): { fd: number; name: string };
  /** TUNSETOFFLOAD with TUN_F_* flags; throws when the kernel refuses them. */
  setOffload(fd: number, flags: number): void;
  setUp(name: string, up: boolean): void;
  setMtu(name: string, mtu: number): void;
  setAddress4(name: string, address: string, prefixLength: number): void;
  setAddress6(name: string, address: string, prefixLength: number): void;
  /** Bytes written, or a negative errno (−11 EAGAIN, −105 ENOBUFS …); never throws for I/O. */
  write(fd: number, packet: Uint8Array): number;
  /** `write` behind a 10-byte virtio-net header (one writev); returns the packet's bytes written. */
  writeVnet(fd: number, header: Uint8Array, packet: Uint8Array, rest?: Uint8Array): number;
  /**
   * With `vnet`, `meta` holds each packet's virtio-net header fields, VNET_META_FIELDS per packet
   * (flags, gso_type, hdr_len, gso_size, csum_start, csum_offset), valid during the call only;
   * without it `meta` is null. The packets are views into memory the addon never reuses.
   */
  poll(
    fd: number,
    onPackets: (packets: Uint8Array[], errno: number, meta: Uint16Array | null) => void,
    onWritable: (() => void) | null,
    batch?: number,
    vnet?: boolean,
  ): TunPollHandle;
  setWritable(handle: TunPollHandle, want: boolean): void;
  setReading(handle: TunPollHandle, on: boolean): void;
  stop(handle: TunPollHandle): void;
  closeFd(fd: number): void;
}

/** Fields per packet in the poll callback's `meta` (the virtio-net header, linux/virtio_net.h). */
export const VNET_META_FIELDS = 6;
/** virtio_net_hdr.flags: the checksum is partial — the sender vouches for the data. */
export const VNET_F_NEEDS_CSUM = 1;
/** virtio_net_hdr.flags: the checksum was verified. */
export const VNET_F_DATA_VALID = 2;
/** virtio_net_hdr.gso_type values. */
export const VNET_GSO_NONE = 0;
export const VNET_GSO_TCPV4 = 1;
export const VNET_GSO_TCPV6 = 4;
/** TUNSETOFFLOAD flags (linux/if_tun.h). */
export const TUN_F_CSUM = 0x01;
export const TUN_F_TSO4 = 0x02;
export const TUN_F_TSO6 = 0x04;

/** Opaque: the addon's libuv poll handle. */
export type TunPollHandle = { readonly __tunPoll: unique symbol };

export type TunErrorCode =
  | 'ENOTSUP' // not Linux
  | 'ENOADDON' // the addon was not built
  | 'ENOENT' // /dev/net/tun missing
  | 'EPERM' // no privilege (root or CAP_NET_ADMIN needed)
  | 'EBUSY' // the device exists and is in use by another process
  | 'EINVAL' // a bad argument (name, address, prefix, MTU)
  | 'EIO'; // anything else the kernel refused

/** A TUN failure with one line that says what is needed. */
export class TunError extends Error {
  override readonly name = 'TunError';
  constructor(
    readonly code: TunErrorCode,
    message: string,
    readonly syscall?: string,
  ) {
    super(message);
  }
}

const ADDON_FILE = 'synack_tun.node';

/** native/build/synack_tun.node, found from this module's place in dist/ or src/. */
function addonPath(): string {
  const override = process.env.SYNACK_TUN_ADDON;
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'native', 'build', ADDON_FILE);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    'native',
    'build',
    ADDON_FILE,
  );
}

let cached: TunAddon | undefined;

/** The addon, loaded once; throws TunError (ENOTSUP, ENOADDON) when it cannot be. */
export function loadTunAddon(): TunAddon {
  if (cached) return cached;
  if (process.platform !== 'linux') {
    throw new TunError('ENOTSUP', `TUN links need Linux; this is ${process.platform}.`);
  }
  const path = addonPath();
  if (!existsSync(path)) {
    throw new TunError(
      'ENOADDON',
      `the TUN addon is not built (${path}): run \`npm install\` on Linux with g++ and Node's headers.`,
    );
  }
  try {
    cached = createRequire(import.meta.url)(path) as TunAddon;
  } catch (err) {
    throw new TunError(
      'ENOADDON',
      `the TUN addon (${path}) does not load: ${(err as Error).message}; rebuild it with \`npm install\`.`,
    );
  }
  return cached;
}

/** Maps an error thrown by the addon to a TunError whose message says what is needed. */
export function tunErrorFrom(err: unknown, device: string): TunError {
  if (err instanceof TunError) return err;
  const e = err as { code?: string; syscall?: string; message?: string };
  const syscall = e.syscall;
  switch (e.code) {
    case 'EPERM':
    case 'EACCES':
      return new TunError(
        'EPERM',
        `creating or configuring TUN device ${device} needs root or the CAP_NET_ADMIN capability ` +
          `(run as root, or: sudo setcap cap_net_admin+ep "$(command -v node)").`,
        syscall,
      );
    case 'ENOENT':
    case 'ENODEV':
    case 'ENXIO':
      if (syscall === 'open') {
        return new TunError(
          'ENOENT',
          '/dev/net/tun is missing: load the tun kernel module (modprobe tun), or give the ' +
            'container the device (docker run --device /dev/net/tun --cap-add NET_ADMIN).',
          syscall,
        );
      }
      return new TunError('EIO', `TUN device ${device}: ${e.message ?? String(err)}`, syscall);
    case 'EBUSY':
      return new TunError(
        'EBUSY',
        `TUN device ${device} is in use by another process (or exists as another kind of device).`,
        syscall,
      );
    case 'EINVAL':
    case 'ERR_INVALID_ARG_TYPE':
      return new TunError('EINVAL', `TUN device ${device}: ${e.message ?? String(err)}`, syscall);
    default:
      return new TunError('EIO', `TUN device ${device}: ${e.message ?? String(err)}`, syscall);
  }
}
