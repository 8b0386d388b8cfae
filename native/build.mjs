// Builds the TUN addon (native/tun.cc → native/build/synack_tun.node) with the machine's g++ and
// the running Node's own headers. Run by `npm install` / `npm ci` (the package's install script).
//
// Why g++ directly and not node-gyp: one source file and no dependencies need no generated
// Makefile, and node-gyp would try to download headers when it cannot find them, which must never
// happen at install time. This script never fails the install: where the build cannot run (not
// Linux, no compiler, no headers) it says so in one line and exits 0; only the TUN link needs the
// addon, and it reports the missing build when it is used.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build', 'synack_tun.node');
const say = (msg) => console.error(`synack: ${msg}`);

function headerDir() {
  const candidates = [];
  if (process.env.npm_config_nodedir) candidates.push(process.env.npm_config_nodedir);
  candidates.push(dirname(dirname(process.execPath)), '/usr', '/usr/local');
  for (const base of candidates) {
    const dir = join(base, 'include', 'node');
    if (existsSync(join(dir, 'node_api.h')) && existsSync(join(dir, 'uv.h'))) return dir;
  }
  return undefined;
}

/** The addon is newer than its source and this script: `--if-stale` (npm run build) skips the compile. */
function upToDate() {
  if (!existsSync(out)) return false;
  const built = statSync(out).mtimeMs;
  return [join(here, 'tun.cc'), fileURLToPath(import.meta.url)].every(
    (f) => statSync(f).mtimeMs <= built,
  );
}

function main() {
  // `npm run build` (before start/test) rebuilds only a stale addon: a checkout that changed
  // native/tun.cc must not test against the previous build.
  if (process.argv.includes('--if-stale') && upToDate()) return;
  if (process.platform !== 'linux') {
    say(`TUN addon not built: TUN links need Linux (this is ${process.platform}).`);
    return;
  }
  const include = headerDir();
  if (!include) {
    say("TUN addon not built: Node's headers (include/node/node_api.h) were not found.");
    return;
  }
  const cxx = process.env.CXX || 'g++';
  mkdirSync(dirname(out), { recursive: true });
  const args = [
    '-O2',
    '-std=c++17',
    '-shared',
    '-fPIC',
    '-fvisibility=hidden',
    '-Wall',
    '-DNODE_GYP_MODULE_NAME=synack_tun',
    '-DNAPI_VERSION=8',
    `-I${include}`,
    '-o',
    out,
    join(here, 'tun.cc'),
  ];
  const r = spawnSync(cxx, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error || r.status !== 0) {
    say(
      `TUN addon not built (${r.error ? r.error.message : `${cxx} exited ${r.status}`}); ` +
        'everything but the TUN link works without it.',
    );
    return;
  }
}

main();
