// What the Engine API contract (cases.ts) needs from the engine it runs against: a socket
// to point dockmon's client at, and a way to start, kill and remove containers. The fake
// Engine (fake-target.ts) and the real daemon (docker-target.ts) each implement it.

export interface ContainerSpec {
  /** A busy loop instead of `sleep`, for CPU counters that move. */
  busy?: boolean;
  /** `-m`: HostConfig.Memory. */
  memoryBytes?: number;
  /** `--cpus` × 1e9: HostConfig.NanoCpus. */
  nanoCpus?: number;
  /** `--pids-limit`. */
  pidsLimit?: number;
  /** `--restart`; 'always' is left out on purpose: a killed container would come back. */
  restartPolicy?: 'no' | 'unless-stopped' | 'on-failure';
  /** A health check (`true` every second): inspect then has State.Health. */
  healthCheck?: boolean;
}

export interface StartedContainer {
  /** The full 64-hex ID. */
  id: string;
  /** Without the leading '/'. */
  name: string;
}

export interface EngineTarget {
  /** For test titles: "the fake Engine", "Docker 20.10.24". */
  readonly description: string;
  readonly socketPath: string;
  /** The stats collector's period: records of a stats stream come about this far apart. */
  readonly statsIntervalMs: number;
  /** Starts a container of the test image and resolves once it runs. */
  run(spec?: ContainerSpec): Promise<StartedContainer>;
  /** `docker kill`: SIGKILL, so exit code 137 and a die event; the container stays, exited. */
  kill(id: string): Promise<void>;
  /** `docker rm -f`. */
  remove(id: string): Promise<void>;
  /** Removes what run() started and releases the engine. */
  close(): Promise<void>;
}
