// When a value stops being "live". The daemon sends a stats record about every
// second; a sample older than this means the stream stalled or Docker is gone, and
// every view says so rather than passing old numbers off as current.

export const STALE_AFTER_MS = 5_000;

export function isStale(sampleReadMs: number | null, nowMs: number): boolean {
  return sampleReadMs === null || nowMs - sampleReadMs > STALE_AFTER_MS;
}
