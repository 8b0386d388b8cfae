// fast-check generators for wire-level values, shared by the property tests.
import fc from 'fast-check';
import { seq } from '../../src/wire/seqnum.js';
import type { TcpOptions, TcpSegment } from '../../src/wire/tcp-segment.js';
import { tcpOptionsLength, MAX_OPTIONS_LENGTH } from '../../src/wire/tcp-options.js';
import { formatIp } from '../../src/wire/address.js';

// Plain-prototype records, so deepStrictEqual can compare them with what the parser returns.
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true });

const u32 = fc.nat({ max: 0xffffffff });
const u16 = fc.nat({ max: 0xffff });
const KNOWN = new Set([0, 1, 2, 3, 4, 5, 8]);

export const arbOptions: fc.Arbitrary<TcpOptions> = fc
  .record(
    {
      mss: u16,
      windowScale: fc.nat({ max: 255 }),
      sackPermitted: fc.constant(true as const),
      sack: fc.array(rec({ left: u32.map(seq), right: u32.map(seq) }), {
        minLength: 1,
        maxLength: 4,
      }),
      timestamps: rec({ tsVal: u32, tsEcr: u32 }),
      unknown: fc.array(
        rec({
          kind: fc.nat({ max: 255 }).filter((k) => !KNOWN.has(k)),
          data: fc.uint8Array({ maxLength: 10 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    },
    { requiredKeys: [], noNullPrototype: true },
  )
  .filter((o) => tcpOptionsLength(o) <= MAX_OPTIONS_LENGTH);

export const arbSegment: fc.Arbitrary<TcpSegment> = rec({
  srcPort: u16,
  dstPort: u16,
  seq: u32.map(seq),
  ack: u32.map(seq),
  flags: fc.nat({ max: 255 }),
  window: u16,
  urgent: u16,
  options: arbOptions,
  payload: fc.uint8Array({ maxLength: 300 }),
});

export const arbV4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map(formatIp);
export const arbV6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatIp);
/** A same-family address pair. */
export const arbAddrPair: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(arbV4, arbV4),
  fc.tuple(arbV6, arbV6),
);
