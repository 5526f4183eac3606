// The named Docker calls dockmon makes, each a few lines over the transport.
// Every URL is built here from constants and validated container IDs; nothing a
// user typed ever reaches a Docker path.

import { AppError, DockerApiError, DockerBadResponseError } from '../errors.js';
import { isContainerId } from './allowlist.js';
import type { StreamEnd, StreamHandle, Transport } from './transport.js';
import type { ContainerInspectSubset, ContainerListEntry, EngineEvent, StatsRecord } from './types.js';

/**
 * The newest API version we speak. It must be at least 1.44 so Docker 29.0-29.2
 * (minimum 1.44) accept us; negotiation goes down to what the daemon offers.
 */
export const CLIENT_MAX_API_VERSION = '1.47';
/** `online_cpus` arrived in 1.27 (docker-api-notes §1.1); older daemons are refused. */
export const CLIENT_MIN_API_VERSION = '1.27';

export interface DaemonInfo {
  apiVersion: string;
  osType: string;
  /** "Docker/20.10.24 (linux)" or "Libpod/..." for Podman. */
  server: string;
}

export interface StreamCallbacks<T> {
  onRecord(record: T): void;
  /** A line that was not a JSON object; the stream goes on. */
  onBadLine(error: DockerBadResponseError): void;
  onEnd(end: StreamEnd): void;
}

export interface DockerClient {
  /** Pings the daemon and pins the API version for every later call. */
  negotiate(): Promise<DaemonInfo>;
  /** Running (and paused) containers; with `all`, stopped ones too (`docker ps -a`). */
  listContainers(options?: { all?: boolean }): Promise<ContainerListEntry[]>;
  /**
   * Running containers with SizeRw and SizeRootFs (`size=1`). The daemon walks every
   * writable layer to answer, so this is slow on a large host: hence its own deadline.
   */
  listContainerSizes(options?: { timeoutMs?: number }): Promise<ContainerListEntry[]>;
  /** Inspect, reduced to the fields named in ContainerInspectSubset (never Config.Env). */
  inspectContainer(containerId: string): Promise<ContainerInspectSubset>;
  /** One record about every second until closed; ends with EOF when the container is removed. */
  streamStats(containerId: string, callbacks: StreamCallbacks<StatsRecord>, idleTimeoutMs: number): StreamHandle;
  /**
   * One record, for containers past the stream cap. One-shot from API 1.41 on: its
   * precpu is empty, so CPU needs the caller's previous sample (docker-api-notes §2.1).
   */
  readStatsOnce(containerId: string): Promise<StatsRecord>;
  /**
   * Container lifecycle events; `sinceSeconds` (fractional: Docker takes nanoseconds)
   * replays what was missed during a reconnect, every event at or after it.
   */
  streamEvents(callbacks: StreamCallbacks<EngineEvent>, sinceSeconds?: number): StreamHandle;
  close(): void;
}

const EVENT_FILTERS = JSON.stringify({ type: ['container'] });
/** `one-shot` arrived in API 1.41 (Docker 20.10); older daemons treat it as absent. */
const ONE_SHOT_API_VERSION = '1.41';

export function createDockerClient(transport: Transport): DockerClient {
  let versionPrefix: string | null = null;

  function prefix(): string {
    if (versionPrefix === null) throw new Error('negotiate() must succeed before other Docker calls');
    return versionPrefix;
  }

  function openJsonStream<T>(path: string, callbacks: StreamCallbacks<T>, idleTimeoutMs: number | null): StreamHandle {
    return transport.openStream(
      path,
      {
        onLine(line) {
          const parsed = parseJsonObject(line, path);
          if (parsed instanceof DockerBadResponseError) callbacks.onBadLine(parsed);
          else callbacks.onRecord(parsed as T);
        },
        onEnd: callbacks.onEnd,
      },
      { idleTimeoutMs },
    );
  }

  async function list(path: string, timeoutMs?: number): Promise<ContainerListEntry[]> {
    const response = await transport.get(path, timeoutMs === undefined ? undefined : { timeoutMs });
    const body = parseJsonValue(response.text, path);
    if (!Array.isArray(body)) throw new DockerBadResponseError(`GET ${path}: expected a JSON array`);
    return body.filter((entry): entry is ContainerListEntry => isListEntry(entry));
  }

  return {
    async negotiate() {
      // Unversioned on purpose: /_ping answers whatever version we would pick.
      const response = await transport.get('/_ping');
      const offered = headerValue(response.headers['api-version']);
      if (offered === undefined || !/^1\.\d{1,3}$/.test(offered)) {
        throw new DockerBadResponseError(`GET /_ping: no usable Api-Version header (got ${JSON.stringify(offered)})`);
      }
      if (compareApiVersions(offered, CLIENT_MIN_API_VERSION) < 0) {
        throw new DockerApiError(
          `the daemon speaks API ${offered}; dockmon needs ${CLIENT_MIN_API_VERSION} or newer (Docker 17.03+)`,
          response.status,
        );
      }
      const apiVersion = compareApiVersions(offered, CLIENT_MAX_API_VERSION) < 0 ? offered : CLIENT_MAX_API_VERSION;
      versionPrefix = `/v${apiVersion}`;
      return {
        apiVersion,
        osType: headerValue(response.headers['ostype']) ?? 'linux',
        server: headerValue(response.headers['server']) ?? 'unknown',
      };
    },

    async listContainers(options) {
      return list(`${prefix()}/containers/json${options?.all === true ? '?all=1' : ''}`);
    },

    async listContainerSizes(options) {
      return list(`${prefix()}/containers/json?size=1`, options?.timeoutMs);
    },

    async inspectContainer(containerId) {
      if (!isContainerId(containerId)) throw new TypeError(`not a full container ID: ${JSON.stringify(containerId)}`);
      const path = `${prefix()}/containers/${containerId}/json`;
      let body: unknown;
      try {
        body = JSON.parse((await transport.get(path)).text) as unknown;
      } catch (error) {
        if (error instanceof AppError) throw error;
        // No excerpt of the body in this message: it holds the container's environment.
        throw new DockerBadResponseError(`GET ${path}: the daemon sent invalid JSON`);
      }
      return pickInspectSubset(body);
    },

    streamStats(containerId, callbacks, idleTimeoutMs) {
      if (!isContainerId(containerId)) throw new TypeError(`not a full container ID: ${JSON.stringify(containerId)}`);
      return openJsonStream(`${prefix()}/containers/${containerId}/stats?stream=true`, callbacks, idleTimeoutMs);
    },

    async readStatsOnce(containerId) {
      if (!isContainerId(containerId)) throw new TypeError(`not a full container ID: ${JSON.stringify(containerId)}`);
      const version = prefix().slice(2);
      // Below 1.41 the daemon ignores one-shot and waits two collector ticks (1-2 s).
      const query = compareApiVersions(version, ONE_SHOT_API_VERSION) >= 0 ? 'stream=false&one-shot=true' : 'stream=false';
      const path = `${prefix()}/containers/${containerId}/stats?${query}`;
      const parsed = parseJsonObject((await transport.get(path)).text, path);
      if (parsed instanceof DockerBadResponseError) throw parsed;
      return parsed as StatsRecord;
    },

    streamEvents(callbacks, sinceSeconds) {
      const query = new URLSearchParams({ filters: EVENT_FILTERS });
      // "seconds.nanoseconds", as timetypes.ParseTimestamps reads it.
      if (sinceSeconds !== undefined && Number.isFinite(sinceSeconds) && sinceSeconds >= 0) query.set('since', sinceSeconds.toFixed(9));
      // Events can be silent for hours on a quiet host: no idle deadline.
      return openJsonStream(`${prefix()}/events?${query.toString()}`, callbacks, null);
    },

    close() {
      transport.destroy();
    },
  };
}

/** Compares "1.41" and "1.9" numerically per part, as the Go client does. */
export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJsonValue(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DockerBadResponseError(`GET ${path}: the daemon sent invalid JSON (${text.slice(0, 80)})`, {
      cause: error,
    });
  }
}

function parseJsonObject(line: string, path: string): object | DockerBadResponseError {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // Reported below with the same message as a non-object.
  }
  return new DockerBadResponseError(`GET ${path}: a stream line is not a JSON object (${line.slice(0, 80)})`);
}

function isListEntry(entry: unknown): boolean {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    'Id' in entry &&
    typeof entry.Id === 'string' &&
    isContainerId(entry.Id)
  );
}

/**
 * Copies the named inspect fields, type-checked, into a new object. Everything else in
 * the body (Config.Env, mounts, the health-check log) is left behind with it.
 */
export function pickInspectSubset(body: unknown): ContainerInspectSubset {
  const root = asObject(body);
  const state = asObject(root['State']);
  const health = asObject(state['Health']);
  const host = asObject(root['HostConfig']);
  const subset: ContainerInspectSubset = {};
  const restartCount = numberField(root, 'RestartCount');
  if (restartCount !== undefined) subset.RestartCount = restartCount;
  const pickedState: NonNullable<ContainerInspectSubset['State']> = {};
  const pid = numberField(state, 'Pid');
  if (pid !== undefined && Number.isInteger(pid) && pid >= 0) pickedState.Pid = pid;
  if (typeof state['StartedAt'] === 'string') pickedState.StartedAt = state['StartedAt'].slice(0, 64);
  if (typeof state['OOMKilled'] === 'boolean') pickedState.OOMKilled = state['OOMKilled'];
  const exitCode = numberField(state, 'ExitCode');
  if (exitCode !== undefined && Number.isInteger(exitCode)) pickedState.ExitCode = exitCode;
  if (typeof state['FinishedAt'] === 'string') pickedState.FinishedAt = state['FinishedAt'].slice(0, 64);
  if (typeof health['Status'] === 'string') pickedState.Health = { Status: health['Status'].slice(0, 32) };
  subset.State = pickedState;
  const pickedHost: NonNullable<ContainerInspectSubset['HostConfig']> = {};
  for (const key of ['NanoCpus', 'CpuQuota', 'CpuPeriod', 'CpuShares', 'Memory', 'MemoryReservation', 'MemorySwap', 'PidsLimit'] as const) {
    const value = numberField(host, key);
    if (value !== undefined) pickedHost[key] = value;
  }
  if (typeof host['CpusetCpus'] === 'string') pickedHost.CpusetCpus = host['CpusetCpus'].slice(0, 256);
  const restartPolicy = asObject(host['RestartPolicy']);
  if (typeof restartPolicy['Name'] === 'string') pickedHost.RestartPolicy = { Name: restartPolicy['Name'].slice(0, 32) };
  subset.HostConfig = pickedHost;
  return subset;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function numberField(source: Record<string, unknown>, key: string): number | undefined {
  const value = source[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
