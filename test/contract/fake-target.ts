// The contract's target on the fake Engine (test/helpers/fake-docker.ts): run() adds a
// container the way `docker run` with the same options would leave it in the daemon.

import { startFakeDocker } from '../helpers/fake-docker.js';
import type { ContainerSpec, EngineTarget } from './target.js';

/** Faster than the daemon's 1 s so the unit project stays quick; the cases scale by it. */
const FAKE_STATS_INTERVAL_MS = 100;

export async function createFakeTarget(): Promise<EngineTarget> {
  const fake = await startFakeDocker({ statsIntervalMs: FAKE_STATS_INTERVAL_MS });
  let seq = 0;
  return {
    description: `the fake Engine (API ${fake.apiVersion})`,
    socketPath: fake.socketPath,
    statsIntervalMs: FAKE_STATS_INTERVAL_MS,
    async run(spec: ContainerSpec = {}) {
      seq++;
      const c = fake.addContainer({
        name: `contract-${seq}`,
        labels: { 'dockmon.test.contract': String(seq) },
        command: spec.busy === true ? 'sh -c while :; do :; done' : 'sleep 100000',
        hostConfig: hostConfigOf(spec),
        health: spec.healthCheck === true ? 'starting' : null,
      });
      return { id: c.id, name: c.name };
    },
    async kill(id) {
      const c = fake.containers.get(id);
      if (c === undefined) throw new Error(`fake target: no container ${id}`);
      c.exitCode = 137; // 128 + SIGKILL, as the daemon reports a killed init process
      fake.setState(id, 'exited');
    },
    async remove(id) {
      fake.removeContainer(id);
    },
    close: () => fake.close(),
  };
}

function hostConfigOf(spec: ContainerSpec): Record<string, unknown> {
  const host: Record<string, unknown> = {};
  if (spec.memoryBytes !== undefined) host['Memory'] = spec.memoryBytes;
  if (spec.nanoCpus !== undefined) host['NanoCpus'] = spec.nanoCpus;
  if (spec.pidsLimit !== undefined) host['PidsLimit'] = spec.pidsLimit;
  if (spec.restartPolicy !== undefined) host['RestartPolicy'] = { Name: spec.restartPolicy, MaximumRetryCount: 0 };
  return host;
}
