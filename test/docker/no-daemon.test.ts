// The agent pointed at a Docker socket that does not exist keeps serving and says why
// it is not ready (SPEC: "Without a reachable daemon ... it does not crash: it says
// exactly what is wrong").

import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { sleep } from './containers.js';

let agent: AgentProcess | undefined;

afterAll(async () => {
  await agent?.kill();
});

function dockerOf(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || !('docker' in body)) throw new Error(`no docker in ${JSON.stringify(body)}`);
  const docker: unknown = body.docker;
  if (typeof docker !== 'object' || docker === null) throw new Error(`docker is not an object in ${JSON.stringify(body)}`);
  return docker as Record<string, unknown>;
}

describe('the agent with DOCKER_HOST at a missing socket', () => {
  it('serves /healthz 200 with docker unavailable naming the socket, and /readyz 503', async () => {
    const socket = path.join(os.tmpdir(), `dmtest-${process.pid}-missing`, 'docker.sock');
    agent = await startAgent({ env: { DOCKER_HOST: `unix://${socket}` }, waitFor: 'healthy' });

    // The first connection attempt may still be under way: wait for its verdict.
    let docker: Record<string, unknown> = {};
    const deadline = Date.now() + 5_000;
    for (;;) {
      const health = await agent.getJson('/healthz');
      expect(health.status).toBe(200);
      docker = dockerOf(health.json);
      if (docker['state'] !== 'connecting' || Date.now() > deadline) break;
      await sleep(100);
    }
    expect(docker['state']).toBe('unavailable');
    expect(String(docker['message'])).toContain(socket);

    const ready = await agent.getJson('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json).toHaveProperty('error');
    expect(JSON.stringify(ready.json)).toContain(socket);

    // Still serving the page; the container endpoints say Docker is unreachable (503,
    // naming the socket) rather than answering an empty list that reads as "nothing runs".
    expect((await agent.get('/')).status).toBe(200);
    for (const route of ['/containers', '/table']) {
      const answer = await agent.getJson(route);
      expect(answer.status, route).toBe(503);
      expect(JSON.stringify(answer.json), route).toContain(socket);
    }

    // And still alive after a couple of reconnect attempts.
    await sleep(1_500);
    expect((await agent.get('/healthz')).status).toBe(200);

    const stopped = await agent.stop();
    agent = undefined;
    expect(stopped.code).toBe(0);
  });
});
