// `npm run bench:multi-host`: one agent showing 5 peers of 100 containers each, against
// the same agent without peers, side by side in one run: the latency of the page and of
// /containers?hosts=all, the agent's CPU and RSS, and the bytes a second it receives from
// its peers. The peers are stand-ins (peer-replay.ts, in their own process) answering as
// agents of 100 containers would, numbers moving on every answer.
//
//   npm run bench:multi-host [-- --seconds 30 --peers 5 --containers 100 --out docs/benchmarks-multi-host.md]
//   npm run bench -- --only multi-host [same options]

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startAgent, type RunningAgent } from './agent.js';
import { fetchOnce } from './http-load.js';
import { startScriptNodeFlags } from './node-flags.js';
import { openCpuWindow, rssBytes } from './proc.js';
import { median, percentile, sleep } from './stats-math.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

const SECONDS = Number(option('seconds', '30'));
const PEERS = Number(option('peers', '5'));
const CONTAINERS = Number(option('containers', '100'));
const OUT = option('out', '');
const PORT = 15_000 + Math.floor(Math.random() * 5_000);

interface Measured {
  label: string;
  /** With nobody asking: what peers cost by themselves. */
  idleCpuPercent: number;
  cpuPercent: number;
  rssMiB: number;
  pageMs: { median: number | null; p95: number | null };
  allHostsMs: { median: number | null; p95: number | null };
  allHostsBytes: number;
  rows: number;
  peerBytesPerSecond: number;
}

const progress = (text: string): void => void process.stderr.write(`bench:multi-host: ${text}\n`);

async function peerBytes(agent: RunningAgent): Promise<number> {
  const health = JSON.parse((await agent.get('/healthz')).body) as { peers?: { list: { bytes_received: number }[] } };
  return (health.peers?.list ?? []).reduce((sum, peer) => sum + peer.bytes_received, 0);
}

async function measure(label: string, agent: RunningAgent): Promise<Measured> {
  const idle = openCpuWindow([agent.pid]);
  await sleep((SECONDS * 1000) / 2);
  const idleCpuPercent = idle.stop().percentOfCore;
  const client = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const page: number[] = [];
  const allHosts: number[] = [];
  let allHostsBytes = 0;
  let rows = 0;
  const bytesBefore = await peerBytes(agent);
  const cpu = openCpuWindow([agent.pid]);
  const endMs = Date.now() + SECONDS * 1000;
  // A person with the page open and a script polling: one request every 250 ms, alternating.
  while (Date.now() < endMs) {
    const pageAnswer = await fetchOnce(client, `${agent.baseUrl}/`);
    page.push(pageAnswer.elapsedMs);
    rows = (pageAnswer.body.match(/<tr data-id=/g) ?? []).length;
    await sleep(125);
    const all = await fetchOnce(client, `${agent.baseUrl}/containers?hosts=all`);
    allHosts.push(all.elapsedMs);
    allHostsBytes = all.body.length;
    await sleep(125);
  }
  const window = cpu.stop();
  const bytesAfter = await peerBytes(agent);
  client.destroy();
  return {
    label,
    idleCpuPercent,
    cpuPercent: window.percentOfCore,
    rssMiB: (rssBytes(agent.pid) ?? 0) / 1024 / 1024,
    pageMs: { median: median(page), p95: percentile(page, 0.95) },
    allHostsMs: { median: median(allHosts), p95: percentile(allHosts, 0.95) },
    allHostsBytes,
    rows,
    peerBytesPerSecond: (bytesAfter - bytesBefore) / window.wallSeconds,
  };
}

/** The whole comparison; `npm run bench:multi-host` and `npm run bench -- --only multi-host` run it. */
export async function runMultiHostBench(): Promise<void> {
  const entry = path.join(repoRoot, 'dist', 'main.js');
  const flags = startScriptNodeFlags(path.join(repoRoot, 'package.json'));
  progress(`${PEERS} stand-in peers of ${CONTAINERS} containers on 127.0.0.2-${PEERS + 1}:${PORT}`);
  const replay = spawn(process.execPath, [path.join(repoRoot, 'dist-bench', 'peer-replay.js'), String(PORT), String(PEERS), String(CONTAINERS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => replay.stdout?.once('data', () => resolve()));
  const peers = Array.from({ length: PEERS }, (_, index) => `http://127.0.0.${index + 2}:${PORT}`).join(',');
  const results: Measured[] = [];
  try {
    for (const [label, env] of [
      ['without peers', {}],
      [`with ${PEERS} peers of ${CONTAINERS} containers`, { PEERS: peers, NODE_NAME: 'hub' }],
    ] as const) {
      progress(`${label}: starting the agent, 10 s to settle, then ${SECONDS} s measured`);
      const agent = await startAgent(entry, flags, env);
      try {
        await sleep(10_000);
        results.push(await measure(label, agent));
      } finally {
        await agent.stop();
      }
    }
  } finally {
    replay.kill();
  }
  const [alone, hub] = results as [Measured, Measured];
  const fmt = (value: number | null, digits = 1): string => (value === null ? '–' : value.toFixed(digits));
  const table = [
    '| | without peers | with peers |',
    '| --- | ---: | ---: |',
    `| rows on the page | ${alone.rows} | ${hub.rows} |`,
    `| GET / median / p95 (ms) | ${fmt(alone.pageMs.median)} / ${fmt(alone.pageMs.p95)} | ${fmt(hub.pageMs.median)} / ${fmt(hub.pageMs.p95)} |`,
    `| GET /containers?hosts=all median / p95 (ms) | ${fmt(alone.allHostsMs.median)} / ${fmt(alone.allHostsMs.p95)} | ${fmt(hub.allHostsMs.median)} / ${fmt(hub.allHostsMs.p95)} |`,
    `| /containers?hosts=all body (KiB) | ${fmt(alone.allHostsBytes / 1024)} | ${fmt(hub.allHostsBytes / 1024)} |`,
    `| agent CPU, nobody asking (% of one core) | ${fmt(alone.idleCpuPercent, 2)} | ${fmt(hub.idleCpuPercent, 2)} |`,
    `| agent CPU, 4 requests a second (% of one core) | ${fmt(alone.cpuPercent, 2)} | ${fmt(hub.cpuPercent, 2)} |`,
    `| agent RSS at the end (MiB) | ${fmt(alone.rssMiB)} | ${fmt(hub.rssMiB)} |`,
    `| received from peers (KiB/s) | ${fmt(alone.peerBytesPerSecond / 1024)} | ${fmt(hub.peerBytesPerSecond / 1024)} |`,
  ].join('\n');
  const given = process.argv.slice(2);
  const command = given.includes('--only') ? `npm run bench -- ${given.join(' ')}` : `npm run bench:multi-host${given.length > 0 ? ` -- ${given.join(' ')}` : ''}`;
  const report = [
    '# One agent showing many hosts',
    '',
    `Generated by \`${command}\` (bench/multi-host.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC:`,
    `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, load average at the end ${os.loadavg().map((load) => load.toFixed(2)).join(', ')}.`,
    '',
    `One agent as \`npm start\` runs it, over this machine's Docker daemon, measured without peers and then with`,
    `PEERS naming ${PEERS} stand-in peers of ${CONTAINERS} containers each (bench/peer-replay.ts, in their own process, answering`,
    `as dockmon agents would, every number moving on each answer), asked every PEER_INTERVAL (2 s). Each agent settles for 10 s,`,
    `is measured ${SECONDS / 2} s with nobody asking, then ${SECONDS} s while a client asks GET / and GET /containers?hosts=all`,
    'alternately, one request every 250 ms (the page is the full HTML with every row in it, as a first load).',
    '',
    table,
    '',
  ].join('\n');
  process.stdout.write(`${report}\n`);
  if (OUT !== '') {
    writeFileSync(OUT, report);
    writeFileSync(OUT.replace(/\.md$/, '.json'), `${JSON.stringify({ command, seconds: SECONDS, peers: PEERS, containers: CONTAINERS, results }, null, 2)}\n`);
    progress(`wrote ${OUT}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runMultiHostBench().catch((error: unknown) => {
    process.stderr.write(`bench:multi-host: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
