// A per-key throttle for repeated log lines (STYLE.md R6: "rate-limit repeated error
// logs per key"). It only decides whether a line may go out; the caller writes it, so
// the sampler and the webhook notifier share it without depending on the logger.

export interface RateLimitDecision {
  /** True when this occurrence may be logged now. */
  allowed: boolean;
  /**
   * When allowed: how many occurrences of this key were held back since the last
   * allowed one (put it in the line, e.g. `{ suppressed }`). When not allowed: the
   * count so far, including this one.
   */
  suppressed: number;
}

interface KeyWindow { allowedAt: number; suppressed: number }

/**
 * Per-key log throttle after cAdvisor's allowErrorLogging
 * (https://github.com/google/cadvisor/blob/master/manager/container.go): the first
 * occurrence of a key is allowed, then at most one per intervalMs, and the allowed
 * one reports how many were suppressed in between. Memory stays bounded: expired keys
 * with nothing suppressed are forgotten (losslessly), and past maxKeys the key allowed
 * longest ago is evicted.
 */
export function createRateLimiter(
  intervalMs: number,
  now: () => number = Date.now,
  maxKeys = 10_000,
): (key: string) => RateLimitDecision {
  // Insertion order is allowedAt order: a key is re-inserted each time it is allowed.
  const windows = new Map<string, KeyWindow>();
  let lastSweepAt = -Infinity;

  function sweep(at: number): void {
    lastSweepAt = at;
    for (const [key, window] of windows) {
      if (at - window.allowedAt < intervalMs) break;
      if (window.suppressed === 0) windows.delete(key);
    }
  }

  return (key) => {
    const at = now();
    if (at - lastSweepAt >= intervalMs) sweep(at);
    const window = windows.get(key);
    if (window !== undefined && at - window.allowedAt < intervalMs) {
      window.suppressed++;
      return { allowed: false, suppressed: window.suppressed };
    }
    windows.delete(key);
    windows.set(key, { allowedAt: at, suppressed: 0 });
    if (windows.size > maxKeys) {
      const oldest = windows.keys().next();
      if (oldest.done !== true) windows.delete(oldest.value);
    }
    return { allowed: true, suppressed: window?.suppressed ?? 0 };
  };
}
