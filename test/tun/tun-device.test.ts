/**
 * The TUN device alone (no stack): created inside a namespace, configured, read and written,
 * against the kernel's TCP; and the one-line errors for what is missing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  collect,
  exited,
  FIXTURES,
  LineReader,
  Netns,
  run,
  SYNACK_BIN,
  tunFlags,
  tunTest,
} from './netns.js';

const responder = join(FIXTURES, 'rst-responder.js');

/** A kernel client in the namespace: connect, print the error code (or "connected"). */
function kernelConnect(host: string, port: number): string[] {
  const js =
    `const s=require('net').connect({host:${JSON.stringify(host)},port:${port}});` +
    `s.on('connect',()=>{console.log('connected');s.destroy()});` +
    `s.on('error',e=>console.log(e.code));` +
    `setTimeout(()=>{console.log('timeout');process.exit(0)},5000).unref();`;
  return ['-e', js];
}

describe('TUN device', () => {
  tunTest(
    'TUN device, kernel SYN over IPv4 and IPv6 → read in a batch, RST written back → ECONNREFUSED',
    { timeout: 30_000 },
    async () => {
      const ns = await Netns.create('dev');
      try {
        const child = ns.spawn(process.execPath, [
          responder,
          'syn0',
          '198.18.0.1/24',
          '2001:db8::1/64',
        ]);
        const err = collect(child.stderr);
        const out = new LineReader(child.stdout!, () => `stderr: ${err.text()}`);
        await out.waitFor(/^ready syn0$/);
        const links = await ns.must('ip', ['-o', 'addr', 'show', 'dev', 'syn0']);
        assert.match(links, /inet 198\.18\.0\.1\/24/);
        assert.match(links, /inet6 2001:db8::1\/64/);
        assert.doesNotMatch(links, /tentative/);
        const v4 = await ns.run(process.execPath, kernelConnect('198.18.0.2', 7), {
          timeout: 10_000,
        });
        assert.equal(v4.stdout.trim(), 'ECONNREFUSED');
        const v6 = await ns.run(process.execPath, kernelConnect('2001:db8::2', 7), {
          timeout: 10_000,
        });
        assert.equal(v6.stdout.trim(), 'ECONNREFUSED');
        child.kill('SIGTERM');
        const m = await out.waitFor(/^answered (\d+) (.*)$/);
        assert.equal(Number(m[1]), 2);
        const counters = JSON.parse(m[2] as string) as { txPackets: number; txDropped: number };
        assert.equal(counters.txPackets, 2);
        assert.equal(counters.txDropped, 0);
        assert.equal(await exited(child), 0);
        // Closing the fd removed the (non-persistent) device.
        const after = await ns.run('ip', ['link', 'show', 'syn0']);
        assert.notEqual(after.code, 0);
      } finally {
        await ns.destroy();
      }
    },
  );

  tunTest(
    'TUN device, a persistent device made by ip tuntap → attached by name, used, still there after close',
    { timeout: 30_000 },
    async () => {
      const ns = await Netns.create('attach');
      try {
        await ns.must('ip', ['tuntap', 'add', 'dev', 'syn0', 'mode', 'tun']);
        const child = ns.spawn(process.execPath, [
          responder,
          'syn0',
          '198.18.0.1/24',
          '2001:db8::1/64',
        ]);
        const err = collect(child.stderr);
        const out = new LineReader(child.stdout!, () => `stderr: ${err.text()}`);
        await out.waitFor(/^ready syn0$/);
        const r = await ns.run(process.execPath, kernelConnect('198.18.0.2', 7), {
          timeout: 10_000,
        });
        assert.equal(r.stdout.trim(), 'ECONNREFUSED');
        child.kill('SIGTERM');
        await out.waitFor(/^answered 1 /);
        assert.equal(await exited(child), 0);
        // Persistent: the device outlives the process that attached to it.
        const after = await ns.must('ip', ['-o', 'link', 'show', 'syn0']);
        assert.match(after, /syn0/);
      } finally {
        await ns.destroy();
      }
    },
  );

  tunTest(
    'TUN device, opened without privilege → one line saying root or CAP_NET_ADMIN is needed',
    { timeout: 30_000, needs: ['setpriv'] },
    async () => {
      const ns = await Netns.create('perm');
      try {
        const r = await ns.run(
          'setpriv',
          [
            '--reuid=65534',
            '--regid=65534',
            '--clear-groups',
            '--inh-caps=-all',
            process.execPath,
            responder,
          ],
          { timeout: 10_000 },
        );
        assert.equal(r.code, 1);
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, r.stderr);
        assert.match(
          lines[0] as string,
          /^error EPERM: .*needs root or the CAP_NET_ADMIN capability/,
        );
      } finally {
        await ns.destroy();
      }
    },
  );
});

describe('TUN commands without privilege', () => {
  tunTest(
    'synack serve as an unprivileged user → exit 1 with one line saying what is needed',
    { timeout: 30_000, needs: ['setpriv'] },
    async () => {
      const ns = await Netns.create('cliperm');
      try {
        const r = await ns.run(
          'setpriv',
          [
            '--reuid=65534',
            '--regid=65534',
            '--clear-groups',
            '--inh-caps=-all',
            process.execPath,
            SYNACK_BIN,
            'serve',
            ...tunFlags(),
            '--port',
            '7',
          ],
          { timeout: 10_000 },
        );
        assert.equal(r.code, 1);
        assert.equal(r.stdout, '');
        assert.match(
          r.stderr,
          /^synack serve: creating or configuring TUN device syn0 needs root or the CAP_NET_ADMIN capability .*\n$/,
        );
      } finally {
        await ns.destroy();
      }
    },
  );
});

describe('TUN commands without /dev/net/tun', () => {
  tunTest(
    'synack serve where /dev/net/tun is missing → exit 1 with one line saying how to get it',
    { timeout: 30_000, needs: ['unshare'] },
    async () => {
      const ns = await Netns.create('nodev');
      try {
        // A private mount namespace with an empty /dev/net: the device node is gone for this
        // command only.
        const r = await ns.run(
          'unshare',
          [
            '-m',
            '--propagation',
            'private',
            'sh',
            '-c',
            `mount -t tmpfs tmpfs /dev/net && exec "$0" "$@"`,
            process.execPath,
            SYNACK_BIN,
            'serve',
            ...tunFlags(),
            '--port',
            '7',
          ],
          { timeout: 10_000 },
        );
        assert.equal(r.code, 1);
        assert.equal(r.stdout, '');
        assert.match(
          r.stderr,
          /^synack serve: \/dev\/net\/tun is missing: load the tun kernel module .*\n$/,
        );
      } finally {
        await ns.destroy();
      }
    },
  );
});

describe('TUN addon loading', () => {
  // Needs no privilege: only that a missing addon is reported, not a crash.
  test(
    'TUN addon missing → ENOADDON with one line naming npm install',
    { timeout: 20_000 },
    async () => {
      const r = await run(process.execPath, [responder], {
        timeout: 10_000,
        env: { ...process.env, SYNACK_TUN_ADDON: '/nonexistent/synack_tun.node' },
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr.trim(), /^error ENOADDON: the TUN addon is not built .*npm install/);
    },
  );
});
