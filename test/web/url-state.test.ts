import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SETTINGS,
  formatSettings,
  parseSettings,
  type PageSettings,
} from '../../src/web/url-state.js';

describe('url-state', () => {
  test('settings with every kind of command → format then parse gives them back exactly', () => {
    const s: PageSettings = {
      scenario: 'lossy-transfer',
      seed: 4294967295,
      loss: 12.5,
      delay: 80,
      reorder: 3,
      speed: 2,
      actions: [
        { step: 0, t: 0, action: { kind: 'listen', host: 'server' } },
        { step: 0, t: 0, action: { kind: 'connect', host: 'client' } },
        {
          step: 3,
          t: 150.25,
          action: { kind: 'send-text', host: 'client', text: 'a.b~c %20 ünï 🙂' },
        },
        { step: 7, t: 300, action: { kind: 'send-bytes', host: 'server', count: 65536 } },
        { step: 7, t: 300, action: { kind: 'drop-next', host: 'client' } },
        { step: 9, t: 412.5, action: { kind: 'network', loss: 5, delay: 20, reorder: 0 } },
        { step: 12, t: 900, action: { kind: 'shutdown', host: 'client' } },
        { step: 14, t: 1000, action: { kind: 'close', host: 'server' } },
        { step: 20, t: 2000, action: { kind: 'abort', host: 'client' } },
      ],
    };
    const q = formatSettings(s);
    const back = parseSettings(q);
    assert.deepEqual(back.problems, []);
    assert.deepEqual(back.settings, s);
  });

  test('empty query → the defaults, no problems', () => {
    assert.deepEqual(parseSettings(''), {
      settings: { ...DEFAULT_SETTINGS, actions: [] },
      problems: [],
    });
  });

  test('bad values → each replaced by its default and named in problems, never a throw', () => {
    const r = parseSettings(
      '?scenario=../etc&seed=-1&loss=200&delay=abc&reorder=NaN&speed=3&run=garbage',
    );
    assert.deepEqual(r.problems, ['scenario', 'seed', 'loss', 'delay', 'reorder', 'speed', 'run']);
    assert.deepEqual(r.settings, { ...DEFAULT_SETTINGS, actions: [] });
  });

  test('run with commands out of order → cut at the first one that goes back', () => {
    const r = parseSettings('?run=5.10.Ls~2.3.Cc');
    assert.deepEqual(r.settings.actions, [
      { step: 5, t: 10, action: { kind: 'listen', host: 'server' } },
    ]);
    assert.deepEqual(r.problems, ['run']);
  });

  test('send-bytes beyond the limit or a bad host letter → rejected', () => {
    assert.deepEqual(parseSettings('?run=1.1.Bc.99999999').problems, ['run']);
    assert.deepEqual(parseSettings('?run=1.1.Lx').problems, ['run']);
  });
});
