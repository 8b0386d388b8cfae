/**
 * The visualizer end to end in a real browser: Debian's Chromium driven by playwright-core loads
 * the built page from `synack web`'s server, runs the handshake scenario, drops a segment by hand,
 * exports a pcap and reads it back. A screenshot of the finished handshake is saved to
 * artifacts/web-handshake.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startWebServer, type WebServer } from '../../src/cli/web.js';
import { readCapture } from '../../src/trace/pcap-reader.js';
import { LinkType } from '../../src/trace/pcap-writer.js';
import { parsePacket } from '../../src/wire/ip-packet.js';
import { flagNames } from '../../src/wire/tcp-segment.js';
import { findScenario } from '../../src/scenarios/catalog.js';
import { runScenario } from '../../src/scenarios/scenario.js';
import { toNdjson } from '../../src/trace/ndjson.js';
import { browserSkipReason, launchBrowser, type LaunchedBrowser } from './browser.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const webDir = join(root, 'build/web');
const artifacts = join(root, 'artifacts');
const STEP = 10_000;

const skip = browserSkipReason();
if (skip) console.log(`# skipping the browser tests: ${skip}`);

/** The page's state history of one host, as shown in its list. */
async function shownStates(page: Page, host: 'client' | 'server'): Promise<string[]> {
  return page.locator(`#${host}-states li`).allTextContents();
}

async function arrows(page: Page) {
  return page.locator('#ladder .seg').evaluateAll((els) =>
    els.map((e) => ({
      n: Number(e.getAttribute('data-n')),
      from: e.getAttribute('data-from'),
      flags: e.getAttribute('data-flags') ?? '',
      seq: Number(e.getAttribute('data-seq')),
      len: Number(e.getAttribute('data-len')),
      fate: e.getAttribute('data-fate'),
      retransmission: e.getAttribute('data-retransmission') === 'true',
    })),
  );
}

/** Clicks "Run to end" and waits for the redraw that follows it. */
async function runToEnd(page: Page): Promise<void> {
  const before = await page.getAttribute('html', 'data-frame');
  await page.click('#run-end', { timeout: STEP });
  // A selector, not a script: the page's CSP forbids evaluating strings.
  await page.waitForSelector(`html[data-idle="true"]:not([data-frame=${JSON.stringify(before)}])`, {
    timeout: STEP,
  });
}

describe('web page in Chromium', { skip, timeout: 90_000 }, () => {
  let server: WebServer;
  let browser: LaunchedBrowser;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];

  before(async () => {
    if (!existsSync(join(webDir, 'app.js'))) {
      const r = spawnSync(process.execPath, ['scripts/build-web.js', '--quiet'], {
        cwd: root,
        timeout: 60_000,
      });
      assert.equal(r.status, 0, `build-web failed: ${String(r.stderr)}`);
    }
    server = await startWebServer({ port: 0, root: webDir });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(STEP);
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('handshake scenario, run to the end → the page shows the mission’s state sequences', async () => {
    const mission = findScenario('handshake')?.expect;
    assert.ok(mission, 'the handshake scenario exists');
    await page.goto(`${server.url}?scenario=handshake&seed=1`);
    await page.waitForSelector('html[data-ready="true"]');
    assert.equal(await page.locator('#scenario').inputValue(), 'handshake');
    await runToEnd(page);
    assert.deepEqual(await shownStates(page, 'client'), mission.client);
    assert.deepEqual(await shownStates(page, 'server'), mission.server);
    const segs = await arrows(page);
    assert.deepEqual(
      segs.slice(0, 3).map((s) => [s.from, s.flags, s.fate]),
      [
        ['client', 'SYN', 'delivered'],
        ['server', 'SYN,ACK', 'delivered'],
        ['client', 'ACK', 'delivered'],
      ],
    );
    // Select the SYN,ACK with the keyboard: its header and the reason it was sent appear.
    await page.focus('#ladder .seg[data-n="2"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#why');
    assert.match((await page.locator('#why').textContent()) ?? '', /SYN-ACK/);
    assert.match((await page.locator('#details').textContent()) ?? '', /flagsSYN,ACK/);
    // The state machine lights where each host is now; the variables panel agrees.
    const lit = await page.locator('#fsm rect.current-client + text').allTextContents();
    assert.deepEqual(lit, ['CLOSED']);
    assert.equal(await page.locator('[data-var="client/state"]').textContent(), 'CLOSED');
    // Relative numbers by default (the SYN is seq=0); absolute ones show the ISN.
    const synLabel = () => page.locator('#ladder .seg[data-n="1"] text.label').textContent();
    assert.match((await synLabel()) ?? '', /^SYN seq=0 /);
    await page.uncheck('#relative');
    const isn = await page.getAttribute('#ladder .seg[data-n="1"]', 'data-seq');
    // The ladder redraws on the next animation frame.
    await page.waitForSelector(
      `#ladder .seg[data-n="1"] text.label:text-matches("^SYN seq=${isn} ")`,
      {
        timeout: STEP,
      },
    );
    assert.match((await synLabel()) ?? '', new RegExp(`^SYN seq=${isn} `));
    await page.check('#relative');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({
      path: join(artifacts, 'web-handshake.png'),
      fullPage: true,
      timeout: STEP,
    });
    // The engine in the page is the one `synack demo` runs: its NDJSON export is the demo's trace.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: STEP }),
      page.click('button[data-export="ndjson"]'),
    ]);
    const exported = readFileSync(await download.path(), 'utf8');
    assert.equal(exported, toNdjson(runScenario(findScenario('handshake')!, { seed: 1 }).events));
    assert.deepEqual(errors, []);
  });

  test('by hand, paused: listen, connect, Step, Step → exactly one event each: the SYN lands, then the SYN,ACK', async () => {
    await page.goto(`${server.url}?scenario=&seed=2&delay=30`);
    await page.waitForSelector('html[data-ready="true"]');
    // Step with nothing scheduled takes the clock in hand: commands no longer start it.
    await page.click('#step');
    await page.click('button[data-host="server"][data-cmd="listen"]');
    await page.click('button[data-host="client"][data-cmd="connect"]');
    const step = async (): Promise<void> => {
      const before = await page.getAttribute('html', 'data-frame');
      await page.click('#step');
      await page.waitForSelector(`html:not([data-frame=${JSON.stringify(before)}])`);
    };
    await step();
    assert.equal(await page.locator('#clock').textContent(), '0.030 s');
    assert.deepEqual(
      (await arrows(page)).map((a) => [a.flags, a.fate]),
      [
        ['SYN', 'delivered'],
        ['SYN,ACK', 'in-flight'],
      ],
    );
    assert.deepEqual(await shownStates(page, 'server'), ['LISTEN', 'SYN-RECEIVED']);
    await step();
    assert.equal(await page.locator('#clock').textContent(), '0.060 s');
    assert.deepEqual(
      (await arrows(page)).map((a) => [a.flags, a.fate]),
      [
        ['SYN', 'delivered'],
        ['SYN,ACK', 'delivered'],
        ['ACK', 'in-flight'],
      ],
    );
    assert.deepEqual(await shownStates(page, 'client'), ['CLOSED', 'SYN-SENT', 'ESTABLISHED']);
  });

  test('established, drop the next client→server segment, send → a lost segment, then its retransmission', async () => {
    await page.goto(`${server.url}?scenario=&seed=3&delay=40`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.click('button[data-host="server"][data-cmd="listen"]');
    await page.click('button[data-host="client"][data-cmd="connect"]');
    await runToEnd(page);
    await page.click('#drop-ab');
    await page.waitForSelector('#drop-ab[aria-pressed="true"]');
    await page.fill('#client-text', 'retransmit me');
    await page.click('button[data-host="client"][data-cmd="send-text"]');
    await runToEnd(page);
    const segs = await arrows(page);
    const lost = segs.filter((s) => s.fate === 'lost');
    assert.equal(lost.length, 1, JSON.stringify(segs));
    assert.equal(lost[0]!.from, 'client');
    assert.equal(lost[0]!.len, 'retransmit me'.length);
    const again = segs.filter(
      (s) => s.retransmission && s.seq === lost[0]!.seq && s.n > lost[0]!.n,
    );
    assert.equal(again.length, 1, JSON.stringify(segs));
    assert.equal(again[0]!.fate, 'delivered');
    // The server's application read exactly the bytes once.
    assert.equal(await page.locator('[data-var="server/read by app"]').textContent(), '13');
    // The address bar now replays this run: reload it and the same ladder comes back.
    const url = page.url();
    assert.match(url, /run=/);
    await page.goto(url);
    await page.waitForSelector('html[data-ready="true"]');
    await runToEnd(page);
    assert.deepEqual(await arrows(page), segs);
  });

  test('export pcap → a pcap (LINKTYPE_RAW) whose packets parse as the ladder’s segments, in order', async () => {
    const shown = await arrows(page);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: STEP }),
      page.click('button[data-export="pcap"]'),
    ]);
    const path = await download.path();
    const bytes = new Uint8Array(readFileSync(path));
    const header = new DataView(bytes.buffer, bytes.byteOffset, 24);
    assert.equal(header.getUint32(0, true), 0xa1b2c3d4);
    assert.equal(header.getUint32(20, true), LinkType.RAW);
    const cap = readCapture(bytes);
    assert.equal(cap.truncated, false);
    assert.equal(cap.packets.length, shown.length);
    cap.packets.forEach((p, i) => {
      const r = parsePacket(p.data);
      assert.ok(r.ok, `packet ${i + 1} does not parse`);
      assert.equal(r.value.protocol, 'tcp');
      if (r.value.protocol !== 'tcp') return;
      assert.equal(flagNames(r.value.segment.flags).join(','), shown[i]!.flags);
      assert.equal(r.value.segment.seq >>> 0, shown[i]!.seq);
      assert.equal(r.value.segment.payload.length, shown[i]!.len);
    });
  });

  test('phone-width screen → no sideways scrolling; the page requested only its own files', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(100);
    const overflow = Number(
      await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
    );
    assert.ok(overflow <= 0, `page is ${overflow}px wider than a phone`);
    const origin = new URL(server.url).origin;
    const foreign = requests.filter(
      (u) => !u.startsWith(origin + '/') && !u.startsWith('blob:') && !u.startsWith('data:'),
    );
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
  });
});
