import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario } from '../../src/scenarios/catalog.js';
import { parseNdjson } from '../../src/trace/ndjson.js';
import { readCapture } from '../../src/trace/pcap-reader.js';
import { arrowsOf } from '../../src/trace/ladder.js';
import { exportRun, EXPORTS } from '../../src/web/exports.js';
import { WebSession } from '../../src/web/session.js';
import { scenarioParams } from '../../src/web/scenarios.js';

function handshake(): WebSession {
  const s = findScenario('handshake');
  assert.ok(s);
  const p = scenarioParams(s);
  const w = new WebSession({
    seed: 1,
    loss: 0,
    delay: p.delay,
    reorder: 0,
    jitter: p.jitter,
    scenario: s,
  });
  assert.equal(w.runToEnd(), true);
  return w;
}

describe('page exports', () => {
  test('handshake run → pcap with one packet per segment sent, times in order', () => {
    const w = handshake();
    const f = exportRun(w, 'pcap');
    assert.equal(f.extension, 'pcap');
    assert.ok(f.data instanceof Uint8Array);
    const cap = readCapture(f.data);
    assert.equal(cap.packets.length, arrowsOf(w.ladder()).length);
    assert.equal(f.size, f.data.length);
    const times = cap.packets.map((p) => p.t);
    assert.deepEqual(
      [...times].sort((a, b) => a - b),
      times,
    );
  });

  test('handshake run → NDJSON that parses back to as many events as the run traced', () => {
    const w = handshake();
    const f = exportRun(w, 'ndjson');
    assert.equal(typeof f.data, 'string');
    const back = parseNdjson(f.data as string);
    assert.equal(back.length, w.events.length);
    assert.equal(f.size, Buffer.byteLength(f.data as string));
  });

  test('handshake run → a standalone SVG ladder and a Mermaid sequence diagram with every segment', () => {
    const w = handshake();
    const n = arrowsOf(w.ladder()).length;
    const svg = exportRun(w, 'svg', { title: 'synack — handshake, seed 1' }).data as string;
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /synack — handshake, seed 1/);
    assert.match(svg, /SYN,ACK seq=0 ack=1/);
    assert.doesNotMatch(svg, /<script/i);
    const mmd = exportRun(w, 'mermaid').data as string;
    assert.match(mmd, /^sequenceDiagram\n/);
    assert.equal(mmd.split('\n').filter((l) => /-(>>|x)/.test(l)).length, n);
  });

  test('every export kind → a non-empty file with a type and an extension', () => {
    const w = handshake();
    for (const k of EXPORTS) {
      const f = exportRun(w, k, { relative: false });
      assert.ok(f.size > 0, k);
      assert.ok(f.type.length > 0 && f.extension.length > 0, k);
    }
  });
});
