// Podman's Docker-compatible /events differ from Docker's (test/fixtures/podman/
// events-since-stream-false.ndjson, Podman 4.3.1): a removed container says `remove`
// where Docker says `destroy`, and a health check says plain `health_status` with the
// state in a top-level `HealthStatus` (Docker: `health_status: unhealthy` in Action).
// Normalised here, so everything after reads one dialect. The rest (`init`, `cleanup`,
// `pull` on every run, `exec_died` per health check) is not a lifecycle event and falls
// through. Repeated health events (Podman sends one per check) are not changes: the
// store's health is idempotent and the lifecycle tracker keeps only changes.

import type { EngineEvent } from './types.js';

export function normalizeEvent(event: EngineEvent): EngineEvent {
  if (event.Action === 'remove') return { ...event, Action: 'destroy' };
  if (event.Action === 'health_status' && typeof event.HealthStatus === 'string' && event.HealthStatus !== '') {
    return { ...event, Action: `health_status: ${event.HealthStatus}` };
  }
  return event;
}
