#!/usr/bin/env node
// Composition root: config → logger → stats log → Docker client → store and
// sampler → HTTP server. The only file that picks concrete implementations, and
// the owner of startup and shutdown.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from './config.js';
import { createDockerClient } from './docker/client.js';
import { createTransport } from './docker/transport.js';
import { ConfigError, describeError } from './errors.js';
import { createRequestHandler } from './http/server.js';
import { loadStaticFiles } from './http/static-files.js';
import { createJsonlFile } from './log/jsonl-file.js';
import { createLogger, type Logger } from './log/logger.js';
import { createSampleLog } from './log/sample-log.js';
import { createSampler } from './sampler/sampler.js';
import { createStore } from './sampler/store.js';

/** Docker sends SIGKILL 10 s after SIGTERM by default; we aim to be gone in 2 s. */
const SHUTDOWN_DEADLINE_MS = 1_800;
export const STATS_LOG_FILE = 'stats.jsonl';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function readVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // A stripped-down install without package.json still runs.
  }
  return '0.0.0';
}

function parseArgs(version: string): Config | number {
  try {
    const result = loadConfig(process.argv.slice(2), process.env, version);
    if (result.kind === 'run') return result.config;
    process.stdout.write(`${result.text}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`dockmon: ${error.message}\nRun dockmon --help for every setting.\n`);
    return 2;
  }
}

function start(config: Config, version: string): void {
  const logger = createLogger({ level: config.logLevel, sink: (line) => process.stdout.write(`${line}\n`) });
  const statsFile = createJsonlFile({
    dir: config.logDir,
    fileName: STATS_LOG_FILE,
    maxBytes: config.logMaxBytes,
    retention: config.logRetention,
    onStatusChange: (status) => {
      if (status.ok) logger.info('stats log is writable again', { path: status.path });
      else logger.error('cannot write the stats log; serving goes on', { path: status.path, error: status.error });
    },
    onNotice: (message) => logger.warn(message),
  });
  const store = createStore({ historySize: config.historySize, now: Date.now });
  const transport = createTransport({
    endpoint: config.docker,
    timeoutMs: config.dockerTimeoutMs,
    maxStreams: config.maxStatsStreams,
    userAgent: `dockmon/${version}`,
  });
  const docker = createDockerClient(transport);
  const sampler = createSampler(
    { docker, store, logger },
    {
      relistIntervalMs: config.relistIntervalMs,
      statsStallMs: config.statsStallMs,
      maxStatsStreams: config.maxStatsStreams,
      reconnectMaxMs: config.reconnectMaxMs,
    },
  );
  const handler = createRequestHandler({
    store,
    sampleLog: createSampleLog(statsFile),
    logStatus: () => statsFile.status(),
    staticFiles: loadStaticFiles(path.join(packageRoot, 'public')),
    logger,
    now: Date.now,
    version,
    startedAtMs: Date.now(),
  });
  const server = http.createServer(handler);
  server.on('error', (error: NodeJS.ErrnoException) => {
    const where = `${config.host || '*'}:${config.port}`;
    const reason = error.code === 'EADDRINUSE' ? `port ${config.port} is already in use` : describeError(error);
    logger.error(`cannot listen on ${where}: ${reason}`, { code: error.code });
    process.exitCode = 1;
    void shutdown('listen failed');
  });

  let stopping = false;
  async function shutdown(reason: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { reason });
    setTimeout(() => process.exit(process.exitCode ?? 0), SHUTDOWN_DEADLINE_MS).unref();
    server.close();
    server.closeAllConnections();
    await sampler.stop();
    docker.close();
    await statsFile.close();
    process.exit(process.exitCode ?? 0);
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  installCrashHandlers(logger, statsFile.flush);

  server.listen(config.port, config.host === '' ? undefined : config.host, () => {
    logger.info('dockmon is serving', {
      version,
      url: `http://${config.host || 'localhost'}:${config.port}/`,
      dockerHost: config.docker.kind === 'unix' ? `unix://${config.docker.socketPath}` : `tcp://${config.docker.host}:${config.docker.port}`,
      logDir: config.logDir,
    });
    sampler.start();
  });
}

/** A bug must not pass silently: log it, flush what is queued, and exit for a restart. */
function installCrashHandlers(logger: Logger, flush: () => Promise<void>): void {
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection (a bug; please report it)', { error: describeError(reason) });
  });
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception (a bug; please report it)', { error: describeError(error) });
    void flush().finally(() => process.exit(70));
  });
}

const version = readVersion();
const parsed = parseArgs(version);
if (typeof parsed === 'number') process.exitCode = parsed;
else start(parsed, version);
