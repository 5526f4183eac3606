// The heavy answers (/table, /metrics: hundreds of KB at hundreds of containers) are
// rendered at most once per SHARED_RENDER_MAX_AGE_MS and the same bytes go to every
// client asking meanwhile. Ten dashboards polling, or two Prometheus replicas, then
// cost one rendering instead of ten, and the agent's memory does not swell with ten
// copies of the same text (measured at 100 containers, 10 clients in a closed loop:
// see docs/benchmarks.md). The data is sampled once a second, so an answer up to a
// quarter-second old says nothing different; a container added, removed or renamed,
// or Docker coming or going, renders afresh at once.

/** An answer younger than this is served again as it is. */
export const SHARED_RENDER_MAX_AGE_MS = 250;

export interface SharedRender {
  /**
   * The value rendered for `key` if it is younger than the maximum age and every item of
   * `inputs` is the same (===) as when it was rendered; else render() now, and keep that.
   * Keys must come from a small fixed set: one entry is kept per key.
   */
  get<T>(key: string, inputs: readonly unknown[], render: () => T): T;
}

interface Entry {
  atMs: number;
  inputs: readonly unknown[];
  value: unknown;
}

export function createSharedRender(options: { maxAgeMs: number; now(): number }): SharedRender {
  const entries = new Map<string, Entry>();
  return {
    get<T>(key: string, inputs: readonly unknown[], render: () => T): T {
      const nowMs = options.now();
      const entry = entries.get(key);
      if (
        entry !== undefined &&
        nowMs >= entry.atMs &&
        nowMs - entry.atMs < options.maxAgeMs &&
        entry.inputs.length === inputs.length &&
        entry.inputs.every((input, index) => input === inputs[index])
      ) {
        return entry.value as T;
      }
      const value = render();
      entries.set(key, { atMs: nowMs, inputs, value });
      return value;
    },
  };
}
