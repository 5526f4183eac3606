// The query parameters of every route, checked here and nowhere else, before anything is
// looked up: an unknown or repeated parameter, a value out of its set, a missing or
// malformed container `id` is a 400 naming it. A well-formed `id` (a full ID, a name, or an
// ID prefix) then only ever selects from the agent's own list (container-query.ts); it
// never reaches a Docker URL.

import { BadRequestError } from '../errors.js';

/** Docker's name rule ([a-zA-Z0-9][a-zA-Z0-9_.-]+), an optional leading slash, or a hex prefix. */
const ID_PATTERN = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

/** Refuses a parameter not in `allowed`, and any of them given more than once. */
export function checkParameters(url: URL, allowed: readonly string[]): void {
  for (const key of url.searchParams.keys()) {
    if (!allowed.includes(key)) {
      const accepted = allowed.length === 0 ? 'none is accepted' : `only ${allowed.join(', ')} accepted`;
      throw new BadRequestError(`unknown query parameter ${JSON.stringify(key)}: ${accepted}`);
    }
  }
  for (const key of allowed) {
    if (url.searchParams.getAll(key).length > 1) throw new BadRequestError(`give ${key} at most once`);
  }
}

/** Refuses a malformed container query: what a route's `id` may be. */
export function checkContainerId(id: string): string {
  if (!ID_PATTERN.test(id)) {
    throw new BadRequestError(`id ${JSON.stringify(id.slice(0, 80))} is malformed: give a full container ID, a name, or an ID prefix`);
  }
  return id;
}

/** `?id=` of the routes about one container (/detail, /containers/history, /containers/events). */
export function requiredContainerId(url: URL): string {
  const id = url.searchParams.get('id');
  if (id === null || id === '') throw new BadRequestError('give id: a full container ID, a name, or an ID prefix');
  return checkContainerId(id);
}

/** `?id=` of /containers: absent selects every container; empty is malformed. */
export function optionalContainerId(url: URL): string | null {
  const id = url.searchParams.get('id');
  return id === null ? null : checkContainerId(id);
}

/**
 * A yes/no parameter: 1 or true, 0 or false; absent is no. `bareIsYes` lets the name alone
 * (`?all`) mean yes. (`?stopped=1` on /, /table and /live is the page's "show stopped"
 * toggle; `?all=1` on /containers adds the stopped containers.)
 */
export function parseFlag(url: URL, name: string, options: { bareIsYes?: boolean } = {}): boolean {
  const values = url.searchParams.getAll(name);
  if (values.length === 0) return false;
  if (values.length > 1) throw new BadRequestError(`give ${name} at most once`);
  const value = values[0];
  if (value === '1' || value === 'true' || (value === '' && options.bareIsYes === true)) return true;
  if (value === '0' || value === 'false') return false;
  throw new BadRequestError(`${name} must be 1, true, 0 or false`);
}
