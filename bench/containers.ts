// The test containers: busybox `sleep`, plus a few that burn a little CPU so the CPU
// columns are not all zero. Every one carries the bench label, so whatever happens
// (an error, Ctrl-C) `removeBenchContainers` finds and removes them all.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runBounded } from './pool.js';

const execFileAsync = promisify(execFile);

export const BENCH_LABEL = 'dockmon.bench';
export const TEST_IMAGE = 'dockmon-test-busybox';

/** About 5-10% of a core in bursts: enough to show on the CPU column, small against 2 cores. */
const BUSY_SCRIPT = 'while :; do i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; sleep 1; done';

export interface BenchContainer {
  id: string;
  name: string;
}

export async function docker(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await execFileAsync('docker', [...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

let stopping = false;

/** After Ctrl-C: no new container is started, so the clean-up cannot miss one. */
export function stopStartingContainers(): void {
  stopping = true;
}

export async function runContainer(runId: string, name: string, busy: boolean): Promise<BenchContainer> {
  if (stopping) throw new Error('the bench is stopping');
  const command = busy ? ['sh', '-c', BUSY_SCRIPT] : ['sleep', '86400'];
  const id = await docker([
    'run', '-d', '--label', `${BENCH_LABEL}=${runId}`, '--name', name, TEST_IMAGE, ...command,
  ]);
  return { id, name };
}

/** Starts containers named `${prefix}-${index}` for every index in [from, to). */
export async function startContainers(
  runId: string,
  prefix: string,
  from: number,
  to: number,
  options: { busyIndexes: ReadonlySet<number>; concurrency: number; onProgress(done: number, total: number): void },
): Promise<BenchContainer[]> {
  const indexes = Array.from({ length: to - from }, (_, offset) => from + offset);
  return runBounded(
    indexes,
    options.concurrency,
    (index) => runContainer(runId, `${prefix}-${String(index).padStart(4, '0')}`, options.busyIndexes.has(index)),
    options.onProgress,
  );
}

/** Removes every container with the bench label (any run); returns how many. */
export async function removeBenchContainers(onProgress?: (done: number, total: number) => void): Promise<number> {
  const ids = (await docker(['ps', '-aq', '--filter', `label=${BENCH_LABEL}`])).split('\n').filter((id) => id !== '');
  const batches: string[][] = [];
  for (let start = 0; start < ids.length; start += 25) batches.push(ids.slice(start, start + 25));
  let removed = 0;
  // One batch at a time: dockerd 20.10 deadlocked in libnetwork once when 100 containers
  // on the default bridge were killed at once (four parallel `docker rm -f`).
  await runBounded(batches, 1, async (batch) => {
    await docker(['rm', '-f', ...batch], 300_000).catch(() => undefined);
    removed += batch.length;
    onProgress?.(removed, ids.length);
  });
  return ids.length;
}

export async function removeContainer(id: string): Promise<void> {
  await docker(['rm', '-f', id]).catch(() => undefined);
}
