// What the container endpoints say about the daemon: nothing when it answers; a 503
// before it ever has (there is no data to serve, and an empty answer would read as
// "nothing runs"); a header once data exists and it has gone away.

import { DockerUnavailableError } from '../errors.js';
import type { StoreReader } from '../sampler/store.js';

/**
 * Before the daemon has ever answered there is no container data: the container
 * endpoints answer 503 with what is wrong and how to fix it, so a script can tell
 * "Docker unreachable" from "nothing runs".
 */
export function requireDockerData(store: StoreReader): void {
  const docker = store.docker();
  if (docker.everConnected) return;
  throw new DockerUnavailableError(
    `no container data yet: ${docker.message ?? 'connecting to Docker'}`,
    docker.hint ?? 'dockmon retries by itself.',
  );
}

/** Once data exists, a daemon that went away is said in a header; the entries say how old they are. */
export function dockerStateHeaders(store: StoreReader): Record<string, string> {
  const docker = store.docker();
  return docker.state === 'connected' ? {} : { 'X-Dockmon-Docker': `${docker.state}; since=${new Date(docker.sinceMs).toISOString()}` };
}
