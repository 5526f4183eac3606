// HTTP load against the agent from concurrent keep-alive clients. Latency is measured
// from sending the request to reading the last byte of the body.
//
// Two shapes:
// - paced: each client sends one request every `intervalMs` (a busy dashboard: 10
//   clients at 20 req/s each); latency is then the service time plus what the other
//   clients' overlapping requests add;
// - saturated: each client sends the next request as soon as the last one answered,
//   which gives throughput; latency then grows with the queue (10 clients ≈ 10 × service time).

import http from 'node:http';
import { median, percentile, sleep } from './stats-math.js';

export interface LoadResult {
  requests: number;
  errors: number;
  medianMs: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  requestsPerSecond: number;
  /** Mean body size, to show what a response weighs at this N. */
  meanBytes: number;
}

export interface LoadOptions {
  baseUrl: string;
  path: string;
  clients: number;
  durationMs: number;
  /** Per client; 0 = saturated (closed loop). */
  intervalMs: number;
}

export function fetchOnce(
  agent: http.Agent,
  url: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: string; elapsedMs: number }> {
  const startMs = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, elapsedMs: performance.now() - startMs }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients });
  const url = `${options.baseUrl}${options.path}`;
  const latenciesMs: number[] = [];
  let errors = 0;
  let bytes = 0;
  const startMs = performance.now();
  const endMs = startMs + options.durationMs;

  const client = async (index: number): Promise<void> => {
    // Spread the paced clients over one interval rather than firing them together.
    if (options.intervalMs > 0) await sleep((options.intervalMs * index) / options.clients);
    let nextMs = performance.now();
    while (performance.now() < endMs) {
      try {
        const answer = await fetchOnce(agent, url);
        if (answer.status === 200) {
          latenciesMs.push(answer.elapsedMs);
          bytes += Buffer.byteLength(answer.body);
        } else errors += 1;
      } catch {
        errors += 1;
      }
      if (options.intervalMs > 0) {
        nextMs += options.intervalMs;
        const waitMs = nextMs - performance.now();
        if (waitMs > 0) await sleep(waitMs);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
  const elapsedSeconds = (performance.now() - startMs) / 1000;
  agent.destroy();
  return {
    requests: latenciesMs.length,
    errors,
    medianMs: median(latenciesMs),
    p99Ms: percentile(latenciesMs, 0.99),
    maxMs: percentile(latenciesMs, 1),
    requestsPerSecond: latenciesMs.length / elapsedSeconds,
    meanBytes: latenciesMs.length === 0 ? 0 : bytes / latenciesMs.length,
  };
}
