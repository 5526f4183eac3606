// The daemon's /events stream, container events only: what starts and stops, pauses,
// renames, runs out of memory or changes health. Starts are confirmed by a re-list (the
// list has what the event lacks); the rest go straight to the store.
//
// A reopened stream resumes from the last event's time in nanoseconds, a microsecond
// early, and Docker replays every event at or after it: the events already applied are
// recognised (time, action, container) and dropped. Resuming from whole seconds, as
// before, replayed the second's events: an `oom` was counted twice, and a `die` replayed
// after the container's restart removed it again.

import type { StreamCallbacks } from '../docker/client.js';
import type { StreamHandle } from '../docker/transport.js';
import { normalizeEvent } from '../docker/podman-events.js';
import type { EngineEvent } from '../docker/types.js';
import { toHealth } from '../stats/container-details.js';
import type { SamplerContext } from './context.js';

/** Enough to cover a replay: Docker itself keeps the last 256 events for `since`. */
const APPLIED_EVENTS_KEPT = 1024;

/** An event's time in seconds with the fraction timeNano gives; undefined without either. */
function eventSeconds(event: EngineEvent): number | undefined {
  if (typeof event.timeNano === 'number' && event.timeNano > 0) return event.timeNano / 1e9;
  return typeof event.time === 'number' ? event.time : undefined;
}

export interface EventStream {
  open(): void;
  close(): void;
}

export interface EventHandlers {
  /** A container started or restarted: re-list soon. */
  onStarted(): void;
  /** A container died or was destroyed. */
  onGone(id: string): void;
  /** The stream ended while nobody closed it. */
  onEnded(error: unknown): void;
}

export function createEventStream(context: SamplerContext, handlers: EventHandlers): EventStream {
  const { docker, store } = context;
  let handle: StreamHandle | null = null;
  /** The last event's time, seconds with a fraction: a reopened stream replays from there. */
  let lastEventSeconds: number | undefined;
  /** Events applied recently, by their identity: a replayed one is dropped. */
  const applied = new Set<string>();

  /** True the first time an event is seen; false when it is a replay. */
  function firstSighting(event: EngineEvent): boolean {
    const key = `${String(event.timeNano ?? event.time)}|${event.Action ?? ''}|${event.Actor?.ID ?? ''}`;
    if (applied.has(key)) return false;
    applied.add(key);
    if (applied.size > APPLIED_EVENTS_KEPT) {
      const oldest = applied.values().next().value;
      if (oldest !== undefined) applied.delete(oldest);
    }
    return true;
  }

  function onEvent(raw: EngineEvent): void {
    const event = normalizeEvent(raw);
    if (event.Type !== undefined && event.Type !== 'container') return;
    if (!firstSighting(event)) return;
    context.lifecycle?.onEvent(event);
    const seconds = eventSeconds(event);
    if (seconds !== undefined && (lastEventSeconds === undefined || seconds > lastEventSeconds)) lastEventSeconds = seconds;
    const id = event.Actor?.ID;
    if (typeof id !== 'string') return;
    switch (event.Action) {
      case 'start':
      case 'restart':
        handlers.onStarted();
        break;
      case 'pause':
        store.setState(id, 'paused');
        break;
      case 'unpause':
        store.setState(id, 'running');
        break;
      case 'oom':
        store.countOomKill(id);
        break;
      case 'rename': {
        const name = event.Actor?.Attributes?.['name'];
        if (typeof name === 'string' && name !== '') store.rename(id, name.replace(/^\//, ''));
        break;
      }
      case 'die':
      case 'destroy':
        handlers.onGone(id);
        break;
      default:
        // "health_status: healthy" and the like.
        if (event.Action?.startsWith('health_status') === true) store.setHealth(id, toHealth(event.Action));
        break;
    }
  }

  function close(): void {
    const current = handle;
    handle = null;
    current?.close();
  }

  return {
    open() {
      close();
      const callbacks: StreamCallbacks<EngineEvent> = {
        onRecord: onEvent,
        onBadLine: (error) => context.logLimited('events:bad-line', 'ignored a malformed event', { error: error.message }),
        onEnd: (end) => {
          handle = null;
          if (context.stopped() || end.kind === 'closed') return;
          store.count('eventStreamReconnects');
          handlers.onEnded(end.kind === 'error' ? end.error : new Error('the Docker event stream ended'));
        },
      };
      // A microsecond early: timeNano arrives as a double (about 0.25 µs apart at today's
      // dates), and an event at exactly that time must be replayed, not skipped.
      handle = docker.streamEvents(callbacks, lastEventSeconds === undefined ? undefined : lastEventSeconds - 1e-6);
    },
    close,
  };
}
