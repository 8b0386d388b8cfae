// Builds the browser visualizer (src/web/page) into a static folder any static host can serve:
// index.html, app.js (one ES module bundling the real engine from src/, no fork), app.css.
// Prints the bundle sizes. Usage: node scripts/build-web.js [--out DIR] [--quiet]
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const page = join(root, 'src/web/page');

const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const outDir = resolve(
  outIdx >= 0 && args[outIdx + 1] ? args[outIdx + 1] : join(root, 'build/web'),
);
const quiet = args.includes('--quiet');

mkdirSync(outDir, { recursive: true });
const result = await build({
  entryPoints: [join(page, 'main.ts')],
  outfile: join(outDir, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // Current Chromium and Firefox (the support promise); ES2022 is what the sources use.
  target: ['es2022', 'chrome111', 'firefox115'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  tsconfig: join(page, 'tsconfig.json'),
  // The page must run with no Node API: fail the build instead of shipping a polyfill-less import.
  external: [],
});
if (result.errors.length > 0) process.exit(1);
for (const name of ['index.html', 'app.css', 'favicon.svg']) {
  copyFileSync(join(page, name), join(outDir, name));
}

if (!quiet) {
  const rows = ['index.html', 'app.js', 'app.css', 'favicon.svg'].map((name) => {
    const bytes = statSync(join(outDir, name)).size;
    const gz = gzipSync(readFileSync(join(outDir, name))).length;
    return { name, bytes, gz };
  });
  const total = rows.reduce((a, r) => a + r.bytes, 0);
  const totalGz = rows.reduce((a, r) => a + r.gz, 0);
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`web bundle → ${outDir}`);
  for (const r of rows)
    console.log(`  ${r.name.padEnd(12)} ${kb(r.bytes).padStart(10)}  (gzip ${kb(r.gz)})`);
  console.log(`  ${'total'.padEnd(12)} ${kb(total).padStart(10)}  (gzip ${kb(totalGz)})`);
  const inputs = Object.keys(result.metafile.inputs).filter((p) => p.startsWith('src/'));
  const engine = inputs.filter((p) => /^src\/(wire|tcp|stack|link|trace|scenarios)\//.test(p));
  console.log(
    `  bundles ${inputs.length} source modules, ${engine.length} of them the engine's own`,
  );
}
