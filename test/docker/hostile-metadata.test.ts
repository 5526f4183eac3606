// Hostile container metadata on a real daemon: labels and commands holding markup
// and script, and a canary secret in a container's environment. Nothing of the
// secret may appear in any answer or log line, and no markup may come out raw.

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { requireDocker } from '../helpers/docker-cli.js';
import { getEntry, removeRunContainers, removeStaleRunContainers, RUN_PREFIX, runContainer, sleep } from './containers.js';

const CANARY = `dockmon-canary-${randomBytes(12).toString('hex')}`;
const NAME = `${RUN_PREFIX}hostile`;
const MARKUP = ['<img src=x onerror=alert(1)>', '</script><script>alert(2)</script>', '"><svg onload=alert(3)>'];

let agent: AgentProcess | undefined;

beforeAll(async () => {
  await requireDocker();
  await removeStaleRunContainers();
  await runContainer(
    NAME,
    [
      '-e', `CANARY=${CANARY}`,
      '-e', `DATABASE_PASSWORD=${CANARY}`,
      '--label', `evil=${MARKUP[0]}`,
      '--label', `script=${MARKUP[1]}`,
      '--label', `attr=${MARKUP[2]}`,
    ],
    ['sh', '-c', `echo '${MARKUP[0]}'; sleep 100000`],
  );
  agent = await startAgent();
});

afterAll(async () => {
  await agent?.kill();
  await removeRunContainers();
});

/** Every GET path a client can reach, including those added by later features when present. */
const PATHS = ['/', '/table', '/containers', `/containers?id=${NAME}`, '/healthz', '/readyz', '/metrics', `/containers/history?id=${NAME}`, `/containers/history?id=${NAME}&format=csv`];

describe('hostile container metadata (real daemon)', () => {
  it('never shows a secret from a container environment, anywhere', async () => {
    const running = agent!;
    for (let i = 0; i < 50; i += 1) {
      if ((await getEntry(running, NAME)).cpu !== null) break;
      await sleep(200);
    }
    const bodies: string[] = [];
    for (const target of PATHS) {
      for (let round = 0; round < 3; round += 1) bodies.push((await running.get(target)).body);
    }
    await sleep(500);
    const files = readdirSync(running.logDir).map((name) => readFileSync(path.join(running.logDir, name), 'utf8'));
    expect(files.join('').length).toBeGreaterThan(0);
    for (const text of [...bodies, ...files, running.output()]) expect(text).not.toContain(CANARY);
  });

  it('escapes markup from labels and commands in every HTML answer', async () => {
    for (const target of ['/', '/table']) {
      const { body } = await agent!.get(target);
      for (const markup of MARKUP) expect(body).not.toContain(markup);
      expect(body).not.toMatch(/<(img|svg)[^>]*on(error|load)=/i);
    }
  });
});
