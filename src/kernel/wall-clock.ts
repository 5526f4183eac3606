// The time a kernel sample is taken, written as the daemon writes `read`.

/**
 * Wall time in ms with microseconds: the monotonic clock, re-anchored to Date.now() every
 * 10 s so a clock step (NTP) shows within seconds while intervals keep their precision.
 */
export function createWallClock(): () => number {
  let anchoredAt = performance.now();
  let offset = Date.now() - anchoredAt;
  return () => {
    const monotonic = performance.now();
    if (monotonic - anchoredAt > 10_000) {
      anchoredAt = monotonic;
      offset = Date.now() - monotonic;
    }
    return offset + monotonic;
  };
}

/**
 * An epoch time in ms (fractional) as Go's RFC3339Nano prints a UTC time: the daemon's
 * `read` format, zeros of the fraction trimmed, so the history ring stores it as numbers.
 */
export function goTime(epochMs: number): string {
  const wholeSeconds = Math.floor(epochMs / 1000);
  const micros = Math.round((epochMs - wholeSeconds * 1000) * 1000);
  if (micros >= 1_000_000) return `${secondText(wholeSeconds + 1)}Z`;
  const base = secondText(wholeSeconds);
  if (micros <= 0) return `${base}Z`;
  return `${base}.${String(micros).padStart(6, '0').replace(/0+$/, '')}Z`;
}

/** The date and time of a whole second; a pass stamps hundreds of records within one. */
let lastSecond = Number.NaN;
let lastSecondText = '';
function secondText(wholeSeconds: number): string {
  if (wholeSeconds !== lastSecond) {
    lastSecond = wholeSeconds;
    lastSecondText = new Date(wholeSeconds * 1000).toISOString().slice(0, 19);
  }
  return lastSecondText;
}
