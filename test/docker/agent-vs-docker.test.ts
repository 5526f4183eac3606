// The agent against a real Docker daemon: its numbers against `docker stats --no-stream`,
// its /table rows against `docker ps`, containers appearing and disappearing, the stats
// log on disk, and /containers?id= lookups. Run by `npm run test:docker` (and .ci/run).
//
// With no daemon this suite fails in beforeAll with a clear message; it never skips.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { docker, dockerStats, requireDocker, TEST_IMAGE, type CliStats } from '../helpers/docker-cli.js';
import { compareEntry, formatTable, type FieldCheck } from './compare.js';
import {
  FULL_ID,
  getAllEntries,
  getEntry,
  removeRunContainers,
  removeStaleRunContainers,
  runContainer,
  RUN_PREFIX,
  sleep,
  type ContainerEntry,
} from './containers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPORT_PATH = path.join(repoRoot, 'test-results', 'docker-vs-dockmon.json');

type Role = 'burner' | 'memory' | 'server' | 'client' | 'none' | 'paused';
const ROLES: readonly Role[] = ['burner', 'memory', 'server', 'client', 'none', 'paused'];
const nameOf = (role: Role): string => `${RUN_PREFIX}${role}`;

/** Full IDs of the test containers, filled in beforeAll. */
const ids = new Map<Role, string>();
function idOf(role: Role): string {
  const id = ids.get(role);
  if (id === undefined) throw new Error(`container ${role} was not started`);
  return id;
}

let agent: AgentProcess | undefined;
/** Why beforeAll could not set up; every test then fails with it (vitest would mark them skipped). */
let setupError: unknown;
let dockerReachable = false;
function theAgent(): AgentProcess {
  if (setupError !== undefined) throw setupError;
  if (agent === undefined) throw new Error('the agent is not running');
  return agent;
}

let clientStartedAtMs = 0;
let hostCpus = 0;

/** Everything measured, written to test-results/docker-vs-dockmon.json in afterAll. */
const report: Record<string, unknown> = { generated_at: new Date().toISOString() };

async function startTestContainers(): Promise<void> {
  const started = await Promise.all([
    // A busy loop limited to half a CPU: ≈ 50 % in docker stats.
    runContainer(nameOf('burner'), ['--cpus', '0.5'], ['sh', '-c', 'while :; do :; done']),
    // 40 MiB in /dev/shm (tmpfs, charged to the container's memory cgroup) under a 64 MiB limit.
    runContainer(nameOf('memory'), ['-m', '64m'], [
      'sh',
      '-c',
      'dd if=/dev/zero of=/dev/shm/hold bs=1M count=40; sleep 100000',
    ]),
    runContainer(nameOf('server'), [], ['sh', '-c', 'while true; do nc -l -p 9000 > /dev/null; done']),
    runContainer(nameOf('none'), ['--network', 'none'], ['sleep', '100000']),
    runContainer(nameOf('paused'), [], ['sleep', '100000']),
  ]);
  const [burner, memory, server, none, paused] = started;
  if (burner === undefined || memory === undefined || server === undefined || none === undefined || paused === undefined) {
    throw new Error('docker run did not give five IDs');
  }
  ids.set('burner', burner).set('memory', memory).set('server', server).set('none', none).set('paused', paused);
  // The default bridge has no DNS: the client needs the server's IP address.
  const serverIp = (await docker(['inspect', '--format', '{{.NetworkSettings.IPAddress}}', server])).trim();
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(serverIp)) throw new Error(`the server container has no IPv4 address: ${JSON.stringify(serverIp)}`);
  const client = await runContainer(nameOf('client'), [], [
    'sh',
    '-c',
    `while true; do head -c 200000 /dev/urandom | nc ${serverIp} 9000; sleep 0.3; done`,
  ]);
  clientStartedAtMs = Date.now();
  ids.set('client', client);
  await docker(['pause', paused]);
}

async function writeReport(): Promise<void> {
  await mkdir(path.dirname(REPORT_PATH), { recursive: true });
  await writeFile(REPORT_PATH, `${JSON.stringify(report, null, 2)}\n`);
}

beforeAll(async () => {
  try {
    const serverVersion = await requireDocker();
    dockerReachable = true;
    const cliVersion = (await docker(['version', '--format', '{{.Client.Version}}'])).trim();
    const info = (await docker(['info', '--format', '{{.NCPU}} {{.CgroupVersion}}'])).trim().split(' ');
    hostCpus = Number(info[0]);
    report['docker'] = { server: serverVersion, cli: cliVersion, ncpu: hostCpus, cgroup_version: info[1] ?? null };
    await removeStaleRunContainers();
    await startTestContainers();
    agent = await startAgent();
  } catch (error) {
    setupError = error;
  }
});

afterAll(async () => {
  await agent?.kill();
  if (!dockerReachable) return;
  const removed = await removeRunContainers();
  report['cleanup_removed_containers'] = removed.length;
  await writeReport();
});

describe('the agent against a real Docker daemon', () => {
  it('has a /table row per running container: exactly the IDs of docker ps', async () => {
    const current = theAgent();
    let lastProblem = '';
    // Both sides are read a few ms apart; retry in case a gold-* or other container just changed.
    for (let attempt = 1; attempt <= 5; attempt++) {
      const listed = (await docker(['ps', '-q', '--no-trunc'])).split('\n').map((line) => line.trim()).filter(Boolean);
      const answer = await current.get('/table');
      expect(answer.status).toBe(200);
      const rowIds = [...answer.body.matchAll(/<tr\b[^>]*\bdata-id="([^"]*)"/g)].map((match) => match[1] ?? '');
      const unique = new Set(rowIds);
      const expected = new Set(listed);
      const missing = listed.filter((id) => !unique.has(id));
      const extra = [...unique].filter((id) => !expected.has(id));
      const duplicated = rowIds.length !== unique.size;
      if (missing.length === 0 && extra.length === 0 && !duplicated) {
        for (const role of ROLES) expect(unique.has(idOf(role)), `row of ${role}`).toBe(true);
        for (const id of rowIds) expect(id).toMatch(FULL_ID);
        report['table_rows'] = { rows: rowIds.length, docker_ps: listed.length, attempts: attempt };
        return;
      }
      lastProblem = `rows ${rowIds.length}, docker ps ${listed.length}; missing ${missing.join(', ') || 'none'}; extra ${extra.join(', ') || 'none'}; duplicated rows: ${String(duplicated)}`;
      await sleep(500);
    }
    throw new Error(`/table rows do not match docker ps -q --no-trunc: ${lastProblem}`);
  });

  it('answers /containers?id= by full ID, name and unique prefix with the same entry; 404 and 400 as JSON', async () => {
    const current = theAgent();
    const id = idOf('none');
    const allIds = (await docker(['ps', '-aq', '--no-trunc'])).split('\n').map((line) => line.trim()).filter(Boolean);
    let prefixLength = 12;
    while (allIds.filter((other) => other.startsWith(id.slice(0, prefixLength))).length > 1) prefixLength += 1;
    const prefix = id.slice(0, prefixLength);

    const byId = await getEntry(current, id);
    const byName = await getEntry(current, nameOf('none'));
    const byPrefix = await getEntry(current, prefix);
    for (const entry of [byId, byName, byPrefix]) {
      // The same container, the same shape; the sample itself may have moved on between calls.
      expect(entry.id).toBe(id);
      expect(entry.name).toBe(nameOf('none'));
      expect(entry.image).toBe(TEST_IMAGE);
      expect(entry.state).toBe('running');
      expect(entry.network_mode).toBe('none');
      expect(Object.keys(entry).sort()).toEqual(Object.keys(byId).sort());
    }

    const unknown = await current.getJson(`/containers?id=${encodeURIComponent(`${RUN_PREFIX}no-such-container`)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toHaveProperty('error');

    const malformed = await current.getJson(`/containers?id=${encodeURIComponent('../../etc')}`);
    expect(malformed.status).toBe(400);
    expect(malformed.json).toHaveProperty('error');
  });

  it('shows a container started after the agent within 3 s, and drops it within 3 s of docker rm -f', async () => {
    const current = theAgent();
    const name = `${RUN_PREFIX}lifecycle`;
    const id = await runContainer(name, [], ['sleep', '100000']);
    const startedAt = Date.now();
    let appearMs: number | null = null;
    let firstSampleMs: number | null = null;
    while (Date.now() - startedAt < 5_000) {
      const entry = (await getAllEntries(current)).get(id);
      if (entry !== undefined) {
        appearMs ??= Date.now() - startedAt;
        if (entry.read !== null) {
          firstSampleMs = Date.now() - startedAt;
          break;
        }
      } else if (Date.now() - startedAt > 3_000) {
        break;
      }
      await sleep(100);
    }

    await docker(['rm', '-f', id]);
    const removedAt = Date.now();
    let disappearMs: number | null = null;
    while (Date.now() - removedAt < 3_000) {
      if (!(await getAllEntries(current)).has(id)) {
        disappearMs = Date.now() - removedAt;
        break;
      }
      await sleep(100);
    }
    report['lifecycle_ms'] = {
      appear_after_docker_run: appearMs,
      first_sample_after_docker_run: firstSampleMs,
      disappear_after_docker_rm: disappearMs,
    };
    console.log(
      `lifecycle: listed ${String(appearMs)} ms after docker run returned (first sample ${String(firstSampleMs)} ms), ` +
        `gone ${String(disappearMs)} ms after docker rm -f returned`,
    );
    expect(appearMs, 'ms from docker run to an entry in /containers').not.toBeNull();
    expect(appearMs ?? Infinity).toBeLessThanOrEqual(3_000);
    expect(disappearMs, 'ms from docker rm -f to the entry leaving /containers').not.toBeNull();
    expect(disappearMs ?? Infinity).toBeLessThanOrEqual(3_000);
  });

  it('logs /table rows to stats.jsonl, one line per new sample, not per request', async () => {
    const current = theAgent();
    const file = path.join(current.logDir, 'stats.jsonl');

    async function settledLines(): Promise<string[]> {
      // Writes are queued and flushed asynchronously: wait until the file stops growing.
      let previous = -1;
      for (let i = 0; i < 50; i++) {
        const text = await readFile(file, 'utf8').catch(() => '');
        if (text.length === previous) return text.split('\n').filter((line) => line !== '');
        previous = text.length;
        await sleep(150);
      }
      throw new Error(`${file} kept growing`);
    }

    // A few /table calls over a few samples.
    for (let i = 0; i < 3; i++) {
      expect((await current.get('/table')).status).toBe(200);
      await sleep(1_100);
    }
    const lines = await settledLines();
    expect(lines.length, `${file} has lines`).toBeGreaterThan(0);

    interface LogLine {
      time: string;
      read: string;
      id: string;
      name: string;
    }
    const parsed: LogLine[] = lines.map((line, index) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`line ${index + 1} of ${file} is not JSON: ${line.slice(0, 200)}`);
      }
      const record = value as Record<string, unknown>;
      for (const key of ['time', 'read', 'id', 'name'] as const) {
        if (typeof record[key] !== 'string') throw new Error(`line ${index + 1} has no string ${key}: ${line.slice(0, 300)}`);
      }
      for (const key of ['cpu', 'memory'] as const) {
        if (!(key in record)) throw new Error(`line ${index + 1} has no ${key}: ${line.slice(0, 300)}`);
      }
      const entry = value as LogLine;
      expect(Number.isFinite(Date.parse(entry.time)), `time of line ${index + 1}`).toBe(true);
      expect(Number.isFinite(Date.parse(entry.read)), `read of line ${index + 1}`).toBe(true);
      expect(entry.id).toMatch(FULL_ID);
      return entry;
    });
    const loggedIds = new Set(parsed.map((entry) => entry.id));
    for (const role of ROLES) expect(loggedIds.has(idOf(role)), `a log line for ${role}`).toBe(true);

    // A burst of 30 concurrent /table calls: at most one line per container per new sample.
    const before = lines.length;
    const burstStart = Date.now();
    const answers = await Promise.all(Array.from({ length: 30 }, () => current.get('/table')));
    const burstMs = Date.now() - burstStart;
    for (const answer of answers) expect(answer.status).toBe(200);
    const after = await settledLines();
    const added = after.slice(before).map((line) => JSON.parse(line) as LogLine);
    const perContainer = new Map<string, number>();
    for (const entry of added) perContainer.set(entry.id, (perContainer.get(entry.id) ?? 0) + 1);
    // The daemon samples each container about once a second (1 s interval plus the
    // collection round), so a burst this long can see at most this many new samples.
    const maxNewSamples = 1 + Math.ceil(burstMs / 1_000);
    const containersServed = new Set(after.map((line) => (JSON.parse(line) as LogLine).id)).size;
    report['log_burst'] = {
      requests: 30,
      burst_ms: burstMs,
      lines_before: before,
      lines_added: added.length,
      containers: containersServed,
      max_lines_per_container: Math.max(0, ...perContainer.values()),
    };
    console.log(
      `stats log: 30 concurrent /table calls in ${burstMs} ms added ${added.length} lines ` +
        `(${perContainer.size} containers, at most ${Math.max(0, ...perContainer.values())} per container)`,
    );
    for (const [id, count] of perContainer) {
      expect(count, `lines added for ${id} by the burst`).toBeLessThanOrEqual(maxNewSamples);
    }
    expect(added.length).toBeLessThanOrEqual(containersServed * maxNewSamples);

    // Each Docker sample is written once over the whole file.
    const seen = new Set<string>();
    for (const line of after) {
      const entry = JSON.parse(line) as LogLine;
      const key = `${entry.id} ${entry.read}`;
      expect(seen.has(key), `sample ${key} logged twice`).toBe(false);
      seen.add(key);
    }
  });

  it('agrees with docker stats --no-stream on every field, within sampling noise', async () => {
    const current = theAgent();
    // Let the traffic pair move a couple of MB first, so that ±10 % is above one second
    // of traffic (≈ 150 kB) and one sample of skew between the two readers fits.
    const warmUntil = clientStartedAtMs + 15_000;
    if (Date.now() < warmUntil) await sleep(warmUntil - Date.now());

    const names = ROLES.map(nameOf);
    const expectedNetworkModes = new Map<Role, string>();
    for (const role of ROLES) {
      expectedNetworkModes.set(role, (await docker(['inspect', '--format', '{{.HostConfig.NetworkMode}}', idOf(role)])).trim());
    }

    interface Attempt {
      attempt: number;
      cli_to_agent_ms: number;
      failures: string[];
      rows: Record<string, { name: string; cli: Readonly<Record<string, string>>; ours: ContainerEntry; checks: FieldCheck[] }>;
    }
    const attempts: Attempt[] = [];
    const maxAttempts = 3;
    let passed: Attempt | undefined;

    for (let attempt = 1; attempt <= maxAttempts && passed === undefined; attempt++) {
      const cli: Map<string, CliStats> = await dockerStats(names);
      // Our JSON right after the CLI returns: the CLI shows the second of its two samples,
      // which the daemon's collector published to our stream at the same moment.
      const cliDone = Date.now();
      const entries = await Promise.all(names.map((name) => getEntry(current, name)));
      const cliToAgentMs = Date.now() - cliDone;
      const failures: string[] = [];
      const rows: Attempt['rows'] = {};
      ROLES.forEach((role, index) => {
        const ours = entries[index];
        const theirs = cli.get(nameOf(role));
        if (ours === undefined || theirs === undefined) {
          failures.push(`${role}: no data`);
          return;
        }
        const checks = compareEntry(ours, theirs, {
          cpuTolerance: role === 'burner' ? 10 : 3,
          cpuMayBeNull: role === 'paused',
        });
        for (const check of checks) {
          if (!check.ok) {
            failures.push(
              `${role}.${check.field}: ours ${String(check.ours)}, CLI ${check.cliText} (${String(check.cli)}), ` +
                `diff ${String(check.diff)}, tolerance ${check.tolerance}${check.note === undefined ? '' : ` (${check.note})`}`,
            );
          }
        }

        // What docker stats does not show, checked against the facts we know.
        const facts: Array<[string, boolean]> = [
          ['id is the full ID', ours.id === idOf(role)],
          ['the CLI short ID is its prefix', ours.id.startsWith(theirs.shortId)],
          ['image', ours.image === TEST_IMAGE],
          ['state', ours.state === (role === 'paused' ? 'paused' : 'running')],
          ['network_mode as docker inspect', ours.network_mode === expectedNetworkModes.get(role)],
          ['read is set', ours.read !== null && Number.isFinite(Date.parse(ours.read))],
          ['sample at most 5 s old', ours.sample_age_seconds !== null && ours.sample_age_seconds <= 5],
          ['online_cpus = docker info NCPU', ours.online_cpus === hostCpus],
          ['network_in = rx / 1024', ours.network_rx_bytes !== null && ours.network_in === ours.network_rx_bytes / 1024],
          ['network_out = tx / 1024', ours.network_tx_bytes !== null && ours.network_out === ours.network_tx_bytes / 1024],
          [
            'memory = usage / limit',
            ours.memory !== null &&
              ours.memory_usage_bytes !== null &&
              ours.memory_limit_bytes !== null &&
              ours.memory_limit_bytes > 0 &&
              Math.abs(ours.memory - (100 * ours.memory_usage_bytes) / ours.memory_limit_bytes) < 1e-6,
          ],
          [
            'raw usage >= usage',
            ours.memory_raw_usage_bytes !== null &&
              ours.memory_usage_bytes !== null &&
              ours.memory_raw_usage_bytes >= ours.memory_usage_bytes,
          ],
        ];
        if (role === 'paused') facts.push(['paused: cpu 0 or null', ours.cpu === null || ours.cpu === 0]);
        if (role === 'none') {
          facts.push(['network none: mode', ours.network_mode === 'none']);
          facts.push(['network none: 0 bytes', ours.network_rx_bytes === 0 && ours.network_tx_bytes === 0]);
        }
        if (role === 'memory') facts.push(['memory: limit 64 MiB', ours.memory_limit_bytes === 64 * 1024 * 1024]);
        if (role === 'server') {
          facts.push(['server: receiving (rx/s > 0)', (ours.network_rx_bytes_per_second ?? 0) > 0]);
        }
        if (role === 'client') {
          facts.push(['client: sending (tx/s > 0)', (ours.network_tx_bytes_per_second ?? 0) > 0]);
        }
        for (const [what, holds] of facts) {
          if (!holds) failures.push(`${role}: ${what} does not hold: ${JSON.stringify(ours)}`);
        }
        rows[role] = { name: nameOf(role), cli: theirs.raw, ours, checks };
      });
      const record: Attempt = { attempt, cli_to_agent_ms: cliToAgentMs, failures, rows };
      attempts.push(record);
      if (failures.length === 0) passed = record;
      else await sleep(700);
    }

    const shown = passed ?? attempts[attempts.length - 1];
    report['comparison'] = {
      note: 'diff = ours - docker stats --no-stream (parsed back from its rounded strings); tolerance = largest |diff| accepted',
      attempts_needed: passed?.attempt ?? null,
      attempts,
    };
    await writeReport();
    if (shown !== undefined) {
      const table = formatTable(
        ROLES.flatMap((role) => {
          const row = shown.rows[role];
          return row === undefined ? [] : [{ label: role, checks: row.checks }];
        }),
      );
      console.log(
        `docker stats vs dockmon, ours − CLI (attempt ${shown.attempt} of ${maxAttempts}, ` +
          `our JSON ${shown.cli_to_agent_ms} ms after the CLI returned; ` +
          `* = within the CLI's display rounding, ! = out of tolerance):\n${table}\n` +
          `details: ${path.relative(repoRoot, REPORT_PATH)}`,
      );
    }
    if (passed === undefined) {
      const details = attempts.map((attempt) => `attempt ${attempt.attempt}:\n  ${attempt.failures.join('\n  ')}`).join('\n');
      throw new Error(`dockmon disagrees with docker stats on every attempt:\n${details}`);
    }
  });

  it('stops within 2 s of SIGTERM, exit code 0', async () => {
    const current = theAgent();
    const stopped = await current.stop();
    agent = undefined;
    report['stop_ms'] = stopped.elapsedMs;
    console.log(`agent stopped ${stopped.elapsedMs} ms after SIGTERM`);
    expect(stopped.code).toBe(0);
  });
});
