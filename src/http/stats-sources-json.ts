// Where the numbers come from, as /healthz and the page's status say it: how many
// containers each source reads, and why the kernel is not used where it is not.

import type { StoreReader } from '../sampler/store.js';
import type { StatsSourcesStatus } from '../views/page-status.js';

/** Containers listed with the reason they are not read from the kernel, at most this many. */
const MAX_LISTED_FALLBACKS = 20;

/** The counts and reasons (the page's status carries these; they change only when a source does). */
export function statsSourcesSummary(store: StoreReader): StatsSourcesStatus {
  const kernel = store.kernel();
  const summary: StatsSourcesStatus = {
    mode: kernel.mode,
    cgroup: 0,
    api: 0,
    undecided: 0,
    kernel_unavailable: kernel.mode === 'api' ? null : kernel.reason,
    not_from_kernel: [],
    not_from_kernel_count: 0,
  };
  for (const view of store.list()) {
    if (view.source === null) summary.undecided += 1;
    else summary[view.source] += 1;
    // A container on the API for its own reason (the kernel is usable for the others).
    if (view.source === 'api' && view.sourceReason !== null && summary.kernel_unavailable === null && kernel.mode !== 'api') {
      summary.not_from_kernel_count += 1;
      if (summary.not_from_kernel.length < MAX_LISTED_FALLBACKS) {
        summary.not_from_kernel.push({ id: view.info.id, name: view.info.name, reason: view.sourceReason });
      }
    }
  }
  return summary;
}

/** /healthz: the summary and the kernel reader's own figures from its last pass. */
export function statsSourcesJson(store: StoreReader): Record<string, unknown> {
  const reader = store.kernel().reader;
  return {
    ...statsSourcesSummary(store),
    kernel_reader:
      reader === null
        ? null
        : {
            containers: reader.attached,
            passes: reader.passes,
            last_pass_ms: Math.round(reader.lastPassMs * 100) / 100,
            last_pass_cpu_ms: Math.round(reader.lastPassCpuMs * 100) / 100,
            open_files: reader.openFiles,
            parse_errors: reader.parseErrors,
            read_errors: reader.readErrors,
          },
  };
}
