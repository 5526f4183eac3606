import { describe, expect, it } from 'vitest';
import { checkAllowedRequest, isContainerId } from './allowlist.js';

const ID = 'a'.repeat(64);

describe('Docker API allowlist', () => {
  it.each([
    '/_ping',
    '/v1.41/version',
    '/v1.47/containers/json',
    `/v1.41/containers/${ID}/stats?stream=true`,
    `/v1.41/containers/${ID}/stats?stream=false&one-shot=true`,
    '/v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D&since=1700000000',
    `/v1.41/containers/${ID}/json`,
    '/v1.41/containers/json?size=1',
    '/v1.41/containers/json?all=1&size=1',
  ])('allows %s', (path) => {
    expect(checkAllowedRequest(path)).toBeNull();
  });

  it.each([
    ['an inspect by name', '/v1.41/containers/web/json'],
    ['an inspect with a query (size=1)', `/v1.41/containers/${ID}/json?size=1`],
    ['attach over a websocket', `/v1.41/containers/${ID}/attach/ws`],
    ['export', `/v1.41/containers/${ID}/export`],
    ['logs', `/v1.41/containers/${ID}/logs`],
    ['a name instead of an id', '/v1.41/containers/web/stats'],
    ['a short id', '/v1.41/containers/abc123/stats'],
    ['upper-case hex', `/v1.41/containers/${ID.toUpperCase()}/stats`],
    ['traversal', `/v1.41/containers/${ID}/../../images/json`],
    ['an encoded slash', `/v1.41/containers/${ID}%2F..%2Fexec/stats`],
    ['exec', '/v1.41/exec/abc/json'],
    ['images', '/v1.41/images/json'],
    ['system df', '/v1.41/system/df'],
    ['unversioned list', '/containers/json'],
    ['podman libpod', '/v1.41/libpod/containers/json'],
    ['an unknown query parameter', '/v1.41/containers/json?limit=1'],
    ['size on a stats stream (a key of another path)', `/v1.41/containers/${ID}/stats?stream=false&size=1`],
    ['since on the list (a key of another path)', '/v1.41/containers/json?since=abc'],
    ['stream on events', '/v1.41/events?stream=true'],
    ['a query on version', '/v1.41/version?all=1'],
    ['a second path hidden in the query', `/v1.41/containers/${ID}/stats?x=/exec`],
  ])('refuses %s', (_what, path) => {
    expect(checkAllowedRequest(path)).not.toBeNull();
  });

  it.each([
    [ID, true],
    ['0123456789abcdef'.repeat(4), true],
    ['a'.repeat(63), false],
    ['a'.repeat(65), false],
    ['g'.repeat(64), false],
    [`${'a'.repeat(63)}\n`, false],
  ])('isContainerId(%j) is %s', (value, expected) => {
    expect(isContainerId(value)).toBe(expected);
  });
});
