// deploy/alerts.rules.yml, dockmon's built-in alerts as Prometheus rules: `promtool check
// rules` on it and `promtool test rules` on its unit tests (deploy/alerts.rules.test.yml).
// promtool is Debian's prometheus package, which .ci/run installs. Without it this file
// fails, in CI and on a workstation alike; it never skips.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const RULES = 'deploy/alerts.rules.yml';
const RULE_TESTS = 'deploy/alerts.rules.test.yml';
const SWARM_SCRAPE = 'deploy/prometheus-swarm.yml';

interface Run {
  code: number;
  output: string;
}

function promtool(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile('promtool', [...args], { cwd: repoRoot, timeout: 10_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, output: `${stdout}${stderr}`.trim() });
    });
  });
}

function missingMessage(): string {
  const base = 'promtool is not installed (not on PATH), so the Prometheus alert rules in deploy/ cannot be checked';
  return process.env['CI']
    ? `${base}. CI must install it: .ci/run installs Debian's prometheus package when promtool is missing; check that step.`
    : `${base}. Install it with: apt-get install -y prometheus (Debian's package; it provides promtool).`;
}

/** Resolves once promtool answers; rejects with how to install it. Awaited by each test, so both fail (never skip). */
let toolCheck: Promise<void> | undefined;
function requirePromtool(): Promise<void> {
  toolCheck ??= promtool(['--version']).then(
    () => undefined,
    (error: unknown) => {
      throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(missingMessage()) : error;
    },
  );
  return toolCheck;
}

describe('Prometheus alert rules (deploy/alerts.rules.yml)', () => {
  it('passes promtool check rules', async () => {
    await requirePromtool();
    const result = await promtool(['check', 'rules', RULES]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes its promtool unit tests (every rule firing and not firing)', async () => {
    await requirePromtool();
    const result = await promtool(['test', 'rules', RULE_TESTS]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });
});

describe('Prometheus scrape config for a Swarm (deploy/prometheus-swarm.yml)', () => {
  it('passes promtool check config, and discovers tasks.dockmon with the token file', async () => {
    await requirePromtool();
    const syntax = await promtool(['check', 'config', '--syntax-only', SWARM_SCRAPE]);
    expect(syntax.code, syntax.output).toBe(0);
    // The full check also opens credentials_file: give it one where the secret would be.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dockmon-prom-'));
    const secret = path.join(dir, 'dockmon_token');
    writeFileSync(secret, 'correct-horse-battery-staple');
    const text = readFileSync(path.join(repoRoot, SWARM_SCRAPE), 'utf8');
    expect(text).toMatch(/names: \[tasks\.dockmon\]/);
    expect(text).toMatch(/port: 5000/);
    expect(text).toContain('credentials_file: /run/secrets/dockmon_token');
    writeFileSync(path.join(dir, 'prometheus.yml'), text.replace('/run/secrets/dockmon_token', secret));
    const full = await promtool(['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(full.code, full.output).toBe(0);
    expect(full.output).toMatch(/SUCCESS/);
  });
});
