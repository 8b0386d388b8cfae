import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NdjsonError, NdjsonWriter, parseNdjson, toNdjson } from '../../src/trace/ndjson.js';
import { buildLadder, arrowsOf } from '../../src/trace/ladder.js';
import { renderLadderText } from '../../src/trace/ladder-text.js';
import { TraceRecorder } from '../../src/trace/traced.js';
import { fullConnection, C_ISN, S_ISN } from './synthetic.js';

describe('NDJSON export', () => {
  const events = fullConnection({ synLost: true });
  const text = toNdjson(events);
  const lines = text.trimEnd().split('\n');
  const recs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  test('one JSON object a line, each with t (ms since start) and type', () => {
    assert.ok(text.endsWith('\n'));
    assert.equal(lines.length, events.length);
    for (const r of recs) {
      assert.equal(typeof r.t, 'number');
      assert.ok(['segment', 'state', 'malformed'].includes(r.type as string));
    }
    assert.equal(recs[0]?.t, 0);
  });

  test('segment lines: event, src, dst, absolute and relative seq/ack, flag names, len, win', () => {
    const synAck = recs.find(
      (r) =>
        r.type === 'segment' && r.event === 'send' && (r.flags as string[]).join() === 'SYN,ACK',
    );
    assert.deepEqual(synAck, {
      t: 1010,
      type: 'segment',
      host: 'server',
      event: 'send',
      src: '198.18.0.2:80',
      dst: '198.18.0.1:40000',
      seq: S_ISN,
      ack: C_ISN + 1,
      relSeq: 0,
      relAck: 1,
      flags: ['SYN', 'ACK'],
      len: 0,
      win: 65535,
      mss: 1460,
    });
    const req = recs.find((r) => r.type === 'segment' && r.event === 'recv' && r.len === 100);
    assert.equal(req?.relSeq, 1);
    assert.equal(req?.seq, C_ISN + 1);
    assert.deepEqual(req?.flags, ['PSH', 'ACK']);
  });

  test('drop lines carry the reason', () => {
    const drop = recs.find((r) => r.event === 'drop');
    assert.equal(drop?.host, 'net');
    assert.equal(drop?.reason, 'loss');
    assert.deepEqual(drop?.flags, ['SYN']);
  });

  test('state lines: host, conn (the 4-tuple), from, to, cause', () => {
    const st = recs.find((r) => r.type === 'state' && r.to === 'SYN-RECEIVED');
    assert.deepEqual(st, {
      t: 1010,
      type: 'state',
      host: 'server',
      conn: {
        localAddress: '198.18.0.2',
        localPort: 80,
        remoteAddress: '198.18.0.1',
        remotePort: 40000,
      },
      from: 'LISTEN',
      to: 'SYN-RECEIVED',
      cause: { kind: 'segment', flags: ['SYN'], seq: C_ISN, ack: 0, len: 0 },
    });
    const tw = recs.find((r) => r.type === 'state' && r.from === 'TIME-WAIT');
    assert.deepEqual(tw?.cause, { kind: 'timer', timer: 'time-wait' });
  });

  test('sequence numbers near 2^32 wrap: relative numbers stay small, absolute stay unsigned', () => {
    const w = new NdjsonWriter(0);
    const base = { type: 'segment' as const, t: 5, host: 'a', src: '1.1.1.1:1', dst: '2.2.2.2:2' };
    const mk = (seqNo: number, flags: number, len: number) => ({
      srcPort: 1,
      dstPort: 2,
      seq: (seqNo >>> 0) as never,
      ack: 0 as never,
      flags,
      window: 1,
      urgent: 0,
      options: {},
      payload: new Uint8Array(len),
    });
    w.record({ ...base, event: 'send', segment: mk(0xfffffff0, 2, 0) });
    const r = w.record({ ...base, event: 'send', segment: mk(0x00000010, 0x18, 10) });
    assert.equal(r.type === 'segment' && r.relSeq, 0x20);
    assert.equal(r.type === 'segment' && r.seq, 0x10);
  });

  test('round trip: parse the export → the same ladder and the same text', () => {
    const back = parseNdjson(text);
    assert.equal(back.length, events.length);
    const a = buildLadder(events, { lanes: ['client', 'server'] });
    const b = buildLadder(back, { lanes: ['client', 'server'] });
    assert.equal(renderLadderText(b), renderLadderText(a));
    assert.deepEqual(
      arrowsOf(b).map((x) => x.fate),
      arrowsOf(a).map((x) => x.fate),
    );
  });

  test('bad input → NdjsonError with the line number, never another exception', () => {
    const cases: [string, RegExp][] = [
      ['{"t":0,"type":"segment"}\nnot json', /line 1: `event` must be a string/],
      ['\n\n{"t":"x","type":"state"}', /line 3: `t` must be a number/],
      ['[1,2]', /line 1: not a JSON object/],
      ['{"t":0,"type":"weird"}', /line 1: unknown type weird/],
      [
        '{"t":0,"type":"segment","event":"send","src":"1.2.3.4:5","dst":"nope","seq":1,"ack":0,"flags":["SYN"],"win":1,"len":0}',
        /line 1: bad endpoint nope/,
      ],
      [
        '{"t":0,"type":"segment","event":"send","src":"1.2.3.4:5","dst":"1.2.3.4:6","seq":1,"ack":0,"flags":["XYZ"],"win":1,"len":0}',
        /unknown flag XYZ/,
      ],
      ['{"t":0,"type":"state","conn":{},"from":"A","to":"B"}', /`localAddress` must be a string/],
    ];
    for (const [input, re] of cases) {
      assert.throws(
        () => parseNdjson(input),
        (e: unknown) => e instanceof NdjsonError && re.test(e.message),
        input,
      );
    }
  });
});

describe('TraceRecorder', () => {
  test('keeps events in order and copies payloads (the sender may reuse its buffer)', () => {
    const r = new TraceRecorder();
    const events = fullConnection();
    for (const e of events) r.sink(e);
    assert.equal(r.events.length, events.length);
    const first = events.find((e) => e.type === 'segment' && e.segment.payload.length > 0);
    const copy = r.events[events.indexOf(first as never)];
    assert.ok(first?.type === 'segment' && copy?.type === 'segment');
    if (first?.type === 'segment' && copy?.type === 'segment') {
      assert.notEqual(copy.segment.payload, first.segment.payload);
      assert.deepEqual(copy.segment.payload, first.segment.payload);
    }
  });

  test('a limit bounds memory: the rest is counted', () => {
    const r = new TraceRecorder(3);
    for (const e of fullConnection()) r.sink(e);
    assert.equal(r.events.length, 3);
    assert.ok(r.overflow > 0);
  });
});
