/**
 * The page's address holds everything a run depends on, so a link replays it identically: the
 * scenario, the seed of the simulated network, the network settings, the speed, and the commands
 * given by hand (each with the number of events run before it, which fixes its place exactly).
 * Example: ?scenario=handshake&seed=7&loss=0&delay=50&reorder=0&speed=0.5
 * Parsing never throws: a bad value falls back to its default and is reported in `problems`.
 */

export const HOSTS = ['client', 'server'] as const;
export type HostName = (typeof HOSTS)[number];

/** A command given by hand on the page. */
export type Action =
  | { kind: 'listen'; host: HostName }
  | { kind: 'connect'; host: HostName }
  | { kind: 'send-text'; host: HostName; text: string }
  | { kind: 'send-bytes'; host: HostName; count: number }
  | { kind: 'shutdown'; host: HostName }
  | { kind: 'close'; host: HostName }
  | { kind: 'abort'; host: HostName }
  /** Drop the next segment from `host` to the other host. */
  | { kind: 'drop-next'; host: HostName }
  | { kind: 'network'; loss: number; delay: number; reorder: number };

/** An action with its place in the run: after `step` clock events, at virtual time `t` ms. */
export interface TimedAction {
  step: number;
  t: number;
  action: Action;
}

export interface PageSettings {
  /** A scenario name, or '' for a run driven by hand. */
  scenario: string;
  seed: number;
  /** Loss probability in percent (0–100). */
  loss: number;
  /** One-way delay in ms. */
  delay: number;
  /** Reorder probability in percent (0–100). */
  reorder: number;
  speed: number;
  actions: TimedAction[];
}

export const DEFAULT_SETTINGS: Readonly<PageSettings> = Object.freeze({
  scenario: 'handshake',
  seed: 1,
  loss: 0,
  delay: 50,
  reorder: 0,
  speed: 0.5,
  actions: [],
});

/** Virtual seconds per real second. Slow ones let a 10 ms round trip be watched. */
export const SPEEDS = [0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 20, 100] as const;
export const MAX_SEND_BYTES = 1_000_000;
export const MAX_TEXT = 2000;
const MAX_ACTIONS = 500;

function intIn(v: string | null, lo: number, hi: number): number | undefined {
  if (v === null || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= lo && n <= hi ? n : undefined;
}

function numIn(v: string | null, lo: number, hi: number): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= lo && n <= hi ? n : undefined;
}

const SHORT: Record<Action['kind'], string> = {
  listen: 'L',
  connect: 'C',
  'send-text': 'T',
  'send-bytes': 'B',
  shutdown: 'H',
  close: 'X',
  abort: 'A',
  'drop-next': 'D',
  network: 'N',
};
const LONG = Object.fromEntries(Object.entries(SHORT).map(([k, v]) => [v, k])) as Record<
  string,
  Action['kind']
>;

/** One action as text: "<step>.<t>.<code><host>[.<arg>]" — host c or s; arguments URI-encoded. */
function encodeAction(a: TimedAction): string {
  const act = a.action;
  const head = `${a.step}.${Math.round(a.t * 1000) / 1000}.${SHORT[act.kind]}`;
  switch (act.kind) {
    case 'network':
      return `${head}.${act.loss}.${act.delay}.${act.reorder}`;
    case 'send-text':
      // '~' separates actions and encodeURIComponent leaves it alone.
      return `${head}${act.host[0]}.${encodeURIComponent(act.text).replace(/~/g, '%7E')}`;
    case 'send-bytes':
      return `${head}${act.host[0]}.${act.count}`;
    default:
      return `${head}${act.host[0]}`;
  }
}

function decodeAction(s: string): TimedAction | undefined {
  const parts = s.split('.');
  // Time may itself contain a '.', so step and time are the first two or three fields.
  const step = intIn(parts[0] ?? null, 0, Number.MAX_SAFE_INTEGER);
  if (step === undefined) return undefined;
  let i = 1;
  let tText = parts[i++] ?? '';
  if (parts[i] !== undefined && /^\d+$/.test(parts[i]!)) tText += '.' + parts[i++]!;
  const t = numIn(tText, 0, Number.MAX_SAFE_INTEGER);
  const code = parts[i++];
  if (t === undefined || code === undefined || code.length === 0) return undefined;
  const kind = LONG[code[0]!];
  if (!kind) return undefined;
  const rest = parts.slice(i);
  if (kind === 'network') {
    const loss = numIn(rest[0] ?? null, 0, 100);
    const delay = numIn(rest[1] ?? null, 0, 60_000);
    const reorder = numIn(rest[2] ?? null, 0, 100);
    if (loss === undefined || delay === undefined || reorder === undefined) return undefined;
    return { step, t, action: { kind, loss, delay, reorder } };
  }
  const host = code[1] === 'c' ? 'client' : code[1] === 's' ? 'server' : undefined;
  if (!host || code.length !== 2) return undefined;
  if (kind === 'send-text') {
    let text: string;
    try {
      text = decodeURIComponent(rest.join('.'));
    } catch {
      return undefined;
    }
    return { step, t, action: { kind, host, text: text.slice(0, MAX_TEXT) } };
  }
  if (kind === 'send-bytes') {
    const count = intIn(rest[0] ?? null, 1, MAX_SEND_BYTES);
    return count === undefined ? undefined : { step, t, action: { kind, host, count } };
  }
  return { step, t, action: { kind, host } };
}

export interface ParsedSettings {
  settings: PageSettings;
  /** Parameters that were present but invalid (and so replaced by their default). */
  problems: string[];
}

/** Reads settings from a query string ("?a=b&…" or "a=b&…"). */
export function parseSettings(query: string): ParsedSettings {
  const p = new URLSearchParams(query);
  const problems: string[] = [];
  const s: PageSettings = { ...DEFAULT_SETTINGS, actions: [] };
  const take = <T>(
    name: string,
    parse: (v: string | null) => T | undefined,
    set: (v: T) => void,
  ) => {
    if (!p.has(name)) return;
    const v = parse(p.get(name));
    if (v === undefined) problems.push(name);
    else set(v);
  };
  take(
    'scenario',
    (v) => (v !== null && /^[a-z0-9-]{0,40}$/.test(v) ? v : undefined),
    (v) => (s.scenario = v),
  );
  take(
    'seed',
    (v) => intIn(v, 0, 0xffffffff),
    (v) => (s.seed = v),
  );
  take(
    'loss',
    (v) => numIn(v, 0, 100),
    (v) => (s.loss = v),
  );
  take(
    'delay',
    (v) => numIn(v, 0, 60_000),
    (v) => (s.delay = v),
  );
  take(
    'reorder',
    (v) => numIn(v, 0, 100),
    (v) => (s.reorder = v),
  );
  take(
    'speed',
    (v) => {
      const n = numIn(v, 0, 1000);
      return n !== undefined && (SPEEDS as readonly number[]).includes(n) ? n : undefined;
    },
    (v) => (s.speed = v),
  );
  const run = p.get('run');
  if (run !== null && run !== '') {
    const items = run.split('~').slice(0, MAX_ACTIONS);
    let lastStep = 0;
    for (const item of items) {
      const a = decodeAction(item);
      // Actions must be in run order; a link edited by hand that breaks this is cut there.
      if (!a || a.step < lastStep) {
        problems.push('run');
        break;
      }
      lastStep = a.step;
      s.actions.push(a);
    }
  }
  return { settings: s, problems };
}

/** The query string for settings ("?scenario=…"), omitting nothing: a link states its run fully. */
export function formatSettings(s: PageSettings): string {
  const p = new URLSearchParams();
  p.set('scenario', s.scenario);
  p.set('seed', String(s.seed));
  p.set('loss', String(s.loss));
  p.set('delay', String(s.delay));
  p.set('reorder', String(s.reorder));
  p.set('speed', String(s.speed));
  if (s.actions.length > 0)
    p.set('run', s.actions.slice(0, MAX_ACTIONS).map(encodeAction).join('~'));
  return '?' + p.toString();
}
