// `npm run bench`: starts N test containers for each N asked, and measures dockmon (once
// per stats source) against `docker stats` and against the seed's design
// (docs/benchmarks.md says how). `--only containers-vs-bare` measures just /containers
// against a bare node:http server sending the same bytes, into a report of its own.
// Every container it starts carries a label and is removed at the end, on error and
// on Ctrl-C.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureAgent } from './agent-phase.js';
import { startScriptNodeFlags } from './node-flags.js';
import { parseArgs, USAGE, type BenchArgs } from './args.js';
import { docker, removeBenchContainers, startContainers, stopStartingContainers, TEST_IMAGE, type BenchContainer } from './containers.js';
import { measureContainersVsBareRun } from './containers-vs-bare.js';
import { runMultiHostBench } from './multi-host.js';
import { countdown, measureBaseline, measureDockerStats, measureSeed } from './daemon-phases.js';
import { describeMachine } from './machine.js';
import { findDaemonPids } from './proc.js';
import { createProgress, type Progress } from './progress.js';
import { renderContainersVsBareMarkdown, type ContainersVsBareRow } from './report-containers-vs-bare.js';
import { renderMarkdown } from './report-md.js';
import { renderSvg } from './report-svg.js';
import { REPORT_FORMAT, type BenchReport, type ContainersVsBareReport, type ScenarioResult } from './results.js';
import { readReport } from './results-upgrade.js';
import { sleep } from './stats-math.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AGENT_ENTRY = path.join(repoRoot, 'dist', 'main.js');
/** The daemon the docker CLI, the agent and the seed strategy all talk to. */
const DOCKER_SOCKET = { socketPath: dockerSocketPath(process.env['DOCKER_HOST']) };

function dockerSocketPath(dockerHost: string | undefined): string {
  if (dockerHost === undefined || dockerHost === '') return '/var/run/docker.sock';
  if (!dockerHost.startsWith('unix://')) throw new Error(`DOCKER_HOST=${dockerHost}: the bench measures a local daemon over its Unix socket`);
  return dockerHost.slice('unix://'.length);
}

/** Stoppers for whatever is running now (the agent), called on Ctrl-C before the containers go. */
const running = new Set<() => Promise<void>>();
let cleaningUp: Promise<void> | null = null;

function cleanup(progress: Progress): Promise<void> {
  cleaningUp ??= (async () => {
    stopStartingContainers();
    for (const stop of running) await stop().catch(() => undefined);
    running.clear();
    progress.phase('removing the bench containers');
    const removed = await removeBenchContainers((done, total) => progress.update(`removed ${done}/${total}`));
    // A `docker run` that was in flight at Ctrl-C may finish after the first pass.
    await sleep(1_000);
    const late = await removeBenchContainers();
    progress.note(`removed ${removed + late} container(s)`);
  })();
  return cleaningUp;
}

async function measureCount(
  args: BenchArgs,
  runId: string,
  containers: BenchContainer[],
  progress: Progress,
  scenarios: ScenarioResult[],
): Promise<void> {
  const count = containers.length;
  const ids = containers.map((container) => container.id);
  const idSet = new Set(ids);
  const daemonPids = findDaemonPids(idSet, DOCKER_SOCKET.socketPath);
  const windowMs = args.windowSeconds * 1000;
  progress.note(`daemon processes measured: ${daemonPids.length} (dockerd, containerd and ${count} shims expected)`);
  await countdown(progress, 'letting the daemon settle', 5_000);


  const baseline = async (): Promise<number> => {
    await countdown(progress, 'settling', 3_000);
    const percent = await measureBaseline(daemonPids, windowMs, progress);
    progress.note(`quiet daemon baseline ${percent.toFixed(1)}% of a core`);
    return percent;
  };

  progress.phase(`N=${count}: docker stats`);
  const dockerStats = await measureDockerStats(ids, daemonPids, await baseline(), windowMs, progress);
  progress.note(`daemon +${dockerStats.daemonCpuPercent.toFixed(1)}%, docker stats client ${dockerStats.cliCpuPercent.toFixed(1)}%`);

  progress.phase(`N=${count}: the seed's sequential stream=false loop`);
  const seed = await measureSeed(DOCKER_SOCKET, ids, daemonPids, await baseline(), { windowMs, maxMs: args.seedMaxSeconds * 1000 }, progress);
  progress.note(
    `daemon +${seed.daemonCpuPercent.toFixed(1)}%, ${seed.calls} calls, refresh ${seed.refreshSeconds?.toFixed(1) ?? '?'} s${seed.refreshMeasured ? '' : ' (extrapolated)'}`,
  );

  // Added before the agent runs, so that when one fails the report keeps those before it.
  const scenario: ScenarioResult = { containers: count, busyContainers: Math.min(args.busy, count), agents: [], dockerStats, seed };
  scenarios.push(scenario);
  // One agent at a time: two would share the daemon's CPU and each other's.
  for (const source of args.sources) {
    progress.phase(`N=${count}: dockmon, STATS_SOURCE=${source}`);
    const agent = await measureAgent(AGENT_ENTRY, runId, source, idSet, { pids: daemonPids, baseline }, args, progress, (stop) => running.add(stop));
    running.clear();
    scenario.agents.push(agent);
    const bench = agent.sources?.benchWorst;
    progress.note(
      `agent CPU ${agent.cpuPercent.toFixed(2)}%, daemon +${agent.daemonCpuPercent.toFixed(1)}%, max age ${agent.maxSampleAgeSeconds ?? '?'} s, ` +
        `/containers median ${agent.latency['/containers']?.medianMs?.toFixed(2) ?? '?'} ms, peak RSS ${((agent.peakRssBytes ?? 0) / 1024 / 1024).toFixed(1)} MiB, ` +
        `bench containers from the kernel / API / undecided (worst answer): ${bench?.fromKernel ?? '?'} / ${bench?.fromApi ?? '?'} / ${bench?.undecided ?? '?'}`,
    );
  }
}

/** `--only containers-vs-bare`: that comparison alone, once per stats source. */
async function measureCountVsBare(args: BenchArgs, containers: readonly BenchContainer[], progress: Progress, runs: ContainersVsBareRow[]): Promise<void> {
  const ids = new Set(containers.map((container) => container.id));
  for (const source of args.sources) {
    progress.phase(`N=${ids.size}: /containers against a bare node:http server, STATS_SOURCE=${source}`);
    const result = await measureContainersVsBareRun(AGENT_ENTRY, source, ids, args, progress, (stop) => running.add(stop));
    running.clear();
    runs.push({ containers: ids.size, statsSource: source, result });
    progress.note(
      `/containers ${Math.round(result.agentPerSecond)} answers/s, bare ${Math.round(result.barePerSecond)} answers/s: ratio ${result.ratio.toFixed(2)} ` +
        `(rounds ${result.rounds.map((round) => round.ratio.toFixed(2)).join(', ')})`,
    );
  }
}

async function preflight(): Promise<void> {
  if (!existsSync(AGENT_ENTRY)) throw new Error(`${AGENT_ENTRY} is missing: npm run build`);
  await docker(['image', 'inspect', TEST_IMAGE]).catch(() => {
    throw new Error(`the test image ${TEST_IMAGE} is missing: bash .ci/build-test-image.sh ${TEST_IMAGE}`);
  });
}

function writeOutputs(args: BenchArgs, report: BenchReport | ContainersVsBareReport): void {
  const out = path.resolve(repoRoot, args.out);
  mkdirSync(path.dirname(out), { recursive: true });
  const base = out.replace(/\.md$/, '');
  if (report.format === 'containers-vs-bare/1') {
    writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(out, renderContainersVsBareMarkdown(report));
    return;
  }
  const svgName = `${path.basename(base)}.svg`;
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.svg`, renderSvg(report));
  writeFileSync(out, renderMarkdown(report, svgName, out));
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  args.agentNodeFlags = startScriptNodeFlags(path.join(repoRoot, 'package.json'));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.renderOnly !== null) {
    const raw = JSON.parse(readFileSync(path.resolve(args.renderOnly), 'utf8')) as unknown;
    const vsBare = typeof raw === 'object' && raw !== null && (raw as { format?: unknown }).format === 'containers-vs-bare/1';
    writeOutputs(args, vsBare ? (raw as ContainersVsBareReport) : readReport(raw));
    process.stderr.write(`wrote ${args.out} from ${args.renderOnly}\n`);
    return 0;
  }
  const progress = createProgress();
  const onSignal = (signal: NodeJS.Signals): void => {
    progress.phase(`${signal}: stopping`);
    void cleanup(progress).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  await preflight();
  const startedAt = new Date().toISOString();
  progress.phase('describing the machine (and whether it is quiet)');
  const machine = await describeMachine();
  progress.note(`load average ${machine.loadAverageAtStart.join(' ')}; busiest: ${machine.busiestOtherProcesses.slice(0, 3).join(' | ')}`);
  const leftovers = await removeBenchContainers();
  if (leftovers > 0) progress.note(`removed ${leftovers} container(s) left by an earlier bench run`);

  const runId = Date.now().toString(36);
  const busyIndexes = new Set(Array.from({ length: args.busy }, (_, index) => index));
  const containers: BenchContainer[] = [];
  const scenarios: ScenarioResult[] = [];
  const vsBare: ContainersVsBareRow[] = [];
  let failure: unknown = null;
  try {
    for (const count of args.containerCounts) {
      progress.phase(`N=${count}: starting ${count - containers.length} container(s)`);
      const added = await startContainers(runId, `dmbench-${runId}`, containers.length, count, {
        busyIndexes,
        concurrency: args.createConcurrency,
        onProgress: (done, total) => progress.update(`started ${done}/${total}`),
      });
      containers.push(...added);
      if (args.only === 'containers-vs-bare') await measureCountVsBare(args, containers, progress, vsBare);
      else await measureCount(args, runId, containers, progress, scenarios);
    }
  } catch (error) {
    // The counts measured so far are still written, and the report says where it stopped.
    failure = error;
  } finally {
    await cleanup(progress);
  }
  const common = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    settings: args,
    machine,
    ...(failure === null ? {} : { stoppedEarly: failure instanceof Error ? failure.message : String(failure) }),
  };
  const report: BenchReport | ContainersVsBareReport =
    args.only === 'containers-vs-bare' ? { format: 'containers-vs-bare/1', ...common, runs: vsBare } : { format: REPORT_FORMAT, ...common, scenarios };
  if (scenarios.length > 0 || vsBare.length > 0) {
    writeOutputs(args, report);
    progress.phase(`wrote ${args.out}`);
  }
  if (failure !== null) throw failure;
  return 0;
}

// `--only multi-host` is its own run (bench/multi-host.ts): stand-in peers, no test containers.
const onlyIndex = process.argv.indexOf('--only');
const measure = onlyIndex !== -1 && process.argv[onlyIndex + 1] === 'multi-host' ? runMultiHostBench().then(() => 0) : main();
measure.then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
