// Turns low-level socket errors into a message an operator can act on. The hints
// cover the ways a containerised agent usually fails to reach the daemon.

import { DockerUnavailableError } from '../errors.js';
import type { DockerEndpoint } from './endpoint.js';

export function describeEndpoint(endpoint: DockerEndpoint): string {
  return endpoint.kind === 'unix' ? `unix://${endpoint.socketPath}` : `tcp://${endpoint.host}:${endpoint.port}`;
}

export function toUnavailableError(error: NodeJS.ErrnoException, endpoint: DockerEndpoint): DockerUnavailableError {
  const where = describeEndpoint(endpoint);
  const { message, hint } = explain(error.code, endpoint);
  return new DockerUnavailableError(`cannot reach Docker at ${where}: ${message}`, hint, { cause: error });
}

function explain(code: string | undefined, endpoint: DockerEndpoint): { message: string; hint: string } {
  if (endpoint.kind === 'unix') {
    const socket = endpoint.socketPath;
    switch (code) {
      case 'ENOENT':
        return {
          message: `the socket ${socket} does not exist (ENOENT)`,
          hint:
            `In a container, mount the Docker socket: -v /var/run/docker.sock:${socket} ` +
            `(--privileged does not mount it). On a host, start Docker or set DOCKER_HOST to where its socket is.`,
        };
      case 'EACCES':
      case 'EPERM':
        return {
          message: `permission denied on ${socket} (${code})`,
          hint:
            `Run dockmon as root or as a member of the socket's group: ` +
            `docker run --group-add "$(stat -c %g /var/run/docker.sock)" ...`,
        };
      case 'ECONNREFUSED':
        return {
          message: `nothing is listening on ${socket} (ECONNREFUSED): the daemon is down, or the socket file is stale`,
          hint:
            `Start the Docker daemon. If it was restarted, a socket bind-mounted as a file goes stale: ` +
            `mount the folder instead (-v /var/run:/var/run/host:ro -e DOCKER_HOST=unix:///var/run/host/docker.sock).`,
        };
      case 'ENOTSOCK':
        return { message: `${socket} is not a socket (ENOTSOCK)`, hint: 'Point DOCKER_HOST at the daemon socket.' };
      default:
        break;
    }
  } else {
    switch (code) {
      case 'ECONNREFUSED':
        return {
          message: `connection refused (ECONNREFUSED)`,
          hint: 'Check that the daemon or socket proxy listens on that address and port.',
        };
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return { message: `host name not found (${code})`, hint: 'Check the host in DOCKER_HOST.' };
      default:
        break;
    }
  }
  return {
    message: `${code ?? 'connection error'}`,
    hint: 'Check DOCKER_HOST and that the Docker daemon is running.',
  };
}
