// Dependencies point inward (STYLE.md R2). Reads every src/ module's imports and
// checks them against the table below, so a shortcut (say, the web layer calling
// Docker, or stats math doing I/O) fails the build instead of creeping in.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../src', import.meta.url));

/** Module folder (or top-level file) → what it may import, as `value` or `type`-only. */
const RULES: Readonly<Record<string, { value: readonly string[]; typeOnly: readonly string[] }>> = {
  'config.ts': { value: ['config-values.ts', 'errors.ts'], typeOnly: [] },
  'config-values.ts': { value: ['errors.ts'], typeOnly: [] },
  'errors.ts': { value: [], typeOnly: [] },
  'control-chars.ts': { value: [], typeOnly: [] },
  'rate-limiter.ts': { value: [], typeOnly: [] },
  'crash.ts': { value: ['errors.ts'], typeOnly: [] },
  'healthcheck.ts': { value: ['config-values.ts'], typeOnly: [] },
  log: { value: ['log'], typeOnly: [] },
  docker: { value: ['docker', 'errors.ts'], typeOnly: [] },
  // The kernel reader builds Engine-shaped records from cgroup files: it knows their type only.
  // The root cgroup reader fills the host's sample, a stats type.
  kernel: { value: ['kernel'], typeOnly: ['docker/types.ts', 'stats/types.ts', 'stats/host-sample.ts'] },
  stats: { value: ['stats'], typeOnly: ['docker/types.ts'] },
  // The stats log is written on the sampling side (sampler/stats-log.ts); its lines are
  // /containers entries less their age, a format defined once, in views/container-json.ts.
  sampler: {
    value: ['sampler', 'stats', 'errors.ts', 'rate-limiter.ts', 'docker/podman-events.ts', 'docker/podman-stats.ts', 'views/container-json.ts'],
    typeOnly: ['docker/client.ts', 'docker/transport.ts', 'docker/types.ts', 'kernel/kernel-reader.ts', 'log/logger.ts'],
  },
  views: { value: ['views', 'stats/text-order.ts', 'control-chars.ts'], typeOnly: ['stats/types.ts', 'alerts/types.ts', 'lifecycle/stopped.ts', 'lifecycle/timeline.ts'] },
  // The host's root cgroup comes in as a stats type; the size poller as a shape metrics declares.
  metrics: {
    value: ['metrics', 'control-chars.ts'],
    typeOnly: ['stats/types.ts', 'stats/host-sample.ts', 'sampler/store.ts', 'alerts/types.ts'],
  },
  http: {
    // Other hosts' rows come from the peers' last answers (host-entries.ts), never from a request to a peer.
    value: ['http', 'views', 'errors.ts', 'metrics/exposition.ts', 'peers/host-entries.ts', 'peers/headers.ts'],
    // The page's routes name the samples they served to the stats log; they never write it.
    typeOnly: ['log/logger.ts', 'sampler/store.ts', 'sampler/stats-log.ts', 'metrics/exporter.ts', 'lifecycle', 'alerts', 'peers/peers.ts'],
  },
  // Lifecycle events and stopped containers: fed by the sampler, read by the alert rules.
  lifecycle: {
    value: ['lifecycle', 'stats', 'control-chars.ts', 'errors.ts'],
    typeOnly: ['docker/types.ts', 'sampler/store.ts', 'log/logger.ts', 'alerts/engine.ts'],
  },
  // The rules read the store and the timelines; the notifier is the only outbound HTTP.
  alerts: {
    value: ['alerts', 'control-chars.ts', 'errors.ts', 'rate-limiter.ts', 'sampler/backoff.ts'],
    typeOnly: ['lifecycle', 'sampler/store.ts', 'stats/types.ts', 'log/logger.ts', 'log/jsonl-file.ts'],
  },
  peers: { value: ['peers', 'views/staleness.ts'], typeOnly: ['config-values.ts', 'log/logger.ts'] },
  'app.ts': { value: ['*'], typeOnly: [] },
  'main.ts': { value: ['app.ts', 'config.ts', 'crash.ts', 'errors.ts', 'log/logger.ts'], typeOnly: [] },
};

/** Past this a file is a sign to split it; one that stays longer says why in its first line. */
const MAX_LINES = 300;

/** Only these may open sockets: Docker goes through transport.ts alone; webhooks through the notifier. */
const NODE_HTTP_USERS = ['docker/transport.ts', 'http', 'app.ts', 'healthcheck.ts', 'alerts/webhook-notifier.ts', 'peers/peer-client.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

function moduleOf(relative: string): string {
  return relative.includes('/') ? (relative.split('/')[0] ?? relative) : relative;
}

function allows(list: readonly string[], target: string): boolean {
  return list.some((rule) => rule === '*' || rule === target || target.startsWith(`${rule}/`));
}

const IMPORT = /^\s*import\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm;

/** `import … from` and `export … from`, type-only included: a type cycle is still a knot to read. */
const EDGE = /^\s*(?:import|export)\s+(?:type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm;

/** Every import cycle among the files, each as its path (a → b → … → a). */
function importCycles(files: readonly string[]): string[] {
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(path.join(srcDir, file), 'utf8');
    const targets = [...text.matchAll(EDGE)].map(([, specifier = '']) =>
      path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts'),
    );
    edges.set(file, targets);
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of edges.get(file) ?? []) {
      if (state.get(target) === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target].join(' → '));
      else if (!state.has(target) && edges.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

describe('architecture', () => {
  const files = sourceFiles(srcDir).map((file) => path.relative(srcDir, file).split(path.sep).join('/'));

  it('has no import cycle in src/ (type imports included)', () => {
    expect(importCycles(files)).toEqual([]);
  });

  it('knows every module', () => {
    for (const file of files) expect(RULES[moduleOf(file)], `no rule for ${file}`).toBeDefined();
  });

  it(`keeps each file to ${MAX_LINES} lines, or says at its top why not (STYLE.md R13)`, () => {
    const unexplained = files.filter((file) => {
      const text = readFileSync(path.join(srcDir, file), 'utf8');
      return text.trimEnd().split('\n').length > MAX_LINES && !text.startsWith(`// Over ${MAX_LINES} lines on purpose:`);
    });
    expect(unexplained).toEqual([]);
  });

  it.each(files)('%s imports only what its layer may', (file) => {
    const rule = RULES[moduleOf(file)];
    if (!rule) return;
    const text = readFileSync(path.join(srcDir, file), 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const [, typeKeyword, specifier = ''] = match;
      if (!specifier.startsWith('.')) {
        if (specifier === 'node:http') expect(allows(NODE_HTTP_USERS, file), `${file} imports node:http`).toBe(true);
        else expect(specifier.startsWith('node:'), `${file} imports the package ${specifier}`).toBe(true);
        continue;
      }
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
      if (moduleOf(target) === moduleOf(file)) continue;
      const ok = allows(rule.value, target) || (typeKeyword !== undefined && allows(rule.typeOnly, target));
      expect(ok, `${file} → ${target}${typeKeyword ? ' (type)' : ''}`).toBe(true);
    }
  });
});
