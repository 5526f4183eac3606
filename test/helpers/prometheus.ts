// Debian's real Prometheus tools for the real-daemon suite: `promtool check metrics` on
// an exposition, and a `prometheus` server started on loopback with a temporary config
// and storage folder, queried over its HTTP API. Both fail loudly when missing (.ci/run
// installs the `prometheus` package); the system service is never used.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, httpGet } from './agent-process.js';

const INSTALL_HINT = 'install Debian\'s prometheus package (apt-get install -y prometheus; .ci/run does it)';

/** Resolves with the tool's version line; throws with the install hint when it is not there. */
export function requireTool(name: 'promtool' | 'prometheus'): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(name, ['--version'], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error !== null) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new Error(`${name} ${missing ? 'is not installed (not on PATH)' : `--version failed: ${error.message}`}: ${INSTALL_HINT}`));
        return;
      }
      resolve(`${stdout}${stderr}`.split('\n')[0] ?? '');
    });
  });
}

export interface PromtoolResult {
  code: number;
  output: string;
}

/** `promtool check metrics` with `exposition` on stdin: exit code 0 and no output means no problem. */
export function promtoolCheckMetrics(exposition: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', ['check', 'metrics'], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, output: `${stdout}${stderr}`.trim() });
    });
    child.stdin?.end(exposition);
  });
}

export interface VectorSample {
  metric: Record<string, string>;
  value: number;
}

export interface MatrixSeries {
  metric: Record<string, string>;
  /** The raw samples Prometheus stored: [scrape time in seconds, value]. */
  values: [number, number][];
}

export interface PrometheusServer {
  readonly baseUrl: string;
  /** Instant query over the HTTP API; throws on an error answer. */
  query(promql: string): Promise<VectorSample[]>;
  /** An instant query of a range selector (`metric[30s]`): the stored samples themselves. */
  queryMatrix(promql: string): Promise<MatrixSeries[]>;
  /** Everything the server printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

interface QueryAnswer {
  status?: string;
  error?: string;
  data?: {
    resultType?: string;
    result?: { metric?: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
  };
}

/** Starts Prometheus on a free loopback port, scraping `targets` (host:port) every second. */
export async function startPrometheus(targets: readonly string[], jobName = 'dockmon'): Promise<PrometheusServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dmtest-prometheus-'));
  const port = await findFreePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    `  - job_name: ${jobName}`,
    '    static_configs:',
    `      - targets: [${targets.map((target) => `'${target}'`).join(', ')}]`,
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'prometheus.yml'), config);
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => lines.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => lines.push(chunk));
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const killOnExit = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const baseUrl = `http://127.0.0.1:${port}`;
  const output = (): string => lines.join('');

  async function stop(): Promise<void> {
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([exitPromise, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (!exited) child.kill('SIGKILL');
    }
    process.removeListener('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
  }

  // Ready once /-/ready answers 200.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`prometheus exited during startup:\n${output()}`);
    }
    const answer = await httpGet(`${baseUrl}/-/ready`, 1_000).catch(() => null);
    if (answer?.status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within 30 s:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  async function ask(promql: string): Promise<NonNullable<QueryAnswer['data']>> {
    const answer = await httpGet(`${baseUrl}/api/v1/query?query=${encodeURIComponent(promql)}`, 10_000);
    const body = JSON.parse(answer.body) as QueryAnswer;
    if (answer.status !== 200 || body.status !== 'success') {
      throw new Error(`query ${promql} failed (${answer.status}): ${body.error ?? answer.body.slice(0, 500)}`);
    }
    return body.data ?? {};
  }

  async function query(promql: string): Promise<VectorSample[]> {
    return ((await ask(promql)).result ?? []).map((item) => ({ metric: item.metric ?? {}, value: Number(item.value?.[1]) }));
  }

  async function queryMatrix(promql: string): Promise<MatrixSeries[]> {
    const data = await ask(promql);
    if (data.resultType !== 'matrix') throw new Error(`${promql} gave a ${data.resultType ?? 'missing'} result, not a matrix`);
    return (data.result ?? []).map((item) => ({
      metric: item.metric ?? {},
      values: (item.values ?? []).map(([time, value]) => [Number(time), Number(value)] as [number, number]),
    }));
  }

  return { baseUrl, query, queryMatrix, output, stop };
}
