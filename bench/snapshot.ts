/**
 * A private copy of the compiled tree for the children of one bench run. Other engineers rebuild
 * dist/ while a 15-minute bench runs; a child that loads a half-written module fails (or measures a
 * different build). So run.ts copies dist/src and dist/bench once, at the start, into a temporary
 * directory (with package.json for ESM and a link to native/ for the TUN addon), runs every child
 * from there, and removes it at the end.
 */
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/bench → the repository root. */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Snapshot {
  /** worker.js inside the copy. */
  worker: string;
  remove(): void;
}

export function snapshotDist(): Snapshot {
  const root = mkdtempSync(join(tmpdir(), 'synack-bench-'));
  for (const dir of ['src', 'bench']) {
    cpSync(join(REPO, 'dist', dir), join(root, 'dist', dir), {
      recursive: true,
      filter: (src) => !src.endsWith('.map') && !src.endsWith('.d.ts'),
    });
  }
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  for (const link of ['native', 'node_modules']) {
    if (existsSync(join(REPO, link))) symlinkSync(join(REPO, link), join(root, link));
  }
  return {
    worker: join(root, 'dist', 'bench', 'worker.js'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
