import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Config, loadConfig, renderConfigTable, renderHelp } from './config.js';
import { parseByteSize, parseDockerHost, parseDurationMs, parseIntInRange, parsePort, probeAddressFor } from './config-values.js';
import { ConfigError } from './errors.js';

type Env = Record<string, string | undefined>;

// A Swarm secret as the agent finds it: a file holding the token, with the newline echo adds.
const TOKEN_FILE = path.join(mkdtempSync(path.join(os.tmpdir(), 'dockmon-config-')), 'dockmon_token');
writeFileSync(TOKEN_FILE, 'from-a-swarm-secret-0123\n');

function configOf(argv: readonly string[], env: Env = {}): Config {
  const result = loadConfig(argv, env);
  if (result.kind !== 'run') throw new Error(`expected a config, got ${result.kind}`);
  return result.config;
}

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

// [env, flag, default as shown] for every option: the contract the README documents.
const OPTIONS: readonly (readonly [string, string, string])[] = [
  ['PORT', '--port', '5000'],
  ['HOST', '--host', ''],
  ['DOCKER_HOST', '--docker-host', 'unix:///var/run/docker.sock'],
  ['LOG_DIR', '--log-dir', './resource_logs'],
  ['LOG_MAX_BYTES', '--log-max-bytes', '10MiB'],
  ['LOG_RETENTION', '--log-retention', '5'],
  ['LOG_INTERVAL', '--log-interval', '60s'],
  ['LOG_LEVEL', '--log-level', 'info'],
  ['HISTORY_SIZE', '--history-size', '300'],
  ['RELIST_INTERVAL', '--relist-interval', '30s'],
  ['DOCKER_TIMEOUT', '--docker-timeout', '10s'],
  ['STATS_STALL_TIMEOUT', '--stats-stall-timeout', '15s'],
  ['MAX_STATS_STREAMS', '--max-stats-streams', '1000'],
  ['RECONNECT_MAX_DELAY', '--reconnect-max-delay', '30s'],
  ['STATS_SOURCE', '--stats-source', 'auto'],
  ['HOST_PROC', '--host-proc', '/proc'],
  ['HOST_CGROUP', '--host-cgroup', '/sys/fs/cgroup'],
  ['AUTH_TOKEN', '--auth-token', ''],
  ['AUTH_TOKEN_FILE', '--auth-token-file', ''],
  ['PEERS', '--peers', ''],
  ['NODE_NAME', '--node-name', ''],
  ['PEER_INTERVAL', '--peer-interval', '2s'],
  ['PEER_DNS_SERVER', '--peer-dns-server', ''],
  ['MAX_CONNECTIONS', '--max-connections', '256'],
  ['MAX_CONNECTIONS_PER_ADDRESS', '--max-connections-per-address', '64'],
  ['METRICS_LABELS', '--metrics-labels', ''],
  ['FS_USAGE_INTERVAL', '--fs-usage-interval', '5m'],
  ['MAX_LIVE_VIEWERS', '--max-live-viewers', '50'],
  ['ALERT_WEBHOOK_URL', '--alert-webhook-url', ''],
  ['ALERT_REPEAT', '--alert-repeat', '4h'],
  ['ALERTS_OFF', '--alerts-off', ''],
  ['ALERT_CPU_PERCENT', '--alert-cpu-percent', '90'],
  ['ALERT_CPU_FOR', '--alert-cpu-for', '5m'],
  ['ALERT_MEMORY_PERCENT', '--alert-memory-percent', '90'],
  ['ALERT_MEMORY_FOR', '--alert-memory-for', '5m'],
  ['ALERT_CRASH_LOOP_RESTARTS', '--alert-crash-loop-restarts', '3'],
  ['ALERT_CRASH_LOOP_WINDOW', '--alert-crash-loop-window', '10m'],
  ['ALERT_STALE_FOR', '--alert-stale-for', '60s'],
  ['ALERT_DOCKER_FOR', '--alert-docker-for', '30s'],
];

// [env, flag, raw value, Config key, parsed value]: one valid non-default value per option.
const VALID: readonly (readonly [string, string, string, keyof Config, unknown])[] = [
  ['PORT', '--port', '8080', 'port', 8080],
  ['HOST', '--host', '127.0.0.1', 'host', '127.0.0.1'],
  ['DOCKER_HOST', '--docker-host', 'tcp://proxy:2375', 'docker', { kind: 'tcp', host: 'proxy', port: 2375 }],
  ['LOG_DIR', '--log-dir', '/var/log/dockmon', 'logDir', '/var/log/dockmon'],
  ['LOG_MAX_BYTES', '--log-max-bytes', '1M', 'logMaxBytes', 1_048_576],
  ['LOG_RETENTION', '--log-retention', '0', 'logRetention', 0],
  ['LOG_INTERVAL', '--log-interval', '0', 'logIntervalMs', 0],
  ['LOG_LEVEL', '--log-level', 'debug', 'logLevel', 'debug'],
  ['HISTORY_SIZE', '--history-size', '60', 'historySize', 60],
  ['RELIST_INTERVAL', '--relist-interval', '5m', 'relistIntervalMs', 300_000],
  ['DOCKER_TIMEOUT', '--docker-timeout', '250ms', 'dockerTimeoutMs', 250],
  ['STATS_STALL_TIMEOUT', '--stats-stall-timeout', '5s', 'statsStallMs', 5000],
  ['MAX_STATS_STREAMS', '--max-stats-streams', '50', 'maxStatsStreams', 50],
  ['RECONNECT_MAX_DELAY', '--reconnect-max-delay', '1m', 'reconnectMaxMs', 60_000],
  ['STATS_SOURCE', '--stats-source', 'CGROUP', 'statsSource', 'cgroup'],
  ['HOST_PROC', '--host-proc', '/host//proc/', 'hostProc', '/host/proc'],
  ['HOST_CGROUP', '--host-cgroup', '/host/sys/fs/cgroup', 'hostCgroup', '/host/sys/fs/cgroup'],
  ['AUTH_TOKEN', '--auth-token', 'correct-horse-battery-staple', 'authToken', 'correct-horse-battery-staple'],
  ['AUTH_TOKEN_FILE', '--auth-token-file', TOKEN_FILE, 'authTokenFile', TOKEN_FILE],
  ['PEERS', '--peers', 'dns:tasks.dockmon', 'peers', { kind: 'dns', name: 'tasks.dockmon', port: null }],
  ['NODE_NAME', '--node-name', 'node-1.example', 'nodeName', 'node-1.example'],
  ['PEER_INTERVAL', '--peer-interval', '500ms', 'peerIntervalMs', 500],
  ['PEER_DNS_SERVER', '--peer-dns-server', '127.0.0.11:53', 'peerDnsServer', '127.0.0.11:53'],
  ['MAX_CONNECTIONS', '--max-connections', '64', 'maxConnections', 64],
  ['MAX_CONNECTIONS_PER_ADDRESS', '--max-connections-per-address', '8', 'maxConnectionsPerAddress', 8],
  ['METRICS_LABELS', '--metrics-labels', 'com.docker.compose.service, team', 'metricsLabels', ['com.docker.compose.service', 'team']],
  ['FS_USAGE_INTERVAL', '--fs-usage-interval', '0', 'fsUsageIntervalMs', 0],
  ['MAX_LIVE_VIEWERS', '--max-live-viewers', '5', 'maxLiveViewers', 5],
  [
    'ALERT_WEBHOOK_URL',
    '--alert-webhook-url',
    'slack:https://hooks.example/services/X, http://127.0.0.1:9/hook',
    'alertWebhookUrls',
    ['slack:https://hooks.example/services/X', 'http://127.0.0.1:9/hook'],
  ],
  ['ALERT_REPEAT', '--alert-repeat', '0', 'alertRepeatMs', 0],
  ['ALERTS_OFF', '--alerts-off', 'cpu, stale', 'alertsOff', ['cpu', 'stale']],
  ['ALERT_CPU_PERCENT', '--alert-cpu-percent', '150', 'alertCpuPercent', 150],
  ['ALERT_CPU_FOR', '--alert-cpu-for', '30s', 'alertCpuForMs', 30_000],
  ['ALERT_MEMORY_PERCENT', '--alert-memory-percent', '80', 'alertMemoryPercent', 80],
  ['ALERT_MEMORY_FOR', '--alert-memory-for', '1m', 'alertMemoryForMs', 60_000],
  ['ALERT_CRASH_LOOP_RESTARTS', '--alert-crash-loop-restarts', '5', 'alertCrashLoopRestarts', 5],
  ['ALERT_CRASH_LOOP_WINDOW', '--alert-crash-loop-window', '1h', 'alertCrashLoopWindowMs', 3_600_000],
  ['ALERT_STALE_FOR', '--alert-stale-for', '2m', 'alertStaleForMs', 120_000],
  ['ALERT_DOCKER_FOR', '--alert-docker-for', '10s', 'alertDockerForMs', 10_000],
];

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(configOf([], {})).toEqual({
      port: 5000,
      host: '',
      docker: { kind: 'unix', socketPath: '/var/run/docker.sock' },
      logDir: path.resolve('resource_logs'),
      logMaxBytes: 10 * 1024 * 1024,
      logRetention: 5,
      logIntervalMs: 60_000,
      logLevel: 'info',
      historySize: 300,
      relistIntervalMs: 30_000,
      dockerTimeoutMs: 10_000,
      statsStallMs: 15_000,
      maxStatsStreams: 1000,
      reconnectMaxMs: 30_000,
      statsSource: 'auto',
      hostProc: '/proc',
      hostCgroup: '/sys/fs/cgroup',
      authToken: '',
      authTokenFile: '',
      peers: { kind: 'none' },
      nodeName: '',
      peerIntervalMs: 2_000,
      peerDnsServer: '',
      maxConnections: 256,
      maxConnectionsPerAddress: 64,
      metricsLabels: [],
      fsUsageIntervalMs: 300_000,
      maxLiveViewers: 50,
      alertWebhookUrls: [],
      alertRepeatMs: 4 * 3_600_000,
      alertsOff: [],
      alertCpuPercent: 90,
      alertCpuForMs: 300_000,
      alertMemoryPercent: 90,
      alertMemoryForMs: 300_000,
      alertCrashLoopRestarts: 3,
      alertCrashLoopWindowMs: 600_000,
      alertStaleForMs: 60_000,
      alertDockerForMs: 30_000,
    });
  });

  it('covers every option in these tables', () => {
    expect(Object.keys(configOf([])).sort()).toEqual(VALID.map(([, , , key]) => key).sort());
    expect(OPTIONS.map(([env]) => env)).toEqual(VALID.map(([env]) => env));
  });

  it.each(VALID)('honours %s', (env, _flag, raw, key, expected) => {
    expect(configOf([], { [env]: raw })[key]).toEqual(expected);
  });

  it.each(VALID)('treats an empty %s as unset', (env, _flag, _raw, key) => {
    expect(configOf([], { [env]: '' })[key]).toEqual(configOf([])[key]);
  });

  it.each(VALID)('lets %s be overridden by %s value', (env, flag, raw, key, expected) => {
    const envValue = OPTIONS.find(([name]) => name === env)?.[2] || 'localhost';
    expect(configOf([flag, raw], { [env]: envValue })[key]).toEqual(expected);
  });

  it.each(VALID)('accepts %s as %s=value', (_env, flag, raw, key, expected) => {
    expect(configOf([`${flag}=${raw}`])[key]).toEqual(expected);
  });

  it('takes the last of a repeated flag and reads several flags', () => {
    const config = configOf(['--port', '1', '--port=2', '--log-level', 'warn']);
    expect([config.port, config.logLevel]).toEqual([2, 'warn']);
  });

  it('accepts an empty value through --flag=', () => {
    expect(configOf(['--host='], { HOST: '::' }).host).toBe('');
  });

  it('returns frozen objects', () => {
    const config = configOf([], { DOCKER_HOST: 'tcp://10.0.0.1:2375' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.docker)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

// [env, flag, bad value, words the expectation must contain]
const INVALID: readonly (readonly [string, string, string, string])[] = [
  ['PORT', '--port', '70000', 'expected an integer 1-65535'],
  ['PORT', '--port', '0', 'expected an integer 1-65535'],
  ['PORT', '--port', '80.5', 'expected an integer 1-65535'],
  ['PORT', '--port', 'http', 'expected an integer 1-65535'],
  ['HOST', '--host', 'bad host!', 'expected an IP address'],
  ['HOST', '--host', '-leading-dash', 'expected an IP address'],
  ['DOCKER_HOST', '--docker-host', 'https://remote:2376', 'TLS is not supported yet'],
  ['DOCKER_HOST', '--docker-host', 'unix://docker.sock', 'must be absolute'],
  ['LOG_DIR', '--log-dir', ' ', 'expected a folder path'],
  ['LOG_MAX_BYTES', '--log-max-bytes', '4095', 'expected 4KiB-1024GiB'],
  ['LOG_MAX_BYTES', '--log-max-bytes', '10 TB', 'K, M or G suffix'],
  ['LOG_MAX_BYTES', '--log-max-bytes', '-1', 'expected 4KiB-1024GiB'],
  ['LOG_RETENTION', '--log-retention', '1001', 'expected an integer 0-1000'],
  ['LOG_INTERVAL', '--log-interval', '500ms', 'expected 1s-24h'],
  ['LOG_LEVEL', '--log-level', 'verbose', 'expected debug, info, warn, error'],
  ['HISTORY_SIZE', '--history-size', '0', 'expected an integer 1-100000'],
  ['RELIST_INTERVAL', '--relist-interval', '500ms', 'expected 1s-1h'],
  ['RELIST_INTERVAL', '--relist-interval', '2h', 'expected 1s-1h'],
  ['RELIST_INTERVAL', '--relist-interval', '1.5s', 'expected 1s-1h'],
  ['DOCKER_TIMEOUT', '--docker-timeout', '99', 'expected 100ms-1h'],
  ['STATS_STALL_TIMEOUT', '--stats-stall-timeout', '1s', 'expected 2s-1h'],
  ['MAX_STATS_STREAMS', '--max-stats-streams', '100001', 'expected an integer 1-100000'],
  ['RECONNECT_MAX_DELAY', '--reconnect-max-delay', 'soon', 'expected 100ms-1h'],
  ['STATS_SOURCE', '--stats-source', 'kernel', 'expected auto, cgroup, api'],
  ['HOST_PROC', '--host-proc', 'host/proc', 'expected an absolute path such as /host/proc'],
  ['HOST_CGROUP', '--host-cgroup', '/host\u0000', 'expected an absolute path'],
  ['MAX_LIVE_VIEWERS', '--max-live-viewers', '0', 'expected an integer 1-10000'],
  ['FS_USAGE_INTERVAL', '--fs-usage-interval', '5s', 'expected 10s-24h'],
  ['FS_USAGE_INTERVAL', '--fs-usage-interval', '25h', 'expected 10s-24h'],
  ['ALERTS_OFF', '--alerts-off', 'exited,disk', 'expected comma-separated names among exited'],
  ['ALERT_REPEAT', '--alert-repeat', '30s', 'expected 1m-168h'],
  ['ALERT_CPU_PERCENT', '--alert-cpu-percent', '0', 'expected an integer 1-1000'],
  ['ALERT_MEMORY_PERCENT', '--alert-memory-percent', '101', 'expected an integer 1-100'],
];

describe('bad values', () => {
  it.each(INVALID)('%s=%j names the variable, the value and the expectation', (env, _flag, bad, expected) => {
    const error = configErrorOf(() => loadConfig([], { [env]: bad }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(`${env}=${JSON.stringify(bad)}`);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain('\n');
  });

  it('refuses a webhook entry that is not http(s) without repeating it: the URL may be a secret', () => {
    const secret = 'ftp://user:s3cret@hooks.example/T000/B000/XXXX';
    const error = configErrorOf(() => loadConfig([], { ALERT_WEBHOOK_URL: `https://ok.example/hook,${secret}` }));
    expect(error.message).toContain('ALERT_WEBHOOK_URL: entry 2 of 2 is not an http:// or https:// URL');
    for (const part of ['s3cret', 'XXXX', 'hooks.example', 'ok.example']) expect(error.message).not.toContain(part);
  });

  it.each(INVALID)('%s as %s %j names the flag', (env, flag, bad, expected) => {
    const error = configErrorOf(() => loadConfig([`${flag}=${bad}`], { [env]: undefined }));
    expect(error.message).toContain(`${flag}=${JSON.stringify(bad)}`);
    expect(error.message).toContain(expected);
  });

  it('gives the example message from the brief', () => {
    expect(configErrorOf(() => loadConfig([], { PORT: '70000' })).message).toBe(
      'PORT="70000" is not a valid port: expected an integer 1-65535',
    );
  });

  it('keeps a value holding a newline on one line', () => {
    expect(configErrorOf(() => loadConfig([], { LOG_LEVEL: 'info\nx' })).message).toBe(
      'LOG_LEVEL="info\\nx" is not a valid log level: expected debug, info, warn, error',
    );
  });

  it.each([
    [['--bogus'], 'unknown option "--bogus"'],
    [['--bogus=1'], 'unknown option "--bogus"'],
    [['-p', '80'], 'unknown option "-p"'],
    [['5000'], 'unexpected argument "5000"'],
    [['--port'], 'option --port needs a value: --port <port> or --port=<port>'],
    [['--log-dir', '--port', '1'], 'option --log-dir needs a value'],
  ])('rejects argv %j', (argv, message) => {
    expect(configErrorOf(() => loadConfig(argv, {})).message).toContain(message);
  });
});

describe('help and version', () => {
  it.each([['-h'], ['--help']])('%s returns the help text', (flag) => {
    expect(loadConfig([flag], {})).toEqual({ kind: 'help', text: renderHelp() });
  });

  it('gives help even beside bad values', () => {
    expect(loadConfig(['--port', 'x', '--bogus', '--help'], { PORT: 'y' }).kind).toBe('help');
  });

  it('--version prints the version passed in, 0.0.0 otherwise', () => {
    expect(loadConfig(['--version'], {}, '1.2.3')).toEqual({ kind: 'version', text: 'dockmon 1.2.3' });
    expect(loadConfig(['--version'], {})).toEqual({ kind: 'version', text: 'dockmon 0.0.0' });
  });

  it.each(OPTIONS)('help lists %s, %s and its default', (env, flag, fallback) => {
    const line = renderHelp()
      .split('\n')
      .find((candidate) => candidate.trimStart().startsWith(`${flag} `));
    expect(line).toContain(` ${env} (default: ${fallback === '' ? 'empty' : fallback})`);
  });

  it('help explains units and precedence', () => {
    const help = renderHelp();
    for (const phrase of ['1024-based', 'ms, s, m or h', 'the flag wins', '--flag=value', '--version']) {
      expect(help).toContain(phrase);
    }
  });

  it('the Markdown table has a header and one row per option', () => {
    const lines = renderConfigTable().trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['| Environment variable | Flag | Default | Meaning |', '| --- | --- | --- | --- |']);
    expect(lines).toHaveLength(2 + OPTIONS.length);
    OPTIONS.forEach(([env, flag, fallback], index) => {
      const cells = (lines[index + 2] ?? '').split(' | ');
      expect(cells[0]).toBe(`| \`${env}\``);
      expect(cells[1]).toMatch(new RegExp(`^\`${flag} <[a-z]+>\`$`));
      expect(cells[2]).toBe(fallback === '' ? '*(empty)*' : `\`${fallback}\``);
    });
  });
});

describe('parseDockerHost', () => {
  it.each([
    ['unix:///var/run/docker.sock', { kind: 'unix', socketPath: '/var/run/docker.sock' }],
    ['unix:///run/user/1000//docker.sock', { kind: 'unix', socketPath: '/run/user/1000/docker.sock' }],
    ['tcp://127.0.0.1:2375', { kind: 'tcp', host: '127.0.0.1', port: 2375 }],
    ['tcp://docker-proxy:2375/', { kind: 'tcp', host: 'docker-proxy', port: 2375 }],
    ['TCP://Docker:8080', { kind: 'tcp', host: 'docker', port: 8080 }],
    ['tcp://docker', { kind: 'tcp', host: 'docker', port: 2375 }],
    ['tcp://project_proxy_1:2375', { kind: 'tcp', host: 'project_proxy_1', port: 2375 }],
    ['tcp://[::1]:2375', { kind: 'tcp', host: '::1', port: 2375 }],
  ])('accepts %s', (raw, expected) => {
    expect(parseDockerHost(raw, 'DOCKER_HOST')).toEqual(expected);
  });

  it.each([
    ['https://remote:2376', 'TLS is not supported yet'],
    ['http://remote:2375', 'write tcp://remote:2375 for a plain-HTTP daemon'],
    ['ssh://me@remote', 'ssh:// is not supported; forward the socket'],
    ['npipe:////./pipe/docker_engine', 'Windows named pipes are not supported'],
    ['unix://var/run/docker.sock', 'the socket path must be absolute'],
    ['/var/run/docker.sock', 'needs the unix:// scheme: unix:///var/run/docker.sock'],
    ['docker.sock', 'expected unix:///absolute/path/docker.sock or tcp://host:port'],
    ['tcp://:2375', 'expected unix:///absolute/path/docker.sock or tcp://host:port'],
    ['tcp://host:0', 'the port must be 1-65535'],
    ['tcp://host:70000', 'not a valid URL'],
    ['tcp://host:2375/v1.41', 'a path after host:port is not supported'],
    ['tcp://bad!host:2375', '"bad!host" is not a host name or IP address'],
    ['tcp://a%20b:2375', 'is not a host name or IP address'],
    ['tcp://user:pw@host:2375', 'expected unix:///absolute/path/docker.sock or tcp://host:port'],
    ['', 'expected unix:///absolute/path/docker.sock or tcp://host:port'],
  ])('rejects %j', (raw, reason) => {
    const error = configErrorOf(() => parseDockerHost(raw, 'DOCKER_HOST'));
    expect(error.message).toContain(`DOCKER_HOST=${JSON.stringify(raw)} is not a supported Docker host: `);
    expect(error.message).toContain(reason);
  });
});

describe('value parsers', () => {
  it.each([
    ['4096', 4096],
    ['4k', 4096],
    ['4KB', 4096],
    ['4KiB', 4096],
    ['10 MiB', 10_485_760],
    ['10mb', 10_485_760],
    ['1G', 1_073_741_824],
    ['2gib', 2_147_483_648],
    ['5000B', 5000],
  ])('parseByteSize(%j) = %d', (raw, expected) => {
    expect(parseByteSize(raw, 'SIZE', { minBytes: 4096, maxBytes: 1024 ** 4 })).toBe(expected);
  });

  it.each([
    ['1500', 1500],
    ['100ms', 100],
    ['2s', 2000],
    ['3m', 180_000],
    ['1h', 3_600_000],
    [' 30S ', 30_000],
  ])('parseDurationMs(%j) = %d', (raw, expected) => {
    expect(parseDurationMs(raw, 'D', { minMs: 100, maxMs: 3_600_000 })).toBe(expected);
  });

  it.each(['', 's', '-1s', '1d', '1e3', '0x10', '1 2'])('parseDurationMs rejects %j', (raw) => {
    expect(() => parseDurationMs(raw, 'D', { minMs: 1, maxMs: 3_600_000 })).toThrow(ConfigError);
  });

  it.each([
    ['0', 0],
    ['007', 7],
    ['10', 10],
  ])('parseIntInRange(%j) = %d', (raw, expected) => {
    expect(parseIntInRange(raw, 'N', { min: 0, max: 10 })).toBe(expected);
  });

  it.each(['11', '-1', '1e1', '', '9007199254740993'])('parseIntInRange rejects %j', (raw) => {
    expect(() => parseIntInRange(raw, 'N', { min: 0, max: 10 })).toThrow('N=');
  });

  it.each([
    ['1', 1],
    ['65535', 65535],
  ])('parsePort(%j) = %d', (raw, expected) => {
    expect(parsePort(raw, 'PORT')).toBe(expected);
  });
});

describe('AUTH_TOKEN', () => {
  it.each(['short', 'has spaces in the middle', 'tab\there-and-long-enough'])('refuses %j without echoing it', (token) => {
    expect(() => loadConfig([], { AUTH_TOKEN: token })).toThrow(/AUTH_TOKEN is not a usable token/);
    try {
      loadConfig([], { AUTH_TOKEN: token });
    } catch (error) {
      expect((error as Error).message).not.toContain(token);
    }
  });
});

describe('AUTH_TOKEN_FILE', () => {
  it('reads the token from the file, without its trailing newline', () => {
    expect(configOf([], { AUTH_TOKEN_FILE: TOKEN_FILE }).authToken).toBe('from-a-swarm-secret-0123');
  });

  it('refuses a missing file, an empty one, a bad token in it and both settings at once, never echoing the token', () => {
    expect(() => loadConfig([], { AUTH_TOKEN_FILE: '/nonexistent/dockmon_token' })).toThrow(/cannot be read: it does not exist/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dockmon-config-'));
    writeFileSync(path.join(dir, 'empty'), '\n');
    expect(() => loadConfig([], { AUTH_TOKEN_FILE: path.join(dir, 'empty') })).toThrow(/is empty/);
    writeFileSync(path.join(dir, 'short'), 'tiny');
    const short = configErrorOf(() => loadConfig([], { AUTH_TOKEN_FILE: path.join(dir, 'short') }));
    expect(short.message).toMatch(/is not a usable token/);
    expect(short.message).not.toContain('tiny');
    expect(() => loadConfig([], { AUTH_TOKEN_FILE: TOKEN_FILE, AUTH_TOKEN: 'correct-horse-battery-staple' })).toThrow(/both set/);
    expect(() => loadConfig([], { AUTH_TOKEN_FILE: dir })).toThrow(/it is a folder/);
  });
});

describe('PEERS', () => {
  it('takes dns:NAME[:PORT] and a list of origins', () => {
    expect(configOf([], { PEERS: 'dns:tasks.dockmon:5001' }).peers).toEqual({ kind: 'dns', name: 'tasks.dockmon', port: 5001 });
    expect(configOf([], { PEERS: 'http://10.0.0.2:5000, https://node-3.example:8443/ ,http://10.0.0.2:5000' }).peers).toEqual({
      kind: 'list',
      urls: ['http://10.0.0.2:5000', 'https://node-3.example:8443'],
    });
  });

  it.each([
    ['dns:', /dns:NAME or dns:NAME:PORT/],
    ['dns:tasks.dockmon:99999', /dns:NAME or dns:NAME:PORT/],
    ['ftp://10.0.0.2', /entry 1 of 1 .* is not http/],
    ['http://user:secret@10.0.0.2:5000', /carries credentials/],
    ['http://10.0.0.2:5000/containers', /has a path or query/],
    ['10.0.0.2:5000', /is not/],
  ])('refuses %j', (raw, message) => {
    expect(() => loadConfig([], { PEERS: raw })).toThrow(message);
  });

  it('refuses a credential in a list entry without repeating it', () => {
    expect(configErrorOf(() => loadConfig([], { PEERS: 'http://u:hunter2-secret@h:1' })).message).not.toContain('hunter2');
  });
});

describe('METRICS_LABELS', () => {
  it('splits on commas, trims, drops empty items and duplicates, keeps the order', () => {
    expect(configOf([], { METRICS_LABELS: ' a.b ,, c-d,a.b,' }).metricsLabels).toEqual(['a.b', 'c-d']);
  });

  it('refuses control characters', () => {
    expect(() => loadConfig([], { METRICS_LABELS: 'ok,bad\nkey' })).toThrow(/METRICS_LABELS=.* is not a valid label key list/);
  });
});

describe('the healthcheck probe address', () => {
  it.each([
    ['', '127.0.0.1'],
    ['0.0.0.0', '127.0.0.1'],
    ['::', '::1'],
    ['[::]', '::1'],
    ['10.1.2.3', '10.1.2.3'],
    ['[fd00::1]', 'fd00::1'],
    ['dockmon.internal', 'dockmon.internal'],
  ])('HOST=%j is probed at %s', (listen, expected) => {
    expect(probeAddressFor(listen)).toBe(expected);
  });
});
