/**
 * The flags every TUN command shares (`synack serve|connect|get --tun …`): the device and its
 * addresses, the stack's TCP settings, and the trace/pcap outputs. Parsed with node:util's
 * parseArgs; a bad value is a UsageError with one line saying which flag and why.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ipVersion } from '../wire/address.js';
import { DEFAULT_TCP_CONFIG, type TcpConfig } from '../tcp/config.js';
import type { TunInterfaceAddress } from '../link/tun-device.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** parseArgs option specs for the shared flags. */
export const TUN_FLAGS = {
  tun: { type: 'string' },
  ip: { type: 'string' },
  'host-ip': { type: 'string' },
  ip6: { type: 'string' },
  'host-ip6': { type: 'string' },
  mtu: { type: 'string' },
  offload: { type: 'boolean' },
  mss: { type: 'string' },
  msl: { type: 'string' },
  'fin-timeout': { type: 'string' },
  'syn-retries': { type: 'string' },
  rcvbuf: { type: 'string' },
  sndbuf: { type: 'string' },
  'no-delay': { type: 'boolean' },
  keepalive: { type: 'string' },
  trace: { type: 'string' },
  pcap: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const TUN_FLAGS_HELP = `Device:
  --tun NAME              TUN device (created if it does not exist; needs root or CAP_NET_ADMIN)
  --ip ADDR               synack's IPv4 address (it answers as this)
  --host-ip ADDR/PREFIX   the kernel side's IPv4 address on the device (routes the subnet to it)
  --ip6 ADDR              synack's IPv6 address
  --host-ip6 ADDR/PREFIX  the kernel side's IPv6 address on the device
  --mtu N                 link MTU (default 1500)
  --offload               checksum offload and TSO/GSO through a virtio-net header: packets of up
                          to 64 KiB cross the device whatever the MTU (much faster; traces and
                          captures then show those packets whole, as tcpdump on a veth does)
TCP:
  --mss N                 MSS to advertise (default MTU − 40, IPv6 MTU − 60)
  --msl SECONDS           maximum segment lifetime; TIME-WAIT lasts 2·MSL (default ${DEFAULT_TCP_CONFIG.msl / 1000})
  --fin-timeout SECONDS   FIN-WAIT-2 timeout (default ${DEFAULT_TCP_CONFIG.finWait2Timeout / 1000})
  --syn-retries N         SYN retransmissions before giving up (default ${DEFAULT_TCP_CONFIG.synRetries})
  --rcvbuf BYTES          receive buffer (default ${DEFAULT_TCP_CONFIG.receiveBufferSize})
  --sndbuf BYTES          send buffer (default ${DEFAULT_TCP_CONFIG.sendBufferSize})
  --no-delay              disable Nagle's algorithm
  --keepalive SECONDS     send keep-alives after this idle time
Output:
  --trace FILE.ndjson     every segment and state change, one JSON object a line
  --pcap FILE             every packet on the device (LINKTYPE_RAW; tshark/Wireshark read it)`;

export interface TunSettings {
  device: string;
  ip?: string;
  hostIp?: TunInterfaceAddress;
  ip6?: string;
  hostIp6?: TunInterfaceAddress;
  mtu: number;
  offload: boolean;
  tcp: Partial<TcpConfig>;
  trace?: string;
  pcap?: string;
}

type Values = {
  [K in keyof typeof TUN_FLAGS]?: (typeof TUN_FLAGS)[K]['type'] extends 'boolean'
    ? boolean
    : string;
};

function int(flag: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} wants an integer in ${min}..${max}, not '${v}'`);
  }
  return n;
}

function seconds(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 86_400) {
    throw new UsageError(`--${flag} wants seconds (0..86400), not '${v}'`);
  }
  return Math.round(n * 1000);
}

function address(flag: string, v: string | undefined, family: 4 | 6): string | undefined {
  if (v === undefined) return undefined;
  if (ipVersion(v) !== family)
    throw new UsageError(`--${flag} wants an IPv${family} address, not '${v}'`);
  return v;
}

function prefixed(
  flag: string,
  v: string | undefined,
  family: 4 | 6,
): TunInterfaceAddress | undefined {
  if (v === undefined) return undefined;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
  const max = family === 4 ? 32 : 128;
  if (!m || ipVersion(m[1] as string) !== family || Number(m[2]) > max) {
    throw new UsageError(
      `--${flag} wants an IPv${family} ADDR/PREFIX (prefix 0..${max}), not '${v}'`,
    );
  }
  return { address: m[1] as string, prefixLength: Number(m[2]) };
}

/** Checks and converts the shared flags (at least one of --ip and --ip6 must be given). */
export function tunSettings(values: Values): TunSettings {
  const device = values.tun;
  if (!device) throw new UsageError('--tun NAME is required');
  if (device.length > 15 || !/^[A-Za-z0-9_.:-]+$/.test(device)) {
    throw new UsageError(
      `--tun wants a device name of 1..15 letters, digits, '-', '_', '.', not '${device}'`,
    );
  }
  const ip = address('ip', values.ip, 4);
  const ip6 = address('ip6', values.ip6, 6);
  const hostIp = prefixed('host-ip', values['host-ip'], 4);
  const hostIp6 = prefixed('host-ip6', values['host-ip6'], 6);
  if (!ip && !ip6)
    throw new UsageError('--ip ADDR (or --ip6 ADDR) is required: the address synack answers as');
  if (ip && hostIp && ip === hostIp.address) {
    throw new UsageError('--ip and --host-ip must differ: one end is synack, the other the kernel');
  }
  if (ip6 && hostIp6 && ip6 === hostIp6.address) {
    throw new UsageError(
      '--ip6 and --host-ip6 must differ: one end is synack, the other the kernel',
    );
  }
  const mtu = int('mtu', values.mtu, ip6 ? 1280 : 576, 65535) ?? 1500;
  const tcp: Partial<TcpConfig> = {};
  const mss = int('mss', values.mss, 88, 65495);
  if (mss !== undefined) tcp.mss = mss;
  const msl = seconds('msl', values.msl);
  if (msl !== undefined) tcp.msl = msl;
  const fin = seconds('fin-timeout', values['fin-timeout']);
  if (fin !== undefined) tcp.finWait2Timeout = fin;
  const syn = int('syn-retries', values['syn-retries'], 0, 255);
  if (syn !== undefined) tcp.synRetries = syn;
  const rcv = int('rcvbuf', values.rcvbuf, 1, 1 << 30);
  if (rcv !== undefined) tcp.receiveBufferSize = rcv;
  const snd = int('sndbuf', values.sndbuf, 1, 1 << 30);
  if (snd !== undefined) tcp.sendBufferSize = snd;
  if (values['no-delay']) tcp.noDelay = true;
  const ka = seconds('keepalive', values.keepalive);
  if (ka !== undefined) {
    tcp.keepAlive = true;
    tcp.keepAliveIdle = Math.max(1000, ka);
  }
  const s: TunSettings = { device, mtu, offload: values.offload === true, tcp };
  if (ip) s.ip = ip;
  if (ip6) s.ip6 = ip6;
  if (hostIp) s.hostIp = hostIp;
  if (hostIp6) s.hostIp6 = hostIp6;
  if (values.trace) s.trace = values.trace;
  if (values.pcap) s.pcap = values.pcap;
  return s;
}

/** parseArgs with the shared flags plus a command's own; unknown flags are a UsageError. */
export function parseTunArgs<O extends ParseArgsConfig['options']>(
  args: string[],
  own: O,
): { values: Values & Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({
      args,
      options: { ...TUN_FLAGS, ...own },
      allowPositionals: true,
      strict: true,
    });
    return {
      values: r.values as Values & Record<string, string | boolean | undefined>,
      positionals: r.positionals,
    };
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? String(err));
  }
}
