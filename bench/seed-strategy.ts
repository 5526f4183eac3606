// The seed's design, reproduced as a strategy to measure it against ours: on every
// page refresh, list the containers, then read each one's stats with
// `stats?stream=false` one after the other (the Python SDK's `container.stats(stream=False)`).
// Without one-shot the daemon waits for two collector ticks per call (docker-api-notes
// §2.2), so a refresh costs about N × 1-2 s.

import http from 'node:http';

export interface SeedRun {
  /** Wall time of each stats call, in ms, in order. */
  callMs: number[];
  /** Wall time of each complete refresh (list + every container), in ms. */
  refreshMs: number[];
}

export interface DockerSocket {
  socketPath: string;
}

function get(socket: DockerSocket, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket.socketPath, path, method: 'GET', agent: false }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The API version prefix the daemon offers, as the Python SDK's auto-negotiation picks it. */
export async function negotiatePrefix(socket: DockerSocket): Promise<string> {
  const ping = await get(socket, '/_ping');
  const version = ping.headers['api-version'];
  if (typeof version !== 'string') throw new Error('GET /_ping: no Api-Version header');
  return `/v${version}`;
}

/**
 * Runs seed refreshes back to back until `shouldStop()` says so, checked between
 * calls (a call in flight is finished, as the seed would).
 */
export async function runSeedRefreshes(
  socket: DockerSocket,
  ids: readonly string[],
  shouldStop: (run: Readonly<SeedRun>) => boolean,
  onCall?: (calls: number) => void,
): Promise<SeedRun> {
  const prefix = await negotiatePrefix(socket);
  const run: SeedRun = { callMs: [], refreshMs: [] };
  while (!shouldStop(run)) {
    const refreshStart = performance.now();
    // The seed lists all running containers first; we then read the bench's own.
    await get(socket, `${prefix}/containers/json`);
    for (const id of ids) {
      if (shouldStop(run)) return run;
      const callStart = performance.now();
      const answer = await get(socket, `${prefix}/containers/${id}/stats?stream=false`);
      if (answer.status !== 200) throw new Error(`seed strategy: stats of ${id} answered ${answer.status}`);
      run.callMs.push(performance.now() - callStart);
      onCall?.(run.callMs.length);
    }
    run.refreshMs.push(performance.now() - refreshStart);
  }
  return run;
}
