/**
 * The child side of child.ts: `node worker.js <case> <json params>` runs one measurement and prints
 * `@@result {"ok":true,"metrics":{…}}`. Case modules are imported on demand, so the Node `net`
 * baselines run even while a synack layer they do not need is missing or broken.
 */
import { RESULT_PREFIX, type Metrics, type Params } from './child.js';

type CaseFn = (p: Params) => Promise<Metrics>;

const CASES: Record<string, () => Promise<CaseFn>> = {
  'node-bulk': async () => (await import('./cases/node-bulk.js')).nodeBulk,
  'node-connrate': async () => (await import('./cases/node-connrate.js')).nodeConnRate,
  'node-memory': async () => (await import('./cases/node-memory.js')).nodeMemory,
  'synack-bulk': async () => (await import('./cases/synack-bulk.js')).synackBulk,
  'synack-connrate': async () => (await import('./cases/synack-connrate.js')).synackConnRate,
  'synack-net-bulk': async () => (await import('./cases/synack-net-bulk.js')).synackNetBulk,
  'synack-net-connrate': async () =>
    (await import('./cases/synack-net-connrate.js')).synackNetConnRate,
  'synack-memory': async () => (await import('./cases/synack-memory.js')).synackMemory,
  'synack-loss': async () => (await import('./cases/synack-loss.js')).synackLoss,
  'tun-synack': async () => (await import('./cases/tun.js')).tunSynack,
  'tcp-sink': async () => (await import('./cases/tun.js')).tcpSink,
  'tcp-source': async () => (await import('./cases/tun.js')).tcpSource,
};

function emit(body: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(body)}\n`);
}

async function main(): Promise<void> {
  const [name, json] = process.argv.slice(2);
  const load = name === undefined ? undefined : CASES[name];
  if (!load) {
    emit({ ok: false, error: `unknown case '${String(name)}' (${Object.keys(CASES).join(', ')})` });
    return;
  }
  try {
    const params = JSON.parse(json ?? '{}') as Params;
    const fn = await load();
    const metrics = await fn(params);
    emit({ ok: true, metrics });
  } catch (err) {
    const e = err as Error;
    emit({ ok: false, error: e?.stack?.split('\n').slice(0, 4).join(' | ') ?? String(err) });
  }
}

// Cases may leave sockets or timers behind; the result is what counts, so exit once it is out.
main().then(
  () => process.exit(0),
  () => process.exit(1),
);
