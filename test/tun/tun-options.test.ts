/** The TUN commands' shared flags: parsing, checks and the one-line usage errors (no privilege needed). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTunArgs, tunSettings, UsageError } from '../../src/cli/tun-options.js';

const settings = (args: string[]) => tunSettings(parseTunArgs(args, {}).values);

describe('TUN flags', () => {
  test('tun flags, every stack setting given → TcpConfig fields in milliseconds and bytes', () => {
    const s = settings([
      '--tun',
      'syn0',
      '--ip',
      '198.18.0.2',
      '--host-ip',
      '198.18.0.1/24',
      '--ip6',
      '2001:db8::2',
      '--host-ip6',
      '2001:db8::1/64',
      '--mtu',
      '9000',
      '--offload',
      '--mss',
      '1200',
      '--msl',
      '1.5',
      '--fin-timeout',
      '10',
      '--syn-retries',
      '2',
      '--rcvbuf',
      '65536',
      '--sndbuf',
      '131072',
      '--no-delay',
      '--keepalive',
      '30',
      '--trace',
      't.ndjson',
      '--pcap',
      't.pcap',
    ]);
    assert.deepEqual(s, {
      device: 'syn0',
      ip: '198.18.0.2',
      ip6: '2001:db8::2',
      hostIp: { address: '198.18.0.1', prefixLength: 24 },
      hostIp6: { address: '2001:db8::1', prefixLength: 64 },
      mtu: 9000,
      offload: true,
      tcp: {
        mss: 1200,
        msl: 1500,
        finWait2Timeout: 10_000,
        synRetries: 2,
        receiveBufferSize: 65536,
        sendBufferSize: 131072,
        noDelay: true,
        keepAlive: true,
        keepAliveIdle: 30_000,
      },
      trace: 't.ndjson',
      pcap: 't.pcap',
    });
  });

  test('tun flags, only --tun and --ip → MTU 1500, no offload and no TCP overrides', () => {
    assert.deepEqual(settings(['--tun', 'syn0', '--ip', '198.18.0.2']), {
      device: 'syn0',
      ip: '198.18.0.2',
      mtu: 1500,
      offload: false,
      tcp: {},
    });
  });

  const bad: [string[], RegExp][] = [
    [['--ip', '198.18.0.2'], /^--tun NAME is required$/],
    [['--tun', 'syn0'], /^--ip ADDR \(or --ip6 ADDR\) is required/],
    [['--tun', 'a-name-far-too-long', '--ip', '198.18.0.2'], /^--tun wants a device name/],
    [['--tun', 'syn0', '--ip', '2001:db8::2'], /^--ip wants an IPv4 address, not '2001:db8::2'$/],
    [
      ['--tun', 'syn0', '--ip', '198.18.0.2', '--host-ip', '198.18.0.1'],
      /^--host-ip wants an IPv4 ADDR\/PREFIX/,
    ],
    [['--tun', 'syn0', '--ip', '198.18.0.2', '--host-ip', '198.18.0.1/33'], /prefix 0\.\.32/],
    [
      ['--tun', 'syn0', '--ip', '198.18.0.2', '--host-ip', '198.18.0.2/24'],
      /^--ip and --host-ip must differ/,
    ],
    [
      ['--tun', 'syn0', '--ip', '198.18.0.2', '--mss', 'lots'],
      /^--mss wants an integer in 88\.\.65495, not 'lots'$/,
    ],
    [['--tun', 'syn0', '--ip', '198.18.0.2', '--msl=-1'], /^--msl wants seconds/],
    [
      ['--tun', 'syn0', '--ip', '198.18.0.2', '--mtu', '100'],
      /^--mtu wants an integer in 576\.\.65535/,
    ],
    [
      ['--tun', 'syn0', '--ip6', '2001:db8::2', '--mtu', '1000'],
      /^--mtu wants an integer in 1280\.\.65535/,
    ],
  ];
  for (const [args, re] of bad) {
    test(`tun flags, ${args.join(' ')} → UsageError ${re}`, () => {
      assert.throws(
        () => settings(args),
        (e: unknown) => e instanceof UsageError && re.test(e.message),
      );
    });
  }

  test('tun flags, an unknown flag → UsageError naming it', () => {
    assert.throws(
      () => parseTunArgs(['--tun', 'syn0', '--bogus'], {}),
      (e: unknown) => e instanceof UsageError && /--bogus/.test(e.message),
    );
  });
});
