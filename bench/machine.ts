// What the figures were measured on: they mean little without it.

import { existsSync } from 'node:fs';
import os from 'node:os';
import { docker } from './containers.js';
import { listProcesses, cpuSeconds } from './proc.js';
import { sleep } from './stats-math.js';
import type { MachineInfo } from './results.js';

/** The processes that used the most CPU over one second, this bench excluded: is the machine quiet? */
export async function busiestProcesses(count: number): Promise<string[]> {
  const before = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of listProcesses()) {
    if (entry.pid === process.pid) continue;
    const seconds = cpuSeconds(entry.pid);
    if (seconds === null) continue;
    before.set(entry.pid, seconds);
    names.set(entry.pid, entry.cmdline.join(' ').slice(0, 80) || entry.comm);
  }
  await sleep(1_000);
  const usage: { name: string; percent: number }[] = [];
  for (const [pid, start] of before) {
    const end = cpuSeconds(pid);
    if (end !== null && end > start) usage.push({ name: names.get(pid) ?? String(pid), percent: (end - start) * 100 });
  }
  return usage
    .sort((a, b) => b.percent - a.percent)
    .slice(0, count)
    .map((entry) => `${entry.percent.toFixed(0)}% ${entry.name}`);
}

export async function describeMachine(): Promise<MachineInfo> {
  const [dockerVersion, dockerApiVersion] = (await docker(['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}'])).split(' ');
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    kernel: os.release(),
    dockerVersion: dockerVersion ?? 'unknown',
    dockerApiVersion: dockerApiVersion ?? 'unknown',
    cgroup: existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1',
    nodeVersion: process.version,
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
    busiestOtherProcesses: await busiestProcesses(5),
  };
}
