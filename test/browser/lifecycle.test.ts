// The page's lifecycle parts in Chromium against the real agent and a real daemon: a
// container that exits with code 3 stays in view greyed with its exit, the alerts banner
// says so, its detail panel shows its timeline, and "show stopped" adds the containers
// that ended quietly. Run by `npm run test:browser`; it never skips.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { launchChromium, watchProblems, type LaunchedBrowser } from '../helpers/browser.js';
import { requireDocker } from '../helpers/docker-cli.js';
import { removeRunContainers, removeStaleRunContainers, runContainer, RUN_PREFIX } from '../docker/containers.js';
import { msUntil } from '../helpers/until.js';

/** The exited rule waits up to 3 s for a restart that does not come, then the page's next tick. */
const ALERT_MS = 10_000;

let agent: AgentProcess | undefined;
let chromium: LaunchedBrowser | undefined;
let setupError: unknown;

function ready(): { agent: AgentProcess; chromium: LaunchedBrowser } {
  if (setupError !== undefined) throw setupError;
  if (!agent || !chromium) throw new Error('the browser suite is not set up');
  return { agent, chromium };
}

/** Polls `probe` until it returns true; resolves with the time it took, or throws after `timeoutMs`. */
function within(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<number> {
  return msUntil(what, probe, { timeoutMs, intervalMs: 100 });
}

async function hasRow(tab: Page, id: string): Promise<boolean> {
  return (await tab.locator(`#rows tr[data-id="${id}"]`).count()) === 1;
}

beforeAll(async () => {
  try {
    await requireDocker();
    await removeStaleRunContainers();
    agent = await startAgent();
    chromium = await launchChromium();
  } catch (error) {
    setupError = error;
  }
});

afterAll(async () => {
  await chromium?.close();
  if (agent) await agent.stop().catch(() => agent?.kill());
  await removeRunContainers();
});

describe('stopped containers and alerts in Chromium', () => {
  it('keeps a container that exited with code 3 in view, greyed, under the alerts banner; "show stopped" adds the quiet ones', async () => {
    const { agent: current, chromium: browser } = ready();
    const tab = await browser.context.newPage();
    const seen = watchProblems(tab);
    try {
      // One that ends quietly (code 0: no alert) and one that fails (code 3, no restart policy).
      const quiet = await runContainer(`${RUN_PREFIX}quiet`, [], ['true']);
      await tab.goto(current.baseUrl + '/');
      await tab.locator('#mode[data-mode="live"]').waitFor({ timeout: 10_000 });
      const crasher = await runContainer(`${RUN_PREFIX}crasher`, [], ['sh', '-c', 'exit 3']);

      // Without "show stopped": the crasher appears (its alert fires), greyed, with its exit code.
      const row = tab.locator(`#rows tr[data-id="${crasher}"]`);
      // (It may show as running for a moment, before its die event.)
      const tookMs = await within('the exited container to appear greyed with its alert', ALERT_MS, async () =>
        (await row.count()) === 1 && (await row.getAttribute('class')) === 'stopped alerting');
      const note = (await row.locator('td.note').textContent()) ?? '';
      expect(note).toMatch(/^exited \d+s ago, code 3$/);
      expect(await row.locator('.badge.alert[data-alert="exited"]').textContent()).toBe('exited');
      const banner = tab.locator('#alerts');
      await banner.waitFor({ state: 'visible', timeout: 5_000 });
      const bannerText = (await banner.textContent()) ?? '';
      expect(bannerText).toMatch(/^\d+ alerts? firing: /);
      expect(bannerText).toContain(`${RUN_PREFIX}crasher exited with code 3`);
      expect(await hasRow(tab, quiet)).toBe(false);
      console.info(`browser: the crasher showed greyed after ${tookMs} ms: "${note}"; banner: "${bannerText}"`);

      // Its panel: how it ended, and its timeline newest first.
      await row.locator('button.open').click();
      await tab.locator('#detail .lifecycle').waitFor({ timeout: 5_000 });
      expect(await tab.locator('#detail .facts').textContent()).toContain('Exit code3');
      const events = await tab.locator('#detail ol.timeline li').allTextContents();
      expect(events[0]).toMatch(/die exit code 3$/);
      expect(events.some((text) => text.endsWith('start'))).toBe(true);
      await tab.keyboard.press('Escape');

      // "Show stopped": the quiet one too, kept in the URL; off again, it goes.
      await tab.locator('#show-stopped').check();
      await within('the quiet container to show', 5_000, () => hasRow(tab, quiet));
      expect(new URL(tab.url()).searchParams.get('stopped')).toBe('1');
      expect(await tab.locator(`#rows tr[data-id="${quiet}"]`).getAttribute('class')).toBe('stopped');
      expect(await tab.locator(`#rows tr[data-id="${quiet}"] td.note`).textContent()).toMatch(/^exited \d+s ago, code 0$/);
      const stoppedRows = await tab.locator('#rows tr.stopped').count();
      console.info(`browser: "show stopped" shows ${stoppedRows} stopped containers`);
      await tab.reload();
      expect(await tab.locator('#show-stopped').isChecked()).toBe(true);
      expect(await hasRow(tab, quiet)).toBe(true);
      await tab.locator('#mode[data-mode="live"]').waitFor({ timeout: 5_000 });
      await tab.locator('#show-stopped').uncheck();
      await within('the quiet container to go', 5_000, async () => !(await hasRow(tab, quiet)));
      expect(await hasRow(tab, crasher)).toBe(true);
      expect(new URL(tab.url()).searchParams.get('stopped')).toBeNull();
      expect(seen.errors).toEqual([]);
      expect(seen.dialogs).toEqual([]);
    } finally {
      await tab.close();
    }
  });
});
