// The daemon's /events stream, container events only: what starts and stops, pauses,
// renames, runs out of memory or changes health. Starts are confirmed by a re-list (the
// list has what the event lacks); the rest go straight to the store.

import type { StreamCallbacks } from '../docker/client.js';
import type { StreamHandle } from '../docker/transport.js';
import type { EngineEvent } from '../docker/types.js';
import { toHealth } from '../stats/container-details.js';
import type { SamplerContext } from './context.js';

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
  /** The last event's time: a reopened stream replays from there. */
  let lastEventSeconds: number | undefined;

  function onEvent(event: EngineEvent): void {
    if (event.Type !== undefined && event.Type !== 'container') return;
    if (typeof event.time === 'number') lastEventSeconds = event.time;
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
      handle = docker.streamEvents(callbacks, lastEventSeconds);
    },
    close,
  };
}
