// The seed logged every row each /table call served. dockmon keeps that, but
// writes each Docker sample once: a row is appended only when its sample is newer
// than the last one logged for that container. The log then grows with the sample
// rate (about one line per container per second at most), never with the request
// rate, so no client can fill the disk by polling.

export interface ServedSample {
  id: string;
  /** The sample's own time (Docker's `read`), epoch ms: the de-duplication key. */
  readMs: number;
  /** The JSON line to write (without the `time` field, which is added here). */
  record: Readonly<Record<string, unknown>>;
}

export interface SampleLog {
  /** Appends the samples not logged before; returns how many lines were queued. */
  logServed(samples: readonly ServedSample[], servedAtMs: number): number;
}

export function createSampleLog(sink: { append(record: object): void }): SampleLog {
  const lastLoggedReadMs = new Map<string, number>();
  return {
    logServed(samples, servedAtMs) {
      const time = new Date(servedAtMs).toISOString();
      let written = 0;
      for (const sample of samples) {
        const last = lastLoggedReadMs.get(sample.id);
        if (last !== undefined && sample.readMs <= last) continue;
        lastLoggedReadMs.set(sample.id, sample.readMs);
        sink.append({ time, ...sample.record });
        written += 1;
      }
      // Forget containers that are gone so the map stays as small as the host.
      if (lastLoggedReadMs.size > 2 * samples.length + 64) {
        const current = new Set(samples.map((sample) => sample.id));
        for (const id of lastLoggedReadMs.keys()) if (!current.has(id)) lastLoggedReadMs.delete(id);
      }
      return written;
    },
  };
}
