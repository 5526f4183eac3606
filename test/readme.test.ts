// The README and docs/ say what the code does; these checks keep the two from drifting
// apart where a machine can tell: the configuration table is the one config.ts renders,
// the README's summary agrees with it, every route is in the README, every relative link
// resolves (to a file, and to a heading when it names one), every docs page is linked
// from the README, and the documented JSON examples have exactly the keys the agent sends.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConfigTable } from '../src/config.js';
import { ROUTES } from '../src/http/routes.js';
import { startFakeDocker, type FakeDocker } from './helpers/fake-docker.js';
import { startInProcessAgent, type InProcessAgent } from './helpers/in-process-agent.js';
import { until } from './helpers/until.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const docsDir = path.join(repoRoot, 'docs');
const read = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');
const readme = read('README.md');
const docPages = readdirSync(docsDir).filter((name) => name.endsWith('.md')).sort();
const markdownFiles = ['README.md', ...docPages.map((name) => `docs/${name}`)];

/** The text outside fenced code blocks, where links and headings are Markdown. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** `[text](target)` and `![alt](target)` targets, but absolute URLs. */
function relativeLinks(markdown: string): string[] {
  const targets = [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const match of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = (match[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** The JSON code block right after `<!-- example:NAME -->` in a docs page. */
function documentedExample(file: string, name: string): unknown {
  const match = new RegExp(`<!-- example:${name} -->\\s*\`\`\`json\\n([\\s\\S]*?)\`\`\``).exec(read(file));
  if (match?.[1] === undefined) throw new Error(`${file} has no example:${name} JSON block`);
  return JSON.parse(match[1]) as unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every key path of `value` ("docker.api_version"), into objects and the first element of
 * arrays ("alerts.webhooks.[].target").
 */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [] : keyPaths(value[0], `${prefix}[].`);
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) => [`${prefix}${key}`, ...keyPaths(inner, `${prefix}${key}.`)]);
}

const parentOf = (keyPath: string): string => keyPath.split('.').slice(0, -1).filter((part) => part !== '[]').join('.');

/**
 * The same keys on both sides, compared where both hold something: below a value that is
 * null (or an empty array) on one side, the other side's keys cannot be checked.
 */
function expectSameKeys(documented: unknown, actual: unknown, what: string): void {
  const doc = keyPaths(documented);
  const real = keyPaths(actual);
  const parents = (paths: string[]): Set<string> => new Set(paths.map(parentOf));
  const docParents = parents(doc);
  const realParents = parents(real);
  const comparable = (keyPath: string): boolean => {
    const parent = parentOf(keyPath);
    return parent === '' || (docParents.has(parent) && realParents.has(parent));
  };
  expect(doc.filter((p) => comparable(p) && !real.includes(p)), `${what}: documented but not sent`).toEqual([]);
  expect(real.filter((p) => comparable(p) && !doc.includes(p)), `${what}: sent but not documented`).toEqual([]);
}

describe('README', () => {
  it('fits on a few screens: at most 250 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('names every route in its endpoint table', () => {
    const assets = new Set(['/app.js', '/style.css']);
    for (const route of ROUTES.keys()) {
      if (assets.has(route)) continue;
      expect(readme, route).toMatch(new RegExp(`^\\| \`GET ${route.replace(/[.?]/g, '\\$&')}[\`?]`, 'm'));
    }
  });

  it('gives the same defaults in its configuration summary as the full table', () => {
    const full = new Map(
      [...renderConfigTable().matchAll(/^\| `([A-Z_]+)` \| `[^`]+` \| ([^|]+) \|/gm)].map((match) => [match[1], match[2]?.trim()]),
    );
    const summary = [...readme.matchAll(/^\| `([A-Z_]+)` \| ((?:`[^`]*`)|(?:\*\(empty\)\*)) \|/gm)];
    expect(summary.length).toBeGreaterThanOrEqual(8);
    for (const [, env, fallback] of summary) {
      expect(full.has(env), `${env} is a setting`).toBe(true);
      expect(fallback, `default of ${env}`).toBe(full.get(env));
    }
  });

  it('links every page in docs/', () => {
    const linked = new Set(relativeLinks(readme).map((target) => target.split('#')[0]));
    for (const page of docPages) expect(linked, `docs/${page}`).toContain(`docs/${page}`);
  });
});

describe('docs/configuration.md', () => {
  it('holds the configuration table exactly as --help knows it (npm run docs:config)', () => {
    expect(read('docs/configuration.md')).toContain(
      `<!-- config-table:start -->\n${renderConfigTable()}<!-- config-table:end -->`,
    );
  });
});

describe('links in README.md and docs/*.md', () => {
  it.each(markdownFiles)('%s: every relative link resolves, anchors included', (file) => {
    const problems: string[] = [];
    for (const target of relativeLinks(read(file))) {
      const [pathPart = '', anchor] = target.split('#');
      const resolved = pathPart === '' ? path.join(repoRoot, file) : path.resolve(path.dirname(path.join(repoRoot, file)), pathPart);
      if (!existsSync(resolved)) {
        problems.push(`${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && statSync(resolved).isFile()) {
        if (!anchors(readFileSync(resolved, 'utf8')).has(anchor)) problems.push(`${target}: no such heading`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('files named in README.md and docs/*.md', () => {
  it.each(markdownFiles)('%s: every repository path in backticks exists', (file) => {
    const named = [...read(file).matchAll(/`((?:src|test|bench|deploy|scripts|docs|public|\.ci)\/[\w./-]+)`/g)]
      .map((match) => match[1] ?? '')
      .filter((name) => !name.includes('*'));
    const missing = named.filter((name) => !existsSync(path.join(repoRoot, name)));
    expect(missing).toEqual([]);
  });
});

describe('documented JSON against the agent', () => {
  let fake: FakeDocker | undefined;
  let agent: InProcessAgent | undefined;

  beforeAll(async () => {
    fake = await startFakeDocker();
    fake.addContainer({ name: 'web' });
    agent = await startInProcessAgent(fake, { args: ['--stats-source', 'api'] });
    const base = agent.base;
    await until('a sample of web', async () => {
      const body = (await (await fetch(`${base}/containers`)).json()) as Record<string, { cpu: unknown }>;
      return Object.values(body).some((entry) => entry.cpu !== null) ? true : undefined;
    });
  }, 20_000);

  afterAll(async () => {
    await agent?.stop();
    await fake?.close();
  });

  const base = (): string => {
    if (agent === undefined) throw new Error('not started');
    return agent.base;
  };

  it('docs/api.md: a /containers entry, and a field-table row for each of its keys', async () => {
    const body = (await (await fetch(`${base()}/containers`)).json()) as Record<string, unknown>;
    const entry = Object.values(body)[0];
    expectSameKeys(documentedExample('docs/api.md', 'containers-entry'), entry, '/containers entry');
    const api = read('docs/api.md');
    for (const key of Object.keys(entry as object)) expect(api, key).toMatch(new RegExp(`^\\|[^\\n]*\`${key}\``, 'm'));
  });

  it('docs/api.md: /healthz', async () => {
    const health = (await (await fetch(`${base()}/healthz`)).json()) as unknown;
    expectSameKeys(documentedExample('docs/api.md', 'healthz'), health, '/healthz');
  });

  it('docs/metrics.md: the PromQL of the page\'s columns names only families /metrics exports', async () => {
    const exposition = await (await fetch(`${base()}/metrics`)).text();
    const families = new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]));
    const block = /```promql\n([\s\S]*?)```/.exec(read('docs/metrics.md'))?.[1] ?? '';
    const named = [...block.matchAll(/\b((?:container|machine|dockmon|process|nodejs)_[a-z_]+)\b/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThanOrEqual(5);
    for (const family of named) expect(families, family).toContain(family);
  });

  it("docs/page.md: the live stream's status, which is not /healthz's", async () => {
    const snapshot = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const request = http.get(`${base()}/live`, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          const match = /event: snapshot\ndata: (.*)\n\n/.exec(text);
          if (match?.[1] !== undefined) {
            request.destroy();
            resolve(JSON.parse(match[1]) as Record<string, unknown>);
          }
        });
      });
      request.on('error', reject);
    });
    expect(Object.keys(snapshot).sort()).toEqual(['alerts', 'rows', 'status', 'time', 'totals']);
    expectSameKeys(documentedExample('docs/page.md', 'live-status'), snapshot['status'], 'live status');
    const health = (await (await fetch(`${base()}/healthz`)).json()) as unknown;
    expect(keyPaths(snapshot['status']).sort()).not.toEqual(keyPaths(health).sort());
  });
});
