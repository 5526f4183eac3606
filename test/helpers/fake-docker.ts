// A fake Docker Engine API on a temporary Unix socket, for integration tests of the
// Docker client and the sampler. This is undici's `test/node-test/unix.js` pattern: a
// plain node:http server listening on a socket path under os.tmpdir().
//
// It mimics the real daemon where our client can tell the difference (see
// /work/shared/docker-api-notes.md §2, §3, §4, §8): version prefix and the 400 for a
// too-new version, common headers, the list shape (SizeRw and SizeRootFs with size=1),
// stats streaming (chunked NDJSON, `precpu_stats` chained from the previous record and
// zero-valued in the first one, empty records for stopped containers, EOF on removal),
// and /events. The Engine API contract (test/contract/cases.ts) runs the same cases against
// this fake in `npm test` and against the real daemon in `npm run test:docker`: where they
// disagree, this file is what gets fixed. Integers above 2^53 (e.g. cgroup v1's
// hierarchical_memory_limit, events' timeNano) are written with their exact digits, as Go
// does, by keeping them as bigint in memory.
//
// Timers and clocks are captured at import time, so `vi.useFakeTimers()` in a test does
// not freeze the fake: it always runs on real time.

import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realDateNow = Date.now;
const RealDate = Date;
const hrtimeBigint = process.hrtime.bigint;
const WALL_BASE_NS = BigInt(realDateNow()) * 1_000_000n;
const HR_BASE_NS = hrtimeBigint();

type Timer = ReturnType<typeof setTimeout>;
type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------
// Public types

export type FakeContainerState = 'running' | 'paused' | 'exited';

export interface FakeContainer {
  /** 64 lowercase hex characters. */
  id: string;
  /** Without the leading '/'. */
  name: string;
  image: string;
  imageId: string;
  command: string;
  state: FakeContainerState;
  /** 'default' | 'host' | 'none' | 'container:<id>' | a network name. 'none' and 'host' drop `networks` from stats records. */
  networkMode: string;
  labels: Record<string, string>;
  /** Unix seconds. */
  created: number;
  /** Used in `Status` ("Exited (N) ...") and in the `die` event. */
  exitCode: number;
  /** Stats records to serve (raw daemon shape; bigint allowed for values above 2^53). */
  records: object[];
  /**
   * 'cycle' (default): loop over `records` forever, adding to the counters on each lap so
   * they keep increasing. 'once': serve `records` verbatim once; a stream then ends (EOF)
   * and `stream=false` keeps returning the last record.
   */
  playback: 'cycle' | 'once';
  /** Config.Env of inspect: tests plant a canary here that must never come out of the agent. */
  env: string[];
  /** HostConfig fields of inspect beyond NetworkMode (NanoCpus, Memory, PidsLimit, ...). */
  hostConfig: Record<string, unknown>;
  /** RestartCount of inspect. */
  restartCount: number;
  /** State.Pid of inspect while it runs (0 once exited), as the daemon's host numbers it. */
  pid: number;
  /**
   * State.Health.Status of inspect, and the "(healthy)" suffix of the list's Status; null
   * (default) for a container without a health check, whose inspect has no Health at all.
   */
  health: 'starting' | 'healthy' | 'unhealthy' | null;
  /**
   * Bytes of the writable layer, listed as SizeRw with `size=1` (left out when 0, as Go's
   * omitempty does); SizeRootFs adds `imageSizeBytes`.
   */
  sizeRw: number;
  imageSizeBytes: number;
}

export type FakeContainerInit = Partial<FakeContainer>;

export type Fault =
  /** Answer with this status; body defaults to {"message":"fake fault: HTTP <status>"}. */
  | { kind: 'status'; status: number; body?: string }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Send 200 and the headers, then nothing. */
  | { kind: 'hangAfterHeaders' }
  /** 200, Content-Type application/json, with this (non-JSON) body. */
  | { kind: 'garbage'; body: string }
  /** 200, then `body` a few bytes at a time, then end. */
  | { kind: 'drip'; body: string; bytesPerTick: number; tickMs: number }
  /** Destroy the socket without answering. */
  | { kind: 'reset' }
  /** Streams (stats stream=true, events) end after N records; other routes answer normally. */
  | { kind: 'closeAfter'; records: number }
  /** Answer normally, but only after `ms`. */
  | { kind: 'delay'; ms: number };

export interface RecordedRequest {
  method: string;
  /** As received, e.g. '/v1.41/containers/json?all=1'. */
  url: string;
  /** `url` without the query, e.g. '/v1.41/containers/json'. */
  path: string;
  /** `path` without the /vX.Y prefix, e.g. '/containers/json'. */
  route: string;
  /** The X.Y of the /vX.Y prefix, or null when unversioned. */
  version: string | null;
  /** Query parameters (last value wins for repeated keys). */
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** Date.now() (real clock) when the request arrived. */
  at: number;
}

export interface StartFakeDockerOptions {
  /** The daemon's maximum (and default) API version. Default '1.41' (Docker 20.10). */
  apiVersion?: string;
  /** Default '1.12'. */
  minApiVersion?: string;
  /** Default 50. */
  statsIntervalMs?: number;
  /** Listen here instead of a fresh temporary path: a "daemon restart" on the same socket. */
  socketPath?: string;
}

export interface FakeDocker {
  readonly socketPath: string;
  readonly apiVersion: string;
  readonly requests: RecordedRequest[];
  readonly containers: Map<string, FakeContainer>;
  /** How often stream=true sends a record; read before each record, so it may be changed at any time. */
  statsIntervalMs: number;
  addContainer(init?: FakeContainerInit): FakeContainer;
  /** Emits die (unless already exited) then destroy, and ends that container's stats streams (EOF). Throws on unknown id. */
  removeContainer(id: string): void;
  /** Changes state and emits pause / unpause / die / start like the daemon. Restarting resets the counters. */
  setState(id: string, state: FakeContainerState): void;
  /** Writes an event line (as given) to every open /events stream whose filters match; kept for `since` replay. */
  emitEvent(event: object): void;
  /** The next `times` requests whose route (path without /vX.Y) matches `pattern` get `behaviour`; forever when `times` is omitted. */
  fault(pattern: RegExp, behaviour: Fault, times?: number): void;
  clearFaults(): void;
  /** Open stats (stream=true) and /events responses. */
  openStreams(): number;
  /** Open client connections (sockets), idle keep-alive ones included. */
  openConnections(): number;
  /** Ends all streams, closes the server and its connections, removes the socket file. Idempotent. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// JSON with exact big integers

const BIG_MARK = '\u0000bigint:';

/** Parses JSON, turning integer literals above Number.MAX_SAFE_INTEGER into bigint. */
export function parseJsonLossless(text: string): unknown {
  const quoted = text.replace(/([:,[]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"\\u0000bigint:$2"');
  return JSON.parse(quoted, (_key, value: unknown) => {
    if (typeof value === 'string' && value.startsWith(BIG_MARK)) {
      const big = BigInt(value.slice(BIG_MARK.length));
      return big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER) ? big : Number(big);
    }
    return value;
  });
}

/** JSON.stringify that writes bigint values as bare integer literals. */
export function toJsonLossless(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? BIG_MARK + v.toString() : v));
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

// ---------------------------------------------------------------------------------------
// Fixtures

const FIXTURE_DIR = new URL('../fixtures/docker/cgroup-v1/', import.meta.url);

/** The complete JSON lines of a fixture in test/fixtures/docker/cgroup-v1 (a cut last line is skipped). */
export function readStatsFixture(fileName: string): Json[] {
  const text = fs.readFileSync(new URL(fileName, FIXTURE_DIR), 'utf8');
  const out: Json[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = parseJsonLossless(line);
      if (isJson(value)) out.push(value);
    } catch {
      // a record cut mid-way by the capture
    }
  }
  return out;
}

/**
 * The default `records`: the 7 records of stats-stream-traffic.ndjson, captured from a
 * container that burns CPU under --cpus 0.5 and sends to a peer, so CPU and network grow as
 * the daemon reported them. Block I/O is the one synthetic part: this host's cgroup v1 blkio
 * counters stay empty for overlayfs and volume writes alike (every capture here has `[]`), so
 * a fixed amount per record is added, in the v1 shape, for block I/O rates to be > 0.
 */
export function defaultStatsRecords(): Json[] {
  const records = readStatsFixture('stats-stream-traffic.ndjson');
  records.forEach((record, i) => {
    const blkio = record['blkio_stats'];
    if (isJson(blkio)) {
      const read = 40_960 + i * 16_384;
      const write = 81_920 + i * 32_768;
      blkio['io_service_bytes_recursive'] = blkioEntries(read, write);
      blkio['io_serviced_recursive'] = blkioEntries(10 + i * 4, 20 + i * 8);
    }
  });
  return records;
}

function blkioEntries(read: number, write: number): Json[] {
  return [
    { major: 8, minor: 0, op: 'Read', value: read },
    { major: 8, minor: 0, op: 'Write', value: write },
    { major: 8, minor: 0, op: 'Sync', value: write },
    { major: 8, minor: 0, op: 'Async', value: read },
    { major: 8, minor: 0, op: 'Discard', value: 0 },
    { major: 8, minor: 0, op: 'Total', value: read + write },
  ];
}

// ---------------------------------------------------------------------------------------
// Small helpers

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** Real wall-clock time in ns, strictly increasing across calls. */
function makeNsClock(): () => bigint {
  let last = 0n;
  return () => {
    let now = WALL_BASE_NS + (hrtimeBigint() - HR_BASE_NS);
    if (now <= last) now = last + 1n;
    last = now;
    return now;
  };
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Go's time.RFC3339Nano: nanoseconds with trailing zeros trimmed. */
function rfc3339Nano(ns: bigint): string {
  const base = new RealDate(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${frac === '' ? '' : `.${frac}`}Z`;
}

function zeroPrecpu(): Json {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Go's httputils.BoolValue: absent/''/0/no/false/none are false. */
function boolParam(query: URLSearchParams, key: string, fallback: boolean): boolean {
  const value = query.get(key);
  if (value === null) return fallback;
  return !['', '0', 'no', 'false', 'none'].includes(value.toLowerCase());
}

/** The keys `GET /containers/json` accepts in `filters` (moby v20.10.24 daemon/list.go). */
const LIST_FILTERS: ReadonlySet<string> = new Set([
  'ancestor', 'before', 'exited', 'id', 'isolation', 'label', 'name', 'status', 'health', 'since', 'volume', 'network',
  'is-task', 'publish', 'expose',
]);

/**
 * HostConfig of inspect: what Docker 20.10 reports for a container run without options
 * (PidsLimit null, RestartPolicy "no"), then the container's own settings. Like the daemon,
 * a memory limit without a swap limit gets MemorySwap = 2 × Memory.
 */
function inspectHostConfig(c: FakeContainer): Json {
  const merged: Json = {
    NetworkMode: c.networkMode,
    NanoCpus: 0,
    CpuQuota: 0,
    CpuPeriod: 0,
    CpuShares: 0,
    CpusetCpus: '',
    Memory: 0,
    MemoryReservation: 0,
    MemorySwap: 0,
    PidsLimit: null,
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    ...c.hostConfig,
  };
  const memory = num(merged['Memory']);
  if (memory > 0 && !('MemorySwap' in c.hostConfig)) merged['MemorySwap'] = memory * 2;
  return merged;
}

/** `filters` as JSON: {"k":["v"]} or {"k":{"v":true}}. */
function parseFilters(raw: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (raw === null || raw === '') return out;
  const parsed: unknown = JSON.parse(raw);
  if (!isJson(parsed)) throw new Error('filters must be a JSON object');
  for (const [key, value] of Object.entries(parsed)) {
    if (Array.isArray(value)) out.set(key, value.map(String));
    else if (isJson(value)) out.set(key, Object.keys(value).filter((k) => value[k] === true));
    else throw new Error(`bad value for filter ${key}`);
  }
  return out;
}

/** Seeded so that ids are the same on every run (handy for snapshots). */
function makeHexIds(): () => string {
  let seed = 0x2f6b_1d3a;
  const next = (): number => {
    seed = (seed + 0x6d2b_79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => {
    let hex = '';
    while (hex.length < 64) hex += next().toString(16).padStart(8, '0');
    return hex;
  };
}

/** docker's units.HumanDuration, simplified. */
function humanDuration(seconds: number): string {
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${Math.floor(seconds)} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}

// Counters that only grow; on each lap of a cycled tape they are shifted by one lap's growth.
const COUNTER_PATH =
  /^(cpu_stats\.cpu_usage\.(total_usage|usage_in_kernelmode|usage_in_usermode|percpu_usage\.\d+)|cpu_stats\.system_cpu_usage|cpu_stats\.throttling_data\.\w+|networks\.[^.]+\.\w+|blkio_stats\.(io_service_bytes_recursive|io_serviced_recursive)\.\d+\.value)$/;

type Leaf = number | bigint;
type LeafVisitor = (key: string, value: Leaf, set: (value: Leaf) => void) => void;

function walkLeaves(node: unknown, prefix: string, visit: LeafVisitor): void {
  if (Array.isArray(node)) {
    const arr: unknown[] = node;
    arr.forEach((child, i) => {
      const key = prefix === '' ? String(i) : `${prefix}.${i}`;
      if (typeof child === 'number' || typeof child === 'bigint') visit(key, child, (v) => (arr[i] = v));
      else walkLeaves(child, key, visit);
    });
  } else if (isJson(node)) {
    for (const [k, child] of Object.entries(node)) {
      const key = prefix === '' ? k : `${prefix}.${k}`;
      if (typeof child === 'number' || typeof child === 'bigint') visit(key, child, (v) => (node[k] = v));
      else walkLeaves(child, key, visit);
    }
  }
}

function counterLeaves(record: unknown): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  walkLeaves(record, '', (key, value) => {
    if (COUNTER_PATH.test(key)) out.set(key, value);
  });
  return out;
}

/** One lap's growth per counter: last − first plus one average step, so the wrap is not flat. */
function lapIncrements(records: readonly object[]): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || last === undefined || records.length < 2) return out;
  const lastLeaves = counterLeaves(last);
  for (const [key, a] of counterLeaves(first)) {
    const b = lastLeaves.get(key);
    if (b === undefined) continue;
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      const span = BigInt(b) - BigInt(a);
      if (span > 0n) out.set(key, span + span / BigInt(records.length - 1));
    } else {
      const span = b - a;
      if (span > 0) out.set(key, Math.round(span + span / (records.length - 1)));
    }
  }
  return out;
}

function shiftCounters(record: Json, increments: Map<string, Leaf>, laps: number): void {
  walkLeaves(record, '', (key, value, set) => {
    const inc = increments.get(key);
    if (inc === undefined) return;
    if (typeof value === 'bigint' || typeof inc === 'bigint') set(BigInt(value) + BigInt(inc) * BigInt(laps));
    else set(value + inc * laps);
  });
}

// ---------------------------------------------------------------------------------------
// The fake

interface Tape {
  source: object[];
  index: number;
  lap: number;
  increments: Map<string, Leaf>;
  last: Json | undefined;
}

interface OpenStream {
  kind: 'stats' | 'events';
  containerId: string | null;
  end(): void;
  /** events only: write the event if the stream's filters match it. */
  offer?: (event: Json) => void;
}

interface Previous {
  read: unknown;
  cpu: unknown;
}

interface Rule {
  pattern: RegExp;
  fault: Fault;
  remaining: number | null;
}

type Lookup = { container: FakeContainer } | { status: number; message: string };

export async function startFakeDocker(options: StartFakeDockerOptions = {}): Promise<FakeDocker> {
  const apiVersion = options.apiVersion ?? '1.41';
  const minApiVersion = options.minApiVersion ?? '1.12';
  const socketPath = options.socketPath ?? path.join(
    os.tmpdir(),
    `dockmon-fake-${process.pid}-${realDateNow().toString(36)}-${Math.random().toString(36).slice(2, 10)}.sock`,
  );
  const defaultRecords = defaultStatsRecords();
  const emptyTemplate = readStatsFixture('stats-oneshot-stopped.json')[0] ?? {};
  const nowNs = makeNsClock();
  const nextId = makeHexIds();
  const modernEvents = compareVersions(apiVersion, '1.52') >= 0;

  const requests: RecordedRequest[] = [];
  const containers = new Map<string, FakeContainer>();
  const tapes = new WeakMap<FakeContainer, Tape>();
  /** State.StartedAt / FinishedAt of inspect, as the daemon keeps them per container. */
  const runTimes = new WeakMap<FakeContainer, { startedAt: string; finishedAt: string }>();
  const streams = new Set<OpenStream>();
  const timers = new Set<Timer>();
  const sockets = new Set<Socket>();
  const eventLog: Json[] = [];
  let rules: Rule[] = [];
  let closed = false;
  let nameSeq = 0;

  const later = (ms: number, fn: () => void): Timer => {
    const t = realSetTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const cancel = (t: Timer | undefined): void => {
    if (t === undefined) return;
    realClearTimeout(t);
    timers.delete(t);
  };

  // -- stats samples ------------------------------------------------------------------

  /** The next raw record of a container's tape; null when a 'once' tape is used up. Paused → same as last. */
  const sample = (c: FakeContainer): Json | null => {
    let tape = tapes.get(c);
    if (tape === undefined || tape.source !== c.records) {
      tape = { source: c.records, index: 0, lap: 0, increments: lapIncrements(c.records), last: undefined };
      tapes.set(c, tape);
    }
    if (c.state === 'paused' && tape.last !== undefined) return structuredClone(tape.last);
    if (tape.index >= tape.source.length) {
      if (c.playback === 'once' || tape.source.length === 0) return null;
      tape.index = 0;
      tape.lap++;
    }
    const raw = tape.source[tape.index++];
    const record: Json = isJson(raw) ? structuredClone(raw) : {};
    if (tape.lap > 0) shiftCounters(record, tape.increments, tape.lap);
    tape.last = record;
    return structuredClone(record);
  };

  const lastSample = (c: FakeContainer): Json | null => {
    const last = tapes.get(c)?.last;
    return last === undefined ? null : structuredClone(last);
  };

  const emptyRecord = (): Json => structuredClone(emptyTemplate);

  /** Fills in what the daemon sets per request: times, precpu chaining, id, name. */
  const decorate = (record: Json, c: FakeContainer, prev: Previous | undefined, isEmpty: boolean): Json => {
    if (!isEmpty) record['read'] = rfc3339Nano(nowNs());
    record['preread'] = prev?.read ?? ZERO_TIME;
    record['precpu_stats'] = prev === undefined ? zeroPrecpu() : structuredClone(prev.cpu);
    if (c.networkMode === 'none' || c.networkMode === 'host') delete record['networks'];
    record['name'] = `/${c.name}`;
    record['id'] = c.id;
    if (modernEvents) record['os_type'] = 'linux';
    return record;
  };

  // -- events -------------------------------------------------------------------------

  const containerEvent = (c: FakeContainer, action: string, extra: Record<string, string> = {}): Json => {
    const ns = nowNs();
    const merged: Record<string, string> = { ...c.labels, image: c.image, name: c.name, ...extra };
    const attributes = Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]]));
    const legacy = modernEvents ? {} : { status: action, id: c.id, from: c.image };
    return {
      ...legacy,
      Type: 'container',
      Action: action,
      Actor: { ID: c.id, Attributes: attributes },
      scope: 'local',
      time: Number(ns / 1_000_000_000n),
      timeNano: ns,
    };
  };

  const emitEvent = (event: object): void => {
    const e: Json = isJson(event) ? event : {};
    eventLog.push(e);
    if (eventLog.length > 256) eventLog.shift();
    for (const s of [...streams]) s.offer?.(e);
  };

  const eventSeconds = (e: Json): number => {
    const nano = e['timeNano'];
    if (typeof nano === 'bigint' || typeof nano === 'number') return Number(nano) / 1e9;
    return num(e['time']);
  };

  const parseTimeParam = (value: string | null): number | null => {
    if (value === null || value === '') return null;
    const n = Number(value);
    if (Number.isFinite(n)) return n;
    const ms = RealDate.parse(value);
    return Number.isNaN(ms) ? null : ms / 1000;
  };

  const eventMatches = (e: Json, filters: Map<string, string[]>): boolean => {
    const actor = isJson(e['Actor']) ? e['Actor'] : {};
    const attrs = isJson(actor['Attributes']) ? actor['Attributes'] : {};
    const action = String(e['Action'] ?? '');
    for (const [key, wanted] of filters) {
      if (wanted.length === 0) continue;
      if (key === 'type' && !wanted.includes(String(e['Type'] ?? ''))) return false;
      if (key === 'event' && !wanted.some((w) => action === w || action.startsWith(`${w}:`))) return false;
      if (key === 'container') {
        const id = String(actor['ID'] ?? '');
        if (!wanted.some((w) => id.startsWith(w) || attrs['name'] === w.replace(/^\//, ''))) return false;
      }
      if (key === 'image' && !wanted.includes(String(attrs['image'] ?? ''))) return false;
      if (key === 'label') {
        const ok = wanted.every((w) => {
          const eq = w.indexOf('=');
          return eq === -1 ? w in attrs : attrs[w.slice(0, eq)] === w.slice(eq + 1);
        });
        if (!ok) return false;
      }
    }
    return true;
  };

  // -- containers ---------------------------------------------------------------------

  const lookup = (ref: string): Lookup => {
    const exact = containers.get(ref);
    if (exact !== undefined) return { container: exact };
    const bare = ref.replace(/^\//, '');
    for (const c of containers.values()) if (c.name === bare) return { container: c };
    const byPrefix = [...containers.values()].filter((c) => ref !== '' && c.id.startsWith(ref));
    const only = byPrefix[0];
    if (byPrefix.length === 1 && only !== undefined) return { container: only };
    if (byPrefix.length > 1) return { status: 400, message: `multiple IDs found with provided prefix: ${ref}` };
    return { status: 404, message: `No such container: ${ref}` };
  };

  const statusText = (c: FakeContainer): string => {
    const age = humanDuration(Math.max(0, realDateNow() / 1000 - c.created));
    // moby container/state.go: "Up 5 seconds (healthy)", "(health: starting)" while starting.
    if (c.state === 'running' && c.health !== null) return `Up ${age} (${c.health === 'starting' ? 'health: starting' : c.health})`;
    if (c.state === 'running') return `Up ${age}`;
    if (c.state === 'paused') return `Up ${age} (Paused)`;
    return `Exited (${c.exitCode}) ${age} ago`;
  };

  const listEntry = (c: FakeContainer, withSize: boolean): Json => {
    const netName =
      c.networkMode === 'default' ? 'bridge' : c.networkMode.startsWith('container:') ? null : c.networkMode;
    const networks: Json = {};
    if (netName !== null) {
      networks[netName] = {
        IPAMConfig: null,
        Links: null,
        Aliases: null,
        NetworkID: '',
        EndpointID: '',
        Gateway: '',
        IPAddress: '',
        IPPrefixLen: 0,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        MacAddress: '',
        DriverOpts: null,
      };
    }
    // size=1: the daemon sizes the writable layer (moby daemon/list.go); SizeRw is omitempty.
    const sizes: Json = withSize ? { ...(c.sizeRw > 0 ? { SizeRw: c.sizeRw } : {}), SizeRootFs: c.sizeRw + c.imageSizeBytes } : {};
    return {
      Id: c.id,
      Names: [`/${c.name}`],
      Image: c.image,
      ImageID: c.imageId,
      Command: c.command,
      Created: c.created,
      Ports: [],
      Labels: c.labels,
      State: c.state,
      Status: statusText(c),
      HostConfig: { NetworkMode: c.networkMode },
      NetworkSettings: { Networks: networks },
      Mounts: [],
      ...sizes,
    };
  };

  const endStatsStreamsOf = (id: string): void => {
    for (const s of [...streams]) if (s.kind === 'stats' && s.containerId === id) s.end();
  };

  const addContainer = (init: FakeContainerInit = {}): FakeContainer => {
    nameSeq++;
    const c: FakeContainer = {
      id: init.id ?? nextId(),
      name: (init.name ?? `fake-${nameSeq}`).replace(/^\//, ''),
      image: init.image ?? 'dockmon-test-busybox',
      imageId: init.imageId ?? 'sha256:ad9f631e9bcca5856ba9be792a208136821909b6d191cf68be2f17188a6ddd83',
      command: init.command ?? 'sleep 100000',
      state: init.state ?? 'running',
      networkMode: init.networkMode ?? 'default',
      labels: init.labels ?? {},
      created: init.created ?? Math.floor(realDateNow() / 1000),
      exitCode: init.exitCode ?? 0,
      records: init.records ?? structuredClone(defaultRecords),
      playback: init.playback ?? 'cycle',
      env: init.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      hostConfig: init.hostConfig ?? {},
      restartCount: init.restartCount ?? 0,
      pid: init.pid ?? 40_000 + nameSeq,
      health: init.health ?? null,
      sizeRw: init.sizeRw ?? 0,
      imageSizeBytes: init.imageSizeBytes ?? 4_261_726,
    };
    containers.set(c.id, c);
    // An explicit `created` is a container started then (a test's old container); an exited
    // one was only created, so it never started or finished (Go's zero time for both).
    const startedAt = init.created !== undefined ? rfc3339Nano(BigInt(init.created) * 1_000_000_000n) : rfc3339Nano(nowNs());
    runTimes.set(c, { startedAt: c.state === 'exited' ? ZERO_TIME : startedAt, finishedAt: ZERO_TIME });
    emitEvent(containerEvent(c, c.state === 'exited' ? 'create' : 'start'));
    return c;
  };

  const mustGet = (id: string): FakeContainer => {
    const c = containers.get(id);
    if (c === undefined) throw new Error(`fake-docker: no container ${id}`);
    return c;
  };

  const removeContainer = (id: string): void => {
    const c = mustGet(id);
    if (c.state !== 'exited') emitEvent(containerEvent(c, 'die', { exitCode: String(c.exitCode) }));
    c.state = 'exited';
    containers.delete(id);
    emitEvent(containerEvent(c, 'destroy'));
    endStatsStreamsOf(id);
  };

  const setState = (id: string, state: FakeContainerState): void => {
    const c = mustGet(id);
    const from = c.state;
    if (from === state) return;
    c.state = state;
    const times = runTimes.get(c);
    if (state === 'exited') {
      if (times !== undefined) times.finishedAt = rfc3339Nano(nowNs());
      emitEvent(containerEvent(c, 'die', { exitCode: String(c.exitCode) }));
      return;
    }
    if (from === 'exited') {
      if (times !== undefined) times.startedAt = rfc3339Nano(nowNs());
      tapes.delete(c); // a new cgroup: counters start again from the first record
      emitEvent(containerEvent(c, 'start'));
      if (state === 'paused') emitEvent(containerEvent(c, 'pause'));
      return;
    }
    emitEvent(containerEvent(c, state === 'paused' ? 'pause' : 'unpause'));
  };

  // -- HTTP -------------------------------------------------------------------------

  const sendJson = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(`${toJsonLossless(body)}\n`);
  };
  const sendError = (res: http.ServerResponse, status: number, message: string): void => {
    sendJson(res, status, { message });
  };

  /**
   * The daemon's ways of refusing `filters`: JSON it cannot parse is a 500 with Go's decoder
   * message up to Docker 20.10 and a 400 "invalid filter: ..." from 23.0 (API 1.42; moby
   * v23.0.0 api/types/filters/parse.go); an unknown key of the list is a 400 "Invalid filter
   * 'key'" (daemon/list.go acceptedPsFilterTags). /events takes any key.
   */
  const parseFiltersOrAnswer = (
    res: http.ServerResponse,
    raw: string | null,
    accepted: ReadonlySet<string> | null,
  ): Map<string, string[]> | null => {
    let filters: Map<string, string[]>;
    try {
      filters = parseFilters(raw);
    } catch (err) {
      const message = (err as Error).message;
      if (compareVersions(apiVersion, '1.42') >= 0) sendError(res, 400, `invalid filter: ${message}`);
      else sendError(res, 500, message);
      return null;
    }
    const unknown = accepted === null ? undefined : [...filters.keys()].find((key) => !accepted.has(key));
    if (unknown !== undefined) {
      sendError(res, 400, `Invalid filter '${unknown}'`);
      return null;
    }
    return filters;
  };

  const trackStream = (res: http.ServerResponse, stream: OpenStream, cleanup: () => void): void => {
    streams.add(stream);
    res.on('close', () => {
      streams.delete(stream);
      cleanup();
    });
  };

  const handlePing = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const headers = {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
      // Swarm arrived with API 1.42; this daemon's Builder-Version is empty, so it is left out.
      ...(compareVersions(apiVersion, '1.42') >= 0 ? { Swarm: 'inactive' } : {}),
    };
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'Content-Length': '0' });
      res.end();
    } else {
      res.writeHead(200, headers);
      res.end('OK');
    }
  };

  const handleVersion = (res: http.ServerResponse): void => {
    sendJson(res, 200, {
      Platform: { Name: 'Docker Engine - Fake' },
      Version: 'fake',
      ApiVersion: apiVersion,
      MinAPIVersion: minApiVersion,
      GitCommit: 'fake',
      GoVersion: 'go1.0',
      Os: 'linux',
      Arch: 'amd64',
      KernelVersion: os.release(),
      BuildTime: '2026-11-25T00:00:00.000000000+00:00',
    });
  };

  const handleInfo = (res: http.ServerResponse): void => {
    const all = [...containers.values()];
    sendJson(res, 200, {
      ID: 'FAKE',
      Containers: all.length,
      ContainersRunning: all.filter((c) => c.state === 'running').length,
      ContainersPaused: all.filter((c) => c.state === 'paused').length,
      ContainersStopped: all.filter((c) => c.state === 'exited').length,
      Name: 'fake-docker',
      ServerVersion: 'fake',
      OSType: 'linux',
      OperatingSystem: 'Fake Linux',
      KernelVersion: os.release(),
      Architecture: 'x86_64',
      NCPU: 2,
      MemTotal: 25_276_502_016,
      CgroupDriver: 'cgroupfs',
      CgroupVersion: '1',
    });
  };

  /**
   * GET /containers/{id or name}/json: the parts of the real body that matter here, Env
   * included, with the defaults Docker 20.10 reports for a container started without options
   * (test/fixtures/docker/cgroup-v1/inspect-limits-*.json show a limited one).
   */
  const handleInspect = (res: http.ServerResponse, ref: string): void => {
    const c = containers.get(ref) ?? [...containers.values()].find((x) => x.name === ref.replace(/^\//, ''));
    if (c === undefined) {
      sendError(res, 404, `No such container: ${ref}`);
      return;
    }
    const times = runTimes.get(c) ?? { startedAt: ZERO_TIME, finishedAt: ZERO_TIME };
    const running = c.state !== 'exited';
    sendJson(res, 200, {
      Id: c.id,
      Created: rfc3339Nano(BigInt(c.created) * 1_000_000_000n),
      Path: 'sh',
      Args: [],
      State: {
        Status: c.state,
        Running: running,
        Paused: c.state === 'paused',
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: running ? c.pid : 0,
        ExitCode: running ? 0 : c.exitCode,
        Error: '',
        StartedAt: times.startedAt,
        FinishedAt: times.finishedAt,
        ...(c.health === null ? {} : { Health: { Status: c.health, FailingStreak: 0, Log: [] } }),
      },
      Image: c.imageId,
      Name: `/${c.name}`,
      RestartCount: c.restartCount,
      HostConfig: inspectHostConfig(c),
      Config: { Image: c.image, Env: c.env, Labels: c.labels, Cmd: c.command.split(' ') },
    });
  };

  const handleList = (res: http.ServerResponse, query: URLSearchParams): void => {
    const filters = parseFiltersOrAnswer(res, query.get('filters'), LIST_FILTERS);
    if (filters === null) return;
    const status = filters.get('status') ?? [];
    const all = boolParam(query, 'all', false) || status.length > 0;
    const ids = filters.get('id') ?? [];
    const names = filters.get('name') ?? [];
    const labels = filters.get('label') ?? [];
    const list = [...containers.values()]
      .reverse()
      .sort((a, b) => b.created - a.created)
      .filter((c) => all || c.state !== 'exited')
      .filter((c) => status.length === 0 || status.includes(c.state))
      .filter((c) => ids.length === 0 || ids.some((id) => c.id.startsWith(id)))
      .filter((c) => names.length === 0 || names.some((n) => c.name.includes(n.replace(/^\//, ''))))
      .filter((c) =>
        labels.every((l) => {
          const eq = l.indexOf('=');
          return eq === -1 ? l in c.labels : c.labels[l.slice(0, eq)] === l.slice(eq + 1);
        }),
      )
      .map((c) => listEntry(c, boolParam(query, 'size', false)));
    sendJson(res, 200, list);
  };

  const handleStats = (
    res: http.ServerResponse,
    ref: string,
    query: URLSearchParams,
    version: string,
    limit: number | null,
  ): void => {
    const stream = boolParam(query, 'stream', true);
    const oneShot = compareVersions(version, '1.41') >= 0 && boolParam(query, 'one-shot', false);
    if (stream && oneShot && !modernEvents) {
      sendError(res, 400, 'cannot have stream=true and one-shot=true');
      return;
    }
    const found = lookup(ref);
    if (!('container' in found)) {
      sendError(res, found.status, found.message);
      return;
    }
    const c = found.container;
    if (!stream) {
      if (c.state === 'exited') {
        sendJson(res, 200, decorate(emptyRecord(), c, undefined, true));
      } else if (oneShot) {
        sendJson(res, 200, decorate(sample(c) ?? lastSample(c) ?? emptyRecord(), c, undefined, false));
      } else {
        // The daemon discards the first sample and answers with the second, one tick later.
        const first = sample(c) ?? lastSample(c) ?? emptyRecord();
        const prev: Previous = { read: rfc3339Nano(nowNs()), cpu: first['cpu_stats'] };
        const t = later(fake.statsIntervalMs, () => {
          const current = containers.get(c.id) ?? c;
          if (current.state === 'exited') sendJson(res, 200, decorate(emptyRecord(), current, undefined, true));
          else sendJson(res, 200, decorate(sample(current) ?? lastSample(current) ?? first, current, prev, false));
        });
        res.on('close', () => cancel(t));
      }
      return;
    }

    // The daemon sets no Content-Type on a stats stream (only stream=false is application/json).
    res.writeHead(200);
    res.flushHeaders();
    let prev: Previous | undefined;
    let sent = 0;
    let timer: Timer | undefined;
    const handle: OpenStream = {
      kind: 'stats',
      containerId: c.id,
      end: () => {
        cancel(timer);
        streams.delete(handle);
        res.end();
      },
    };
    const tick = (): void => {
      timer = undefined;
      const current = containers.get(c.id);
      if (current === undefined) return handle.end(); // removed: EOF
      let record: Json;
      if (current.state === 'exited') {
        record = decorate(emptyRecord(), current, prev, true);
      } else {
        const raw = sample(current);
        if (raw === null) return handle.end(); // a 'once' tape is used up
        record = decorate(raw, current, prev, false);
      }
      res.write(`${toJsonLossless(record)}\n`);
      prev = { read: record['read'], cpu: record['cpu_stats'] };
      sent++;
      if (limit !== null && sent >= limit) return handle.end();
      timer = later(fake.statsIntervalMs, tick);
    };
    trackStream(res, handle, () => cancel(timer));
    tick();
  };

  const handleEvents = (res: http.ServerResponse, query: URLSearchParams, version: string, limit: number | null): void => {
    const filters = parseFiltersOrAnswer(res, query.get('filters'), null);
    if (filters === null) return;
    const since = parseTimeParam(query.get('since'));
    const until = parseTimeParam(query.get('until'));
    const jsonl = compareVersions(version, '1.52') >= 0;
    res.writeHead(200, { 'Content-Type': jsonl ? 'application/jsonl' : 'application/json' });
    res.flushHeaders();
    let sent = 0;
    let untilTimer: Timer | undefined;
    const handle: OpenStream = {
      kind: 'events',
      containerId: null,
      end: () => {
        cancel(untilTimer);
        streams.delete(handle);
        res.end();
      },
      offer: (e) => {
        if (!eventMatches(e, filters)) return;
        res.write(`${toJsonLossless(e)}\n`);
        sent++;
        if (limit !== null && sent >= limit) handle.end();
      },
    };
    trackStream(res, handle, () => cancel(untilTimer));
    if (since !== null) {
      for (const e of [...eventLog]) {
        const t = eventSeconds(e);
        if (t >= since && (until === null || t <= until) && streams.has(handle)) handle.offer?.(e);
      }
    }
    if (until !== null && streams.has(handle)) {
      const waitMs = until * 1000 - realDateNow();
      if (waitMs <= 0) handle.end();
      else untilTimer = later(waitMs, () => handle.end());
    }
  };

  const route = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    routePath: string,
    version: string,
    query: URLSearchParams,
    limit: number | null,
  ): void => {
    const method = req.method ?? 'GET';
    if (routePath === '/_ping' && (method === 'GET' || method === 'HEAD')) return handlePing(req, res);
    if (method === 'GET') {
      if (routePath === '/version') return handleVersion(res);
      if (routePath === '/info') return handleInfo(res);
      if (routePath === '/containers/json') return handleList(res, query);
      if (routePath === '/events') return handleEvents(res, query, version, limit);
      const inspect = /^\/containers\/([^/]+)\/json$/.exec(routePath);
      if (inspect?.[1] !== undefined) return handleInspect(res, inspect[1]);
      const stats = /^\/containers\/([^/]+)\/stats$/.exec(routePath);
      if (stats?.[1] !== undefined) {
        let ref = stats[1];
        try {
          ref = decodeURIComponent(ref);
        } catch {
          // keep it raw
        }
        return handleStats(res, ref, query, version, limit);
      }
    }
    sendError(res, 404, 'page not found');
  };

  const takeFault = (routePath: string): Fault | null => {
    for (const rule of rules) {
      if (rule.remaining === 0) continue;
      rule.pattern.lastIndex = 0;
      if (!rule.pattern.test(routePath)) continue;
      if (rule.remaining !== null) rule.remaining--;
      rules = rules.filter((r) => r.remaining !== 0);
      return rule.fault;
    }
    return null;
  };

  /** Returns true when the fault fully handles the request. */
  const applyFault = (req: http.IncomingMessage, res: http.ServerResponse, fault: Fault): boolean => {
    switch (fault.kind) {
      case 'status':
        res.writeHead(fault.status, { 'Content-Type': 'application/json' });
        res.end(fault.body ?? `${toJsonLossless({ message: `fake fault: HTTP ${fault.status}` })}\n`);
        return true;
      case 'hang':
        return true;
      case 'hangAfterHeaders':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        return true;
      case 'garbage':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(fault.body);
        return true;
      case 'drip': {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        const bytes = Buffer.from(fault.body, 'utf8');
        const step = Math.max(1, fault.bytesPerTick);
        let offset = 0;
        let timer: Timer | undefined;
        const drip = (): void => {
          if (res.destroyed) return;
          res.write(bytes.subarray(offset, offset + step));
          offset += step;
          if (offset >= bytes.length) res.end();
          else timer = later(fault.tickMs, drip);
        };
        res.on('close', () => cancel(timer));
        drip();
        return true;
      }
      case 'reset':
        req.socket.destroy();
        return true;
      case 'closeAfter':
      case 'delay':
        return false;
    }
  };

  const server = http.createServer((req, res) => {
    req.resume();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    const versioned = /^\/v([0-9.]+)(\/.*)?$/.exec(rawPath);
    const version = versioned?.[1] ?? null;
    const routePath = versioned === null ? rawPath : (versioned[2] ?? '');
    requests.push({
      method: req.method ?? '',
      url,
      path: rawPath,
      route: routePath,
      version,
      query: Object.fromEntries(query),
      headers: req.headers,
      at: realDateNow(),
    });

    res.setHeader('Api-Version', apiVersion);
    res.setHeader('Ostype', 'linux');
    res.setHeader('Server', 'Docker/fake (linux)');
    res.setHeader('Docker-Experimental', 'false');

    const fault = takeFault(routePath);
    if (fault !== null && applyFault(req, res, fault)) return;
    const limit = fault?.kind === 'closeAfter' ? fault.records : null;

    const answer = (): void => {
      if (version !== null && compareVersions(version, apiVersion) > 0) {
        sendError(res, 400, `client version ${version} is too new. Maximum supported API version is ${apiVersion}`);
      } else if (version !== null && compareVersions(version, minApiVersion) < 0) {
        sendError(
          res,
          400,
          `client version ${version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`,
        );
      } else {
        route(req, res, routePath, version ?? apiVersion, query, limit);
      }
    };
    if (fault?.kind === 'delay') {
      const t = later(fault.ms, answer);
      res.on('close', () => cancel(t));
    } else {
      answer();
    }
  });
  let onSocketClosed: (() => void) | null = null;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      onSocketClosed?.();
    });
  });

  fs.rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const fake: FakeDocker = {
    socketPath,
    apiVersion,
    requests,
    containers,
    statsIntervalMs: options.statsIntervalMs ?? 50,
    addContainer,
    removeContainer,
    setState,
    emitEvent,
    fault: (pattern, behaviour, times) => {
      rules.push({ pattern, fault: behaviour, remaining: times ?? null });
    },
    clearFaults: () => {
      rules = [];
    },
    openStreams: () => streams.size,
    openConnections: () => sockets.size,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const s of [...streams]) s.end();
      for (const t of [...timers]) cancel(t);
      await new Promise<void>((resolve) => {
        let serverClosed = false;
        // A client that does not hang up within 20 ms is cut off.
        const force = realSetTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 20);
        onSocketClosed = () => {
          if (!serverClosed || sockets.size > 0) return;
          realClearTimeout(force);
          resolve();
        };
        server.close(() => {
          serverClosed = true;
          onSocketClosed?.();
        });
        // After the streams' last chunk: a FIN, so clients see a clean EOF (hung requests a hang-up).
        for (const socket of sockets) socket.end();
      });
      fs.rmSync(socketPath, { force: true });
    },
  };
  return fake;
}
