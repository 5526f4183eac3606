// The root cgroup's own files → the host's figures, which cAdvisor exports as a container
// with id="/" (dashboards such as Grafana 893 query container_memory_usage_bytes{id="/"}).
// Pure: texts in, numbers out. Read where cAdvisor reads them (google/cadvisor lib/container/raw/handler.go and
// lib/container/libcontainer/handler.go over opencontainers/cgroups fs and fs2):
// - v1: usage = cpuacct.usage; user/system = cpuacct.stat ticks × 1e9 / USER_HZ (the kernel
//   scales them to sum to cpuacct.usage); memory usage = memory.usage_in_bytes; rss, cache,
//   swap = memory.stat total_rss, total_cache, total_swap (rss, cache, swap without
//   use_hierarchy); working set = usage − total_inactive_file.
// - v2: the root has cpu.stat (Linux 5.8+) and memory.stat but no memory.current, so usage
//   = anon + file (fs2/memory.go rootStatsFromMeminfo), rss = anon, cache = file, swap =
//   SwapTotal − SwapFree from /proc/meminfo, working set = usage − inactive_file.
//   Where a kernel lacks root cpu.stat or memory.stat, /proc/stat and /proc/meminfo give
//   the same figures (the kernel derives root cpu.stat from /proc/stat's counters:
//   kernel/cgroup/rstat.c root_cgroup_cputime); cAdvisor exports zeros there instead.
// - network: HOST_PROC/1/net/dev, the host's namespace (HOST_PROC/net/dev would be this
//   process's own, a container's when the agent runs in one), less loopback and the
//   container-side devices cAdvisor leaves out (lo*, veth*, docker*, nerdctl*).

import type { NetworkStats } from '../docker/types.js';
import type { RootCgroupSample } from '../stats/host-sample.js';
import type { InterfaceCounters } from '../stats/types.js';
import { CLOCK_TICKS_PER_SECOND, KernelParseError, parseKeyedValues, parseNetDev, parseSingleValue } from './parse.js';

export type RootTexts =
  | {
      version: 1;
      cpuacctUsage: string;
      cpuacctStat: string;
      memoryUsage: string;
      memoryStat: string;
      /** memory.use_hierarchy; absent: hierarchical, as every kernel since 5.x is. */
      useHierarchy?: string;
      meminfo: string;
      netDev?: string;
    }
  | {
      version: 2;
      /** Absent before Linux 5.8: procStat is read instead. */
      cpuStat?: string;
      /** Absent on old kernels: meminfo is read instead. */
      memoryStat?: string;
      procStat?: string;
      meminfo: string;
      netDev?: string;
    };

const NS_PER_TICK = 1e9 / CLOCK_TICKS_PER_SECOND;
/** cAdvisor's ignoredDevicePrefixes (lib/container/libcontainer/handler.go), matched case-insensitively. */
const IGNORED_INTERFACE_PREFIXES = ['lo', 'veth', 'docker', 'nerdctl'] as const;

/** The root's figures from its files' texts. Pure; throws KernelParseError on a malformed file. */
export function buildRootSample(texts: RootTexts, readMs: number): RootCgroupSample {
  const meminfo = parseMeminfo(texts.meminfo);
  const memoryTotalBytes = meminfo['MemTotal'];
  if (memoryTotalBytes === undefined) throw new KernelParseError('meminfo has no MemTotal line');
  const cpu = texts.version === 1 ? cpuV1(texts.cpuacctUsage, texts.cpuacctStat) : cpuV2(texts.cpuStat, texts.procStat);
  const memory = texts.version === 1 ? memoryV1(texts) : memoryV2(texts.memoryStat, meminfo);
  return {
    readMs,
    ...cpu,
    ...memory,
    memoryTotalBytes,
    networkInterfaces: texts.netDev === undefined ? [] : hostInterfaces(texts.netDev),
  };
}

type CpuFigures = Pick<RootCgroupSample, 'cpuUsageNs' | 'cpuUserNs' | 'cpuSystemNs'>;
type MemoryFigures = Pick<
  RootCgroupSample,
  'memoryUsageBytes' | 'memoryWorkingSetBytes' | 'memoryRssBytes' | 'memoryCacheBytes' | 'memorySwapBytes'
>;

function cpuV1(usageText: string, statText: string): CpuFigures {
  const stat = parseKeyedValues(statText);
  return {
    cpuUsageNs: parseSingleValue(usageText),
    cpuUserNs: (stat['user'] ?? 0) * NS_PER_TICK,
    cpuSystemNs: (stat['system'] ?? 0) * NS_PER_TICK,
  };
}

function cpuV2(cpuStatText: string | undefined, procStatText: string | undefined): CpuFigures {
  if (cpuStatText !== undefined) {
    const stat = parseKeyedValues(cpuStatText);
    const usage = stat['usage_usec'];
    if (usage === undefined) throw new KernelParseError('cpu.stat has no usage_usec');
    return { cpuUsageNs: usage * 1000, cpuUserNs: (stat['user_usec'] ?? 0) * 1000, cpuSystemNs: (stat['system_usec'] ?? 0) * 1000 };
  }
  if (procStatText === undefined) throw new KernelParseError('neither cpu.stat nor /proc/stat was read');
  // root_cgroup_cputime: user = user + nice, system = system + irq + softirq (guest time
  // is in user already, steal and idle are nobody's).
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = procStatCpuTicks(procStatText);
  const userNs = (user + nice) * NS_PER_TICK;
  const systemNs = (system + irq + softirq) * NS_PER_TICK;
  return { cpuUsageNs: userNs + systemNs, cpuUserNs: userNs, cpuSystemNs: systemNs };
}

function memoryV1(texts: Extract<RootTexts, { version: 1 }>): MemoryFigures {
  const usage = parseSingleValue(texts.memoryUsage);
  const stat = parseKeyedValues(texts.memoryStat);
  // opencontainers/cgroups fs/memory.go: the total_* keys when use_hierarchy is 1.
  const hierarchical = texts.useHierarchy === undefined || parseSingleValue(texts.useHierarchy) === 1;
  const key = (name: string): string => (hierarchical ? `total_${name}` : name);
  const swap = stat[key('swap')];
  return {
    memoryUsageBytes: usage,
    memoryWorkingSetBytes: Math.max(0, usage - (stat['total_inactive_file'] ?? 0)),
    memoryRssBytes: stat[key('rss')] ?? 0,
    memoryCacheBytes: stat[key('cache')] ?? 0,
    // Without swap accounting (no memory.memsw.*) the kernel prints no swap key.
    memorySwapBytes: swap ?? null,
  };
}

function memoryV2(memoryStatText: string | undefined, meminfo: Record<string, number>): MemoryFigures {
  const swapTotal = meminfo['SwapTotal'] ?? 0;
  const swapBytes = Math.max(0, swapTotal - (meminfo['SwapFree'] ?? swapTotal));
  let anon: number;
  let file: number;
  let inactiveFile: number;
  if (memoryStatText !== undefined) {
    const stat = parseKeyedValues(memoryStatText);
    anon = stat['anon'] ?? 0;
    file = stat['file'] ?? 0;
    inactiveFile = stat['inactive_file'] ?? 0;
  } else {
    // The root memcg's anon and file are the kernel's NR_ANON_MAPPED and NR_FILE_PAGES,
    // which /proc/meminfo shows as AnonPages and Buffers + Cached + SwapCached.
    anon = meminfo['AnonPages'] ?? 0;
    file = (meminfo['Buffers'] ?? 0) + (meminfo['Cached'] ?? 0) + (meminfo['SwapCached'] ?? 0);
    inactiveFile = meminfo['Inactive(file)'] ?? 0;
  }
  const usage = anon + file;
  return {
    memoryUsageBytes: usage,
    memoryWorkingSetBytes: Math.max(0, usage - inactiveFile),
    memoryRssBytes: anon,
    memoryCacheBytes: file,
    memorySwapBytes: swapBytes,
  };
}

/**
 * /proc/meminfo (filesystems/proc.rst): `Key:   value kB` lines → bytes, lines without kB
 * as they are. A line of another shape is skipped: the kernel adds keys over time, and
 * the caller checks for the ones it needs.
 */
export function parseMeminfo(text: string): Record<string, number> {
  const values: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const match of text.matchAll(/^([^\s:]+):[ \t]+(\d{1,20})( kB)?[ \t]*$/gm)) {
    values[match[1] as string] = Number(match[2]) * (match[3] === undefined ? 1 : 1024);
  }
  return values;
}

/** The `cpu` line of /proc/stat in ticks: user nice system idle iowait irq softirq steal …. */
function procStatCpuTicks(text: string): number[] {
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '));
  const fields = line?.slice(4).trim().split(/\s+/).map(Number) ?? [];
  if (fields.length < 7 || fields.some((value) => !Number.isSafeInteger(value) || value < 0)) {
    throw new KernelParseError('/proc/stat has no cpu line of at least 7 counters');
  }
  return fields;
}

/** The host's interfaces as cAdvisor lists them for the root, sorted by name. */
export function hostInterfaces(netDev: string): InterfaceCounters[] {
  const interfaces: InterfaceCounters[] = [];
  for (const [name, counters] of parseNetDev(netDev)) {
    const lower = name.toLowerCase();
    if (IGNORED_INTERFACE_PREFIXES.some((prefix) => lower.startsWith(prefix))) continue;
    interfaces.push(interfaceCounters(name, counters));
  }
  return interfaces.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function interfaceCounters(name: string, stats: NetworkStats): InterfaceCounters {
  return {
    name,
    rxBytes: stats.rx_bytes ?? 0,
    rxPackets: stats.rx_packets ?? 0,
    rxErrors: stats.rx_errors ?? 0,
    rxDropped: stats.rx_dropped ?? 0,
    txBytes: stats.tx_bytes ?? 0,
    txPackets: stats.tx_packets ?? 0,
    txErrors: stats.tx_errors ?? 0,
    txDropped: stats.tx_dropped ?? 0,
  };
}
