import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gapFor, layoutLadder, NARROW } from '../../src/web/ladder-layout.js';
import { WebSession } from '../../src/web/session.js';

function handshakeThenLoss(): WebSession {
  const s = new WebSession({ seed: 5, loss: 0, delay: 50, reorder: 0 });
  s.apply({ kind: 'listen', host: 'server' });
  s.apply({ kind: 'connect', host: 'client' });
  s.runToEnd();
  s.apply({ kind: 'drop-next', host: 'client' });
  s.apply({ kind: 'send-text', host: 'client', text: 'x' });
  s.runToEnd();
  return s;
}

describe('ladder layout', () => {
  test('handshake + a lost segment → arrows slope down, the lost one ends part-way, states beside columns', () => {
    const s = handshakeThenLoss();
    const g = layoutLadder(s.ladder(), { width: 800, now: s.now, delay: 50 });
    assert.equal(g.x.length, 2);
    assert.ok(g.x[0]! < g.x[1]!);
    for (const a of g.arrows) {
      assert.ok(a.y2 > a.y1, `arrow ${a.arrow.n} slopes down`);
      assert.ok(a.y1 >= g.top && a.y2 <= g.nowY);
    }
    const lost = g.arrows.filter((a) => a.end === 'lost');
    assert.equal(lost.length, 1);
    const l = lost[0]!;
    assert.ok(l.x2 > g.x[0]! && l.x2 < g.x[1]!, 'a lost arrow ends between the columns');
    assert.equal(g.arrows.filter((a) => a.end === 'arrived').length, g.arrows.length - 1);
    // Each row strictly after the previous one in time order.
    const sends = g.arrows.map((a) => a.y1);
    assert.deepEqual(
      [...sends].sort((a, b) => a - b),
      sends,
    );
    assert.deepEqual(
      g.states.map((st) => [st.lane, st.state]),
      [
        [0, 'SYN-SENT'],
        [1, 'SYN-RECEIVED'],
        [0, 'ESTABLISHED'],
        [1, 'ESTABLISHED'],
      ],
    );
    // The retransmission one RTO (1 s) later is under the break threshold: drawn to scale.
    assert.equal(g.breaks.length, 0);
  });

  test('segment in flight → its arrow ends at now, part-way across by elapsed/delay', () => {
    const s = new WebSession({ seed: 1, loss: 0, delay: 100, reorder: 0 });
    s.apply({ kind: 'listen', host: 'server' });
    s.apply({ kind: 'connect', host: 'client' });
    s.advanceTo(25);
    const g = layoutLadder(s.ladder(), { width: 600, now: 25, delay: 100 });
    assert.equal(g.arrows.length, 1);
    const a = g.arrows[0]!;
    assert.equal(a.end, 'flight');
    const f = (a.x2 - g.x[0]!) / (g.x[1]! - g.x[0]!);
    assert.ok(Math.abs(f - 0.25) < 1e-9);
  });

  test('a long idle stretch (TIME-WAIT) → a break, not hundreds of pixels', () => {
    const s = new WebSession({ seed: 2, loss: 0, delay: 10, reorder: 0 });
    s.apply({ kind: 'listen', host: 'server' });
    s.apply({ kind: 'connect', host: 'client' });
    s.runToEnd();
    s.apply({ kind: 'close', host: 'client' });
    s.runToEnd();
    s.apply({ kind: 'close', host: 'server' });
    s.runToEnd();
    const g = layoutLadder(s.ladder(), { width: 700, now: s.now, delay: 10 });
    assert.ok(g.breaks.length >= 1);
    assert.ok(g.breaks.some((b) => b.ms >= 60_000));
    assert.ok(g.height < 900, `height ${g.height}`);
  });

  test('row gaps grow with time but stay bounded; phone width keeps both columns on screen', () => {
    assert.ok(gapFor(0) < gapFor(10));
    assert.ok(gapFor(10) < gapFor(100));
    assert.ok(gapFor(1e9) <= 92);
    const s = handshakeThenLoss();
    const g = layoutLadder(s.ladder(), { width: 340, now: s.now, delay: 50 });
    assert.ok(340 < NARROW);
    assert.ok(g.x[0]! >= 90 && g.x[1]! <= 340 - 90);
  });
});
