// The sampler choosing each container's stats source, over a scripted Docker and the
// cgroup v1 file tree captured on this project's CI machine (test/fixtures/kernel/cgroup-v1,
// copied to a temporary folder so a test can remove a cgroup or spoil a file): containers
// whose files can be read come from the kernel and open no stream; the others fall back
// to the Engine API, each with its reason.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chooseKernel } from '../src/app.js';
import type { Sampler } from '../src/sampler/sampler.js';
import { createStore, type Store } from '../src/sampler/store.js';
import { createScriptedDocker, startTestSampler, type ScriptedDocker } from './helpers/scripted-docker.js';

const captured = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kernel', 'cgroup-v1');
const containers = JSON.parse(readFileSync(path.join(captured, 'containers.json'), 'utf8')) as Record<
  string,
  { id: string; pid: number; network_mode: string }
>;
const burner = containers['burner'] as { id: string; pid: number };
const memory = containers['memory'] as { id: string; pid: number };

let tree: string;
let docker: ScriptedDocker;
let store: Store;
let sampler: Sampler | undefined;
let logLines: string[];
/** PIDs inspect answers with; a test may move one. */
let pids: Map<string, number>;

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 10, 30, 12, 0, 0), toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] });
  tree = mkdtempSync(path.join(tmpdir(), 'dockmon-sampler-kernel-'));
  cpSync(path.join(captured, 'host'), tree, { recursive: true });
  pids = new Map(Object.values(containers).map((entry) => [entry.id, entry.pid]));
  docker = createScriptedDocker({ inspect: (id) => ({ State: { Pid: pids.get(id) ?? 0 } }) });
  store = createStore({ historySize: 10, now: () => Date.now() });
  logLines = [];
});

afterEach(async () => {
  await sampler?.stop();
  sampler = undefined;
  vi.useRealTimers();
  rmSync(tree, { recursive: true, force: true });
});

function listCaptured(names: string[]): void {
  for (const name of names) {
    const entry = containers[name] as { id: string; network_mode: string };
    // The scripted list keys containers by a seed; a 64-hex seed is the ID itself.
    docker.run(name, entry.id, { HostConfig: { NetworkMode: entry.network_mode } });
  }
}

function start(mode: 'auto' | 'cgroup' | 'api', hostCgroup = path.join(tree, 'sys', 'fs', 'cgroup'), maxOpenFiles?: number): void {
  const kernel = chooseKernel(
    { statsSource: mode, hostProc: path.join(tree, 'proc'), hostCgroup },
    maxOpenFiles === undefined ? {} : { maxOpenFiles },
  );
  sampler = startTestSampler({ docker, store, logLines, kernel });
}

describe('the kernel source in the sampler', () => {
  it('reads every container it can from the kernel: no stats stream is opened, every sample says cgroup', async () => {
    listCaptured(['burner', 'memory', 'client', 'none']);
    start('auto');
    await vi.advanceTimersByTimeAsync(50);
    expect(docker.streamed()).toEqual([]);
    for (const id of store.ids()) {
      expect(store.get(id)?.source).toBe('cgroup');
      expect(store.get(id)?.latest?.source).toBe('cgroup');
    }
    expect(store.get(memory.id)?.latest?.memoryUsageBytes).toBeGreaterThan(40 * 1024 * 1024);
    expect(store.kernel()).toMatchObject({ mode: 'auto', reason: null });
    // The reader goes on every second, on one timer.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(store.history(burner.id).length).toBeGreaterThanOrEqual(4);
    expect(store.kernel().reader).toMatchObject({ attached: 4, parseErrors: 0 });
    expect(store.kernel().reader?.passes).toBeGreaterThanOrEqual(3);
    expect(logLines.some((line) => line.includes('reading container stats from the kernel'))).toBe(true);
  });

  it('reads from the API the container whose process is not under HOST_PROC, and says why', async () => {
    listCaptured(['burner', 'memory']);
    pids.set(memory.id, 999_999);
    start('auto');
    await vi.advanceTimersByTimeAsync(50);
    expect(store.get(burner.id)?.source).toBe('cgroup');
    expect(store.get(memory.id)?.source).toBe('api');
    expect(store.get(memory.id)?.sourceReason).toMatch(/process 999999 is not in .*HOST_PROC must show the host's processes/);
    expect(docker.streamed()).toEqual([memory.id]);
    // auto is quiet about it: debug only.
    expect(logLines.filter((line) => line.includes('"level":"warn"'))).toEqual([]);
  });

  it('says it loudly with STATS_SOURCE=cgroup', async () => {
    listCaptured(['burner', 'memory']);
    pids.set(memory.id, 999_999);
    start('cgroup');
    await vi.advanceTimersByTimeAsync(50);
    const warnings = logLines.filter((line) => line.includes('"level":"warn"'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('read from the Engine API, not the kernel (STATS_SOURCE=cgroup)');
    expect(warnings[0]).toContain(memory.id);
  });

  it('with STATS_SOURCE=api, streams every container and never reads the kernel', async () => {
    listCaptured(['burner', 'memory']);
    start('api');
    await vi.advanceTimersByTimeAsync(50);
    expect(docker.streamed().sort()).toEqual([burner.id, memory.id].sort());
    expect(store.get(burner.id)?.sourceReason).toBe('STATS_SOURCE=api');
    expect(store.kernel()).toMatchObject({ mode: 'api', reader: null });
  });

  it('falls back for every container, with the reason, when HOST_CGROUP is missing', async () => {
    listCaptured(['burner', 'memory']);
    start('auto', path.join(tree, 'no-such-cgroup'));
    await vi.advanceTimersByTimeAsync(50);
    expect(docker.streamed().sort()).toEqual([burner.id, memory.id].sort());
    expect(store.kernel().reason).toMatch(/^HOST_CGROUP .*no-such-cgroup does not exist: add -v \/sys\/fs\/cgroup:.*:ro/);
    expect(store.get(burner.id)?.sourceReason).toBe(store.kernel().reason);
  });

  it('moves a container whose file stops parsing to the API, and counts it', async () => {
    listCaptured(['burner', 'memory']);
    start('auto');
    await vi.advanceTimersByTimeAsync(50);
    expect(store.get(burner.id)?.source).toBe('cgroup');
    // Kept descriptors read the file in place: overwrite it, do not replace it.
    writeFileSync(path.join(tree, 'sys', 'fs', 'cgroup', 'memory', 'docker', burner.id, 'memory.stat'), 'not a memory.stat\n');
    await vi.advanceTimersByTimeAsync(1_100);
    expect(store.get(burner.id)?.source).toBe('api');
    expect(store.get(burner.id)?.sourceReason).toMatch(/cannot parse a kernel file/);
    expect(store.counters().kernelParseErrors).toBe(1);
    expect(docker.streamed()).toEqual([burner.id]);
    expect(store.get(memory.id)?.source).toBe('cgroup');
  });

  it('drops a container whose cgroup vanishes quietly, and reads it again after a restart with a new PID', async () => {
    listCaptured(['burner', 'memory']);
    // Read by path: a removed cgroup's kept descriptor answers ENODEV on a real cgroup
    // file system, but a plain file here would still read after its folder is removed.
    start('auto', path.join(tree, 'sys', 'fs', 'cgroup'), 0);
    await vi.advanceTimersByTimeAsync(50);
    const inspections = (): number => vi.mocked(docker.source.inspectContainer!).mock.calls.filter(([id]) => id === burner.id).length;
    expect(inspections()).toBe(1);
    // docker restart whose events were missed: the process and its cgroup go.
    for (const controller of ['cpuacct', 'cpu', 'memory', 'blkio', 'pids']) {
      rmSync(path.join(tree, 'sys', 'fs', 'cgroup', controller, 'docker', burner.id), { recursive: true, force: true });
    }
    rmSync(path.join(tree, 'proc', String(burner.pid)), { recursive: true, force: true });
    // The next pass finds it gone: no error is logged, and the re-list it asks for
    // inspects it again; its process has no cgroup yet, so the API reads it meanwhile.
    await vi.advanceTimersByTimeAsync(1_100);
    expect(logLines.filter((line) => /"level":"(warn|error)"/.test(line))).toEqual([]);
    expect(inspections()).toBe(2);
    expect(store.get(burner.id)?.source).toBe('api');
    expect(docker.streamed()).toEqual([burner.id]);
    // The restarted container runs with a new PID and a new cgroup at the same path: the
    // next re-list inspects it again and the kernel reads it; its stream closes.
    cpSync(path.join(captured, 'host', 'sys', 'fs', 'cgroup'), path.join(tree, 'sys', 'fs', 'cgroup'), { recursive: true });
    cpSync(path.join(captured, 'host', 'proc', String(burner.pid)), path.join(tree, 'proc', '4242'), { recursive: true });
    pids.set(burner.id, 4242);
    await vi.advanceTimersByTimeAsync(31_000);
    expect(inspections()).toBe(3);
    expect(store.get(burner.id)?.source).toBe('cgroup');
    expect(docker.streamed()).toEqual([]);
  });

  it('keeps reading the kernel while the daemon is away', async () => {
    listCaptured(['burner']);
    start('auto');
    await vi.advanceTimersByTimeAsync(50);
    const before = store.history(burner.id).length;
    docker.state.down = new Error('daemon gone');
    docker.end(docker.openEvents()[0], { kind: 'eof', remainder: '' });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(store.docker().state).toBe('unavailable');
    expect(store.history(burner.id).length).toBeGreaterThan(before);
    expect(store.get(burner.id)?.source).toBe('cgroup');
  });
});
