// The HTTP layer's dependencies for tests over an in-memory store: quiet logger, the real
// static files, a healthy stats log, no /metrics body and no shared rendering unless a
// test says otherwise.

import { fileURLToPath } from 'node:url';
import type { Alert } from '../../src/alerts/types.js';
import type { LifecycleReader } from '../../src/http/context.js';
import { createContainerJsonCache } from '../../src/http/container-json-cache.js';
import type { AppDeps } from '../../src/http/routes.js';
import { createSharedRender } from '../../src/http/shared-render.js';
import { loadStaticFiles } from '../../src/http/static-files.js';
import { createLogger } from '../../src/log/logger.js';
import { createStatsLogWriter } from '../../src/sampler/stats-log.js';

const publicDir = fileURLToPath(new URL('../../public', import.meta.url));

/** `logged` collects what the stats log would append; `sharedMaxAgeMs` 0 (default) shares nothing. */
export function testAppDeps(
  base: Pick<AppDeps, 'store' | 'now'> & { logged?: Record<string, unknown>[]; sharedMaxAgeMs?: number },
  overrides: Partial<AppDeps> = {},
): AppDeps {
  const { store, now, logged, sharedMaxAgeMs = 0 } = base;
  return {
    store,
    statsLog: createStatsLogWriter({ store, sink: { append: (record) => logged?.push(record as Record<string, unknown>) }, now }, { intervalMs: 0 }),
    logStatus: () => ({ ok: true, error: null, path: '/logs/stats.jsonl' }),
    staticFiles: loadStaticFiles(publicDir),
    metrics: { render: () => '' },
    logger: createLogger({ level: 'error', sink: () => undefined }),
    now,
    version: '9.9.9',
    startedAtMs: now() - 60_000,
    shared: createSharedRender({ maxAgeMs: sharedMaxAgeMs, now }),
    containerJson: createContainerJsonCache(),
    node: 'test-host',
    agentId: 'test-agent-id',
    ...overrides,
  };
}

/** The lifecycle as the handlers read it, over a test's stopped list and timeline; `firing()` gives the alerts firing now. */
export function testLifecycle(parts: Pick<LifecycleReader, 'stopped' | 'timeline'> & { firing(): Alert[] }): LifecycleReader {
  return {
    stopped: parts.stopped,
    timeline: parts.timeline,
    alerts: {
      list: parts.firing,
      firing: parts.firing,
      firingFor: (id) => parts.firing().filter((alert) => alert.containerId === id).map((alert) => alert.rule),
    },
    webhooks: () => [],
    eventsLogStatus: () => ({ ok: true, error: null, path: '/logs/events.jsonl' }),
  };
}
