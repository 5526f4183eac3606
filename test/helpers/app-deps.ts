// The HTTP layer's dependencies for tests over an in-memory store: quiet logger, the real
// static files, a healthy stats log, no /metrics body and no shared rendering unless a
// test says otherwise.

import { fileURLToPath } from 'node:url';
import type { AppDeps } from '../../src/http/routes.js';
import { createSharedRender } from '../../src/http/shared-render.js';
import { loadStaticFiles } from '../../src/http/static-files.js';
import { createLogger } from '../../src/log/logger.js';
import { createSampleLog } from '../../src/log/sample-log.js';

const publicDir = fileURLToPath(new URL('../../public', import.meta.url));

/** `logged` collects what the stats log would append; `sharedMaxAgeMs` 0 (default) shares nothing. */
export function testAppDeps(
  base: Pick<AppDeps, 'store' | 'now'> & { logged?: Record<string, unknown>[]; sharedMaxAgeMs?: number },
  overrides: Partial<AppDeps> = {},
): AppDeps {
  const { store, now, logged, sharedMaxAgeMs = 0 } = base;
  return {
    store,
    sampleLog: createSampleLog({ append: (record) => logged?.push(record as Record<string, unknown>) }),
    logStatus: () => ({ ok: true, error: null, path: '/logs/stats.jsonl' }),
    staticFiles: loadStaticFiles(publicDir),
    metrics: { render: () => '' },
    logger: createLogger({ level: 'error', sink: () => undefined }),
    now,
    version: '9.9.9',
    startedAtMs: now() - 60_000,
    shared: createSharedRender({ maxAgeMs: sharedMaxAgeMs, now }),
    ...overrides,
  };
}
