// The socket-proxy rule of docs/deployment.md must let through exactly what the agent's own allowlist
// lets out: a proxy narrower than the client breaks the agent, a wider one gives away
// more than the agent needs. This ties the documented HAProxy regex to allowlist.ts.
// No daemon needed; it lives with the image suite because it checks the image's docs.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkAllowedRequest } from '../../src/docker/allowlist.js';

const deployment = readFileSync(new URL('../../docs/deployment.md', import.meta.url), 'utf8');

function documentedProxyPattern(): RegExp {
  const match = /http-request deny unless \{ path -m reg (\S+) \}/.exec(deployment);
  if (match?.[1] === undefined) throw new Error('docs/deployment.md has no HAProxy `path -m reg` rule');
  return new RegExp(match[1]);
}

const ID = 'a'.repeat(64);
const PATHS = [
  '/_ping',
  '/v1.41/_ping',
  '/version',
  '/v1.1234/version',
  '/v1.41/version',
  '/v1.41/containers/json',
  `/v1.41/containers/${ID}/stats`,
  `/v1.41/containers/${ID}/json`,
  '/v1.41/events',
  '/v1.52/containers/json',
  `/v1.41/containers/${ID}/export`,
  `/v1.41/containers/${ID}/archive`,
  `/v1.41/containers/${ID}/logs`,
  `/v1.41/containers/${ID}/attach/ws`,
  `/v1.41/containers/${ID}/exec`,
  `/v1.41/containers/${ID.slice(0, 12)}/json`,
  `/v1.41/containers/${ID.toUpperCase()}/stats`,
  `/v1.41/containers/json/../${ID}/export`,
  '/v1.41/info',
  '/v1.41/images/json',
  '/v1.41/system/df',
  '/v1.41/_ping/../info',
  '/containers/json/x',
];

describe("the socket-proxy rule of docs/deployment.md", () => {
  it.each(PATHS)('treats %s as the agent does', (path) => {
    const agentAllows = checkAllowedRequest(path) === null;
    expect(documentedProxyPattern().test(path), `proxy rule on ${path}`).toBe(agentAllows);
  });

  it('allows every path the agent calls', () => {
    const allowed = PATHS.filter((path) => checkAllowedRequest(path) === null);
    expect(allowed.length).toBeGreaterThanOrEqual(6);
    for (const path of allowed) expect(documentedProxyPattern().test(path), path).toBe(true);
  });
});
