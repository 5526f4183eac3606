// The query parameters of the page's routes, checked once here: an unknown or repeated
// parameter, or a value out of its set, is a 400 naming it.

import { BadRequestError } from '../errors.js';

export function onlyParameters(url: URL, allowed: readonly string[]): void {
  for (const key of url.searchParams.keys()) {
    if (!allowed.includes(key)) {
      throw new BadRequestError(`unknown query parameter ${JSON.stringify(key)}: only ${allowed.join(', ')} accepted`);
    }
  }
  for (const key of allowed) {
    if (url.searchParams.getAll(key).length > 1) throw new BadRequestError(`give ${key} at most once`);
  }
}

export function requiredId(url: URL): string {
  const id = url.searchParams.get('id');
  if (id === null || id === '') throw new BadRequestError('give id: a full container ID, a name, or an ID prefix');
  return id;
}

/**
 * `stopped=1` (or true) on /, /table and /live: the page's "show stopped" toggle, which
 * adds a row for every stopped container. 0, false or absent: off.
 */
export function parseShowStopped(url: URL): boolean {
  const values = url.searchParams.getAll('stopped');
  if (values.length === 0) return false;
  if (values.length > 1) throw new BadRequestError('give stopped at most once');
  const value = values[0];
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new BadRequestError('stopped must be 1, true, 0 or false');
}
