#!/usr/bin/env node
// The process around the agent: arguments, the diagnostic log on stdout, signals
// and exit codes. Exit 2 for a bad setting, 1 when the port cannot be bound.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPublicDir, startApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { installCrashHandlers } from './crash.js';
import { ConfigError, describeError } from './errors.js';
import { createLogger } from './log/logger.js';

/** Docker sends SIGKILL 10 s after SIGTERM by default; we aim to be gone in 2 s. */
const SHUTDOWN_DEADLINE_MS = 1_800;

const moduleDir = path.dirname(fileURLToPath(import.meta.url));

function readVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(path.resolve(moduleDir, '..', 'package.json'), 'utf8'));
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

function describeDockerHost(config: Config): string {
  return config.docker.kind === 'unix'
    ? `unix://${config.docker.socketPath}`
    : `tcp://${config.docker.host}:${config.docker.port}`;
}

async function run(config: Config, version: string): Promise<void> {
  const logger = createLogger({ level: config.logLevel, sink: (line) => process.stdout.write(`${line}\n`) });
  // A bug must not pass silently: log it and exit so a supervisor restarts us.
  installCrashHandlers(process, logger, (code) => process.exit(code));
  // Signals are handled from the first moment: as PID 1 in a container, a SIGTERM
  // without a handler is ignored and `docker stop` would wait 10 s for its SIGKILL.
  let app: Awaited<ReturnType<typeof startApp>> | null = null;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS).unref();
    if (app === null) process.exit(0);
    void app.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    app = await startApp(config, { version, logger, publicDir: defaultPublicDir(moduleDir) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? `port ${config.port} is already in use` : describeError(error);
    logger.error(`cannot listen on ${config.host || '*'}:${config.port}: ${reason}`, { code });
    process.exit(1);
  }
  if (stopping) {
    await app.stop();
    process.exit(0);
  }
  logger.info('dockmon is serving', {
    version,
    url: `http://${config.host || 'localhost'}:${app.port}/`,
    dockerHost: describeDockerHost(config),
    logDir: config.logDir,
  });
}

const version = readVersion();
const parsed = parseArgs(version);
if (typeof parsed === 'number') process.exitCode = parsed;
else void run(parsed, version);
