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
  open(name: string): { fd: number; name: string };
  setUp(name: string, up: boolean): void;
  setMtu(name: string, mtu: number): void;
  setAddress4(name: string, address: string, prefixLength: number): void;
  setAddress6(name: string, address: string, prefixLength: number): void;
  /** Bytes written, or a negative errno (−11 EAGAIN, −105 ENOBUFS …); never throws for I/O. */
  write(fd: number, packet: Uint8Array): number;
  poll(
    fd: number,
    onPackets: (packets: Buffer[], errno: number) => void,
    onWritable: (() => void) | null,
    batch?: number,
  ): TunPollHandle;
  setWritable(handle: TunPollHandle, want: boolean): void;
  setReading(handle: TunPollHandle, on: boolean): void;
  stop(handle: TunPollHandle): void;
  closeFd(fd: number): void;
}

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
