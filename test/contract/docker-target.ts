// The contract's target on the real daemon: containers of the test image started with the
// docker CLI under this run's label (test/docker/containers.ts), removed in close().
// Creating it fails loudly when no daemon answers: the real-Docker suite never skips.

import { docker, requireDocker } from '../helpers/docker-cli.js';
import { removeRunContainers, removeStaleRunContainers, RUN_PREFIX, runContainer } from '../docker/containers.js';
import type { ContainerSpec, EngineTarget } from './target.js';

/** moby daemon/daemon.go: the stats collector polls every subscribed container each second. */
const DAEMON_STATS_INTERVAL_MS = 1_000;

export async function createDockerTarget(socketPath: string): Promise<EngineTarget> {
  const version = await requireDocker();
  await removeStaleRunContainers();
  let seq = 0;
  return {
    description: `Docker ${version}`,
    socketPath,
    statsIntervalMs: DAEMON_STATS_INTERVAL_MS,
    async run(spec: ContainerSpec = {}) {
      seq++;
      const name = `${RUN_PREFIX}contract-${seq}`;
      const command = spec.busy === true ? ['sh', '-c', 'while :; do :; done'] : ['sleep', '100000'];
      const id = await runContainer(name, runArgsOf(spec), command);
      return { id, name };
    },
    async kill(id) {
      await docker(['kill', id]);
    },
    async remove(id) {
      await docker(['rm', '-f', id]);
    },
    async close() {
      await removeRunContainers();
    },
  };
}

function runArgsOf(spec: ContainerSpec): string[] {
  const args: string[] = [];
  if (spec.memoryBytes !== undefined) args.push('--memory', String(spec.memoryBytes));
  if (spec.nanoCpus !== undefined) args.push('--cpus', String(spec.nanoCpus / 1e9));
  if (spec.pidsLimit !== undefined) args.push('--pids-limit', String(spec.pidsLimit));
  if (spec.restartPolicy !== undefined) args.push('--restart', spec.restartPolicy);
  if (spec.healthCheck === true) args.push('--health-cmd', 'true', '--health-interval', '1s');
  return args;
}
