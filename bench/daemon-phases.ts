// The daemon-side phases: a quiet baseline, `docker stats` streaming the bench
// containers, and the seed's sequential loop. Each runs alone, right after a quiet
// baseline of its own, so the daemon CPU in its window less that baseline is its cost
// even when other work on the machine makes the floor drift.

import { spawn } from 'node:child_process';
import { cpuSeconds, openCpuWindow } from './proc.js';
import type { Progress } from './progress.js';
import type { DockerStatsFigures, SeedFigures } from './results.js';
import { runSeedRefreshes, type DockerSocket } from './seed-strategy.js';
import { mean, sleep } from './stats-math.js';

export async function countdown(progress: Progress, label: string, ms: number): Promise<void> {
  const endMs = Date.now() + ms;
  while (Date.now() < endMs) {
    progress.update(`${label}: ${Math.ceil((endMs - Date.now()) / 1000)} s left`);
    await sleep(Math.min(1_000, endMs - Date.now()));
  }
}

export async function measureBaseline(daemonPids: readonly number[], windowMs: number, progress: Progress): Promise<number> {
  const window = openCpuWindow(daemonPids);
  await countdown(progress, 'quiet baseline (nothing attached)', windowMs);
  return window.stop().percentOfCore;
}

const MAX_EXPLICIT_IDS = 100;

export async function measureDockerStats(
  ids: readonly string[],
  daemonPids: readonly number[],
  baselinePercent: number,
  windowMs: number,
  progress: Progress,
): Promise<DockerStatsFigures> {
  // The same containers, by ID; output is read and thrown away as a terminal would show it.
  // Past 100 IDs it is run without them (every running container): given explicit IDs,
  // the 20.10 CLI gives up with "timeout waiting for stats" when the daemon's collector
  // round takes more than its 2 s (it does at 500). Measure on a daemon running only the
  // bench's containers for an exact match.
  const args = ['stats', '--format', '{{json .}}', ...(ids.length <= MAX_EXPLICIT_IDS ? ids : [])];
  const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume();
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    // It opens one stream per container and reads the first records before settling.
    await countdown(progress, 'docker stats warming up', 5_000);
    if (child.exitCode !== null || child.pid === undefined) {
      throw new Error(`docker stats exited during its warm-up (code ${String(child.exitCode)}): ${stderr.trim()}`);
    }
    const cliStart = cpuSeconds(child.pid) ?? 0;
    const cliStartMs = performance.now();
    const window = openCpuWindow(daemonPids);
    await countdown(progress, 'docker stats streaming', windowMs);
    const daemon = window.stop();
    const cliSeconds = (cpuSeconds(child.pid) ?? cliStart) - cliStart;
    const cliWallSeconds = (performance.now() - cliStartMs) / 1000;
    return {
      baselineDaemonCpuPercent: baselinePercent,
      daemonCpuPercent: daemon.percentOfCore - baselinePercent,
      cliCpuPercent: (cliSeconds / cliWallSeconds) * 100,
    };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(3_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

export async function measureSeed(
  socket: DockerSocket,
  ids: readonly string[],
  daemonPids: readonly number[],
  baselinePercent: number,
  options: { windowMs: number; maxMs: number },
  progress: Progress,
): Promise<SeedFigures> {
  const startMs = Date.now();
  const window = openCpuWindow(daemonPids);
  let daemonPercent: number | null = null;
  // The daemon window closes after windowMs; the loop goes on to finish a refresh, up to maxMs.
  const timer = setTimeout(() => {
    daemonPercent = window.stop().percentOfCore;
  }, options.windowMs);
  const run = await runSeedRefreshes(
    socket,
    ids,
    // Stop once the window has closed and one refresh is complete, or at the cap.
    (sofar) => daemonPercent !== null && (sofar.refreshMs.length > 0 || Date.now() - startMs >= options.maxMs),
    (calls) => {
      const refreshes = Math.floor(calls / ids.length);
      progress.update(`seed loop: ${calls} stats?stream=false calls, ${refreshes} full refresh(es), ${((Date.now() - startMs) / 1000).toFixed(0)} s`);
    },
  ).finally(() => clearTimeout(timer));
  daemonPercent ??= window.stop().percentOfCore;
  const meanCallMs = mean(run.callMs);
  const measured = run.refreshMs[0];
  return {
    baselineDaemonCpuPercent: baselinePercent,
    daemonCpuPercent: daemonPercent - baselinePercent,
    calls: run.callMs.length,
    meanCallSeconds: meanCallMs === null ? null : meanCallMs / 1000,
    refreshSeconds: measured !== undefined ? measured / 1000 : meanCallMs === null ? null : (meanCallMs * ids.length) / 1000,
    refreshMeasured: measured !== undefined,
  };
}
