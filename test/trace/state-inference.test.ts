import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StateInference, type Observation } from '../../src/trace/state-inference.js';
import { TcpFlag } from '../../src/wire/tcp-segment.js';
import { findTransition } from '../../src/tcp/transitions.js';
import { seg, C, S } from './synthetic.js';

const { SYN, ACK, FIN, RST } = TcpFlag;

function run(
  obs: [from: 'c' | 's', flags: number, seq: number, ack: number, len?: number][],
): string[] {
  const inf = new StateInference();
  const out: string[] = [];
  obs.forEach(([from, flags, s, a, len], i) => {
    const o: Observation = {
      t: i,
      src: from === 'c' ? C : S,
      dst: from === 'c' ? S : C,
      segment: seg(from, flags, s, a, len),
    };
    for (const e of [...inf.beforeSend(o), ...inf.afterReceive(o)]) {
      assert.equal(e.inferred, true);
      assert.ok(findTransition(e.from, e.to), `${e.from} → ${e.to} is not in the engine's table`);
      out.push(`${e.host === '198.18.0.1' ? 'c' : 's'}:${e.from}>${e.to}`);
    }
  });
  return out;
}

describe('state inference from segments', () => {
  test('handshake, client closes first → Figure 5’s main path on both sides', () => {
    assert.deepEqual(
      run([
        ['c', SYN, 100, 0],
        ['s', SYN | ACK, 500, 101],
        ['c', ACK, 101, 501],
        ['c', FIN | ACK, 101, 501],
        ['s', ACK, 501, 102],
        ['s', FIN | ACK, 501, 102],
        ['c', ACK, 102, 502],
      ]),
      [
        'c:CLOSED>SYN-SENT',
        's:LISTEN>SYN-RECEIVED',
        'c:SYN-SENT>ESTABLISHED',
        's:SYN-RECEIVED>ESTABLISHED',
        'c:ESTABLISHED>FIN-WAIT-1',
        's:ESTABLISHED>CLOSE-WAIT',
        'c:FIN-WAIT-1>FIN-WAIT-2',
        's:CLOSE-WAIT>LAST-ACK',
        'c:FIN-WAIT-2>TIME-WAIT',
        's:LAST-ACK>CLOSED',
      ],
    );
  });

  test('simultaneous open → SYN-SENT, SYN-RECEIVED, ESTABLISHED on both sides', () => {
    assert.deepEqual(
      run([
        ['c', SYN, 100, 0],
        ['s', SYN, 500, 0],
        ['c', SYN | ACK, 100, 501],
        ['s', SYN | ACK, 500, 101],
      ]),
      [
        'c:CLOSED>SYN-SENT',
        's:CLOSED>SYN-SENT',
        's:SYN-SENT>SYN-RECEIVED',
        'c:SYN-SENT>SYN-RECEIVED',
        's:SYN-RECEIVED>ESTABLISHED',
        'c:SYN-RECEIVED>ESTABLISHED',
      ],
    );
  });

  test('RST answering a SYN → refused; RST mid-connection → both CLOSED', () => {
    assert.deepEqual(
      run([
        ['c', SYN, 100, 0],
        ['s', RST | ACK, 0, 101],
      ]),
      ['c:CLOSED>SYN-SENT', 'c:SYN-SENT>CLOSED'],
    );
    assert.deepEqual(
      run([
        ['c', ACK, 100, 500, 10],
        ['c', RST, 110, 0],
      ]),
      ['c:ESTABLISHED>CLOSED', 's:ESTABLISHED>CLOSED'],
    );
  });

  test('a capture starting mid-connection → ESTABLISHED assumed, FINs still tracked', () => {
    assert.deepEqual(
      run([
        ['s', ACK, 500, 100, 50],
        ['s', FIN | ACK, 550, 100],
        ['c', FIN | ACK, 100, 551],
        ['s', ACK, 551, 101],
      ]),
      [
        's:ESTABLISHED>FIN-WAIT-1',
        'c:ESTABLISHED>CLOSE-WAIT',
        'c:CLOSE-WAIT>LAST-ACK',
        's:FIN-WAIT-1>FIN-WAIT-2',
        's:FIN-WAIT-2>TIME-WAIT',
        'c:LAST-ACK>CLOSED',
      ],
    );
  });
});
