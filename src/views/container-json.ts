// The wire format of /containers entries and of stats log lines. It keeps the
// seed's keys with the seed's meaning (cpu and memory in percent, network_in and
// network_out in KiB) and adds fields whose names carry their units.

import type { ContainerInfo, ContainerSample } from '../stats/types.js';
import { isStale } from './staleness.js';

export interface ContainerJson {
  id: string;
  name: string;
  image: string;
  state: string;
  network_mode: string;
  /** ISO time the daemon took the sample; null before the first sample. */
  read: string | null;
  /** Seconds between `read` and the moment this answer was built. */
  sample_age_seconds: number | null;
  /** True when there is no sample yet or it is older than 5 s (stream stalled, Docker gone). */
  stale: boolean;
  cpu: number | null;
  online_cpus: number | null;
  memory: number | null;
  memory_usage_bytes: number | null;
  memory_raw_usage_bytes: number | null;
  memory_limit_bytes: number | null;
  network_in: number | null;
  network_out: number | null;
  network_rx_bytes: number | null;
  network_tx_bytes: number | null;
  network_rx_bytes_per_second: number | null;
  network_tx_bytes_per_second: number | null;
  block_read_bytes: number | null;
  block_write_bytes: number | null;
  pids: number | null;
}

export function toContainerJson(
  view: { info: Readonly<ContainerInfo>; latest: ContainerSample | null },
  nowMs: number,
): ContainerJson {
  const { info, latest: sample } = view;
  return {
    id: info.id,
    name: info.name,
    image: info.image,
    state: info.state,
    network_mode: info.networkMode,
    read: sample?.readIso ?? null,
    sample_age_seconds: sample ? Math.max(0, Math.round(nowMs - sample.readMs) / 1000) : null,
    stale: isStale(sample?.readMs ?? null, nowMs),
    cpu: sample?.cpuPercent ?? null,
    online_cpus: sample ? sample.onlineCpus : null,
    memory: sample?.memoryPercent ?? null,
    memory_usage_bytes: sample?.memoryUsageBytes ?? null,
    memory_raw_usage_bytes: sample?.memoryRawUsageBytes ?? null,
    memory_limit_bytes: sample?.memoryLimitBytes ?? null,
    network_in: sample ? sample.networkRxBytes / 1024 : null,
    network_out: sample ? sample.networkTxBytes / 1024 : null,
    network_rx_bytes: sample?.networkRxBytes ?? null,
    network_tx_bytes: sample?.networkTxBytes ?? null,
    network_rx_bytes_per_second: sample?.networkRxBytesPerSecond ?? null,
    network_tx_bytes_per_second: sample?.networkTxBytesPerSecond ?? null,
    block_read_bytes: sample?.blockReadBytes ?? null,
    block_write_bytes: sample?.blockWriteBytes ?? null,
    pids: sample?.pids ?? null,
  };
}
