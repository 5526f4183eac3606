// Over 300 lines on purpose: it is the composition root, every part's wiring in one place.
//
// Wires the agent together: stats log → Docker client → store and sampler → HTTP
// server. main.ts adds the process around it (arguments, signals, exit codes);
// tests start it in-process against a fake Engine.

import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createAlerting, type Alerting } from './alerts/alerting.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './alerts/settings.js';
import { parseWebhookTargets } from './alerts/webhook-format.js';
import type { Config } from './config.js';
import { createStoppedRegistry } from './lifecycle/stopped.js';
import { createTimeline } from './lifecycle/timeline.js';
import { createLifecycleTracker, type LifecycleTracker } from './lifecycle/tracker.js';
import { createDockerClient } from './docker/client.js';
import { createTransport } from './docker/transport.js';
import { createAuth } from './http/auth.js';
import { createHardenedServer, SERVER_LIMITS, type ServerLimits } from './http/limits.js';
import { createLiveUpdates } from './http/live-updates.js';
import type { LifecycleReader } from './http/lifecycle-routes.js';
import { createContainerJsonCache } from './http/container-json-cache.js';
import { createSnapshotRenderer } from './http/live-snapshot.js';
import { ROUTES } from './http/routes.js';
import { createRequestHandler } from './http/server.js';
import { createSharedRender, SHARED_RENDER_MAX_AGE_MS } from './http/shared-render.js';
import { loadStaticFiles } from './http/static-files.js';
import { openFileBudget } from './kernel/file-reader.js';
import { createKernelReader } from './kernel/kernel-reader.js';
import { detectCgroupLayout, mountHint } from './kernel/layout.js';
import { openRootCgroup } from './kernel/root-cgroup.js';
import { createJsonlFile, type JsonlFile } from './log/jsonl-file.js';
import type { Logger } from './log/logger.js';
import { createMetricsExporter } from './metrics/exporter.js';
import { readProcessFacts } from './metrics/process-facts.js';
import { createDiscovery } from './peers/discovery.js';
import { newAgentId, startPeers } from './peers/peers.js';
import { createFsUsagePoller } from './sampler/fs-usage.js';
import { DEFAULT_ONE_SHOT_CONCURRENCY } from './sampler/one-shot-poller.js';
import { createSampler, type KernelChoice, type LifecycleObserver } from './sampler/sampler.js';
import { createStatsLogWriter } from './sampler/stats-log.js';
import { createStore, type StoreReader } from './sampler/store.js';

export const STATS_LOG_FILE = 'stats.jsonl';
/** Lifecycle events and alerts, one JSON object a line, rotated like the stats log. */
export const EVENTS_LOG_FILE = 'events.jsonl';
/** How much of the previous events.jsonl is read back at start for the alerts still firing. */
const RESTORE_READ_BYTES = 4 * 1024 * 1024;

export interface App {
  /** The bound port (useful with port 0). */
  port: number;
  store: StoreReader;
  statsLog: JsonlFile;
  /** Stops sampling, closes the server and every stream, flushes the log. */
  stop(): Promise<void>;
}

export interface AppOptions {
  version: string;
  logger: Logger;
  /** Folder holding index.html, app.js and style.css. */
  publicDir: string;
  /** Tests shorten the server's timeouts. */
  limits?: Partial<ServerLimits>;
  /** Tests bring the first writable-layer size list forward. */
  fsUsageFirstDelayMs?: number;
}

export async function startApp(config: Config, options: AppOptions): Promise<App> {
  const { logger, version } = options;
  const statsLog = openLog(config, logger, STATS_LOG_FILE, 'stats log');
  const eventsLog = openLog(config, logger, EVENTS_LOG_FILE, 'events log');
  const previousEvents = readTail(path.join(config.logDir, EVENTS_LOG_FILE), RESTORE_READ_BYTES);
  const store = createStore({ historySize: config.historySize, now: Date.now });
  const docker = createDockerClient(
    createTransport({
      endpoint: config.docker,
      timeoutMs: config.dockerTimeoutMs,
      maxStreams: config.maxStatsStreams,
      // The default 8 for lists and inspects, plus the one-shot reads past the stream cap.
      maxSockets: 8 + DEFAULT_ONE_SHOT_CONCURRENCY,
      userAgent: `dockmon/${version}`,
    }),
  );
  // The rules and the tracker share the timeline and the stopped list; the tracker
  // feeds the rules, so the rules come first.
  const timeline = createTimeline({ now: Date.now });
  const stopped = createStoppedRegistry();
  let listed = false;
  const alerting: Alerting = createAlerting({
    store,
    timeline,
    listed: () => listed,
    isStopped: (id) => stopped.get(id) !== undefined,
    eventsLog,
    settings: alertSettings(config),
    targets: parseWebhookTargets(config.alertWebhookUrls.join(',')),
    previousEvents,
    hostCores: os.cpus().length || os.availableParallelism(),
    logger,
    now: Date.now,
    userAgent: `dockmon/${version}`,
  });
  const tracker = createLifecycleTracker({
    timeline,
    stopped,
    store,
    eventsLog,
    alerts: alerting.engine,
    inspect: (id) => docker.inspectContainer(id),
    logger,
    now: Date.now,
  });
  const lifecycle: LifecycleObserver & Pick<LifecycleTracker, 'stopped' | 'timeline'> = {
    onEvent: (event) => tracker.onEvent(event),
    onListed(entries, requestedAtMs) {
      tracker.onListed(entries, requestedAtMs);
      listed = true;
    },
    stopped,
    timeline,
  };
  const sampler = createSampler(
    { docker, store, logger, kernel: chooseKernel(config), lifecycle },
    {
      relistIntervalMs: config.relistIntervalMs,
      statsStallMs: config.statsStallMs,
      maxStatsStreams: config.maxStatsStreams,
      reconnectMaxMs: config.reconnectMaxMs,
    },
  );
  const root = openRootCgroup(config.hostCgroup, config.hostProc, (problem) => {
    if (problem === null) logger.info('the root cgroup is read again (id="/" on /metrics)');
    else logger.warn('the host\'s series (id="/") are left out of /metrics', { reason: problem });
  });
  if (!root.ok) logger.info('the host\'s series (id="/") are not exported', { reason: root.reason });
  const fsUsage = config.fsUsageIntervalMs > 0
    ? createFsUsagePoller(
      { docker, logger, isConnected: () => store.docker().state === 'connected' },
      {
        intervalMs: config.fsUsageIntervalMs,
        firstDelayMs: options.fsUsageFirstDelayMs ?? Math.min(FS_USAGE_FIRST_DELAY_MS, config.fsUsageIntervalMs),
        timeoutMs: Math.max(config.dockerTimeoutMs, FS_USAGE_TIMEOUT_MS),
      },
    )
    : null;
  const metrics = createMetricsExporter({
    store,
    logStatus: () => statsLog.status(),
    // The Engine's /info is not on our allowlist. node:os reads the same kernel figures the
    // daemon does (online CPUs, MemTotal, neither namespaced), so on the daemon's host (one
    // agent per host, container or not) they match; the unlimited-memory test relies on it.
    machine: { cpuCores: os.cpus().length || os.availableParallelism(), memoryBytes: os.totalmem() },
    labelKeys: config.metricsLabels,
    version,
    runtimeVersion: process.version,
    startedAtMs: Date.now(),
    now: Date.now,
    elapsedMs: () => performance.now(),
    processFacts: readProcessFacts,
    firingAlerts: () => alerting.engine.firing(),
    ...(root.ok ? { rootCgroup: () => root.reader.read() } : {}),
    ...(fsUsage === null ? {} : { fsUsage }),
  });
  // The samples the page serves, and every latest one each LOG_INTERVAL, each written once.
  const statsLogWriter = createStatsLogWriter({ store, sink: statsLog, now: Date.now }, { intervalMs: config.logIntervalMs });
  const lifecycleReader: LifecycleReader = {
    stopped: lifecycle.stopped,
    timeline: lifecycle.timeline,
    alerts: alerting.engine,
    webhooks: () => alerting.webhooks(),
    eventsLogStatus: () => {
      const status = eventsLog.status();
      return { ok: status.ok, error: status.error, path: status.path };
    },
  };
  // Other hosts (PEERS): asked in the background once this agent listens, so it can find
  // itself among the addresses a DNS name gives.
  const node = config.nodeName === '' ? os.hostname() : config.nodeName;
  const agentId = newAgentId();
  const peers = config.peers.kind === 'none'
    ? null
    : startPeers({
        discovery: createDiscovery(config.peers, { ownPort: config.port, dnsServer: config.peerDnsServer }),
        token: config.authToken,
        intervalMs: config.peerIntervalMs,
        agentId,
        logger,
        start: false,
      });
  const hosts = { node, agentId, ...(peers === null ? {} : { peers }) };
  const live = createLiveUpdates({
    render: createSnapshotRenderer({ store, statsLog: statsLogWriter, logStatus: () => statsLog.status(), now: Date.now, lifecycle: lifecycleReader, ...hosts }),
    tickMs: 1_000,
    heartbeatMs: 15_000,
    retryMs: 2_000,
    maxViewers: config.maxLiveViewers,
    maxBacklogBytes: 1024 * 1024,
    logger,
  });
  const handler = createRequestHandler(
    {
      store,
      statsLog: statsLogWriter,
      live,
      logStatus: () => statsLog.status(),
      staticFiles: loadStaticFiles(options.publicDir),
      metrics,
      logger,
      now: Date.now,
      version,
      startedAtMs: Date.now(),
      shared: createSharedRender({ maxAgeMs: SHARED_RENDER_MAX_AGE_MS, now: Date.now }),
      containerJson: createContainerJsonCache(),
      lifecycle: lifecycleReader,
      ...hosts,
    },
    { auth: config.authToken === '' ? null : createAuth(config.authToken, new Set(ROUTES.keys())) },
  );
  const { server } = createHardenedServer(handler, {
    ...SERVER_LIMITS,
    ...options.limits,
    maxConnections: config.maxConnections,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host === '' ? undefined : config.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await statsLog.close();
    throw error;
  });
  sampler.start();
  peers?.start();
  statsLogWriter.start();
  alerting.start();
  fsUsage?.start();

  return {
    port: (server.address() as AddressInfo).port,
    store,
    statsLog,
    async stop() {
      peers?.stop();
      live.close();
      server.close();
      server.closeAllConnections();
      // The log first, and never behind Docker: `docker stop` gives 10 s and main.ts exits
      // after 1.8 s, while a Docker call in flight may take DOCKER_TIMEOUT to fail. Every
      // container's latest sample is written (once, as always), then the file is flushed.
      statsLogWriter.stop();
      const samplerStopped = Promise.all([sampler.stop(), fsUsage?.stop()]);
      docker.close();
      if (root.ok) root.reader.close();
      await Promise.all([statsLog.close(), eventsLog.close(), alerting.stop()]);
      await Promise.race([samplerStopped, new Promise((resolve) => setTimeout(resolve, SAMPLER_STOP_WAIT_MS).unref())]);
    },
  };
}

/** A JSON Lines log in LOG_DIR, rotated and retained as configured; its troubles go to the agent log. */
function openLog(config: Config, logger: Logger, fileName: string, what: string): JsonlFile {
  return createJsonlFile({
    dir: config.logDir,
    fileName,
    maxBytes: config.logMaxBytes,
    retention: config.logRetention,
    onStatusChange: (status) => {
      if (status.ok) logger.info(`${what} is writable again`, { path: status.path });
      else logger.error(`cannot write the ${what}; serving goes on`, { path: status.path, error: status.error });
    },
    onNotice: (message) => logger.warn(message),
  });
}

/** The end of a file, from its first whole line; '' when it does not exist or cannot be read. */
function readTail(file: string, maxBytes: number): string {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const size = statSync(file).size;
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    const read = readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.subarray(0, read).toString('utf8');
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } catch {
    return '';
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** The rules' thresholds from the ALERT_* settings. */
function alertSettings(config: Config): AlertSettings {
  return {
    ...DEFAULT_ALERT_SETTINGS,
    disabled: new Set(config.alertsOff),
    cpuPercent: config.alertCpuPercent,
    cpuForMs: config.alertCpuForMs,
    memoryPercent: config.alertMemoryPercent,
    memoryForMs: config.alertMemoryForMs,
    crashLoopRestarts: config.alertCrashLoopRestarts,
    crashLoopWindowMs: config.alertCrashLoopWindowMs,
    staleForMs: config.alertStaleForMs,
    dockerForMs: config.alertDockerForMs,
    repeatMs: config.alertRepeatMs,
  };
}

/** How long stop() lets in-flight Docker calls settle after the log is flushed. */
const SAMPLER_STOP_WAIT_MS = 200;

/**
 * The first writable-layer size list waits this long after start (or one FS_USAGE_INTERVAL
 * if shorter): start-up already lists, inspects and opens a stream per container.
 */
const FS_USAGE_FIRST_DELAY_MS = 30_000;
/** A size list may take this long (or DOCKER_TIMEOUT if longer): the daemon sizes every writable layer. */
const FS_USAGE_TIMEOUT_MS = 60_000;

/** Kernel sampling interval: the pace of a Docker stats stream. */
const KERNEL_INTERVAL_MS = 1_000;

/** Whether, and how, containers can be read from the kernel (STATS_SOURCE, HOST_PROC, HOST_CGROUP). */
export function chooseKernel(
  config: Pick<Config, 'statsSource' | 'hostProc' | 'hostCgroup'>,
  options: { maxOpenFiles?: number } = {},
): KernelChoice {
  const mode = config.statsSource;
  if (mode === 'api') return { mode };
  const layout = detectCgroupLayout(config.hostCgroup);
  if (!layout.ok) return { mode, unavailable: layout.reason };
  if (!existsSync(path.join(config.hostProc, 'stat'))) {
    return { mode, unavailable: `HOST_PROC ${config.hostProc} does not exist or is not a proc file system: ${mountHint(config.hostProc, '/proc')}` };
  }
  const { version, root, unified } = layout.layout;
  const describe = version === 2 ? `cgroup v2 at ${root}` : `cgroup v1 at ${root}${unified === null ? '' : ' (with the unified tree for PSI)'}`;
  return {
    mode,
    describe,
    create: (handlers) =>
      createKernelReader(
        { layout: layout.layout, hostProc: config.hostProc, handlers },
        { intervalMs: KERNEL_INTERVAL_MS, maxOpenFiles: options.maxOpenFiles ?? openFileBudget() },
      ),
  };
}

/** The public/ folder beside dist/ (or src/ under tests). */
export function defaultPublicDir(moduleDir: string): string {
  return path.resolve(moduleDir, '..', 'public');
}
