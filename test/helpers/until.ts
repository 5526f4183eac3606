// Waiting for what arrives on its own time (a sample, a log line, a row on the page):
// every suite polls through here, so a timeout always names what never came.

export interface UntilOptions {
  /** Default 5 s. */
  timeoutMs?: number;
  /** Pause between probes; default 20 ms. Suites against a real daemon or browser poll slower. */
  intervalMs?: number;
}

/**
 * Calls `probe` until it gives something other than undefined or false, and resolves
 * with that; rejects after `timeoutMs` naming `what`.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: UntilOptions = {},
): Promise<T> {
  const { timeoutMs = 5_000, intervalMs = 20 } = options;
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** until(), resolving with the milliseconds it took: for tests that hold a latency to a budget. */
export async function msUntil(what: string, probe: () => unknown, options: UntilOptions = {}): Promise<number> {
  const started = Date.now();
  await until(what, probe, options);
  return Date.now() - started;
}
