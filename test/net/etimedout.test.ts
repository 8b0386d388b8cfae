/**
 * ETIMEDOUT, both implementations. Over loopback Node's kernel never loses a SYN, so for the oracle
 * this test makes a network namespace whose only route to 198.18.0.2 is a dummy interface (which
 * silently discards every packet), sets the namespace's tcp_syn_retries to 1 (SYN, then one
 * retransmission: ~3 s), and runs Node's net.connect there in a child process. synack gets the same
 * loss from a SimNetwork filter and short timers. The errors and the event order must be the same.
 *
 * Like the TUN tests (test/tun/netns.ts): without root or `ip` this test skips with the reason,
 * except in CI (CI=true), where a missing prerequisite is a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SimNetwork } from '../../src/link/sim-network.js';
import '../../src/net/index.js';
import { waitFor } from './helpers.js';

interface Outcome {
  events: string[];
  error: { code?: string; errno?: number; syscall?: string; address?: string; port?: number; message: string };
}

const NAME = "connect to a host that never answers → ETIMEDOUT (connect, address, port), then 'close(true)': Node and synack agree";

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace';
  if (spawnSync('sh', ['-c', 'command -v ip'], { stdio: 'ignore' }).status !== 0) {
    return "needs the 'ip' command (iproute2)";
  }
  return undefined;
}

/** The client program, the same for both: records events and the error's Node fields. */
const CHILD = `
const net = require('node:net');
const events = [];
let error;
const c = net.connect(80, '198.18.0.2');
c.on('connect', () => events.push('connect'));
c.on('error', (e) => {
  events.push('error:' + e.code);
  error = { code: e.code, errno: e.errno, syscall: e.syscall, address: e.address, port: e.port, message: e.message };
});
c.on('close', (hadError) => {
  events.push('close:' + hadError);
  process.stdout.write(JSON.stringify({ events, error }));
});
`;

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

function nodeOutcome(): Outcome {
  const ns = `synack-net-etimedout-${process.pid}`;
  ip('netns', 'add', ns);
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'add', 'd0', 'type', 'dummy');
    ip('-n', ns, 'addr', 'add', '198.18.0.1/24', 'dev', 'd0');
    ip('-n', ns, 'link', 'set', 'd0', 'up');
    const sysctl = spawnSync(
      'ip',
      ['netns', 'exec', ns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/tcp_syn_retries'],
      { encoding: 'utf8' },
    );
    if (sysctl.status !== 0) throw new Error(`tcp_syn_retries: ${sysctl.stderr}`);
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', CHILD], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (r.status !== 0) throw new Error(`node in ${ns}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Outcome;
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

async function synackOutcome(): Promise<Outcome> {
  const net = new SimNetwork({ seed: 4, clock: 'real' });
  // One SYN retransmission like the namespace's tcp_syn_retries=1, on shorter timers.
  const client = net.addHost({
    address: '198.18.0.1',
    tcp: { synRetries: 1, initialRto: 30, minRto: 30 },
  });
  net.addHost({ address: '198.18.0.2' });
  net.addFilter(() => 'drop');
  try {
    const events: string[] = [];
    let error: Outcome['error'] | undefined;
    const c = client.connect(80, '198.18.0.2');
    c.on('connect', () => events.push('connect'));
    c.on('error', (e: NodeJS.ErrnoException & { address?: string; port?: number }) => {
      events.push(`error:${e.code}`);
      error = {
        code: e.code,
        errno: e.errno,
        syscall: e.syscall,
        address: e.address,
        port: e.port,
        message: e.message,
      };
    });
    const [hadError] = await waitFor<[boolean]>(c, 'close', 10_000);
    events.push(`close:${hadError}`);
    return { events, error: error ?? { message: 'no error' } };
  } finally {
    net.close();
  }
}

const reason = skipReason();
if (reason && process.env.CI !== 'true') {
  test(NAME, { skip: reason }, () => {});
} else {
  test(NAME, { timeout: 60_000 }, async () => {
    const fromNode = nodeOutcome();
    const fromSynack = await synackOutcome();
    assert.deepEqual(fromNode, {
      events: ['error:ETIMEDOUT', 'close:true'],
      error: {
        code: 'ETIMEDOUT',
        errno: -110,
        syscall: 'connect',
        address: '198.18.0.2',
        port: 80,
        message: 'connect ETIMEDOUT 198.18.0.2:80',
      },
    });
    assert.deepEqual(fromSynack, fromNode);
  });
}
