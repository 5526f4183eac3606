// Over 300 lines on purpose: one small parser per kind of setting, each with its message;
// splitting them by topic would scatter the shared helpers (fail, isHostname).
//
// The value parsers behind config.ts's option table: each takes the raw text of one
// setting and its name, and returns the typed value or throws a ConfigError that
// names the setting, the value and what was expected.

import { isIP } from 'node:net';
import path from 'node:path';
import { ConfigError } from './errors.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export const SECOND_MS = 1000;
export const HOUR_MS = 3_600_000;
const KIB = 1024;
export const GIB = KIB ** 3;
/** Docker's conventional plain-HTTP port, also what the docker CLI assumes for tcp:// without TLS. */
const DOCKER_TCP_DEFAULT_PORT = 2375;

function fail(name: string, raw: string, what: string, expected: string): never {
  // JSON.stringify keeps the message on one line whatever the value holds.
  throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a valid ${what}: expected ${expected}`);
}

export function parseIntInRange(
  raw: string,
  name: string,
  bounds: { readonly min: number; readonly max: number; readonly what?: string },
): number {
  const text = raw.trim();
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    fail(name, raw, bounds.what ?? 'number', `an integer ${bounds.min}-${bounds.max}`);
  }
  return value;
}

export function parsePort(raw: string, name: string): number {
  return parseIntInRange(raw, name, { min: 1, max: 65535, what: 'port' });
}

function formatDurationMs(ms: number): string {
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % SECOND_MS === 0) return `${ms / SECOND_MS}s`;
  return `${ms}ms`;
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: SECOND_MS, m: 60_000, h: HOUR_MS };

/** A plain integer is milliseconds; otherwise an integer with an ms, s, m or h suffix. */
export function parseDurationMs(
  raw: string,
  name: string,
  bounds: { readonly minMs: number; readonly maxMs: number },
): number {
  const match = /^(\d+)\s*(ms|s|m|h)?$/i.exec(raw.trim());
  const factor = DURATION_UNIT_MS[(match?.[2] ?? 'ms').toLowerCase()];
  const value = match?.[1] !== undefined && factor !== undefined ? Number(match[1]) * factor : Number.NaN;
  if (!Number.isSafeInteger(value) || value < bounds.minMs || value > bounds.maxMs) {
    const range = `${formatDurationMs(bounds.minMs)}-${formatDurationMs(bounds.maxMs)}`;
    fail(name, raw, 'duration', `${range}, as milliseconds or with an ms, s, m or h suffix (e.g. 30s)`);
  }
  return value;
}

function formatBytes(bytes: number): string {
  if (bytes % GIB === 0) return `${bytes / GIB}GiB`;
  if (bytes % KIB ** 2 === 0) return `${bytes / KIB ** 2}MiB`;
  if (bytes % KIB === 0) return `${bytes / KIB}KiB`;
  return `${bytes}B`;
}

const SIZE_UNIT_BYTES: Readonly<Record<string, number>> = { b: 1, k: KIB, m: KIB ** 2, g: GIB };

/**
 * Bytes, or an integer with a K, KB, KiB, M, MB, MiB, G, GB or GiB suffix (any case).
 * All suffixes are 1024-based: a log size limit has no use for the SI/IEC distinction,
 * and treating "10MB" as 10 MiB is what an operator typing it almost always means.
 */
export function parseByteSize(
  raw: string,
  name: string,
  bounds: { readonly minBytes: number; readonly maxBytes: number },
): number {
  const match = /^(\d+)\s*(b|[kmg](?:i?b)?)?$/i.exec(raw.trim());
  const factor = SIZE_UNIT_BYTES[(match?.[2] ?? 'b').charAt(0).toLowerCase()];
  const value = match?.[1] !== undefined && factor !== undefined ? Number(match[1]) * factor : Number.NaN;
  if (!Number.isSafeInteger(value) || value < bounds.minBytes || value > bounds.maxBytes) {
    const range = `${formatBytes(bounds.minBytes)}-${formatBytes(bounds.maxBytes)}`;
    fail(name, raw, 'size', `${range}, as bytes or with a K, M or G suffix (all 1024-based, e.g. 10MiB)`);
  }
  return value;
}

// Underscores are not valid DNS but are common in Docker network aliases (compose v1
// names such as project_proxy_1), which Docker's embedded DNS resolves.
const HOSTNAME_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i;

function isHostname(text: string): boolean {
  return text.length <= 253 && text.split('.').every((label) => HOSTNAME_LABEL.test(label));
}

function rejectDockerHost(name: string, raw: string, reason: string): never {
  throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a supported Docker host: ${reason}`);
}

const DOCKER_HOST_FORMS = 'expected unix:///absolute/path/docker.sock or tcp://host:port';

/** unix:///abs/path or tcp://host[:port] (port 2375 when absent). TLS and ssh are refused with a reason. */
export function parseDockerHost(raw: string, name: string): DockerEndpoint {
  const text = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'unix') {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath.startsWith('/') || socketPath.includes('\0')) {
      const reason = 'the socket path must be absolute, e.g. unix:///var/run/docker.sock (three slashes)';
      rejectDockerHost(name, raw, reason);
    }
    return Object.freeze({ kind: 'unix', socketPath: path.posix.normalize(socketPath) });
  }
  if (scheme === 'tcp') return parseTcpDockerHost(text, name, raw);
  if (scheme === 'https') {
    const reason =
      'TLS is not supported yet; use tcp://host:port for a plain-HTTP daemon or socket proxy, ' +
      'or mount the socket and use unix://';
    rejectDockerHost(name, raw, reason);
  }
  if (scheme === 'http') {
    rejectDockerHost(name, raw, `write tcp://${text.slice('http://'.length)} for a plain-HTTP daemon`);
  }
  if (scheme === 'ssh') {
    const reason =
      'ssh:// is not supported; forward the socket (ssh -NL 2375:/var/run/docker.sock host) ' +
      'and use tcp://127.0.0.1:2375';
    rejectDockerHost(name, raw, reason);
  }
  if (scheme === 'npipe') rejectDockerHost(name, raw, 'Windows named pipes are not supported; ' + DOCKER_HOST_FORMS);
  if (scheme === undefined && text.startsWith('/')) {
    rejectDockerHost(name, raw, `a socket path needs the unix:// scheme: unix://${text}`);
  }
  return rejectDockerHost(name, raw, DOCKER_HOST_FORMS);
}

function parseTcpDockerHost(text: string, name: string, raw: string): DockerEndpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return rejectDockerHost(name, raw, `not a valid URL; ${DOCKER_HOST_FORMS}`);
  }
  const hasExtras = url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '';
  if (url.hostname === '' || hasExtras) {
    rejectDockerHost(name, raw, DOCKER_HOST_FORMS);
  }
  if (url.pathname !== '' && url.pathname !== '/') {
    rejectDockerHost(name, raw, `a path after host:port is not supported; ${DOCKER_HOST_FORMS}`);
  }
  // URL already refuses ports above 65535.
  const port = url.port === '' ? DOCKER_TCP_DEFAULT_PORT : Number(url.port);
  if (port === 0) rejectDockerHost(name, raw, 'the port must be 1-65535');
  // URL keeps IPv6 brackets (http.request wants the bare address) and, for a scheme it
  // does not know, neither lowercases nor checks the host name.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (isIP(host) === 0 && !isHostname(host)) {
    rejectDockerHost(name, raw, `${JSON.stringify(host)} is not a host name or IP address`);
  }
  return Object.freeze({ kind: 'tcp', host, port });
}

/** '' (off) or a secret of 16+ visible ASCII characters; the message never echoes it. */
export function parseAuthToken(raw: string, name: string): string {
  if (raw === '') return '';
  if (raw.length < 16 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new ConfigError(`${name} is not a usable token: expected at least 16 visible characters without spaces (the value is not shown)`);
  }
  return raw;
}

export function parseListenHost(raw: string, name: string): string {
  const text = raw.trim();
  const unbracketed = text.replace(/^\[(.*)\]$/, '$1');
  if (isIP(unbracketed) !== 0) return unbracketed;
  if (text === '' || isHostname(text)) return text;
  const expected = 'an IP address such as 0.0.0.0 or ::, a hostname, or empty for all interfaces';
  return fail(name, raw, 'listen address', expected);
}

export function parseLogLevel(raw: string, name: string): LogLevel {
  const text = raw.trim().toLowerCase();
  const level = LOG_LEVELS.find((candidate) => candidate === text);
  return level ?? fail(name, raw, 'log level', LOG_LEVELS.join(', '));
}

/**
 * Comma-separated Docker label keys, blanks around them ignored; none by default because
 * labels are a cardinality and secret leak (cAdvisor exports them all). Keys are opaque
 * strings to Docker, so only control characters are refused.
 */
export function parseLabelKeys(raw: string, name: string): readonly string[] {
  const keys = raw.split(',').map((key) => key.trim()).filter((key) => key !== '');
  for (const key of keys) {
    if (/[\u0000-\u001f\u007f]/.test(key) || key.length > 1024) {
      fail(name, raw, 'label key list', 'comma-separated Docker label keys such as com.docker.compose.service');
    }
  }
  return Object.freeze([...new Set(keys)]);
}

/** The built-in alert rules, for ALERTS_OFF. */
export const ALERT_RULE_NAMES = ['exited', 'oom_killed', 'crash_loop', 'unhealthy', 'cpu', 'memory', 'stale', 'docker_unreachable'] as const;
export type AlertRuleName = (typeof ALERT_RULE_NAMES)[number];

export function parseAlertRules(raw: string, name: string): readonly AlertRuleName[] {
  const rules = raw.split(',').map((rule) => rule.trim()).filter((rule) => rule !== '');
  for (const rule of rules) {
    if (!(ALERT_RULE_NAMES as readonly string[]).includes(rule)) fail(name, raw, 'list of alert rules', `comma-separated names among ${ALERT_RULE_NAMES.join(', ')}`);
  }
  return Object.freeze([...new Set(rules)] as AlertRuleName[]);
}

/**
 * ALERT_WEBHOOK_URL: comma-separated http(s) URLs, each optionally prefixed json:, slack:
 * or ntfy:. The error never repeats the value: a webhook URL is a secret (Slack's path is
 * the credential), so it says which entry is wrong, not what it holds.
 */
export function parseWebhookUrls(raw: string, name: string): readonly string[] {
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const url = entry.replace(/^(json|slack|ntfy):(?=https?:)/i, '');
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new ConfigError(
        `${name}: entry ${String(index + 1)} of ${String(entries.length)} is not an http:// or https:// URL ` +
          '(optionally prefixed json:, slack: or ntfy:); the value is not repeated here because it may hold a secret',
      );
    }
  });
  return Object.freeze(entries);
}

export function parseLogDir(raw: string, name: string): string {
  if (raw.trim() === '' || raw.includes('\0')) {
    fail(name, raw, 'folder', 'a folder path, absolute or relative to the working directory');
  }
  return path.resolve(raw);
}

export const STATS_SOURCES = ['auto', 'cgroup', 'api'] as const;
export type StatsSourceMode = (typeof STATS_SOURCES)[number];

export function parseStatsSource(raw: string, name: string): StatsSourceMode {
  const text = raw.trim().toLowerCase();
  const mode = STATS_SOURCES.find((candidate) => candidate === text);
  return mode ?? fail(name, raw, 'stats source', STATS_SOURCES.join(', '));
}

/** A folder the host's /proc or /sys/fs/cgroup is mounted on: absolute, no NUL. */
export function parseHostMount(raw: string, name: string): string {
  const text = raw.trim();
  if (!path.isAbsolute(text) || text.includes('\0')) fail(name, raw, 'folder', 'an absolute path such as /host/proc');
  const normal = path.normalize(text);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}

/**
 * Where a probe on this machine reaches an agent listening on `listen` (HOST): loopback
 * for all interfaces (empty, 0.0.0.0, ::), the address itself otherwise (an agent bound to
 * one interface does not answer on 127.0.0.1).
 */
export function probeAddressFor(listen: string): string {
  const host = listen.trim();
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host.replace(/^\[(.*)\]$/, '$1');
}

/** Where the other agents are: nowhere, Swarm's DNS answer for a name, or a fixed list. */
export type PeerSpec =
  | { readonly kind: 'none' }
  /** `dns:tasks.dockmon[:port]`: every address of the name, asked again every few seconds; port null: this agent's own PORT. */
  | { readonly kind: 'dns'; readonly name: string; readonly port: number | null }
  /** `http://host:port,...`: origins only (no path, query or credentials). */
  | { readonly kind: 'list'; readonly urls: readonly string[] };

const MAX_PEER_URLS = 64;

/** '' (none), `dns:NAME[:PORT]`, or comma-separated http(s)://host:port origins. */
export function parsePeers(raw: string, name: string): PeerSpec {
  const text = raw.trim();
  if (text === '') return Object.freeze({ kind: 'none' });
  if (/^dns:/i.test(text)) {
    const match = /^dns:([^:\s]+)(?::(\d{1,5}))?$/i.exec(text);
    const host = match?.[1] ?? '';
    const port = match?.[2] === undefined ? null : Number(match[2]);
    if (match === null || !isHostname(host) || (port !== null && (port < 1 || port > 65_535))) {
      return fail(name, raw, 'peer list', 'dns:NAME or dns:NAME:PORT, e.g. dns:tasks.dockmon (Swarm answers with every task of the service)');
    }
    return Object.freeze({ kind: 'dns', name: host.toLowerCase(), port });
  }
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length > MAX_PEER_URLS) throw new ConfigError(`${name}: ${entries.length} peers given, at most ${MAX_PEER_URLS}`);
  const urls = entries.map((entry, index) => {
    let url: URL | null = null;
    try {
      url = new URL(entry);
    } catch {
      url = null;
    }
    const problem =
      url === null ? 'is not a URL'
      : url.protocol !== 'http:' && url.protocol !== 'https:' ? 'is not http:// or https://'
      : url.username !== '' || url.password !== '' ? 'carries credentials (the token comes from AUTH_TOKEN)'
      : (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' ? 'has a path or query (give the origin only: http://host:port)'
      : null;
    if (url === null || problem !== null) {
      // An entry holding a secret (user:password@) is not repeated.
      const shown = entry.includes('@') ? '' : ` (${JSON.stringify(entry.slice(0, 100))})`;
      throw new ConfigError(`${name}: entry ${index + 1} of ${entries.length}${shown} ${problem ?? 'is not a URL'}`);
    }
    return url.origin;
  });
  return Object.freeze({ kind: 'list', urls: Object.freeze([...new Set(urls)]) });
}

/** What this agent calls its host on a many-host page: '' (the machine's hostname) or a short name. */
export function parseNodeName(raw: string, name: string): string {
  const text = raw.trim();
  if (text === '' || /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(text)) return text;
  return fail(name, raw, 'node name', '1-63 letters, digits, dots, dashes or underscores, starting with a letter or digit');
}

/** '' (the system's resolvers) or one DNS server: an IP address with an optional :port. */
export function parseDnsServer(raw: string, name: string): string {
  const text = raw.trim();
  if (text === '') return '';
  const match = /^\[?([^\]]+?)\]?(?::(\d{1,5}))?$/.exec(text);
  const address = match?.[1] ?? '';
  if (isIP(address) === 0 && isIP(text) === 0) return fail(name, raw, 'DNS server', 'an IP address, optionally with :port (127.0.0.11:53)');
  return text;
}

/** '' or the path of a file holding the token (a Docker/Swarm secret: /run/secrets/NAME). */
export function parseTokenFile(raw: string, name: string): string {
  const text = raw.trim();
  if (text === '') return '';
  if (text.includes('\0')) return fail(name, raw, 'file path', 'a file path');
  return path.resolve(text);
}
