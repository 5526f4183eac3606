// The node flags `npm start` runs the agent with (package.json's start script). The
// bench and the tests run the agent with them so they measure it as it ships; the
// Dockerfile's ENTRYPOINT carries the same flags (test/docker/image.test.ts checks it).

import { readFileSync } from 'node:fs';

export function startScriptNodeFlags(packageJsonPath: string): string[] {
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { scripts?: Record<string, string> };
  const match = /^node\s+(.*?)\s*dist\/main\.js$/.exec(pkg.scripts?.['start'] ?? '');
  return (match?.[1] ?? '').split(/\s+/).filter((flag) => flag !== '');
}
