/**
 * Launches Debian's Chromium (never a downloaded browser) through playwright-core for the page's
 * end-to-end tests. Outside CI a missing /usr/bin/chromium skips those tests with a message; in CI
 * (CI=true, where .ci/run installs it) a missing browser is a failure.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env['SYNACK_CHROMIUM'] ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. Throws in CI. */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  if (process.env['CI'] === 'true') {
    throw new Error(`${CHROMIUM} is missing in CI: .ci/run must install Debian's chromium`);
  }
  return `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser tests`;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<LaunchedBrowser> {
  // A fresh profile each run; the flags keep Chromium from reaching for the network on its own
  // (on this closed network it would otherwise retry connections in the background).
  const profile = mkdtempSync(join(tmpdir(), 'synack-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    acceptDownloads: true,
    viewport: { width: 1440, height: 960 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
