// A pass-through proxy on a temporary Unix socket in front of the real daemon, keeping the
// stats records it relays. `docker -H unix://<proxy> stats --no-stream` then prints its
// usual rows while the test also holds the exact records the CLI computed them from: the
// window of its CPU figure (`preread` to `read`) and the counters at both ends. Comparing
// the agent with the CLI over that same window holds on a busy machine, where two readings
// taken a second apart do not.

import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { StatsRecord } from '../../src/docker/types.js';

export interface RecordingProxy {
  socketPath: string;
  /** Stats records relayed since the last take, by the container as the CLI named it (name or ID). */
  takeRecords(): Map<string, StatsRecord>;
  close(): Promise<void>;
}

const STATS_PATH = /^\/(?:v[\d.]+\/)?containers\/([^/?]+)\/stats/;

export async function startRecordingProxy(daemonSocket = '/var/run/docker.sock'): Promise<RecordingProxy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dmtest-proxy-'));
  const socketPath = path.join(dir, 'docker.sock');
  let records = new Map<string, StatsRecord>();

  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { socketPath: daemonSocket, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const match = STATS_PATH.exec(req.url ?? '');
        if (match === null) {
          answer.pipe(res);
          return;
        }
        let body = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk: string) => {
          body += chunk;
          res.write(chunk);
        });
        answer.on('end', () => {
          // stream=false: one JSON object (and a newline).
          for (const line of body.split('\n')) {
            if (line.trim() === '') continue;
            records.set(decodeURIComponent(match[1] as string), JSON.parse(line) as StatsRecord);
          }
          res.end();
        });
      },
    );
    upstream.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  return {
    socketPath,
    takeRecords() {
      const taken = records;
      records = new Map();
      return taken;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
