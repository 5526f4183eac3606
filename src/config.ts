// Over 300 lines on purpose: most of it is the OPTIONS table itself, one entry per setting.
//
// Every setting is an environment variable and a flag, declared once in OPTIONS.
// Parsing, --help and docs/configuration.md's table are all generated from that one table, so
// they cannot disagree (the shape of dozzle's internal/support/cli/args.go).

import {
  GIB,
  HOUR_MS,
  SECOND_MS,
  parseAlertRules,
  parseAuthToken,
  parseDnsServer,
  parseNodeName,
  parsePeers,
  parseTokenFile,
  parseByteSize,
  parseDockerHost,
  parseDurationMs,
  parseIntInRange,
  parseLabelKeys,
  parseListenHost,
  parseLogDir,
  parseLogLevel,
  parsePort,
  parseHostMount,
  parseStatsSource,
  parseWebhookUrls,
  type AlertRuleName,
  type DockerEndpoint,
  type LogLevel,
  type PeerSpec,
  type StatsSourceMode,
} from './config-values.js';
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

export type { DockerEndpoint, LogLevel, PeerSpec, StatsSourceMode } from './config-values.js';

export interface Config {
  readonly port: number;
  /** Listen address; '' means all interfaces. */
  readonly host: string;
  readonly docker: DockerEndpoint;
  /** Absolute path. */
  readonly logDir: string;
  readonly logMaxBytes: number;
  /** Rotated log files kept beside the current one. */
  readonly logRetention: number;
  /** Every running container is logged at least this often, served or not; 0: only served rows. */
  readonly logIntervalMs: number;
  readonly logLevel: LogLevel;
  /** Samples kept per container. */
  readonly historySize: number;
  readonly relistIntervalMs: number;
  readonly dockerTimeoutMs: number;
  readonly statsStallMs: number;
  readonly maxStatsStreams: number;
  readonly reconnectMaxMs: number;
  /** Where numbers come from: the kernel where readable (auto), the kernel or a loud reason (cgroup), the Engine API (api). */
  readonly statsSource: StatsSourceMode;
  /** The host's /proc, as this process sees it. */
  readonly hostProc: string;
  /** The host's /sys/fs/cgroup, as this process sees it. */
  readonly hostCgroup: string;
  /** Shared secret for every endpoint but /healthz; '' turns access control off. Read from authTokenFile when that is set. */
  readonly authToken: string;
  /** Where the token was read from ('' when not from a file). */
  readonly authTokenFile: string;
  /** The other agents whose containers this one shows beside its own. */
  readonly peers: PeerSpec;
  /** This agent's host as the many-host page names it; '' means the machine's hostname. */
  readonly nodeName: string;
  /** How often each peer is asked for its containers; also each request's deadline. */
  readonly peerIntervalMs: number;
  /** DNS server asked for a dns: peer name; '' means the system's (/etc/resolv.conf). */
  readonly peerDnsServer: string;
  /** Open HTTP connections at once. */
  readonly maxConnections: number;
  /** Open HTTP connections from one remote address at once. */
  readonly maxConnectionsPerAddress: number;
  /** Docker label keys exported on /metrics as container_label_<key>; empty: none. */
  readonly metricsLabels: readonly string[];
  /** How often running containers' writable layers are sized (container_fs_usage_bytes); 0: never. */
  readonly fsUsageIntervalMs: number;
  /** Pages receiving live updates (Server-Sent Events) at once; more poll /table instead. */
  readonly maxLiveViewers: number;
  /** Webhook receivers of alerts, each optionally prefixed with its format (json:, slack:, ntfy:). */
  readonly alertWebhookUrls: readonly string[];
  /** A firing alert is notified again this often; 0: once. */
  readonly alertRepeatMs: number;
  /** Rules turned off for every container. */
  readonly alertsOff: readonly AlertRuleName[];
  readonly alertCpuPercent: number;
  readonly alertCpuForMs: number;
  readonly alertMemoryPercent: number;
  readonly alertMemoryForMs: number;
  readonly alertCrashLoopRestarts: number;
  readonly alertCrashLoopWindowMs: number;
  readonly alertStaleForMs: number;
  readonly alertDockerForMs: number;
}

export type LoadResult =
  | { readonly kind: 'run'; readonly config: Config }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version'; readonly text: string };

interface OptionSpec<T> {
  readonly env: string;
  readonly flag: `--${string}`;
  /** Placeholder for the value in --help, e.g. <port>. */
  readonly value: string;
  /** As a user would type it; parsed by `parse` like any other input. */
  readonly default: string;
  readonly describe: string;
  readonly parse: (raw: string, name: string) => T;
}

// Keyed by Config field so the compiler checks each field has exactly one option and
// that its parser returns the field's type. Key order is the order of --help.
const OPTIONS = {
  port: {
    env: 'PORT', flag: '--port', value: '<port>', default: '5000',
    describe: 'TCP port of the web page and API (1-65535).',
    parse: parsePort,
  },
  host: {
    env: 'HOST', flag: '--host', value: '<addr>', default: '',
    describe: 'Address to listen on: an IP address or hostname; empty means all interfaces.',
    parse: parseListenHost,
  },
  docker: {
    env: 'DOCKER_HOST', flag: '--docker-host', value: '<url>', default: 'unix:///var/run/docker.sock',
    describe:
      'Docker Engine API: unix:///absolute/path or tcp://host:port (port 2375 when omitted). ' +
      'Plain HTTP only: TLS (https://) and ssh:// are not supported yet.',
    parse: parseDockerHost,
  },
  logDir: {
    env: 'LOG_DIR', flag: '--log-dir', value: '<path>', default: './resource_logs',
    describe: 'Folder for the log files; a relative path is resolved against the working directory.',
    parse: parseLogDir,
  },
  logMaxBytes: {
    env: 'LOG_MAX_BYTES', flag: '--log-max-bytes', value: '<size>', default: '10MiB',
    describe: 'Size at which a log file is rotated: bytes, or K, M or G (all 1024-based); at least 4KiB.',
    parse: (raw, name) => parseByteSize(raw, name, { minBytes: 4096, maxBytes: 1024 * GIB }),
  },
  logRetention: {
    env: 'LOG_RETENTION', flag: '--log-retention', value: '<count>', default: '5',
    describe: 'Rotated log files kept; older ones are deleted (0-1000).',
    parse: (raw, name) => parseIntInRange(raw, name, { min: 0, max: 1000, what: 'file count' }),
  },
  logIntervalMs: {
    env: 'LOG_INTERVAL', flag: '--log-interval', value: '<duration>', default: '60s',
    describe:
      'Every running container is written to the stats log at least this often, whether or not anybody looks ' +
      '(served rows are logged once per sample as well); 0 turns it off (1s-24h, or 0).',
    parse: (raw, name) => (raw.trim() === '0' ? 0 : parseDurationMs(raw, name, { minMs: SECOND_MS, maxMs: 24 * HOUR_MS })),
  },
  logLevel: {
    env: 'LOG_LEVEL', flag: '--log-level', value: '<level>', default: 'info',
    describe: 'Least severe agent message logged: debug, info, warn or error.',
    parse: parseLogLevel,
  },
  historySize: {
    env: 'HISTORY_SIZE', flag: '--history-size', value: '<count>', default: '300',
    describe: 'Samples kept in memory per container (1-100000).',
    parse: (raw, name) => parseIntInRange(raw, name, { min: 1, max: 100_000, what: 'sample count' }),
  },
  relistIntervalMs: {
    env: 'RELIST_INTERVAL', flag: '--relist-interval', value: '<duration>', default: '30s',
    describe: 'How often the container list is re-read to heal missed events (1s-1h).',
    parse: (raw, name) => parseDurationMs(raw, name, { minMs: SECOND_MS, maxMs: HOUR_MS }),
  },
  dockerTimeoutMs: {
    env: 'DOCKER_TIMEOUT', flag: '--docker-timeout', value: '<duration>', default: '10s',
    describe: 'Deadline for a single non-streaming Docker request (100ms-1h).',
    parse: (raw, name) => parseDurationMs(raw, name, { minMs: 100, maxMs: HOUR_MS }),
  },
  statsStallMs: {
    env: 'STATS_STALL_TIMEOUT', flag: '--stats-stall-timeout', value: '<duration>', default: '15s',
    describe: 'A stats stream silent this long is reconnected (2s-1h).',
    // Docker sends a stats record about once a second: below 2s healthy streams would churn.
    parse: (raw, name) => parseDurationMs(raw, name, { minMs: 2 * SECOND_MS, maxMs: HOUR_MS }),
  },
  maxStatsStreams: {
    env: 'MAX_STATS_STREAMS', flag: '--max-stats-streams', value: '<count>', default: '1000',
    describe: 'Most stats streams held open to Docker at once; containers past it are read one-shot in rotation (1-100000).',
    parse: (raw, name) => parseIntInRange(raw, name, { min: 1, max: 100_000, what: 'stream count' }),
  },
  reconnectMaxMs: {
    env: 'RECONNECT_MAX_DELAY', flag: '--reconnect-max-delay', value: '<duration>', default: '30s',
    describe: 'Longest wait before reopening a failed stats stream: the cap of its exponential backoff (100ms-1h). ' +
      'An unreachable daemon is probed at least every 2s whatever this says.',
    parse: (raw, name) => parseDurationMs(raw, name, { minMs: 100, maxMs: HOUR_MS }),
  },
  statsSource: {
    env: 'STATS_SOURCE', flag: '--stats-source', value: '<source>', default: 'auto',
    describe:
      "Where container numbers come from. auto: each container's cgroup files and /proc/<pid>/net/dev where they can be read " +
      '(no cost to the daemon), else the Engine API stats stream. cgroup: the same, but says in the log, /healthz and the page ' +
      'why any container is not read from the kernel. api: the Engine API only.',
    parse: parseStatsSource,
  },
  hostProc: {
    env: 'HOST_PROC', flag: '--host-proc', value: '<path>', default: '/proc',
    describe: "The host's /proc as this process sees it; in a container mount it read-only: -v /proc:/host/proc:ro with HOST_PROC=/host/proc (the image sets it).",
    parse: parseHostMount,
  },
  hostCgroup: {
    env: 'HOST_CGROUP', flag: '--host-cgroup', value: '<path>', default: '/sys/fs/cgroup',
    describe:
      "The host's cgroup tree as this process sees it; in a container: -v /sys/fs/cgroup:/host/sys/fs/cgroup:ro with " +
      'HOST_CGROUP=/host/sys/fs/cgroup (the image sets it).',
    parse: parseHostMount,
  },
  authToken: {
    env: 'AUTH_TOKEN', flag: '--auth-token', value: '<secret>', default: '',
    describe:
      'Require this token on every endpoint but /healthz (Authorization: Bearer, or open /?token=... once in a browser). ' +
      'At least 16 characters, no spaces. Prefer the variable: a flag shows in the process list. Empty: no token.',
    parse: parseAuthToken,
  },
  authTokenFile: {
    env: 'AUTH_TOKEN_FILE', flag: '--auth-token-file', value: '<path>', default: '',
    describe:
      'Read the token from this file instead (a Docker or Swarm secret: /run/secrets/dockmon_token), so it never sits in ' +
      'an environment variable; one trailing newline is ignored. Set AUTH_TOKEN or AUTH_TOKEN_FILE, not both.',
    parse: parseTokenFile,
  },
  peers: {
    env: 'PEERS', flag: '--peers', value: '<peers>', default: '',
    describe:
      "Other dockmon agents whose containers this one shows beside its own (the page's host column, /containers?hosts=all). " +
      'dns:tasks.SERVICE[:PORT]: every address Swarm gives for the service, asked again every 5s, so nodes that join or leave ' +
      'come and go (port: this agent\'s PORT when omitted). Or comma-separated http://host:port origins. Peers are asked with ' +
      'the same AUTH_TOKEN, only for GET /containers. Empty: this host only.',
    parse: parsePeers,
  },
  nodeName: {
    env: 'NODE_NAME', flag: '--node-name', value: '<name>', default: '',
    describe:
      "This host's name in the host column and in /containers?hosts=all (in a Swarm stack: \"{{.Node.Hostname}}\"). " +
      "Empty: the machine's (container's) hostname.",
    parse: parseNodeName,
  },
  peerIntervalMs: {
    env: 'PEER_INTERVAL', flag: '--peer-interval', value: '<duration>', default: '2s',
    describe:
      'How often each peer is asked for its containers, in the background (never per request); an answer later than this ' +
      'counts as a failure and the peer is shown down (500ms-60s). A peer refusing the token is asked again every 60s.',
    parse: (raw, name) => parseDurationMs(raw, name, { minMs: 500, maxMs: 60 * SECOND_MS }),
  },
  peerDnsServer: {
    env: 'PEER_DNS_SERVER', flag: '--peer-dns-server', value: '<addr>', default: '',
    describe: "The DNS server asked for a dns: peer name, IP[:port]. Empty: the system's (in a Swarm task, Docker's own at 127.0.0.11).",
    parse: parseDnsServer,
  },
  maxConnections: {
    env: 'MAX_CONNECTIONS', flag: '--max-connections', value: '<count>', default: '256',
    describe:
      'Open HTTP connections at once (1-100000). When full, connections idle between requests or still sending ' +
      'their request head are closed, oldest first, to admit new ones; a new one is refused only when all are busy.',
    parse: (raw, name) => parseIntInRange(raw, name, { min: 1, max: 100_000, what: 'connection count' }),
  },
  maxConnectionsPerAddress: {
    env: 'MAX_CONNECTIONS_PER_ADDRESS', flag: '--max-connections-per-address', value: '<count>', default: '64',
    describe:
      'Open HTTP connections from one client address at once (1-100000), so one client cannot fill MAX_CONNECTIONS. ' +
      'Behind a reverse proxy all clients share the proxy\'s address: set it to MAX_CONNECTIONS there.',
    parse: (raw, name) => parseIntInRange(raw, name, { min: 1, max: 100_000, what: 'connection count' }),
  },
  metricsLabels: {
    env: 'METRICS_LABELS', flag: '--metrics-labels', value: '<keys>', default: '',
    describe:
      'Docker label keys to export on /metrics as container_label_KEY (other characters than letters, digits and _ become _), ' +
      'comma-separated, e.g. com.docker.compose.service. Empty: no Docker labels are exported.',
    parse: parseLabelKeys,
  },
  fsUsageIntervalMs: {
    env: 'FS_USAGE_INTERVAL', flag: '--fs-usage-interval', value: '<duration>', default: '5m',
    describe:
      "How often every running container's writable-layer size is read for container_fs_usage_bytes, with one " +
      'GET /containers/json?size=1: the daemon walks each writable layer to answer it (see docs/metrics.md for ' +
      'its cost); 0 turns it off (10s-24h, or 0).',
    parse: (raw, name) => (raw.trim() === '0' ? 0 : parseDurationMs(raw, name, { minMs: 10 * SECOND_MS, maxMs: 24 * HOUR_MS })),
  },
  maxLiveViewers: {
    env: 'MAX_LIVE_VIEWERS', flag: '--max-live-viewers', value: '<count>', default: '50',
    describe: 'Pages receiving live updates (Server-Sent Events) at once; more fall back to polling /table (1-10000).',
    parse: (raw, name) => parseIntInRange(raw, name, { min: 1, max: 10_000, what: 'viewer count' }),
  },
  alertWebhookUrls: {
    env: 'ALERT_WEBHOOK_URL', flag: '--alert-webhook-url', value: '<urls>', default: '',
    describe:
      'Where alerts are POSTed when they fire and resolve: comma-separated http(s) URLs. Each may start with its format: ' +
      'json: (the documented body, the default), slack: ({"text": ...}: Slack, Mattermost, Discord\'s /slack endpoint) ' +
      'or ntfy: (ntfy.sh topics); hooks.slack.com and ntfy.sh are recognised without it. Empty: alerts are only shown and logged.',
    parse: parseWebhookUrls,
  },
  alertRepeatMs: {
    env: 'ALERT_REPEAT', flag: '--alert-repeat', value: '<duration>', default: '4h',
    describe: 'A firing alert is sent again this often while it fires (1m-168h); 0 sends it once.',
    parse: (raw, name) => (raw.trim() === '0' ? 0 : parseDurationMs(raw, name, { minMs: 60 * SECOND_MS, maxMs: 7 * 24 * HOUR_MS })),
  },
  alertsOff: {
    env: 'ALERTS_OFF', flag: '--alerts-off', value: '<rules>', default: '',
    describe:
      'Alert rules turned off for every container, comma-separated: exited, oom_killed, crash_loop, unhealthy, cpu, memory, ' +
      'stale, docker_unreachable. A container label dockmon.alert.RULE=on|THRESHOLD turns one back on for that container.',
    parse: parseAlertRules,
  },
  alertCpuPercent: {
    env: 'ALERT_CPU_PERCENT', flag: '--alert-cpu-percent', value: '<percent>', default: '90',
    describe: "The cpu alert: CPU above this percent of the container's CPU limit (of all host CPUs when unlimited) (1-1000). Label: dockmon.alert.cpu=80.",
    parse: (raw, name) => parseIntInRange(raw, name, { min: 1, max: 1000, what: 'percentage' }),
  },
  alertCpuForMs: {
    env: 'ALERT_CPU_FOR', flag: '--alert-cpu-for', value: '<duration>', default: '5m',
    describe: 'How long CPU must stay above ALERT_CPU_PERCENT before the cpu alert fires (1s-24h).',
    parse: (raw, name) => parseDurationMs(raw, name, { minMs: SECOND_MS, maxMs: 24 * HOUR_MS }),
  },
  alertMemoryPercent: {
    env: 'ALERT_MEMORY_PERCENT', flag: '--alert-memory-percent', value: '<percent>', default: '90',
    describe: "The memory alert: memory (as docker stats shows it) above this percent of the container's limit (of host RAM when unlimited) (1-100). Label: dockmon.alert.memory=95.",
    parse: (raw, name) => parseIntInRange(raw, name, { min: 1, max: 100, what: 'percentage' }),
  },
  alertMemoryForMs: {
    env: 'ALERT_MEMORY_FOR', flag: '--alert-memory-for', value: '<duration>', default: '5m',
    describe: 'How long memory must stay above ALERT_MEMORY_PERCENT before the memory alert fires (1s-24h).',
    parse: (raw, name) => parseDurationMs(raw, name, { minMs: SECOND_MS, maxMs: 24 * HOUR_MS }),
  },
  alertCrashLoopRestarts: {
    env: 'ALERT_CRASH_LOOP_RESTARTS', flag: '--alert-crash-loop-restarts', value: '<count>', default: '3',
    describe: 'The crash_loop alert: this many restarts after a crash within ALERT_CRASH_LOOP_WINDOW (1-1000). Label: dockmon.alert.crash_loop=5.',
    parse: (raw, name) => parseIntInRange(raw, name, { min: 1, max: 1000, what: 'restart count' }),
  },
  alertCrashLoopWindowMs: {
    env: 'ALERT_CRASH_LOOP_WINDOW', flag: '--alert-crash-loop-window', value: '<duration>', default: '10m',
    describe: 'The window of the crash_loop alert (10s-24h); a loop resolves when the window holds fewer restarts.',
    parse: (raw, name) => parseDurationMs(raw, name, { minMs: 10 * SECOND_MS, maxMs: 24 * HOUR_MS }),
  },
  alertStaleForMs: {
    env: 'ALERT_STALE_FOR', flag: '--alert-stale-for', value: '<duration>', default: '60s',
    describe: 'The stale alert: a running container without a new sample this long while Docker answers (5s-24h). Label: dockmon.alert.stale=5m.',
    parse: (raw, name) => parseDurationMs(raw, name, { minMs: 5 * SECOND_MS, maxMs: 24 * HOUR_MS }),
  },
  alertDockerForMs: {
    env: 'ALERT_DOCKER_FOR', flag: '--alert-docker-for', value: '<duration>', default: '30s',
    describe: 'The docker_unreachable alert: Docker unreachable this long (1s-24h).',
    parse: (raw, name) => parseDurationMs(raw, name, { minMs: SECOND_MS, maxMs: 24 * HOUR_MS }),
  },
} as const satisfies { readonly [K in keyof Config]: OptionSpec<Config[K]> };

type Option = (typeof OPTIONS)[keyof Config];

function listOptions(): readonly (readonly [keyof Config, Option])[] {
  return (Object.keys(OPTIONS) as (keyof Config)[]).map((key) => [key, OPTIONS[key]] as const);
}

/** Flag values by flag name; the last occurrence of a repeated flag wins. */
function readFlags(argv: readonly string[]): ReadonlyMap<string, string> {
  const known = new Map(listOptions().map(([, option]) => [option.flag as string, option]));
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('-')) {
      const hint = 'settings are flags such as --port 5000 (see --help)';
      throw new ConfigError(`unexpected argument ${JSON.stringify(arg)}: ${hint}`);
    }
    const equals = arg.indexOf('=');
    const flag = equals === -1 ? arg : arg.slice(0, equals);
    const option = known.get(flag);
    if (option === undefined) {
      throw new ConfigError(`unknown option ${JSON.stringify(flag)}: see --help for the options`);
    }
    const next = argv[i + 1];
    if (equals !== -1) {
      values.set(flag, arg.slice(equals + 1));
    } else if (next === undefined || next.startsWith('-')) {
      throw new ConfigError(`option ${flag} needs a value: ${flag} ${option.value} or ${flag}=${option.value}`);
    } else {
      values.set(flag, next);
      i += 1;
    }
  }
  return values;
}

/**
 * Reads the settings: a flag wins over its environment variable, which wins over the
 * default; an empty variable counts as unset. `argv` is `process.argv.slice(2)`.
 * Throws a ConfigError with a one-line message for any unknown flag or bad value.
 */
export function loadConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  version = '0.0.0',
): LoadResult {
  if (argv.includes('-h') || argv.includes('--help')) return { kind: 'help', text: renderHelp() };
  if (argv.includes('--version')) return { kind: 'version', text: `dockmon ${version}` };
  const flags = readFlags(argv);
  const values: Partial<Record<keyof Config, unknown>> = {};
  for (const [key, option] of listOptions()) {
    const fromFlag = flags.get(option.flag);
    const fromEnv = env[option.env];
    if (fromFlag !== undefined) values[key] = option.parse(fromFlag, option.flag);
    else if (fromEnv !== undefined && fromEnv !== '') values[key] = option.parse(fromEnv, option.env);
    else values[key] = option.parse(option.default, `default of ${option.env}`);
  }
  if (values.authTokenFile !== '') values.authToken = readTokenFile(values.authTokenFile as string, values.authToken !== '');
  // Sound: OPTIONS is checked to hold exactly one parser per Config field.
  return { kind: 'run', config: Object.freeze(values as Config) };
}

/** The token in AUTH_TOKEN_FILE, checked like AUTH_TOKEN; one trailing newline (echo, an editor) is dropped. */
function readTokenFile(file: string, alsoGiven: boolean): string {
  if (alsoGiven) throw new ConfigError('AUTH_TOKEN and AUTH_TOKEN_FILE are both set: keep one (the file keeps the token out of the environment)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'it is not readable by this user' : code === 'EISDIR' ? 'it is a folder' : code;
    throw new ConfigError(`AUTH_TOKEN_FILE=${JSON.stringify(file)} cannot be read: ${why}`);
  }
  const token = text.replace(/\r?\n$/, '');
  if (token === '') throw new ConfigError(`AUTH_TOKEN_FILE=${JSON.stringify(file)} is empty: write the token into it (printf '%s' "$TOKEN" > FILE)`);
  return parseAuthToken(token, `the token in AUTH_TOKEN_FILE=${JSON.stringify(file)}`);
}

function displayDefault(option: Option): string {
  return option.default === '' ? 'empty' : option.default;
}

function wrap(text: string, indent: string, width = 80): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, indent + line].join('\n');
}

export function renderHelp(): string {
  const options = listOptions().map(([, option]) => ({ ...option, usage: `${option.flag} ${option.value}` }));
  const width = Math.max(...options.map(({ usage }) => usage.length));
  const lines = options.map(
    (option) =>
      `  ${option.usage.padEnd(width)}  ${option.env} (default: ${displayDefault(option)})\n` +
      wrap(option.describe, '      '),
  );
  return [
    'Usage: dockmon [options]',
    '',
    'Monitors the containers of a Docker host: a live web page, JSON and log files.',
    '',
    wrap(
      'Every setting is a flag and an environment variable; the flag wins. ' +
        'Write --flag value or --flag=value. An empty variable counts as unset. ' +
        'Durations are milliseconds or take an ms, s, m or h suffix (30s). ' +
        'Sizes are bytes or take a K, M or G suffix, all 1024-based (10MB = 10MiB = 10485760).',
      '',
    ),
    '',
    'Options:',
    ...lines,
    `  ${'-h, --help'.padEnd(width)}  Show this help and exit.`,
    `  ${'--version'.padEnd(width)}  Print the version and exit.`,
    '',
  ].join('\n');
}

function markdownCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The configuration table of docs/configuration.md, in Markdown. */
export function renderConfigTable(): string {
  const rows = listOptions().map(([, option]) => {
    const fallback = option.default === '' ? '*(empty)*' : `\`${option.default}\``;
    const cells = [`\`${option.env}\``, `\`${option.flag} ${option.value}\``, fallback, markdownCell(option.describe)];
    return `| ${cells.join(' | ')} |`;
  });
  return ['| Environment variable | Flag | Default | Meaning |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}
