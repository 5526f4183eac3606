import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeEvent } from './podman-events.js';
import type { EngineEvent } from './types.js';

// Captured from Podman 4.3.1 (test/fixtures/podman/README.md).
const events = readFileSync(new URL('../../test/fixtures/podman/events-since-stream-false.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as EngineEvent);

describe("Podman's events, normalised to Docker's", () => {
  it('remove becomes destroy; health_status carries its state in the action', () => {
    const actions = events.filter((event) => event.Type === 'container').map((event) => normalizeEvent(event).Action);
    expect(actions).toContain('destroy');
    expect(actions).not.toContain('remove');
    expect(actions.filter((action) => action?.startsWith('health_status'))).toEqual(
      expect.arrayContaining(['health_status: starting', 'health_status: unhealthy']),
    );
  });

  it("leaves Docker's events as they are", () => {
    const docker: EngineEvent = { Type: 'container', Action: 'health_status: healthy', Actor: { ID: 'x' } };
    expect(normalizeEvent(docker)).toBe(docker);
    const destroy: EngineEvent = { Type: 'container', Action: 'destroy', Actor: { ID: 'x' } };
    expect(normalizeEvent(destroy)).toBe(destroy);
  });
});
