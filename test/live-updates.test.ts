// The Server-Sent Events hub on a real socket: one shared producer for all viewers,
// the first snapshot at once, heartbeats, the viewer cap, dropping a viewer that
// stopped reading, channels (the page's "show stopped"), and shutdown.

import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLiveUpdates, formatEvent, type LiveFrames, type LiveUpdates, type LiveUpdatesOptions } from '../src/http/live-updates.js';
import { createLogger } from '../src/log/logger.js';
import { listen } from './helpers/listen.js';
import { until } from './helpers/until.js';

let hub: LiveUpdates | undefined;
let closeServer: (() => Promise<void>) | undefined;
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  hub?.close();
  await closeServer?.();
  hub = undefined;
  closeServer = undefined;
});

/** `channel` picks the channel from the request (the default: none). */
async function start(
  options: Partial<LiveUpdatesOptions> & Pick<LiveUpdatesOptions, 'render'>,
  logLines: string[] = [],
  channel: (req: http.IncomingMessage) => string | undefined = () => undefined,
): Promise<string> {
  hub = createLiveUpdates({
    tickMs: 10,
    heartbeatMs: 30,
    retryMs: 1500,
    maxViewers: 10,
    maxBacklogBytes: 64 * 1024,
    logger: createLogger({ level: 'debug', sink: (line) => logLines.push(line) }),
    ...options,
  });
  const current = hub;
  const served = await listen((req, res) => current.handle(req, res, channel(req)));
  closeServer = served.close;
  return served.baseUrl;
}

interface Viewer {
  /** Every `data:` payload so far. */
  data: string[];
  /** Every event so far, as "type data". */
  events: string[];
  /** Every comment line so far. */
  comments: string[];
  raw(): string;
  ended: Promise<void>;
  close(): void;
}

function connect(baseUrl: string, query = ''): Promise<Viewer> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${baseUrl}/live${query}`, { agent: false }, (res) => {
      let text = '';
      const viewer: Viewer = {
        data: [],
        events: [],
        comments: [],
        raw: () => text,
        ended: new Promise((done) => res.on('close', () => done())),
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        viewer.data = text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6));
        viewer.comments = text.split('\n').filter((line) => line.startsWith(':'));
        viewer.events = text
          .split('\n\n')
          .filter((block) => block.startsWith('event: '))
          .map((block) => block.replace(/^event: (\w+)\ndata: /, '$1 '));
      });
      res.on('error', () => undefined);
      cleanups.push(() => req.destroy());
      resolve(viewer);
    });
    req.on('error', reject);
  });
}

describe('live updates (SSE)', () => {
  it('frames data lines and splits any newline', () => {
    expect(formatEvent('snapshot', '{"a":1}')).toBe('event: snapshot\ndata: {"a":1}\n\n');
    expect(formatEvent('snapshot', 'a\nb\r\nc')).toBe('event: snapshot\ndata: a\ndata: b\ndata: c\n\n');
  });

  it('sends retry and the whole state at once, then one patch per tick from one producer shared by every viewer', async () => {
    let renders = 0;
    const render = (): LiveFrames => {
      renders += 1;
      return { full: JSON.stringify({ state: renders }), patch: JSON.stringify({ n: renders }) };
    };
    const baseUrl = await start({ render });
    const first = await connect(baseUrl);
    await until('a first snapshot', () => first.data.length >= 1);
    expect(first.raw().startsWith('retry: 1500\n\nevent: snapshot\ndata: {"state":1}\n\n')).toBe(true);
    const others = [await connect(baseUrl), await connect(baseUrl)];
    await until('several patches on every viewer', () => [first, ...others].every((viewer) => viewer.data.length >= 5));
    expect(hub?.viewers()).toBe(3);
    // A late viewer starts from the state of the last render, then gets the next patch: no gap, no repeat.
    for (const viewer of others) {
      const [snapshot, next] = viewer.events;
      const state = Number(/^snapshot \{"state":(\d+)\}$/.exec(snapshot ?? '')?.[1]);
      expect(next).toBe(`patch {"n":${state + 1}}`);
    }
    // One render per tick for everyone: the others receive the very patches the first one does.
    for (const viewer of others) {
      const latest = viewer.events.slice(-3);
      await until('the first viewer to see the same patches', () => latest.every((event) => first.events.includes(event)));
    }
    expect(new Set(first.data).size).toBe(first.data.length);
  });

  it('stops rendering when the last viewer leaves', async () => {
    let renders = 0;
    const baseUrl = await start({ render: () => ({ full: '{}', patch: JSON.stringify({ n: ++renders }) }) });
    const viewer = await connect(baseUrl);
    await until('patches', () => viewer.data.length >= 3);
    viewer.close();
    await until('the viewer to be gone', () => hub?.viewers() === 0);
    const after = renders;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(renders).toBe(after);
  });

  it('sends heartbeats while nothing changes, and while rendering fails', async () => {
    const logLines: string[] = [];
    let fail = false;
    const baseUrl = await start(
      {
        render: () => {
          if (fail) throw new Error('boom');
          return { full: '{"same":true}', patch: '' };
        },
      },
      logLines,
    );
    const viewer = await connect(baseUrl);
    await until('two heartbeats', () => viewer.comments.length >= 2);
    expect(viewer.data).toEqual(['{"same":true}']);
    fail = true;
    const before = viewer.comments.length;
    await until('more heartbeats while rendering fails', () => viewer.comments.length >= before + 2);
    expect(viewer.data).toEqual(['{"same":true}']);
    expect(logLines.filter((line) => line.includes('rendering the live snapshot failed'))).toHaveLength(1);
  });

  it('refuses viewers beyond the cap with a JSON 503 and Retry-After', async () => {
    const baseUrl = await start({ render: () => ({ full: '{}', patch: '{}' }), maxViewers: 2 });
    await connect(baseUrl);
    await connect(baseUrl);
    const refused = await fetch(`${baseUrl}/live`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_VIEWERS');
  });

  it('drops a viewer that stops reading, and keeps serving the others', async () => {
    const logLines: string[] = [];
    const big = 'x'.repeat(256 * 1024);
    let n = 0;
    const baseUrl = await start({ render: () => ({ full: '{}', patch: JSON.stringify({ n: ++n, big }) }) }, logLines);
    const healthy = await connect(baseUrl);
    const { port } = new URL(baseUrl);
    const stuck = net.connect(Number(port), '127.0.0.1');
    cleanups.push(() => stuck.destroy());
    stuck.on('error', () => undefined);
    stuck.write('GET /live HTTP/1.1\r\nHost: x\r\n\r\n');
    // It never reads: its socket buffers fill, then the server's backlog grows past the cap.
    stuck.pause();
    await until('the stuck viewer to be dropped', () => logLines.some((line) => line.includes('dropped a live viewer')));
    expect(hub?.viewers()).toBe(1);
    expect(logLines.find((line) => line.includes('dropped a live viewer'))).toContain('stopped reading');
    const seen = healthy.data.length;
    await until('the healthy viewer to go on receiving', () => healthy.data.length > seen);
  });

  it('renders each channel for its own viewers, only while watched, under one viewer cap', async () => {
    const renders = new Map<string, number>();
    const render = (channel: string): LiveFrames => {
      const count = (renders.get(channel) ?? 0) + 1;
      renders.set(channel, count);
      return { full: JSON.stringify({ channel, count }), patch: JSON.stringify({ channel, count }) };
    };
    const baseUrl = await start({ render, maxViewers: 2 }, [], (req) => new URL(req.url ?? '/', 'http://x').searchParams.get('c') ?? '');
    const plain = await connect(baseUrl);
    const stopped = await connect(baseUrl, '?c=stopped');
    await until('patches on both channels', () => plain.data.length >= 3 && stopped.data.length >= 3);
    expect(plain.data.every((data) => JSON.parse(data).channel === '')).toBe(true);
    expect(stopped.data.every((data) => JSON.parse(data).channel === 'stopped')).toBe(true);
    const refused = await fetch(`${baseUrl}/live?c=stopped`);
    expect(refused.status).toBe(503);
    await refused.text();
    // Its last viewer gone, a channel is no longer rendered; the other goes on.
    stopped.close();
    await until('the viewer to be gone', () => hub?.viewers() === 1);
    const rendersOfStopped = renders.get('stopped');
    const seen = plain.data.length;
    await until('more patches on the watched channel', () => plain.data.length >= seen + 3);
    expect(renders.get('stopped')).toBe(rendersOfStopped);
  });

  it('ends every stream and refuses new ones on close()', async () => {
    const baseUrl = await start({ render: () => ({ full: '{}', patch: JSON.stringify({ t: Math.random() }) }) });
    const viewer = await connect(baseUrl);
    await until('a snapshot', () => viewer.data.length >= 1);
    hub?.close();
    await viewer.ended;
    const refused = await fetch(`${baseUrl}/live`);
    expect(refused.status).toBe(503);
  });

  it('answers HEAD with the stream headers and no body', async () => {
    const baseUrl = await start({ render: () => ({ full: '{}', patch: '' }) });
    const head = await fetch(`${baseUrl}/live`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(hub?.viewers()).toBe(0);
  });
});
