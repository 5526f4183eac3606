// Debian's Chromium driven by playwright-core, for the browser suite. No browser is
// downloaded: the system's /usr/bin/chromium is launched headless with a fresh
// profile and everything that would phone home turned off. A missing Chromium fails
// loudly (the suite never skips).

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface LaunchedBrowser {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context on a throw-away profile folder (removed by close()). */
export async function launchChromium(options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {}): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`the browser suite needs Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (.ci/run does it)`);
  }
  const profile = await mkdtemp(path.join(os.tmpdir(), 'dmtest-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: options.width ?? 1400, height: options.height ?? 900 },
      colorScheme: options.colorScheme ?? 'light',
      timeout: 30_000,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const browser = context.browser();
  return {
    // launchPersistentContext has no separate Browser object on some versions.
    browser: browser as Browser,
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface PageProblems {
  /** console.error messages, uncaught exceptions and CSP violations, in order. */
  errors: string[];
  /** Dialogs (alert, confirm, prompt) the page tried to open: a script that should not have run. */
  dialogs: string[];
}

/** Records everything a user would call a broken page. */
export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { errors: [], dialogs: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.errors.push(`uncaught: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
}
