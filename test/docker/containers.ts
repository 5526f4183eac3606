// Shared pieces of the real-daemon suite: the /containers entry shape, reading it from the
// agent, and the test containers' lifecycle (unique names per run, cleanup).

import { expect } from 'vitest';
import type { ContainerJson } from '../../src/views/container-json.js';
import type { AgentProcess } from '../helpers/agent-process.js';
import { docker, TEST_IMAGE } from '../helpers/docker-cli.js';

/** Every name this run gives a container starts with this; removed in afterAll. */
export const RUN_PREFIX = `dmtest-${process.pid}-`;
/** Label on every container this run starts (cleanup does not rely on names alone). */
export const RUN_LABEL = `dockmon.test.run=${process.pid}`;

export const FULL_ID = /^[0-9a-f]{64}$/;

/** One /containers entry: the agent's own wire type, so the suite tracks it. */
export type ContainerEntry = ContainerJson;

const STRING_FIELDS = ['id', 'name', 'image', 'state', 'network_mode'] as const;
const NUMBER_FIELDS = [
  'sample_age_seconds',
  'cpu',
  'online_cpus',
  'memory',
  'memory_usage_bytes',
  'memory_raw_usage_bytes',
  'memory_limit_bytes',
  'network_in',
  'network_out',
  'network_rx_bytes',
  'network_tx_bytes',
  'network_rx_bytes_per_second',
  'network_tx_bytes_per_second',
  'block_read_bytes',
  'block_write_bytes',
  'pids',
] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape (types, finite non-negative numbers) and returns the entry typed. */
export function asEntry(value: unknown, where: string): ContainerEntry {
  if (!isRecord(value)) throw new Error(`${where}: not a JSON object: ${JSON.stringify(value)}`);
  for (const key of STRING_FIELDS) {
    if (typeof value[key] !== 'string') throw new Error(`${where}: ${key} is not a string: ${JSON.stringify(value)}`);
  }
  const read = value['read'];
  if (read !== null && typeof read !== 'string') throw new Error(`${where}: read is neither null nor a string`);
  if (typeof value['stale'] !== 'boolean') throw new Error(`${where}: stale is not a boolean`);
  for (const key of NUMBER_FIELDS) {
    const field = value[key];
    if (field === null) continue;
    if (typeof field !== 'number' || !Number.isFinite(field) || field < 0) {
      throw new Error(`${where}: ${key} is not null or a finite number >= 0: ${JSON.stringify(field)}`);
    }
  }
  return value as unknown as ContainerEntry;
}

export function asEntryMap(value: unknown, where: string): Map<string, ContainerEntry> {
  if (!isRecord(value)) throw new Error(`${where}: not a JSON object`);
  const map = new Map<string, ContainerEntry>();
  for (const [key, entry] of Object.entries(value)) {
    const parsed = asEntry(entry, `${where}[${key}]`);
    if (parsed.id !== key) throw new Error(`${where}: key ${key} holds the entry of ${parsed.id}`);
    map.set(key, parsed);
  }
  return map;
}

/** GET /containers?id=<query>: must be 200 with exactly one entry. */
export async function getEntry(agent: AgentProcess, query: string): Promise<ContainerEntry> {
  const path = `/containers?id=${encodeURIComponent(query)}`;
  const { status, json } = await agent.getJson(path);
  if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${JSON.stringify(json)}`);
  const map = asEntryMap(json, `GET ${path}`);
  const entries = [...map.values()];
  const [only] = entries;
  if (entries.length !== 1 || only === undefined) {
    throw new Error(`GET ${path} gave ${entries.length} entries, not one`);
  }
  return only;
}

export async function getAllEntries(agent: AgentProcess): Promise<Map<string, ContainerEntry>> {
  const { status, json } = await agent.getJson('/containers');
  expect(status, `GET /containers: ${JSON.stringify(json)}`).toBe(200);
  return asEntryMap(json, 'GET /containers');
}

/** `docker run -d` of the test image under this run's label; resolves with the full ID. */
export async function runContainer(name: string, runArgs: readonly string[], command: readonly string[]): Promise<string> {
  const id = (await docker(['run', '-d', '--name', name, '--label', RUN_LABEL, ...runArgs, TEST_IMAGE, ...command])).trim();
  if (!FULL_ID.test(id)) throw new Error(`docker run -d ${name} printed ${JSON.stringify(id)}, not a full ID`);
  return id;
}

/** Removes (unpausing first) every container this run started; never throws. */
export async function removeRunContainers(): Promise<string[]> {
  let ids: string[] = [];
  try {
    const out = await docker(['ps', '-aq', '--no-trunc', '--filter', `label=${RUN_LABEL}`]);
    ids = out.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  } catch (error) {
    console.error(`cleanup: cannot list this run's containers: ${String(error)}`);
    return [];
  }
  if (ids.length === 0) return [];
  await Promise.all(ids.map((id) => docker(['unpause', id], { timeoutMs: 10_000 }).catch(() => undefined)));
  try {
    await docker(['rm', '-f', ...ids], { timeoutMs: 60_000 });
  } catch (error) {
    console.error(`cleanup: docker rm -f failed: ${String(error)}`);
  }
  return ids;
}

/**
 * Removes leftovers of earlier runs that died before their afterAll (a killed runner):
 * containers labelled dockmon.test.run=<pid> whose process no longer exists.
 */
export async function removeStaleRunContainers(): Promise<void> {
  const out = await docker(['ps', '-a', '--filter', 'label=dockmon.test.run', '--format', '{{.ID}} {{.Label "dockmon.test.run"}}']);
  const stale: string[] = [];
  for (const line of out.split('\n')) {
    const [id, pidText] = line.trim().split(' ');
    if (id === undefined || id === '' || pidText === undefined) continue;
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') stale.push(id);
    }
  }
  if (stale.length === 0) return;
  await Promise.all(stale.map((id) => docker(['unpause', id]).catch(() => undefined)));
  await docker(['rm', '-f', ...stale]).catch(() => undefined);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
