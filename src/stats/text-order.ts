// Orders names without Intl. String.prototype.localeCompare goes through ICU; in a bare
// node process its first call maps about 8 MiB of the binary into RSS (34 → 42 MiB
// file-backed; in the agent other startup work maps many of the same pages, so the
// saving there is smaller). Container names are ASCII ([a-zA-Z0-9][a-zA-Z0-9_.-]*) and
// so are IDs; a case-insensitive code-unit order is what a person expects of them.

/** Case-insensitive first ("api" before "Web"), then by code unit so the order is total. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const lowerA = a.toLowerCase();
  const lowerB = b.toLowerCase();
  if (lowerA !== lowerB) return lowerA < lowerB ? -1 : 1;
  return a < b ? -1 : 1;
}
