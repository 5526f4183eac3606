// Stand-in peers for `npm run bench:multi-host`: PEERS_COUNT servers on 127.0.0.2,
// 127.0.0.3, ... (one port), each answering GET /containers as a dockmon agent with
// CONTAINERS entries would: every field of an entry, X-Dockmon-Node and X-Dockmon-Agent,
// ages under a second and numbers that move on each answer (the worst case for the hub's
// live diff). Run in its own process so the hub is measured alone.
//
//   node dist-bench/peer-replay.js PORT PEERS_COUNT CONTAINERS

import http from 'node:http';

const [port, peersCount, containers] = process.argv.slice(2).map(Number) as [number, number, number];

function entry(peer: number, index: number, nowMs: number): Record<string, unknown> {
  const id = `${peer.toString(16)}${index.toString(16).padStart(3, '0')}`.padEnd(64, 'e');
  const age = Math.random() * 0.9;
  const rx = 1_000_000 * index + Math.floor(nowMs / 10);
  return {
    id, name: `peer${peer}-app-${index}`, image: 'registry.example/app:1.2.3', state: 'running', network_mode: 'bridge',
    source: 'cgroup', read: new Date(nowMs - age * 1000).toISOString(), sample_age_seconds: Math.round(age * 1000) / 1000, stale: false,
    cpu: Math.round(Math.random() * 5000) / 100, online_cpus: 8, memory: 1.2, memory_usage_bytes: 100_000_000 + index,
    memory_raw_usage_bytes: 120_000_000, memory_limit_bytes: 8_000_000_000, network_in: rx / 1024, network_out: rx / 2048,
    network_rx_bytes: rx, network_tx_bytes: Math.floor(rx / 2), network_rx_bytes_per_second: Math.random() * 10_000,
    network_tx_bytes_per_second: Math.random() * 5_000, block_read_bytes: 4096 * index, block_write_bytes: 8192 * index, pids: 7,
    cpu_usage_seconds: nowMs / 1e5, cpu_periods: 0, cpu_throttled_periods: 0, cpu_throttled_seconds: 0, block_read_ops: index,
    block_write_ops: index, oom_kills: 0, memory_swap_bytes: 0, memory_failcnt: 0, memory_max_usage_bytes: 130_000_000,
    pressure_avg10_percent: null,
  };
}

for (let peer = 1; peer <= peersCount; peer += 1) {
  const server = http.createServer((req, res) => {
    if (req.url !== '/containers') {
      res.writeHead(404).end();
      return;
    }
    const nowMs = Date.now();
    const body: Record<string, unknown> = {};
    for (let index = 0; index < containers; index += 1) {
      const one = entry(peer, index, nowMs);
      body[one['id'] as string] = one;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-dockmon-node': `peer-${peer}`, 'x-dockmon-agent': `replay-${peer}` });
    res.end(JSON.stringify(body));
  });
  server.listen(port, `127.0.0.${peer + 1}`);
}
process.stdout.write('ready\n');
