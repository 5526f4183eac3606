// The whole agent in-process with the kernel source: the fake Engine lists and inspects
// the containers of the cgroup v1 capture (their IDs and PIDs), and HOST_PROC and
// HOST_CGROUP point at the captured file tree. What users see: /containers and history
// say `source: cgroup`, /healthz counts the sources and gives each fallback's reason,
// /metrics has the kernel's families, the page says where the numbers come from, and
// STATS_SOURCE=cgroup puts a fallback in the banner.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useAgentOverFake, type AgentOverFake } from './helpers/in-process-agent.js';
import { until } from './helpers/until.js';

const captured = fileURLToPath(new URL('fixtures/kernel/cgroup-v1', import.meta.url));
const containers = JSON.parse(readFileSync(path.join(captured, 'containers.json'), 'utf8')) as Record<
  string,
  { id: string; pid: number; network_mode: string }
>;

const startAgentOverFake = useAgentOverFake();

function startAgent(mode: 'auto' | 'cgroup', roles: string[], strangers = 0): Promise<AgentOverFake> {
  return startAgentOverFake({
    args: ['--stats-source', mode],
    env: { HOST_PROC: path.join(captured, 'host', 'proc'), HOST_CGROUP: path.join(captured, 'host', 'sys', 'fs', 'cgroup') },
    prepare: (fake) => {
      for (const role of roles) {
        const entry = containers[role];
        if (entry === undefined) throw new Error(`no ${role} in the capture`);
        fake.addContainer({ id: entry.id, name: `k-${role}`, pid: entry.pid, networkMode: entry.network_mode });
      }
      // Containers whose PID is not in the captured /proc: read from the Engine API.
      for (let i = 0; i < strangers; i += 1) fake.addContainer({ name: `stranger-${i}`, pid: 7_000_000 + i });
    },
  });
}

// JSON answers, checked field by field below.
async function json(url: string): Promise<any> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return await response.json();
}

describe('the agent with the kernel source', () => {
  it('answers from the kernel: source cgroup everywhere, the kernel figures, the metrics families', async () => {
    const { base, fake } = await startAgent('auto', ['burner', 'memory', 'client', 'none']);
    const entries = await until('four sampled containers', async () => {
      const body = await json(`${base}/containers`);
      return Object.values(body).filter((entry: any) => entry.read !== null).length === 4 ? body : undefined;
    });
    for (const entry of Object.values<any>(entries)) {
      expect(entry.source).toBe('cgroup');
      expect(entry.oom_kills).toBe(0);
      expect(entry.pressure_avg10_percent).toMatchObject({ cpu_some: expect.any(Number), memory_full: expect.any(Number) });
    }
    const burner = entries[containers['burner']!.id];
    // The capture's --cpus 0.5 burner was throttled.
    expect(burner.cpu_throttled_periods).toBeGreaterThan(0);
    expect(burner.cpu_periods).toBeGreaterThanOrEqual(burner.cpu_throttled_periods);
    expect(entries[containers['none']!.id].network_rx_bytes).toBe(0);
    // The fake's stats streams were never asked for.
    expect(fake.requests.filter((request) => request.route.endsWith('/stats'))).toEqual([]);

    const history = await json(`${base}/containers/history?id=k-memory`);
    expect(history.samples.every((sample: { source: string }) => sample.source === 'cgroup')).toBe(true);

    // The reader's own figures come with its first pass, a second after the start.
    const health = await until('a kernel pass', async () => {
      const body = await json(`${base}/healthz`);
      return body.stats_sources.kernel_reader?.passes > 0 ? body : undefined;
    });
    expect(health.stats_sources).toMatchObject({ mode: 'auto', cgroup: 4, api: 0, kernel_unavailable: null, not_from_kernel: [] });
    expect(health.stats_sources.kernel_reader).toMatchObject({ containers: 4, parse_errors: 0, read_errors: 0 });
    expect(health.stats_sources.kernel_reader.open_files).toBeGreaterThan(40);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const family of ['container_oom_events_total', 'container_memory_swap', 'container_memory_failcnt', 'container_memory_max_usage_bytes', 'container_pressure_cpu_waiting_seconds_total']) {
      expect(metrics, family).toMatch(new RegExp(`^${family}\\{[^}]*name="k-burner"`, 'm'));
    }

    expect(metrics).toMatch(/^dockmon_containers_by_source\{source="cgroup"\} 4$/m);
    expect(metrics).toMatch(/^dockmon_containers_by_source\{source="api"\} 0$/m);
    const detail = await (await fetch(`${base}/detail?id=k-burner`)).text();
    expect(detail).toContain("<dt>Numbers from</dt><dd>the kernel (the container's cgroup files and /proc)</dd>");
    expect(detail).toContain('CPU throttled');
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain('stats from the kernel');
  });

  it('reads a container the kernel cannot see from the Engine API, and says why; loudly with STATS_SOURCE=cgroup', async () => {
    const { base } = await startAgent('cgroup', ['burner'], 1);
    const health = await until('both containers placed', async () => {
      const body = await json(`${base}/healthz`);
      return body.stats_sources.cgroup === 1 && body.stats_sources.api === 1 ? body : undefined;
    });
    expect(health.stats_sources.not_from_kernel).toEqual([
      { id: expect.stringMatching(/^[0-9a-f]{64}$/), name: 'stranger-0', reason: expect.stringMatching(/process 7000000 is not in .*HOST_PROC must show/) },
    ]);
    const entries = await until('the stranger sampled', async () => {
      const body = await json(`${base}/containers?id=stranger-0`);
      return Object.values<any>(body)[0]?.read === null ? undefined : body;
    });
    expect(Object.values<any>(entries)[0]?.source).toBe('api');
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toMatch(/1 container is read from the Engine API, not the kernel \(STATS_SOURCE=cgroup\): stranger-0: process 7000000 is not in/);
    expect(page).toContain('stats: 1 from the kernel, 1 from the Engine API');
  });
});
