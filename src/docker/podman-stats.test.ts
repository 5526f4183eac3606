import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { podmanSwapsNetwork, swapNetworkDirections } from './podman-stats.js';
import type { StatsRecord } from './types.js';

describe("Podman's swapped network counters (podman#16618)", () => {
  it('are turned round for Podman before 4.4 only', () => {
    expect(podmanSwapsNetwork('Libpod/4.3.1 (linux)')).toBe(true);
    expect(podmanSwapsNetwork('Libpod/3.4.4 (linux)')).toBe(true);
    expect(podmanSwapsNetwork('Libpod/4.4.0 (linux)')).toBe(false);
    expect(podmanSwapsNetwork('Libpod/5.2.1 (linux)')).toBe(false);
    expect(podmanSwapsNetwork('Docker/20.10.24+dfsg1 (linux)')).toBe(false);
    expect(podmanSwapsNetwork(null)).toBe(false);
  });

  it('exchange rx and tx in every interface of a captured Podman 4.3.1 record, leaving the input as it was', () => {
    const text = readFileSync(new URL('../../test/fixtures/podman/stats-pm-burn-stream-false.json', import.meta.url), 'utf8');
    const record = JSON.parse(text) as StatsRecord;
    const before = record.networks?.['network'];
    const after = swapNetworkDirections(record).networks?.['network'];
    expect(after?.rx_bytes).toBe(before?.tx_bytes);
    expect(after?.tx_bytes).toBe(before?.rx_bytes);
    expect(after?.rx_packets).toBe(before?.tx_packets);
    expect(JSON.stringify(record)).toBe(JSON.stringify(JSON.parse(text)));
  });
});
