/**
 * Network namespaces for the TUN and veth cases (parent side). Every namespace is named
 * `sbench<pid>x<n>`, created here and deleted in `cleanup()` (also on SIGINT/SIGTERM), so a bench
 * run never touches the host's own interfaces. Addresses come from 198.18.0.0/15.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const created: string[] = [];
let counter = 0;

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`ip ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
  }
}

/** Why namespaces + TUN cannot be used here, or undefined when they can. */
export function privilegeProblem(): string | undefined {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, TUN devices)';
  if (!existsSync('/dev/net/tun')) return 'needs /dev/net/tun';
  const r = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (r.status !== 0) return "needs the 'ip' command (iproute2)";
  return undefined;
}

export function makeNamespace(): string {
  const name = `sbench${process.pid}x${counter++}`;
  ip(['netns', 'add', name]);
  created.push(name);
  ip(['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

export function deleteNamespace(name: string): void {
  const i = created.indexOf(name);
  if (i >= 0) created.splice(i, 1);
  spawnSync('ip', ['netns', 'del', name]);
}

export interface VethPair {
  a: string;
  b: string;
  addrA: string;
  addrB: string;
}

/** Two namespaces joined by a veth pair with `mtu`: 198.18.1.1/24 in a, 198.18.1.2/24 in b. */
export function makeVethPair(mtu: number): VethPair {
  const a = makeNamespace();
  const b = makeNamespace();
  ip([
    'link',
    'add',
    'sbva',
    'netns',
    a,
    'mtu',
    String(mtu),
    'type',
    'veth',
    'peer',
    'name',
    'sbvb',
    'netns',
    b,
    'mtu',
    String(mtu),
  ]);
  ip(['-n', a, 'addr', 'add', '198.18.1.1/24', 'dev', 'sbva']);
  ip(['-n', b, 'addr', 'add', '198.18.1.2/24', 'dev', 'sbvb']);
  ip(['-n', a, 'link', 'set', 'sbva', 'up']);
  ip(['-n', b, 'link', 'set', 'sbvb', 'up']);
  return { a, b, addrA: '198.18.1.1', addrB: '198.18.1.2' };
}

export function cleanup(): void {
  for (const n of [...created]) deleteNamespace(n);
}

let hooked = false;
/** Deletes the namespaces if the run is interrupted. */
export function cleanupOnSignals(): void {
  if (hooked) return;
  hooked = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
}
