// The real client, sampler and store over a fake Engine on a Unix socket: the
// whole feed path, including the daemon going away and coming back on the same
// socket, and the guarantee that nothing but allowlisted GETs reaches it.

import { afterEach, describe, expect, it } from 'vitest';
import { createDockerClient } from '../src/docker/client.js';
import { createTransport } from '../src/docker/transport.js';
import { createLogger } from '../src/log/logger.js';
import { createSampler, type Sampler } from '../src/sampler/sampler.js';
import { createStore, type Store } from '../src/sampler/store.js';
import { startFakeDocker, type FakeDocker } from './helpers/fake-docker.js';
import { msUntil, until } from './helpers/until.js';

const ALLOWED = [
  /^\/_ping$/,
  /^\/v1\.\d+\/containers\/json$/,
  /^\/v1\.\d+\/containers\/[0-9a-f]{64}\/stats$/,
  /^\/v1\.\d+\/containers\/[0-9a-f]{64}\/json$/,
  /^\/v1\.\d+\/events$/,
];

let fakes: FakeDocker[] = [];
let sampler: Sampler | undefined;

afterEach(async () => {
  await sampler?.stop();
  sampler = undefined;
  for (const fake of fakes) await fake.close();
  fakes = [];
});

function startAgent(socketPath: string): Store {
  const store = createStore({ historySize: 50, now: Date.now });
  const transport = createTransport({ endpoint: { kind: 'unix', socketPath }, timeoutMs: 1_000 });
  sampler = createSampler(
    { docker: createDockerClient(transport), store, logger: createLogger({ level: 'error', sink: () => undefined }) },
    { relistIntervalMs: 60_000, statsStallMs: 2_000, maxStatsStreams: 100, reconnectMaxMs: 200, reconnectBaseMs: 50 },
  );
  sampler.start();
  return store;
}

describe('agent over a fake Docker Engine', () => {
  it('samples every container, follows starts and removals, and sends only allowlisted GETs', async () => {
    const fake = await startFakeDocker();
    fakes.push(fake);
    const web = fake.addContainer({ name: 'web' });
    const db = fake.addContainer({ name: 'db' });
    const store = startAgent(fake.socketPath);

    await until('samples with CPU for both', () =>
      [web.id, db.id].every((id) => typeof store.get(id)?.latest?.cpuPercent === 'number'),
    );
    const sample = store.get(web.id)?.latest;
    expect(sample?.networkRxBytesPerSecond).toBeGreaterThan(0);
    expect(store.docker().state).toBe('connected');

    const late = fake.addContainer({ name: 'late' });
    const appearedMs = await msUntil('the started container', () => store.get(late.id) !== undefined);
    expect(appearedMs).toBeLessThan(1_000);

    fake.removeContainer(db.id);
    await until('the removed container to go', () => store.get(db.id) === undefined);
    await until('its stream to close', () => fake.openStreams() === 3);

    for (const request of fake.requests) {
      expect(request.method, request.url).toBe('GET');
      expect(ALLOWED.some((pattern) => pattern.test(request.path)), request.url).toBe(true);
    }
  });

  it('marks Docker unavailable when the daemon dies, and recovers on the same socket', async () => {
    const first = await startFakeDocker();
    fakes.push(first);
    const web = first.addContainer({ name: 'web' });
    const store = startAgent(first.socketPath);
    await until('a sample', () => store.get(web.id)?.latest != null);

    await first.close();
    await until('unavailable', () => store.docker().state === 'unavailable');
    // First "the event stream ended", then the reconnect names the missing socket.
    await until('the socket in the message', () => store.docker().message?.includes(first.socketPath) === true);
    expect(store.docker().hint).toContain('mount the Docker socket');
    expect(store.get(web.id)?.latest).not.toBeNull();

    const second = await startFakeDocker({ socketPath: first.socketPath });
    fakes.push(second);
    const back = second.addContainer({ id: 'e'.repeat(64), name: 'back' });
    await until('connected again', () => store.docker().state === 'connected');
    await until('the new daemon list', () => store.get(back.id)?.latest != null && store.get(web.id) === undefined);
  });

  it('keeps sampling the other containers while one stream keeps failing', async () => {
    const fake = await startFakeDocker();
    fakes.push(fake);
    const good = fake.addContainer({ name: 'good' });
    const bad = fake.addContainer({ name: 'bad' });
    fake.fault(new RegExp(`^/containers/${bad.id}/stats$`), { kind: 'status', status: 500 });
    const store = startAgent(fake.socketPath);
    await until('samples for the good one', () => (store.history(good.id).length ?? 0) >= 5);
    expect(store.get(bad.id)?.latest ?? null).toBeNull();
    expect(store.counters().statsStreamReconnects).toBeGreaterThan(0);
    expect(store.docker().state).toBe('connected');
  });
});
