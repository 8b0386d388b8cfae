/**
 * The visualizer in Firefox: Debian's firefox-esr driven over WebDriver BiDi by puppeteer-core
 * (Playwright can only drive its own patched Firefox builds, which are downloads; stock Firefox
 * speaks BiDi). The page must run the handshake scenario to the mission's state sequences with
 * no script error, as it does in Chromium (page.e2e.test.ts covers the rest there).
 * Outside CI a missing /usr/bin/firefox-esr skips this with a message; in CI (CI=true, where
 * .ci/run installs it) a missing browser is a failure.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startWebServer, type WebServer } from '../../src/cli/web.js';
import { findScenario } from '../../src/scenarios/catalog.js';

const FIREFOX = process.env['SYNACK_FIREFOX'] ?? '/usr/bin/firefox-esr';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const webDir = join(root, 'build/web');
const STEP = 20_000;

function skipReason(): string | undefined {
  if (existsSync(FIREFOX)) return undefined;
  if (process.env['CI'] === 'true') {
    throw new Error(`${FIREFOX} is missing in CI: .ci/run must install Debian's firefox-esr`);
  }
  return `${FIREFOX} not found: install Debian's firefox-esr to run the Firefox test`;
}

const skip = skipReason();
if (skip) console.log(`# skipping the Firefox test: ${skip}`);

describe('web page in Firefox', { skip, timeout: 120_000 }, () => {
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  let profile: string;
  const errors: string[] = [];

  before(async () => {
    assert.ok(existsSync(join(webDir, 'app.js')), 'npm run build wrote build/web');
    server = await startWebServer({ port: 0, root: webDir });
    profile = mkdtempSync(join(tmpdir(), 'synack-firefox-'));
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      userDataDir: profile,
      protocolTimeout: STEP,
      timeout: STEP,
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('handshake scenario, run to the end in Firefox → the mission’s state sequences, no script error', async () => {
    const mission = findScenario('handshake')?.expect;
    assert.ok(mission, 'the handshake scenario exists');
    await page.goto(`${server.url}?scenario=handshake&seed=1`, { timeout: STEP });
    await page.waitForSelector('html[data-ready="true"]', { timeout: STEP });
    const frame = await page.$eval('html', (e) => e.getAttribute('data-frame'));
    await page.click('#run-end');
    await page.waitForSelector(
      `html[data-idle="true"]:not([data-frame=${JSON.stringify(frame ?? '')}])`,
      { timeout: STEP },
    );
    const shown = (host: string) =>
      page.$$eval(`#${host}-states li`, (els) => els.map((e) => e.textContent ?? ''));
    assert.deepEqual(await shown('client'), mission.client);
    assert.deepEqual(await shown('server'), mission.server);
    const flags = await page.$$eval('#ladder .seg', (els) =>
      els.map((e) => e.getAttribute('data-flags') ?? ''),
    );
    assert.deepEqual(flags.slice(0, 3), ['SYN', 'SYN,ACK', 'ACK']);
    assert.deepEqual(errors, []);
  });
});
