// Resolves a route's `id=X` (checked by query.ts) against the agent's own container
// list: a full ID, then a name, then a unique ID prefix (SPEC). X only ever selects
// from that list; it never reaches a Docker URL.

import { AmbiguousError, NotFoundError } from '../errors.js';
import { checkContainerId } from './query.js';

const HEX_PATTERN = /^[0-9a-f]+$/;

interface Named {
  info: { id: string; name: string };
}

/** `where` names what was searched, for the 404: "running container" unless the caller looked further. */
export function resolveContainer<T extends Named>(query: string, views: readonly T[], where = 'running container'): T {
  // Every route checks its id first; checked again here, where it would do harm.
  checkContainerId(query);
  const wanted = query.startsWith('/') ? query.slice(1) : query;
  const byId = views.find((view) => view.info.id === wanted);
  if (byId) return byId;
  const byName = views.find((view) => view.info.name === wanted);
  if (byName) return byName;
  const lower = wanted.toLowerCase();
  if (HEX_PATTERN.test(lower)) {
    const matches = views.filter((view) => view.info.id.startsWith(lower));
    if (matches.length === 1 && matches[0]) return matches[0];
    if (matches.length > 1) {
      const names = matches.map((view) => `${view.info.id.slice(0, 12)} (${view.info.name})`);
      throw new AmbiguousError(
        `id prefix ${JSON.stringify(wanted)} fits ${matches.length} containers: ${names.join(', ')}`,
        matches.map((view) => view.info.id),
      );
    }
  }
  throw new NotFoundError(`no ${where} has the ID, name or ID prefix ${JSON.stringify(wanted)}`);
}
