// Capped exponential backoff with jitter (dozzle: 1 s doubling to 30 s; the jitter
// keeps many agents, or many streams, from reconnecting in lockstep).

export function backoffDelayMs(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures, 30));
  const ideal = Math.min(maxMs, baseMs * 2 ** exponent);
  const jitter = 0.8 + 0.4 * random();
  return Math.round(Math.min(maxMs, ideal * jitter));
}
