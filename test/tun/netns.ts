/**
 * The TUN tests' harness: each test makes its own network namespace, runs synack (or a fixture)
 * inside it with `ip netns exec`, talks to it with the kernel's own TCP (Node's `net`, curl,
 * Python) from inside the same namespace, and removes the namespace afterwards. Addresses come
 * from 198.18.0.0/15 and 2001:db8::/32 only.
 *
 * Skip rule: without root, /dev/net/tun, `ip` or the built addon the tests skip with a reason —
 * except in CI (CI=true), where a missing prerequisite is a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file runs from dist/test/tun/). */
export const REPO_ROOT = resolve(here, '..', '..', '..');
export const SYNACK_BIN = join(REPO_ROOT, 'bin', 'synack.js');
export const FIXTURES = join(here, 'fixtures');

function onPath(cmd: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
  return r.status === 0;
}

let reasonCache: string | null | undefined;

/** Why the TUN tests cannot run here, or undefined when they can. */
export function tunSkipReason(): string | undefined {
  if (reasonCache !== undefined) return reasonCache ?? undefined;
  let reason: string | undefined;
  if (process.platform !== 'linux') reason = `TUN tests need Linux (this is ${process.platform})`;
  else if (process.getuid?.() !== 0)
    reason = 'TUN tests need root (network namespaces and TUN devices)';
  else if (!existsSync('/dev/net/tun')) reason = 'TUN tests need /dev/net/tun (modprobe tun)';
  else if (!onPath('ip')) reason = "TUN tests need the 'ip' command (iproute2)";
  else if (!existsSync(join(REPO_ROOT, 'native', 'build', 'synack_tun.node')))
    reason = 'TUN tests need the addon native/build/synack_tun.node (npm install with g++)';
  else {
    try {
      accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
    } catch {
      reason = 'TUN tests need read/write access to /dev/net/tun';
    }
  }
  reasonCache = reason ?? null;
  return reason;
}

/** Whether a tool the kernel-side peer uses (curl, python3, tshark, ss) is installed. */
export function hasTool(cmd: string): boolean {
  return onPath(cmd);
}

export interface TunTestOptions {
  timeout: number;
  /** Extra tools this test needs (e.g. 'curl'); missing ones skip it (fail in CI). */
  needs?: string[];
}

/**
 * `test()` for the TUN suite: runs when the prerequisites hold; otherwise skips with the reason,
 * or fails in CI (CI=true), where the privilege and the tools must be there.
 */
export function tunTest(
  name: string,
  opts: TunTestOptions,
  fn: (t: TestContext) => Promise<void>,
): void {
  let reason = tunSkipReason();
  if (!reason) {
    const missing = (opts.needs ?? []).filter((c) => !hasTool(c));
    if (missing.length > 0) reason = `needs ${missing.join(', ')} installed`;
  }
  if (reason && process.env.CI !== 'true') {
    test(name, { skip: reason }, () => {});
    return;
  }
  test(name, { timeout: opts.timeout }, async (t) => {
    if (reason) throw new Error(`CI must run the TUN tests, but: ${reason}`);
    await fn(t);
  });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let nsCounter = 0;
const liveNamespaces = new Set<string>();
process.on('exit', () => {
  // A test that threw before its cleanup still leaves nothing behind.
  for (const ns of liveNamespaces) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
});

/** Runs `cmd args` to completion (bounded by `timeout` ms) and collects its output. */
export function run(
  cmd: string,
  args: string[],
  opts: { timeout?: number; input?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.on('error', () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

async function mustRun(cmd: string, args: string[]): Promise<string> {
  const r = await run(cmd, args, { timeout: 20_000 });
  if (r.code !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** A network namespace owned by one test. */
export class Netns {
  private readonly children = new Set<ChildProcess>();

  private constructor(readonly name: string) {}

  /** Creates a fresh namespace with its loopback up and reverse-path filtering off. */
  static async create(tag: string): Promise<Netns> {
    const name = `synack-${tag}-${process.pid}-${++nsCounter}`;
    await mustRun('ip', ['netns', 'add', name]);
    liveNamespaces.add(name);
    const ns = new Netns(name);
    await ns.must('ip', ['link', 'set', 'lo', 'up']);
    // The stack answers from whatever address reaches it; strict reverse-path filtering would drop
    // replies the kernel routes back through the TUN from addresses it did not expect there.
    await ns.must('sh', [
      '-c',
      'for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > $f; done',
    ]);
    return ns;
  }

  /** `ip netns exec NAME cmd args`, to completion. */
  run(
    cmd: string,
    args: string[],
    opts: { timeout?: number; input?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {},
  ): Promise<RunResult> {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args], opts);
  }

  /** Like run(), but throws unless the command exits 0; returns its stdout. */
  async must(cmd: string, args: string[]): Promise<string> {
    const r = await this.run(cmd, args, { timeout: 20_000 });
    if (r.code !== 0) {
      throw new Error(
        `${cmd} ${args.join(' ')} in ${this.name} failed (${r.code}): ${r.stderr.trim()}`,
      );
    }
    return r.stdout;
  }

  /**
   * Starts a long-running process in the namespace (`ip netns exec` execs it, so the child is the
   * process itself and can be signalled). It is killed by destroy() if still running.
   */
  spawn(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env,
    });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    child.stdin?.on('error', () => {});
    return child;
  }

  /** Kills what is still running and deletes the namespace (and with it its TUN devices). */
  async destroy(): Promise<void> {
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    await Promise.all(
      [...this.children].map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null || c.signalCode !== null) return r();
            const t = setTimeout(r, 5000);
            c.on('exit', () => {
              clearTimeout(t);
              r();
            });
          }),
      ),
    );
    await run('ip', ['netns', 'del', this.name], { timeout: 20_000 });
    liveNamespaces.delete(this.name);
  }
}

/** Collects a child's stdout lines; `waitFor` resolves on the first line matching. */
export class LineReader {
  readonly lines: string[] = [];
  private buf = '';
  /** The stream's end was seen. */
  get ended(): boolean {
    return this.isEnded;
  }
  /** Text after the last newline (a last line without one). */
  get pending(): string {
    return this.buf;
  }
  private waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  private isEnded = false;
  private readonly endWaiters: ((err: Error) => void)[] = [];

  constructor(
    stream: NodeJS.ReadableStream,
    private readonly describe: () => string = () => '',
  ) {
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => {
          const m = line.match(w.re);
          if (m) w.resolve(m);
          return !m;
        });
      }
    });
    stream.on('end', () => {
      this.isEnded = true;
      for (const f of this.endWaiters)
        f(new Error(`stream ended before the line; ${this.describe()}`));
    });
  }

  /** The first line (already read or still to come) that matches `re`, within `timeout` ms. */
  waitFor(re: RegExp, timeout = 10_000): Promise<RegExpMatchArray> {
    for (const l of this.lines) {
      const m = l.match(re);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolveP, reject) => {
      const t = setTimeout(() => {
        reject(new Error(`no line matching ${re} within ${timeout} ms; ${this.describe()}`));
      }, timeout);
      const w = {
        re,
        resolve: (m: RegExpMatchArray) => {
          clearTimeout(t);
          resolveP(m);
        },
      };
      this.waiters.push(w);
      if (this.isEnded) {
        clearTimeout(t);
        reject(new Error(`stream ended before a line matching ${re}; ${this.describe()}`));
      } else {
        this.endWaiters.push((e) => {
          clearTimeout(t);
          reject(e);
        });
      }
    });
  }
}

/** Collects all of a stream into a string (for stderr diagnostics). */
export function collect(stream: NodeJS.ReadableStream | null): { text: () => string } {
  let s = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (d: string) => {
    s += d;
    if (s.length > 100_000) s = s.slice(-50_000);
  });
  return { text: () => s };
}

/** Resolves with the exit code once `child` exits (or rejects after `timeout` ms). */
export function exited(child: ChildProcess, timeout = 20_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolveP, reject) => {
    const t = setTimeout(
      () => reject(new Error(`process did not exit within ${timeout} ms`)),
      timeout,
    );
    child.on('exit', (code) => {
      clearTimeout(t);
      resolveP(code);
    });
  });
}

/** The addresses every TUN test uses inside its own namespace (RFC 2544 / RFC 3849 ranges). */
export const ADDR = {
  host4: '198.18.0.1',
  synack4: '198.18.0.2',
  host6: '2001:db8::1',
  synack6: '2001:db8::2',
} as const;

/** The shared device flags for `synack serve|connect|get` (IPv4 and IPv6 on one device). */
export function tunFlags(device = 'syn0'): string[] {
  return [
    '--tun',
    device,
    '--ip',
    ADDR.synack4,
    '--host-ip',
    `${ADDR.host4}/24`,
    '--ip6',
    ADDR.synack6,
    '--host-ip6',
    `${ADDR.host6}/64`,
  ];
}

/** A synack process (or fixture) running inside a namespace, with its output collected. */
export class ChildProc {
  readonly out: LineReader;
  readonly err: { text: () => string };

  constructor(readonly child: ChildProcess) {
    this.err = collect(child.stderr);
    this.out = new LineReader(
      child.stdout!,
      () => `stdout: ${this.out.lines.join(' | ')} stderr: ${this.err.text()}`,
    );
  }

  /** `node bin/synack.js ARGS` in the namespace. */
  static synack(ns: Netns, args: string[]): ChildProc {
    return new ChildProc(ns.spawn(process.execPath, [SYNACK_BIN, ...args]));
  }

  /** `synack serve` in the namespace, resolved once it printed its listening line. */
  static async serve(ns: Netns, args: string[]): Promise<ChildProc> {
    const p = ChildProc.synack(ns, ['serve', ...args]);
    await p.out.waitFor(/^listening on /, 15_000);
    return p;
  }

  /** SIGTERM, then the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    return exited(this.child, 10_000);
  }
}

/** The fields of a `conn …` line printed by serve (or by connect -v). */
export interface ConnLine {
  peer: string;
  local: string;
  rx: number;
  tx: number;
  states: string[];
  end: string;
  rxSha?: string;
  txSha?: string;
}

export function parseConnLine(line: string): ConnLine | undefined {
  const m =
    /^conn (\S+) > (\S+) rx=(\d+) tx=(\d+) states=(\S+) (\S+)(?: rx-sha256=([0-9a-f]{64}) tx-sha256=([0-9a-f]{64}))?$/.exec(
      line,
    );
  if (!m) return undefined;
  const c: ConnLine = {
    peer: m[1] as string,
    local: m[2] as string,
    rx: Number(m[3]),
    tx: Number(m[4]),
    states: (m[5] as string).split('>'),
    end: m[6] as string,
  };
  if (m[7]) c.rxSha = m[7];
  if (m[8]) c.txSha = m[8];
  return c;
}

/** Waits until `n` conn lines were printed; returns them parsed. */
export async function connLines(p: ChildProc, n: number, timeout = 30_000): Promise<ConnLine[]> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const lines = p.out.lines.map(parseConnLine).filter((c): c is ConnLine => c !== undefined);
    if (lines.length >= n) return lines;
    if (Date.now() > deadline) {
      throw new Error(`expected ${n} conn lines, have ${lines.length}; stderr: ${p.err.text()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The kernel's TCP sockets in the namespace (`ss -tan`), as [state, local, peer] rows. */
export async function kernelSockets(
  ns: Netns,
): Promise<{ state: string; local: string; peer: string }[]> {
  const out = await ns.must('ss', ['-tanH']);
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 5)
    .map((f) => ({ state: f[0] as string, local: f[3] as string, peer: f[4] as string }));
}

/** `node FIXTURE args` in the namespace, to completion; returns its stdout's JSON line. */
export async function fixtureJson<T>(
  ns: Netns,
  fixture: string,
  args: string[],
  timeout = 60_000,
): Promise<T> {
  const r = await ns.run(process.execPath, [join(FIXTURES, fixture), ...args], { timeout });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(
      `${fixture} ${args.join(' ')}: exit ${r.code}, stdout '${r.stdout.slice(0, 500)}', stderr '${r.stderr.slice(0, 2000)}'`,
    );
  }
}

let tmpCounter = 0;
/** A fresh path under the OS temp dir for a capture or a trace. */
export function tmpPath(ext: string): string {
  return join(tmpdir(), `synack-tun-${process.pid}-${++tmpCounter}.${ext}`);
}

/**
 * tshark's expert analysis of a capture (`tshark -r FILE -q -z expert`): the text of its Errors
 * section, or '' when it has none. Also returns the packet count tshark read.
 */
export async function expertErrors(
  pcap: string,
): Promise<{ errors: string; packets: number; report: string }> {
  // Checksum validation is off by default in tshark: on, a wrong checksum is an error-level finding.
  const prefs = ['-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'];
  // Over 64 MiB of capture, the payload above TCP is decoded as plain data: reassembling a body of
  // hundreds of MiB takes tshark minutes, and without reassembly it reads body bytes as malformed
  // HTTP (or, with HTTP off, as whatever a heuristic dissector guesses). The IP, TCP and ICMP
  // analysis — synack's part — is the same either way. The TUN tests' servers use these ports and
  // their clients ephemeral ones, so the server port is the one tshark tries first.
  // echo (7), discard (9) and chargen (19) carry random or arbitrary bytes, never a protocol: left to
  // the heuristics, tshark sometimes takes random bytes for Thrift or another protocol and reports
  // them malformed (an "error" about the payload, not about TCP), so those ports are always data.
  const dataPorts = statSync(pcap).size > 64 * 1024 * 1024 ? [7, 9, 19, 80, 8080] : [7, 9, 19];
  for (const port of dataPorts) prefs.push('-d', `tcp.port==${port},data`);
  const r = await run('tshark', ['-n', '-r', pcap, ...prefs, '-q', '-z', 'expert'], {
    timeout: 300_000,
  });
  if (r.code !== 0) throw new Error(`tshark failed (${r.code}): ${r.stderr}`);
  const sections = r.stdout.split(/\n\s*\n/);
  const errors = sections.find((s) => /^\s*Errors \(\d+\)/.test(s)) ?? '';
  return { errors: errors.trim(), packets: pcapPacketCount(pcap), report: r.stdout };
}

/** Fails unless tshark's expert analysis of the capture has no error-level finding. */
export async function assertCleanCapture(pcap: string): Promise<void> {
  const x = await expertErrors(pcap);
  if (x.packets === 0) throw new Error(`${pcap}: the capture is empty`);
  if (x.errors !== '') throw new Error(`tshark expert errors in ${pcap}:\n${x.report}`);
}

/** Every packet of a classic LINKTYPE_RAW pcap file, in order. */
export function pcapRecords(path: string): Uint8Array[] {
  const b = readFileSync(path);
  const out: Uint8Array[] = [];
  for (let o = 24; o + 16 <= b.length;) {
    const incl = b.readUInt32LE(o + 8);
    out.push(new Uint8Array(b.buffer, b.byteOffset + o + 16, incl));
    o += 16 + incl;
  }
  return out;
}

/** Records in a classic pcap file (walking the 16-byte record headers). */
export function pcapPacketCount(path: string): number {
  const b = readFileSync(path);
  if (b.length < 24) return 0;
  let n = 0;
  for (let o = 24; o + 16 <= b.length; n++) o += 16 + b.readUInt32LE(o + 8);
  return n;
}

/** Removes a temp file, ignoring a missing one. */
export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
