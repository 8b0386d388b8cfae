/**
 * The web page bundles src/trace and src/scenarios: no Node API may be reachable from them except
 * through files named *-node.ts. Walks the real import graph from each entry point.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g))
    out.push(m[1] as string);
  for (const m of src.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1] as string);
  return out;
}

/** Every file reachable from `entry`, and the Node imports met on the way (file → module). */
function walk(entry: string): { files: Set<string>; node: string[] } {
  const files = new Set<string>();
  const node: string[] = [];
  const todo = [entry];
  while (todo.length > 0) {
    const f = todo.pop() as string;
    if (files.has(f)) continue;
    files.add(f);
    for (const spec of imports(f)) {
      if (spec.startsWith('node:')) {
        node.push(`${relative(root, f)} → ${spec}`);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(f), spec.replace(/\.js$/, '.ts'));
      if (existsSync(target)) todo.push(target);
    }
  }
  return { files, node };
}

describe('browser safety', () => {
  for (const dir of ['src/trace', 'src/scenarios']) {
    test(`${dir}: no Node API reachable except from *-node.ts files`, () => {
      const entries = readdirSync(join(root, dir))
        .filter((f) => f.endsWith('.ts') && !f.endsWith('-node.ts'))
        .map((f) => join(root, dir, f));
      for (const e of entries) {
        const { files, node } = walk(e);
        assert.deepEqual(node, [], `${relative(root, e)} reaches Node APIs`);
        for (const f of files) {
          // Code only: comments may name Node APIs.
          const src = readFileSync(f, 'utf8')
            .replace(/\/\*[\s\S]*?\*\//g, '')
            .replace(/\/\/.*$/gm, '');
          assert.ok(
            !/\bBuffer\.|\bprocess\.|\brequire\(/.test(src),
            `${relative(root, f)} uses a Node global`,
          );
        }
      }
    });
  }
});
