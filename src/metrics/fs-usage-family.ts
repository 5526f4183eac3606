// container_fs_usage_bytes from the writable-layer sizes the Engine reports (SizeRw of
// `GET /containers/json?size=1`, read every FS_USAGE_INTERVAL), and the cost of reading
// them. cAdvisor's family (google/cadvisor lib/metrics/prometheus.go) has the same name,
// type and HELP, with a `device` label naming the block device under Docker's data root
// and a value that also counts the container's log folder, in disk blocks
// (container/docker/fs.go, common/fsHandler). The Engine API names no device, so the
// series carry none (as `device=""` would be stored), and the value is the writable
// layer as `docker ps --size` shows it: the size of the files the container created or
// changed.

import type { Exposition, Labels } from './exposition.js';

/** The shape of the size poller (sampler/fs-usage.ts) that the exporter reads. */
export interface FsUsageSource {
  sizes(): ReadonlyMap<string, number>;
  stats(): Readonly<{ lists: number; failures: number; lastListSeconds: number | null }>;
}

/** Adds the containers' sizes (those with a fresh sample and a known size) and the lists' figures. */
export function addFsUsageFamilies(
  exposition: Exposition,
  containers: readonly { readonly id: string; readonly labels: Labels }[],
  source: FsUsageSource,
): void {
  const usage = exposition.family('container_fs_usage_bytes', 'gauge', 'Number of bytes that are consumed by the container on this filesystem.');
  const sizes = source.sizes();
  for (const container of containers) {
    const bytes = sizes.get(container.id);
    if (bytes !== undefined) usage.add(container.labels, bytes);
  }
  const stats = source.stats();
  exposition
    .family('dockmon_fs_usage_lists_total', 'counter', 'Writable-layer size lists (GET /containers/json?size=1, every FS_USAGE_INTERVAL) answered.')
    .add([], stats.lists);
  exposition
    .family('dockmon_fs_usage_list_errors_total', 'counter', 'Writable-layer size lists that failed while Docker was reachable.')
    .add([], stats.failures);
  if (stats.lastListSeconds !== null) {
    exposition
      .family('dockmon_fs_usage_list_duration_seconds', 'gauge', 'How long the daemon took to answer the last writable-layer size list.')
      .add([], stats.lastListSeconds);
  }
}
