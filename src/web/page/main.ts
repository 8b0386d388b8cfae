/**
 * The visualizer page: wires the controls to a WebSession (two real synack stacks on the simulated
 * network), drives its virtual clock from requestAnimationFrame (play), one event at a time (step)
 * or to the end, and redraws the panels after every change. The address bar always holds the
 * whole run (scenario, seed, settings, commands), so copying it shares an identical replay.
 */
import { explainLadder } from '../../trace/explain.js';
import { arrowsOf, type Arrow, type Ladder, type Step } from '../../trace/ladder.js';
import { WebSession, ADDRESSES } from '../session.js';
import { SCENARIOS, findScenario, scenarioParams } from '../scenarios.js';
import {
  formatSettings,
  parseSettings,
  DEFAULT_SETTINGS,
  HOSTS,
  SPEEDS,
  type Action,
  type HostName,
  type PageSettings,
} from '../url-state.js';
import { exportRun, EXPORTS, type ExportKind } from '../exports.js';
import { byId, download, h, secs } from './dom.js';
import { renderLadder } from './ladder-view.js';
import { renderVars, type VarsColumn } from './vars-view.js';
import { renderDetails } from './details-view.js';
import { renderFsm } from './fsm-view.js';

const el = {
  scenarioForm: byId('scenario-form', HTMLFormElement),
  scenario: byId('scenario', HTMLSelectElement),
  seed: byId('seed', HTMLInputElement),
  share: byId('share', HTMLButtonElement),
  about: byId('scenario-about', HTMLParagraphElement),
  clock: byId('clock', HTMLOutputElement),
  play: byId('play', HTMLButtonElement),
  step: byId('step', HTMLButtonElement),
  runEnd: byId('run-end', HTMLButtonElement),
  speed: byId('speed', HTMLSelectElement),
  pending: byId('pending', HTMLParagraphElement),
  loss: byId('loss', HTMLInputElement),
  lossOut: byId('loss-out', HTMLOutputElement),
  delay: byId('delay', HTMLInputElement),
  delayOut: byId('delay-out', HTMLOutputElement),
  reorder: byId('reorder', HTMLInputElement),
  reorderOut: byId('reorder-out', HTMLOutputElement),
  dropAb: byId('drop-ab', HTMLButtonElement),
  dropBa: byId('drop-ba', HTMLButtonElement),
  message: byId('message', HTMLParagraphElement),
  ladder: byId('ladder', HTMLDivElement),
  relative: byId('relative', HTMLInputElement),
  details: byId('details', HTMLDivElement),
  vars: byId('vars', HTMLDivElement),
  fsm: byId('fsm', HTMLDivElement),
  states: {
    client: byId('client-states', HTMLOListElement),
    server: byId('server-states', HTMLOListElement),
  },
  addr: {
    client: byId('client-addr', HTMLSpanElement),
    server: byId('server-addr', HTMLSpanElement),
  },
};

let settings: PageSettings;
let session: WebSession;
let playing = false;
let selected: number | undefined;
let dirty = true;
let lastFrame: number | undefined;
let lastRender = -Infinity;
/** The user paused or stepped: commands no longer start the clock by themselves. */
let userPaused = false;
let renders = 0;
let explained: { ladder: Ladder; map: Map<Step, string> } | undefined;

function say(text: string, error = false): void {
  el.message.textContent = text;
  el.message.classList.toggle('error', error);
}

function currentUrl(): string {
  return `${location.pathname}${formatSettings({ ...settings, actions: session.log.slice() })}`;
}

function syncUrl(): void {
  history.replaceState(null, '', currentUrl());
}

/** Starts the run the settings describe: scenario set-up, then the logged commands replayed. */
function load(s: PageSettings): void {
  settings = { ...s, actions: s.actions.slice() };
  const sc = findScenario(s.scenario);
  session = new WebSession({
    seed: s.seed,
    loss: s.loss,
    delay: s.delay,
    reorder: s.reorder,
    scenario: sc,
    jitter: sc ? scenarioParams(sc).jitter : 0,
  });
  session.onChange = () => (dirty = true);
  const results = session.replay(s.actions);
  const refused = results.filter((r) => !r.ok).length;
  selected = undefined;
  explained = undefined;
  // A scenario starts playing at once; a run by hand waits for its first command.
  userPaused = false;
  setPlaying(!!sc && s.actions.length === 0);
  say(refused ? `${refused} command(s) of the link could not be replayed` : '', refused > 0);
  syncControls();
  syncUrl();
  dirty = true;
}

function syncControls(): void {
  el.scenario.value = settings.scenario;
  el.seed.value = String(settings.seed);
  el.speed.value = String(settings.speed);
  el.loss.value = String(session.settings.loss);
  el.delay.value = String(session.settings.delay);
  el.reorder.value = String(session.settings.reorder);
  showSliders();
}

function showSliders(): void {
  el.lossOut.textContent = `${el.loss.value} %`;
  el.delayOut.textContent = `${el.delay.value} ms`;
  el.reorderOut.textContent = `${el.reorder.value} %`;
}

function act(action: Action): void {
  const r = session.apply(action);
  if (!r.ok) say(r.message, true);
  else say('');
  // A command sets things moving, unless the user took the clock in hand (Pause, Step).
  if (r.ok && !playing && !userPaused && action.kind !== 'network' && action.kind !== 'drop-next') {
    setPlaying(true);
  }
  syncUrl();
  dirty = true;
}

function setPlaying(on: boolean): void {
  playing = on;
  lastFrame = undefined;
  el.play.setAttribute('aria-pressed', on ? 'true' : 'false');
  el.play.textContent = on ? '❚❚ Pause' : '▶ Play';
}

function explanation(ladder: Ladder, a: Arrow): string | undefined {
  if (!explained || explained.ladder !== ladder) explained = { ladder, map: explainLadder(ladder) };
  return explained.map.get(a);
}

function aboutText(): string {
  const sc = session.scenario;
  if (!sc)
    return 'A run driven by hand: Listen on one side, Connect from the other, then send, close, abort …';
  const notes = session.notes.length ? ` (${session.notes.join('; ')})` : '';
  return `${sc.name}: ${sc.summary}${sc.lookFor ? ` — look for: ${sc.lookFor}` : ''}${notes}`;
}

function render(): void {
  el.about.textContent = aboutText();
  document.title = `synack — ${session.scenario?.name ?? 'by hand'} — a live TCP connection`;
  const ladder = session.ladder();
  const now = session.now;
  el.clock.textContent = secs(now);
  const inFlight = session.net.inFlight;
  el.pending.textContent =
    session.pending === 0
      ? 'Nothing scheduled: the run is idle.'
      : `${inFlight} packet${inFlight === 1 ? '' : 's'} in flight, next event at ${secs(session.clock.nextDeadline() ?? now)}`;
  const atBottom = el.ladder.scrollTop + el.ladder.clientHeight >= el.ladder.scrollHeight - 30;
  const focusedN = (document.activeElement as Element | null)?.getAttribute?.('data-n');
  const lanes = ladder.lanes.map((l) => l.label);
  renderLadder(el.ladder, ladder, {
    relative: el.relative.checked,
    now,
    delay: session.settings.delay,
    selected,
    commands: session.commands.map((c) => ({
      lane: HOSTS.indexOf(c.host),
      t: c.t,
      label: c.label,
    })),
    addresses: HOSTS.map((n, i) => ladder.lanes[i]?.endpoints.join(' ') || ADDRESSES[n]),
  });
  if (focusedN) el.ladder.querySelector<SVGElement>(`[data-n="${focusedN}"]`)?.focus();
  if (playing && atBottom) el.ladder.scrollTop = el.ladder.scrollHeight;

  // Relative numbers: each direction's ISN, read off the ladder's own views.
  const base = new Map<string, number>();
  for (const a of arrowsOf(ladder))
    base.set(`${a.view.src}>${a.view.dst}`, (a.view.seq - a.view.relSeq) >>> 0);
  const cols: VarsColumn[] = HOSTS.map((n) => {
    const hr = session.hosts[n];
    const conn = session.shownConn(n);
    const info = conn ? hr.lastInfo : undefined;
    const t = conn?.tuple;
    const me = t ? `${t.localAddress}:${t.localPort}` : '';
    const peer = t ? `${t.remoteAddress}:${t.remotePort}` : '';
    return {
      title: n,
      cls: n,
      info,
      sendBase: el.relative.checked ? base.get(`${me}>${peer}`) : undefined,
      recvBase: el.relative.checked ? base.get(`${peer}>${me}`) : undefined,
      extra: { state: session.stateOf(n), received: hr.peer.receivedBytes },
    };
  });
  renderVars(el.vars, cols, el.relative.checked);

  const arrow = selected === undefined ? undefined : arrowsOf(ladder).find((a) => a.n === selected);
  renderDetails(el.details, arrow, arrow ? explanation(ladder, arrow) : undefined, lanes);

  for (const [i, n] of HOSTS.entries()) {
    const states = ladder.lanes[i]?.states ?? [];
    const ol = el.states[n];
    ol.replaceChildren(
      ...states.map((st, j) =>
        h('li', { class: j === states.length - 1 ? 'current' : undefined }, st),
      ),
    );
  }
  renderFsm(el.fsm, {
    client: { current: session.stateOf('client'), path: ladder.lanes[0]?.states ?? [] },
    server: { current: session.stateOf('server'), path: ladder.lanes[1]?.states ?? [] },
  });
  for (const n of HOSTS) {
    const live = session.stateOf(n);
    const open = live !== 'CLOSED' && live !== 'LISTEN';
    const listening = session.listening(n);
    for (const b of document.querySelectorAll<HTMLButtonElement>(`button[data-host="${n}"]`)) {
      const cmd = b.dataset['cmd'];
      b.disabled =
        cmd === 'listen'
          ? listening
          : cmd === 'connect'
            ? open
            : cmd === 'close'
              ? !open && !listening
              : !open;
    }
  }
  el.dropAb.setAttribute('aria-pressed', session.dropArmed('client') ? 'true' : 'false');
  el.dropBa.setAttribute('aria-pressed', session.dropArmed('server') ? 'true' : 'false');
  document.documentElement.dataset['ready'] = 'true';
  // Counts redraws, so a test can wait for the drawing that follows its click.
  document.documentElement.dataset['frame'] = String(++renders);
  document.documentElement.dataset['idle'] = session.pending === 0 ? 'true' : 'false';
}

function frame(ts: number): void {
  if (playing) {
    if (lastFrame !== undefined) {
      const dt = Math.min(100, ts - lastFrame) * settings.speed;
      const next = session.clock.nextDeadline();
      if (next === undefined) setPlaying(false);
      else {
        let target = session.now + dt;
        // Nothing on the wire and only a far timer (RTO, TIME-WAIT): skip the idle stretch.
        if (session.net.inFlight === 0 && next - session.now > 400) target = Math.max(target, next);
        session.advanceTo(target);
        dirty = true;
      }
    }
    lastFrame = ts;
  }
  // While playing, redraw at most ~25 times a second (less for big runs): the whole ladder is
  // rebuilt each time, and the clock keeps exact time whether or not a frame is drawn.
  const every = playing ? (session.events.length > 1500 ? 200 : 40) : 0;
  if (dirty && ts - lastRender >= every) {
    dirty = false;
    lastRender = ts;
    render();
  }
  requestAnimationFrame(frame);
}

function hostCommand(host: HostName, cmd: string): void {
  const text = byId(`${host}-text`, HTMLInputElement).value;
  const count = Number(byId(`${host}-bytes`, HTMLInputElement).value);
  switch (cmd) {
    case 'listen':
    case 'connect':
    case 'shutdown':
    case 'close':
    case 'abort':
      act({ kind: cmd, host });
      return;
    case 'send-text':
      if (text === '') say('type something to send', true);
      else act({ kind: 'send-text', host, text });
      return;
    case 'send-bytes':
      if (!Number.isInteger(count) || count < 1 || count > 1_000_000)
        say('N must be 1 … 1,000,000', true);
      else act({ kind: 'send-bytes', host, count });
      return;
  }
}

function networkChanged(): void {
  act({
    kind: 'network',
    loss: Number(el.loss.value),
    delay: Number(el.delay.value),
    reorder: Number(el.reorder.value),
  });
}

function exportAs(kind: ExportKind): void {
  const title = `synack — ${findScenario(settings.scenario)?.name ?? 'run by hand'}, seed ${settings.seed}`;
  const out = exportRun(session, kind, { relative: el.relative.checked, title });
  download(
    `synack-${settings.scenario || 'run'}-seed${settings.seed}.${out.extension}`,
    out.data,
    out.type,
  );
  say(`exported ${out.extension} (${out.size.toLocaleString('en')} bytes)`);
}

/** A speed at which one trip across the network takes about half a second to watch. */
function speedFor(delay: number): number {
  const want = Math.max(1, delay) / 500;
  let best: number = SPEEDS[0];
  for (const v of SPEEDS)
    if (Math.abs(Math.log(v / want)) < Math.abs(Math.log(best / want))) best = v;
  return best;
}

/** The sliders' values for a scenario (its parameters), or the page's defaults by hand. */
function networkOf(
  sc: ReturnType<typeof findScenario>,
): Pick<PageSettings, 'loss' | 'delay' | 'reorder' | 'speed'> {
  const delay = sc ? scenarioParams(sc).delay : DEFAULT_SETTINGS.delay;
  return {
    loss: sc ? scenarioParams(sc).loss * 100 : 0,
    delay,
    reorder: 0,
    speed: speedFor(delay),
  };
}

function init(): void {
  el.scenario.replaceChildren(
    h('option', { value: '' }, '(by hand)'),
    ...SCENARIOS.map((sc) => h('option', { value: sc.name, title: sc.summary }, sc.name)),
  );
  for (const n of HOSTS) el.addr[n].textContent = ADDRESSES[n];
  el.speed.replaceChildren(...SPEEDS.map((v) => h('option', { value: String(v) }, `${v}×`)));
  const parsed = parseSettings(location.search);
  const given = new URLSearchParams(location.search);
  if (parsed.settings.scenario !== '' && !findScenario(parsed.settings.scenario)) {
    parsed.problems.push(`scenario '${parsed.settings.scenario}'`);
    parsed.settings.scenario = '';
  }
  // What the link leaves out comes from the scenario, as `synack demo` would run it.
  const sc = findScenario(parsed.settings.scenario);
  if (sc) {
    const p = scenarioParams(sc);
    if (!given.has('loss')) parsed.settings.loss = p.loss * 100;
    if (!given.has('delay')) parsed.settings.delay = p.delay;
  }
  if (!given.has('speed')) parsed.settings.speed = speedFor(parsed.settings.delay);
  load(parsed.settings);
  if (parsed.problems.length)
    say(`ignored bad link parameters: ${parsed.problems.join(', ')}`, true);

  el.scenarioForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const seed = Number(el.seed.value);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      say('seed must be an integer 0 … 4294967295', true);
      return;
    }
    load({
      ...settings,
      scenario: el.scenario.value,
      seed,
      actions: [],
      ...networkOf(findScenario(el.scenario.value)),
    });
  });
  el.share.addEventListener('click', () => {
    const url = new URL(currentUrl(), location.href).href;
    // The clipboard needs a secure context (localhost is one); elsewhere the link is shown instead.
    if (!navigator.clipboard) {
      say(url);
      return;
    }
    navigator.clipboard.writeText(url).then(
      () => say('link copied: it replays this run exactly'),
      () => say(url),
    );
  });
  el.play.addEventListener('click', () => {
    if (playing) userPaused = true;
    setPlaying(!playing);
  });
  el.step.addEventListener('click', () => {
    userPaused = true;
    setPlaying(false);
    if (!session.step()) say('nothing left to run');
    dirty = true;
  });
  el.runEnd.addEventListener('click', () => {
    setPlaying(false);
    const idle = session.runToEnd();
    say(
      idle
        ? 'ran to the end: nothing is scheduled'
        : 'stopped after 10 virtual minutes / 50,000 events',
    );
    dirty = true;
  });
  el.speed.addEventListener('change', () => {
    settings.speed = Number(el.speed.value);
    syncUrl();
  });
  for (const input of [el.loss, el.delay, el.reorder]) {
    input.addEventListener('input', showSliders);
    input.addEventListener('change', networkChanged);
  }
  el.dropAb.addEventListener('click', () => act({ kind: 'drop-next', host: 'client' }));
  el.dropBa.addEventListener('click', () => act({ kind: 'drop-next', host: 'server' }));
  el.relative.addEventListener('change', () => (dirty = true));
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-host]')) {
    b.addEventListener('click', () =>
      hostCommand(b.dataset['host'] as HostName, b.dataset['cmd'] ?? ''),
    );
  }
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-export]')) {
    const kind = b.dataset['export'] as ExportKind;
    if (!EXPORTS.includes(kind)) continue;
    b.addEventListener('click', () => exportAs(kind));
  }
  const pick = (target: EventTarget | null): void => {
    const g = (target as Element | null)?.closest?.('[data-n]');
    if (!g) return;
    selected = Number(g.getAttribute('data-n'));
    dirty = true;
  };
  el.ladder.addEventListener('click', (ev) => pick(ev.target));
  el.ladder.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      pick(ev.target);
    }
  });
  document.addEventListener('keydown', (ev) => {
    const t = ev.target as HTMLElement;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (t.closest('input, select, textarea, button, [role="button"]')) return;
    if (ev.key === ' ') {
      ev.preventDefault();
      el.play.click();
    } else if (ev.key === 's') el.step.click();
    else if (ev.key === 'e') el.runEnd.click();
  });
  window.addEventListener('resize', () => (dirty = true));
  // For the curious, in the browser console: the run itself.
  Object.assign(window, { synack: { session: () => session } });
  requestAnimationFrame(frame);
}

init();
