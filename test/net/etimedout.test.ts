/**
 * ETIMEDOUT, both implementations, in the handshake and on an established connection. Over loopback Node's kernel never loses a SYN, so for the oracle
 * this test makes a network namespace whose only route to 198.18.0.2 is a veth pair with nothing
 * behind it (every packet is silently lost), sets the namespace's tcp_syn_retries to 1 (SYN, then one
 * retransmission: ~3 s), and runs Node's net.connect there in a child process. synack gets the same
 * loss from a SimNetwork filter and short timers. The errors and the event order must be the same.
 * The established case uses two namespaces joined by a veth pair, a server in one, and a client
 * that, once connected, points its neighbour entry for the server at a MAC nobody has, with
 * tcp_retries2 = 2 (~3 s).
 *
 * Like the TUN tests (test/tun/netns.ts): without root or `ip` this test skips with the reason,
 * except in CI (CI=true), where a missing prerequisite is a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { SimNetwork } from '../../src/link/sim-network.js';
import '../../src/net/index.js';
import { waitFor } from './helpers.js';

interface Outcome {
  events: string[];
  error: {
    code?: string;
    errno?: number;
    syscall?: string;
    address?: string;
    port?: number;
    message: string;
  };
}

const NAME =
  "connect to a host that never answers → ETIMEDOUT (connect, address, port), then 'close(true)': Node and synack agree";

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

/** The established case's client: connects, then makes the path silent, then writes. */
const CHILD_ESTABLISHED = `
const net = require('node:net');
const { execSync } = require('node:child_process');
const events = [];
let error;
const c = net.connect(80, '198.18.0.2', () => {
  events.push('connect');
  execSync('ip neigh replace 198.18.0.2 lladdr 02:00:00:00:00:09 dev v0 nud permanent');
  c.write('into the void');
});
c.on('error', (e) => {
  events.push('error:' + e.code);
  error = { code: e.code, errno: e.errno, syscall: e.syscall, address: e.address, port: e.port, message: e.message };
});
c.on('close', (hadError) => {
  events.push('close:' + hadError);
  process.stdout.write(JSON.stringify({ events, error }));
});
`;

const SERVER = `require('node:net').createServer((s) => { s.resume(); s.on('error', () => {}); })
  .listen(80, '198.18.0.2', () => process.stdout.write('listening\\n'));`;

async function nodeEstablishedOutcome(): Promise<Outcome> {
  const a = `synack-net-et-a-${process.pid}`;
  const b = `synack-net-et-b-${process.pid}`;
  ip('netns', 'add', a);
  ip('netns', 'add', b);
  let server: ChildProcess | undefined;
  try {
    ip('-n', a, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1', 'netns', b);
    ip('-n', a, 'addr', 'add', '198.18.0.1/24', 'dev', 'v0');
    ip('-n', b, 'addr', 'add', '198.18.0.2/24', 'dev', 'v1');
    for (const [ns, dev] of [
      [a, 'v0'],
      [b, 'v1'],
    ] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    const sysctl = spawnSync(
      'ip',
      ['netns', 'exec', a, 'sh', '-c', 'echo 2 > /proc/sys/net/ipv4/tcp_retries2'],
      { encoding: 'utf8' },
    );
    if (sysctl.status !== 0) throw new Error(`tcp_retries2: ${sysctl.stderr}`);
    const srv = spawn('ip', ['netns', 'exec', b, process.execPath, '-e', SERVER], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    server = srv;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error('the server in the namespace did not start')),
        10_000,
      );
      srv.stdout?.once('data', () => {
        clearTimeout(t);
        resolve();
      });
    });
    const r = spawnSync('ip', ['netns', 'exec', a, process.execPath, '-e', CHILD_ESTABLISHED], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (r.status !== 0) throw new Error(`node in ${a}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Outcome;
  } finally {
    server?.kill();
    spawnSync('ip', ['netns', 'del', a]);
    spawnSync('ip', ['netns', 'del', b]);
  }
}

async function synackEstablishedOutcome(): Promise<Outcome> {
  const net = new SimNetwork({ seed: 4, clock: 'real' });
  const tcp = { dataRetries: 2, initialRto: 30, minRto: 30, msl: 50 };
  const client = net.addHost({ address: '198.18.0.1', tcp });
  const server = net.addHost({ address: '198.18.0.2', tcp });
  const srv = server.createServer((s) => {
    s.resume();
    s.on('error', () => {});
  });
  srv.listen(80, '198.18.0.2');
  try {
    await waitFor(srv, 'listening');
    const events: string[] = [];
    let error: Outcome['error'] | undefined;
    const c = client.connect(80, '198.18.0.2', () => {
      events.push('connect');
      net.addFilter(() => 'drop');
      c.write('into the void');
    });
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
    // Through JSON like the child's report, so absent fields compare equal.
    return JSON.parse(
      JSON.stringify({ events, error: error ?? { message: 'no error' } }),
    ) as Outcome;
  } finally {
    net.close();
  }
}

function nodeOutcome(): Outcome {
  const ns = `synack-net-etimedout-${process.pid}`;
  ip('netns', 'add', ns);
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    // A veth pair with nothing behind its far end, and a permanent neighbour entry so that no
    // ARP failure turns the silence into EHOSTUNREACH: every SYN leaves and is never answered.
    ip('-n', ns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ip('-n', ns, 'addr', 'add', '198.18.0.1/24', 'dev', 'v0');
    ip('-n', ns, 'link', 'set', 'v0', 'up');
    ip('-n', ns, 'link', 'set', 'v1', 'up');
    ip(
      '-n',
      ns,
      'neigh',
      'add',
      '198.18.0.2',
      'lladdr',
      '02:00:00:00:00:02',
      'dev',
      'v0',
      'nud',
      'permanent',
    );
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
    // Through JSON like the child's report, so absent fields compare equal.
    return JSON.parse(
      JSON.stringify({ events, error: error ?? { message: 'no error' } }),
    ) as Outcome;
  } finally {
    net.close();
  }
}

const ESTABLISHED =
  "established, then the path goes silent → ETIMEDOUT (read) after the data retries, then 'close(true)': Node and synack agree";

const reason = skipReason();
if (reason && process.env.CI !== 'true') {
  test(NAME, { skip: reason }, () => {});
  test(ESTABLISHED, { skip: reason }, () => {});
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

  test(ESTABLISHED, { timeout: 60_000 }, async () => {
    const fromNode = await nodeEstablishedOutcome();
    const fromSynack = await synackEstablishedOutcome();
    assert.deepEqual(fromNode, {
      events: ['connect', 'error:ETIMEDOUT', 'close:true'],
      error: { code: 'ETIMEDOUT', errno: -110, syscall: 'read', message: 'read ETIMEDOUT' },
    });
    assert.deepEqual(fromSynack, fromNode);
  });
}
