#!/usr/bin/env node
// The synack command line; the code lives in dist/src/cli (built by `npm install` / `npm run build`).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`synack: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
