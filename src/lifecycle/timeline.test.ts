// The timeline is what /containers/events and the crash-loop rule read: it must stay
// bounded (per container, in containers, in time) and must tell a crash from a stop.

import { describe, expect, it } from 'vitest';
import { hexId } from '../../test/helpers/samples.js';
import {
  createTimeline,
  EVENTS_PER_CONTAINER,
  KEEP_REMOVED_MS,
  MAX_CONTAINERS,
  type LifecycleAction,
  type LifecycleEvent,
} from './timeline.js';

const T0 = 1_800_000_000_000;

function event(containerId: string, action: LifecycleAction, timeMs: number, overrides: Partial<LifecycleEvent> = {}): LifecycleEvent {
  return {
    timeMs,
    action,
    containerId,
    name: `c-${containerId.slice(0, 4)}`,
    exitCode: action === 'die' ? 1 : null,
    signal: null,
    health: null,
    deliberate: action === 'die' ? false : null,
    ...overrides,
  };
}

function clockAt(start: number): { now: () => number; set(ms: number): void } {
  let clock = start;
  return { now: () => clock, set: (ms) => { clock = ms; } };
}

describe('the lifecycle timeline', () => {
  it(`keeps the last ${EVENTS_PER_CONTAINER} events of each container, oldest first`, () => {
    const timeline = createTimeline({ now: () => T0 });
    const id = hexId('a1');
    const other = hexId('b2');
    const total = EVENTS_PER_CONTAINER + 7;
    for (let i = 0; i < total; i += 1) timeline.record(event(id, i % 2 === 0 ? 'start' : 'die', T0 + i));
    timeline.record(event(other, 'create', T0));

    const events = timeline.get(id)?.events ?? [];
    expect(events).toHaveLength(EVENTS_PER_CONTAINER);
    expect(events[0]?.timeMs).toBe(T0 + 7);
    expect(events.at(-1)?.timeMs).toBe(T0 + total - 1);
    // One busy container does not push out another's history.
    expect(timeline.get(other)?.events).toHaveLength(1);
  });

  it('remembers the name of a container and follows a rename', () => {
    const timeline = createTimeline({ now: () => T0 });
    const id = hexId('c3');
    timeline.record(event(id, 'create', T0, { name: 'web' }));
    timeline.record(event(id, 'rename', T0 + 1, { name: 'api' }));
    timeline.record(event(id, 'start', T0 + 2, { name: '' }));
    expect(timeline.get(id)?.name).toBe('api');
  });

  it(`keeps a removed container for ${KEEP_REMOVED_MS} ms, then forgets it`, () => {
    const clock = clockAt(T0);
    const timeline = createTimeline({ now: clock.now });
    const gone = hexId('d4');
    timeline.record(event(gone, 'start', T0));
    timeline.record(event(gone, 'destroy', T0 + 1_000));
    expect(timeline.get(gone)?.removedAtMs).toBe(T0 + 1_000);

    clock.set(T0 + 1_000 + KEEP_REMOVED_MS);
    expect(timeline.get(gone)?.events.map((known) => known.action)).toEqual(['start', 'destroy']);
    expect(timeline.all().map((known) => known.id)).toEqual([gone]);

    // Past the hour it is no longer found, whether or not anything else happened since.
    clock.set(T0 + 1_001 + KEEP_REMOVED_MS);
    expect(timeline.get(gone)).toBeUndefined();
    expect(timeline.all()).toEqual([]);
  });

  it('forgets an expired removed container when another one is removed, and keeps the living', () => {
    const clock = clockAt(T0);
    const timeline = createTimeline({ now: clock.now });
    const gone = hexId('e5');
    const living = hexId('f6');
    const later = hexId('a7');
    timeline.record(event(living, 'start', T0));
    timeline.record(event(gone, 'destroy', T0));
    clock.set(T0 + KEEP_REMOVED_MS + 5_000);
    timeline.record(event(later, 'destroy', T0 + KEEP_REMOVED_MS + 5_000));
    expect(timeline.all().map((known) => known.id).sort()).toEqual([later, living].sort());
    expect(timeline.get(living)?.removedAtMs).toBeNull();
  });

  it('a container created again (same ID) is no longer counted as removed', () => {
    const clock = clockAt(T0);
    const timeline = createTimeline({ now: clock.now });
    const id = hexId('b8');
    timeline.record(event(id, 'destroy', T0));
    timeline.record(event(id, 'create', T0 + 1));
    clock.set(T0 + 2 * KEEP_REMOVED_MS);
    expect(timeline.get(id)?.removedAtMs).toBeNull();
  });

  it(`caps the containers at ${MAX_CONTAINERS}, dropping removed ones first, then the oldest`, () => {
    const timeline = createTimeline({ now: () => T0 });
    const ids = Array.from({ length: MAX_CONTAINERS + 2 }, (_, index) => index.toString(16).padStart(64, '0'));
    // Fill to the cap; the third and fifth seen are removed (recently: inside the hour).
    for (const id of ids.slice(0, MAX_CONTAINERS)) timeline.record(event(id, 'create', T0));
    const removedFirst = ids[4] ?? '';
    const removedSecond = ids[2] ?? '';
    timeline.record(event(removedFirst, 'destroy', T0 + 1));
    timeline.record(event(removedSecond, 'destroy', T0 + 2));
    expect(timeline.all()).toHaveLength(MAX_CONTAINERS);

    // One more: the longest-removed goes, not the oldest living one.
    const newcomer = ids[MAX_CONTAINERS] ?? '';
    timeline.record(event(newcomer, 'create', T0 + 3));
    expect(timeline.all()).toHaveLength(MAX_CONTAINERS);
    expect(timeline.get(removedFirst)).toBeUndefined();
    expect(timeline.get(removedSecond)).toBeDefined();
    expect(timeline.get(ids[0] ?? '')).toBeDefined();
    expect(timeline.get(newcomer)).toBeDefined();

    // Another: the other removed one goes.
    timeline.record(event(ids[MAX_CONTAINERS + 1] ?? '', 'create', T0 + 4));
    expect(timeline.get(removedSecond)).toBeUndefined();
    expect(timeline.get(ids[0] ?? '')).toBeDefined();

    // With none removed left, the first seen goes, and the newest stays.
    const last = 'f'.repeat(64);
    timeline.record(event(last, 'create', T0 + 5));
    expect(timeline.all()).toHaveLength(MAX_CONTAINERS);
    expect(timeline.get(ids[0] ?? '')).toBeUndefined();
    expect(timeline.get(ids[1] ?? '')).toBeDefined();
    expect(timeline.get(last)).toBeDefined();
  });

  describe('crash restarts', () => {
    const id = hexId('c9');

    it('counts a start that follows a die nobody asked for', () => {
      const timeline = createTimeline({ now: () => T0 });
      timeline.record(event(id, 'start', T0));
      timeline.record(event(id, 'die', T0 + 1_000, { deliberate: false }));
      timeline.record(event(id, 'start', T0 + 2_000));
      timeline.record(event(id, 'die', T0 + 3_000, { deliberate: false }));
      timeline.record(event(id, 'start', T0 + 4_000));
      expect(timeline.crashRestarts(id, T0)).toBe(2);
    });

    it('does not count a start after a stop or kill (a deliberate die), nor the first start', () => {
      const timeline = createTimeline({ now: () => T0 });
      timeline.record(event(id, 'create', T0));
      timeline.record(event(id, 'start', T0 + 1));
      timeline.record(event(id, 'kill', T0 + 1_000, { signal: '15' }));
      timeline.record(event(id, 'die', T0 + 1_001, { deliberate: true, exitCode: 143 }));
      timeline.record(event(id, 'stop', T0 + 1_002));
      timeline.record(event(id, 'start', T0 + 2_000));
      // A die whose cause is unknown (null) is not a crash either.
      timeline.record(event(id, 'die', T0 + 3_000, { deliberate: null }));
      timeline.record(event(id, 'start', T0 + 4_000));
      expect(timeline.crashRestarts(id, T0)).toBe(0);
    });

    it('counts a crash once, however many starts follow it', () => {
      const timeline = createTimeline({ now: () => T0 });
      timeline.record(event(id, 'die', T0, { deliberate: false }));
      timeline.record(event(id, 'start', T0 + 1_000));
      timeline.record(event(id, 'start', T0 + 2_000));
      expect(timeline.crashRestarts(id, T0)).toBe(1);
    });

    it('counts only restarts inside the window', () => {
      const timeline = createTimeline({ now: () => T0 });
      for (const at of [0, 10_000, 20_000]) {
        timeline.record(event(id, 'die', T0 + at, { deliberate: false }));
        timeline.record(event(id, 'start', T0 + at + 1_000));
      }
      expect(timeline.crashRestarts(id, T0)).toBe(3);
      expect(timeline.crashRestarts(id, T0 + 1_000)).toBe(3);
      expect(timeline.crashRestarts(id, T0 + 1_001)).toBe(2);
      expect(timeline.crashRestarts(id, T0 + 21_001)).toBe(0);
    });

    it('is 0 for a container it does not know', () => {
      expect(createTimeline({ now: () => T0 }).crashRestarts(hexId('00'), 0)).toBe(0);
    });
  });
});
