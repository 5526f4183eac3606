// Turns a /containers/json entry or an event's attributes into our ContainerInfo.

import type { ContainerListEntry } from '../docker/types.js';
import type { ContainerInfo, ContainerState } from './types.js';

const STATES: ReadonlySet<string> = new Set<ContainerState>([
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
]);

export function toContainerInfo(entry: ContainerListEntry): ContainerInfo {
  return {
    id: entry.Id,
    name: stripSlash(entry.Names?.[0] ?? entry.Id.slice(0, 12)),
    image: entry.Image ?? '',
    state: toContainerState(entry.State),
    networkMode: entry.HostConfig?.NetworkMode ?? 'default',
    createdSeconds: typeof entry.Created === 'number' && entry.Created > 0 ? entry.Created : 0,
    labels: { ...entry.Labels },
  };
}

export function toContainerState(state: string | undefined): ContainerState {
  return state !== undefined && STATES.has(state) ? (state as ContainerState) : 'running';
}

/** The daemon sends names as "/foo"; `docker stats` shows "foo". */
export function stripSlash(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}
