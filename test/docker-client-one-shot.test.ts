// readStatsOnce, the client call behind the round-robin reads past the stream cap,
// against the fake Engine: one-shot where the API has it, and the daemon's errors.

import { afterEach, describe, expect, it } from 'vitest';
import { createDockerClient, type DockerClient } from '../src/docker/client.js';
import { createTransport, type Transport } from '../src/docker/transport.js';
import { DockerApiError } from '../src/errors.js';
import { startFakeDocker, type FakeDocker } from './helpers/fake-docker.js';

let fake: FakeDocker | undefined;
let transport: Transport | undefined;

afterEach(async () => {
  transport?.destroy();
  transport = undefined;
  await fake?.close();
  fake = undefined;
});

async function setup(apiVersion: string): Promise<{ fake: FakeDocker; client: DockerClient }> {
  fake = await startFakeDocker({ apiVersion });
  transport = createTransport({ endpoint: { kind: 'unix', socketPath: fake.socketPath }, timeoutMs: 2_000 });
  const client = createDockerClient(transport);
  await client.negotiate();
  return { fake, client };
}

describe('readStatsOnce', () => {
  it('asks for one-shot from API 1.41 on and returns one record, precpu empty', async () => {
    const { fake, client } = await setup('1.41');
    const container = fake.addContainer({ name: 'web' });
    const record = await client.readStatsOnce(container.id);
    expect(typeof record.read).toBe('string');
    expect(record.cpu_stats?.cpu_usage?.total_usage).toBeGreaterThan(0);
    expect(record.precpu_stats?.system_cpu_usage ?? 0).toBe(0);
    const request = fake.requests.find((entry) => entry.route === `/containers/${container.id}/stats`);
    expect(request?.url).toBe(`/v1.41/containers/${container.id}/stats?stream=false&one-shot=true`);
  });

  it('leaves one-shot out below API 1.41, where the daemon would ignore it', async () => {
    const { fake, client } = await setup('1.40');
    const container = fake.addContainer({ name: 'web' });
    await client.readStatsOnce(container.id);
    const request = fake.requests.find((entry) => entry.route === `/containers/${container.id}/stats`);
    expect(request?.url).toBe(`/v1.40/containers/${container.id}/stats?stream=false`);
  });

  it('turns a removed container into a 404 DockerApiError, and refuses a non-ID', async () => {
    const { client } = await setup('1.41');
    const missing = 'f'.repeat(64);
    await expect(client.readStatsOnce(missing)).rejects.toSatisfy(
      (error: unknown) => error instanceof DockerApiError && error.status === 404,
    );
    await expect(client.readStatsOnce('../../images/json')).rejects.toThrow(TypeError);
  });
});
