// What one `GET /containers/json?size=1` (FS_USAGE_INTERVAL, container_fs_usage_bytes)
// costs the daemon at N containers, against a plain list: starts N busybox containers
// from dockmon-test-busybox (each writes a file into its writable layer, so there is
// something to size), measures dockerd's own CPU at rest, then sends `lists` plain lists
// and `lists` size lists one after the other straight to the socket, timing each and
// reading dockerd's CPU time (/proc/<pid>/stat) around each series, and removes its
// containers (also on Ctrl-C). Only its own containers: they carry a label of this run.
//
// Usage (no agent involved; the machine should be otherwise idle):
//   npm run bench:fs-usage -- --containers 100 --lists 20
// Options: --containers N (100), --lists M (20), --write-kib K (1024, the file each
// container writes), --files F (0: small files each container writes besides, since the
// daemon's cost follows the files it walks), --rest-seconds S (10, dockerd's idle
// window), --socket PATH (/var/run/docker.sock), --out FILE (test-results/fs-usage-cost.json).

import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { docker, TEST_IMAGE } from './containers.js';
import { runBounded } from './pool.js';
import { cpuSeconds, listProcesses } from './proc.js';

const LABEL = 'dockmon.fs-usage-cost';

interface Options {
  containers: number;
  lists: number;
  writeKib: number;
  files: number;
  restSeconds: number;
  socket: string;
  out: string;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    containers: 100,
    lists: 20,
    writeKib: 1024,
    files: 0,
    restSeconds: 10,
    socket: '/var/run/docker.sock',
    out: 'test-results/fs-usage-cost.json',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag ?? ''} needs a value`);
    const count = (): number => {
      const parsed = Number(value);
      if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${flag ?? ''} takes a whole number, not ${value}`);
      return parsed;
    };
    if (flag === '--containers') options.containers = count();
    else if (flag === '--lists') options.lists = Math.max(1, count());
    else if (flag === '--write-kib') options.writeKib = count();
    else if (flag === '--files') options.files = count();
    else if (flag === '--rest-seconds') options.restSeconds = Math.max(1, count());
    else if (flag === '--socket') options.socket = value;
    else if (flag === '--out') options.out = value;
    else throw new Error(`unknown option ${flag ?? ''}`);
  }
  return options;
}

/** The dockerd serving `socket` (by its -H flag), else every dockerd. */
function dockerdPids(socket: string): number[] {
  const daemons = listProcesses().filter((entry) => entry.comm === 'dockerd');
  const serving = daemons.filter((entry) => entry.cmdline.some((arg) => arg.endsWith(socket)));
  return (serving.length > 0 ? serving : daemons).map((entry) => entry.pid);
}

function daemonCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
}

/** One GET on the socket: its wall time and the body. */
function get(socket: string, requestPath: string): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: socket, path: requestPath, headers: { Host: 'docker' }, timeout: 300_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if ((res.statusCode ?? 0) !== 200) reject(new Error(`GET ${requestPath}: ${res.statusCode ?? 0} ${body.slice(0, 200)}`));
        else resolve({ ms: performance.now() - started, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${requestPath}: no answer in 300 s`)));
    req.on('error', reject);
  });
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

interface SeriesResult {
  path: string;
  firstMs: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** dockerd CPU per list, less what it spends at rest over the same time. */
  daemonCpuMsPerList: number;
  daemonCpuMsPerListRaw: number;
  containersListed: number;
  withSizeRw: number;
  sizeRwTotalBytes: number;
}

async function measureSeries(options: Options, pids: readonly number[], restCpuPerSecond: number, requestPath: string): Promise<SeriesResult> {
  // The first answer separately: the layers' metadata may still be cold in the page cache.
  const first = await get(options.socket, requestPath);
  const entries = JSON.parse(first.body) as { SizeRw?: number; Labels?: Record<string, string> }[];
  const ours = entries.filter((entry) => entry.Labels?.[LABEL] !== undefined);
  const times: number[] = [];
  const cpuBefore = daemonCpuSeconds(pids);
  const wallStarted = performance.now();
  for (let i = 0; i < options.lists; i += 1) times.push((await get(options.socket, requestPath)).ms);
  const wallSeconds = (performance.now() - wallStarted) / 1000;
  const cpuUsed = daemonCpuSeconds(pids) - cpuBefore;
  const sorted = [...times].sort((a, b) => a - b);
  return {
    path: requestPath,
    firstMs: round(first.ms),
    medianMs: round(percentile(sorted, 0.5)),
    p95Ms: round(percentile(sorted, 0.95)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    daemonCpuMsPerList: round(((cpuUsed - restCpuPerSecond * wallSeconds) / options.lists) * 1000),
    daemonCpuMsPerListRaw: round((cpuUsed / options.lists) * 1000),
    containersListed: entries.length,
    withSizeRw: ours.filter((entry) => (entry.SizeRw ?? 0) > 0).length,
    sizeRwTotalBytes: ours.reduce((sum, entry) => sum + (entry.SizeRw ?? 0), 0),
  };
}

async function removeOurs(runId: string): Promise<void> {
  const ids = (await docker(['ps', '-aq', '--filter', `label=${LABEL}=${runId}`])).split('\n').filter((id) => id !== '');
  // 25 at a time, one batch after the other: see containers.ts on dockerd 20.10 and mass removal.
  for (let start = 0; start < ids.length; start += 25) await docker(['rm', '-f', ...ids.slice(start, start + 25)], 300_000).catch(() => undefined);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const runId = `${process.pid}-${Date.now()}`;
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    console.error('interrupted: removing the containers');
    void removeOurs(runId).finally(() => process.exit(130));
  });
  await docker(['image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE]).catch(() => {
    throw new Error(`no ${TEST_IMAGE} image: build it with .ci/build-test-image.sh`);
  });
  const pids = dockerdPids(options.socket);
  if (pids.length === 0) throw new Error('no dockerd process found');
  try {
    console.log(`starting ${options.containers} containers (each writes ${options.writeKib} KiB and ${options.files} small files to its writable layer)`);
    // The small files with the shell's own echo: no process per file.
    const script =
      `dd if=/dev/zero of=/filler bs=1024 count=${options.writeKib} 2>/dev/null; mkdir /many; ` +
      `i=0; while [ $i -lt ${options.files} ]; do echo $i > /many/f$i; i=$((i+1)); done; sleep 86400`;
    const indexes = Array.from({ length: options.containers }, (_, index) => index);
    // --network none: no veth pair or bridge port per container; sizing does not involve the network.
    await runBounded(indexes, 4, async (index) => {
      if (interrupted) return;
      await docker(['run', '-d', '--network', 'none', '--label', `${LABEL}=${runId}`, '--name', `dmfs-${runId}-${String(index).padStart(4, '0')}`, TEST_IMAGE, 'sh', '-c', script]);
    });
    // Let the writes land and the start-up work settle before measuring.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const restBefore = daemonCpuSeconds(pids);
    await new Promise((resolve) => setTimeout(resolve, options.restSeconds * 1000));
    const restCpuPerSecond = (daemonCpuSeconds(pids) - restBefore) / options.restSeconds;
    console.log(`dockerd at rest: ${round(restCpuPerSecond * 100, 2)}% of a core`);
    const plain = await measureSeries(options, pids, restCpuPerSecond, '/containers/json');
    console.log(`plain list: median ${plain.medianMs} ms, dockerd ${plain.daemonCpuMsPerList} ms CPU per list`);
    const sized = await measureSeries(options, pids, restCpuPerSecond, '/containers/json?size=1');
    console.log(`size=1 list: first ${sized.firstMs} ms, median ${sized.medianMs} ms, p95 ${sized.p95Ms} ms, dockerd ${sized.daemonCpuMsPerList} ms CPU per list`);
    const everyFiveMinutes = sized.daemonCpuMsPerList / 1000 / 300;
    console.log(`at FS_USAGE_INTERVAL=5m: ${round(everyFiveMinutes * 100, 3)}% of a core on average`);
    const report = {
      generated_at: new Date().toISOString(),
      containers: options.containers,
      lists_per_series: options.lists,
      write_kib_per_container: options.writeKib,
      small_files_per_container: options.files,
      dockerd_pids: pids,
      dockerd_rest_percent_of_core: round(restCpuPerSecond * 100, 2),
      plain,
      size: sized,
      size_over_plain_cpu_ms: round(sized.daemonCpuMsPerList - plain.daemonCpuMsPerList),
      percent_of_core_at_5m_interval: round(everyFiveMinutes * 100, 3),
    };
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`figures in ${options.out}`);
  } finally {
    console.log('removing the containers');
    await removeOurs(runId);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
