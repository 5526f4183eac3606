// Command-line flags of `npm run bench`. Every figure in the report depends on them,
// so the report prints the exact command back.

import { STATS_SOURCES, type BenchSettings, type StatsSourceSetting } from './results.js';

export interface BenchArgs extends BenchSettings {
  out: string;
  /** Re-render the report (Markdown, SVG) from this JSON instead of measuring. */
  renderOnly: string | null;
  createConcurrency: number;
  /** Measure one comparison alone (and write its own report) instead of the whole bench. */
  only: OnlyMeasure | null;
  /** Rounds of the /containers-against-a-bare-server comparison. */
  rounds: number;
  help: boolean;
}

export const ONLY_MEASURES = ['containers-vs-bare'] as const;
export type OnlyMeasure = (typeof ONLY_MEASURES)[number];

/** Where --only containers-vs-bare writes when --out is not given. */
export const CONTAINERS_VS_BARE_OUT = 'docs/benchmarks-containers-vs-bare.md';

export const USAGE = `npm run bench -- [flags]
  --containers <list>      container counts to measure, ascending (default 10,100,500)
  --duration <seconds>     each CPU window: baseline, docker stats, seed loop, agent (default 20)
  --load-duration <s>      each paced HTTP load phase per endpoint (default 10)
  --saturation-duration <s> each closed-loop HTTP phase per endpoint (default 5)
  --agent-warm <seconds>   the agent's steady window ends no sooner than this after its start,
                           and not before its history ring is full (default 60)
  --agent-warm-max <s>     ... but no later than this (default 900)
  --seed-max <seconds>     cap on the seed loop; past it a refresh is N × mean call time (default 60)
  --clients <count>        concurrent HTTP clients (default 10)
  --pace <req/s>           requests per second per client in the latency phases (default 10)
  --busy <count>           containers that burn a little CPU (default 3)
  --sources <list>         the agent's STATS_SOURCE for each of its runs per N, one run after
                           the other, each with its own quiet baseline: api, cgroup, auto
                           (default api,cgroup)
  --agent-env KEY=VALUE    extra environment for every agent run (repeatable), e.g.
                           MAX_STATS_STREAMS=100 (STATS_SOURCE is set by --sources)
  --create-concurrency <n> docker run calls in flight (default 8)
  --rounds <count>         rounds of /containers against a bare node:http server sending the
                           same bytes, each --saturation-duration per server (default 5)
  --only multi-host        one agent with 5 stand-in peers of 100 containers against the same
                           agent alone (bench/multi-host.ts: --seconds, --peers, --containers, --out)
  --only containers-vs-bare
                           measure only that comparison (containers default to 100), once
                           the agent has sampled every container; writes
                           ${CONTAINERS_VS_BARE_OUT} and its JSON unless --out says otherwise
                           (npm run bench:http)
  --out <file.md>          the report; the chart and raw JSON go beside it (default docs/benchmarks.md)
  --render-only <file.json> write the report and chart again from a run's raw JSON (after
                           editing the analysis or the renderer), measuring nothing; a JSON
                           from before --sources is read as one run per N with the source
                           it was started with (api when none was given); a JSON of
                           --only containers-vs-bare gives that report (name it with --out)`;

function parseSources(raw: string): StatsSourceSetting[] {
  const sources = raw.split(',').map((part) => part.trim());
  for (const source of sources) {
    if (!(STATS_SOURCES as readonly string[]).includes(source)) {
      throw new Error(`--sources takes ${STATS_SOURCES.join(', ')}; got ${JSON.stringify(source)}`);
    }
  }
  if (new Set(sources).size !== sources.length) throw new Error(`--sources names a source twice: ${raw}`);
  return sources as StatsSourceSetting[];
}

function positiveNumber(flag: string, raw: string | undefined): number {
  const value = Number((raw ?? '').replace(/s$/, ''));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = {
    containerCounts: [10, 100, 500],
    windowSeconds: 20,
    loadSeconds: 10,
    saturationSeconds: 5,
    agentWarmSeconds: 60,
    agentWarmMaxSeconds: 900,
    seedMaxSeconds: 60,
    clients: 10,
    pacePerClient: 10,
    busy: 3,
    sources: ['api', 'cgroup'],
    agentEnv: {},
    agentNodeFlags: [],
    createConcurrency: 8,
    only: null,
    rounds: 5,
    out: 'docs/benchmarks.md',
    renderOnly: null,
    help: false,
  };
  let countsGiven = false;
  let outGiven = false;
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index] ?? '';
    const value = (): string => {
      index += 1;
      const next = argv[index];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--containers':
        countsGiven = true;
        args.containerCounts = value().split(',').map((part) => Math.round(positiveNumber(flag, part)));
        break;
      case '--duration':
        args.windowSeconds = positiveNumber(flag, value());
        break;
      case '--load-duration':
        args.loadSeconds = positiveNumber(flag, value());
        break;
      case '--saturation-duration':
        args.saturationSeconds = positiveNumber(flag, value());
        break;
      case '--agent-warm':
        args.agentWarmSeconds = positiveNumber(flag, value());
        break;
      case '--agent-warm-max':
        args.agentWarmMaxSeconds = positiveNumber(flag, value());
        break;
      case '--seed-max':
        args.seedMaxSeconds = positiveNumber(flag, value());
        break;
      case '--clients':
        args.clients = Math.round(positiveNumber(flag, value()));
        break;
      case '--pace':
        args.pacePerClient = positiveNumber(flag, value());
        break;
      case '--busy':
        args.busy = Math.round(Number(value()));
        break;
      case '--sources':
        args.sources = parseSources(value());
        break;
      case '--agent-env': {
        const pair = value();
        const equals = pair.indexOf('=');
        if (equals <= 0) throw new Error(`--agent-env needs KEY=VALUE, got ${JSON.stringify(pair)}`);
        args.agentEnv[pair.slice(0, equals)] = pair.slice(equals + 1);
        break;
      }
      case '--create-concurrency':
        args.createConcurrency = Math.round(positiveNumber(flag, value()));
        break;
      case '--rounds':
        args.rounds = Math.round(positiveNumber(flag, value()));
        break;
      case '--only': {
        const only = value();
        if (!(ONLY_MEASURES as readonly string[]).includes(only)) throw new Error(`--only takes ${ONLY_MEASURES.join(', ')}; got ${JSON.stringify(only)}`);
        args.only = only as OnlyMeasure;
        break;
      }
      case '--out':
        outGiven = true;
        args.out = value();
        break;
      case '--render-only':
        args.renderOnly = value();
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new Error(`unknown flag ${JSON.stringify(flag)}\n${USAGE}`);
    }
  }
  if (args.only === 'containers-vs-bare') {
    if (!countsGiven) args.containerCounts = [100];
    if (!outGiven) args.out = CONTAINERS_VS_BARE_OUT;
  }
  const sorted = [...args.containerCounts].sort((a, b) => a - b);
  if (sorted.join() !== args.containerCounts.join()) throw new Error('--containers must be ascending (containers are added, never removed, between counts)');
  if (!Number.isInteger(args.busy) || args.busy < 0) throw new Error('--busy needs a count of 0 or more');
  // One run's source would otherwise be silently replaced by another's.
  if ('STATS_SOURCE' in args.agentEnv) throw new Error('--agent-env STATS_SOURCE=…: use --sources (each agent run gets its own)');
  return args;
}
