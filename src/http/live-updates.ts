// Server-Sent Events for the page: one shared producer renders once per tick and the
// same bytes go to every viewer, so ten viewers cost one render, not ten. A viewer
// gets the whole state when it connects (`snapshot`), then what changed each tick
// (`patch`); every viewer receives every patch or is dropped, so they all stay in step.
// The producer runs only while someone watches. Viewers are capped; a viewer that
// stops reading is dropped once its unsent backlog passes a bound (no unbounded
// buffering per socket); heartbeats keep proxies from closing a quiet stream; `retry:`
// tells EventSource how soon to reconnect. A page may ask for a variant of the state
// (the page's "show stopped"): each variant is a channel with its own render and its
// own viewers, rendered only while someone watches it; the viewer cap is for them all.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.js';
import { SECURITY_HEADERS, sendError } from './respond.js';

export interface LiveFrames {
  /** The whole state, for a viewer that just connected. */
  full: string;
  /** What changed since the previous render() call, for viewers that have that state; '' for nothing. */
  patch: string;
}

export interface LiveUpdatesOptions {
  /**
   * Called once per tick for each watched channel: its state now and the change since
   * the last call for that channel. Channels come from a small fixed set ('' by default).
   */
  render(channel: string): LiveFrames;
  /** How often a snapshot is rendered and pushed. */
  tickMs: number;
  /** A comment line is sent when nothing else was for this long. */
  heartbeatMs: number;
  /** Viewers beyond this get 503 (the page then polls /table instead). */
  maxViewers: number;
  /** EventSource's reconnect delay after the stream drops. */
  retryMs: number;
  /** Unsent bytes a viewer may have queued before it is dropped; at least 4 snapshots' worth is allowed. */
  maxBacklogBytes: number;
  logger: Logger;
  now?(): number;
}

export interface LiveUpdates {
  /** Takes over the response: headers, the channel's first snapshot, then one per tick until either side closes. */
  handle(req: IncomingMessage, res: ServerResponse, channel?: string): void;
  viewers(): number;
  /** Ends every stream and refuses new ones (shutdown). */
  close(): void;
}

interface Viewer {
  res: ServerResponse;
  lastWriteMs: number;
  channel: Channel;
}

interface Channel {
  name: string;
  viewers: Set<Viewer>;
  /** The state after the channel's latest render, as a `snapshot` event: what a new viewer starts from. */
  snapshot: string | null;
  renderFailures: number;
}

export const SNAPSHOT_EVENT = 'snapshot';
export const PATCH_EVENT = 'patch';

/** `data:` lines cannot hold a newline: JSON.stringify output never does, but check. */
export function formatEvent(event: string, data: string): string {
  return `event: ${event}\n${data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`).join('\n')}\n\n`;
}

export function createLiveUpdates(options: LiveUpdatesOptions): LiveUpdates {
  const now = options.now ?? Date.now;
  const channels = new Map<string, Channel>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const viewerCount = (): number => {
    let count = 0;
    for (const channel of channels.values()) count += channel.viewers.size;
    return count;
  };

  function channelOf(name: string): Channel {
    let channel = channels.get(name);
    if (channel === undefined) {
      channel = { name, viewers: new Set(), snapshot: null, renderFailures: 0 };
      channels.set(name, channel);
    }
    return channel;
  }

  /** Renders, keeps the snapshot for new viewers, and returns the patch event ('' when nothing changed). */
  function render(channel: Channel): string | null {
    try {
      const frames = options.render(channel.name);
      channel.renderFailures = 0;
      channel.snapshot = formatEvent(SNAPSHOT_EVENT, frames.full);
      return frames.patch === '' ? '' : formatEvent(PATCH_EVENT, frames.patch);
    } catch (error) {
      // Logged on the first failure of a run, not every second.
      if (channel.renderFailures === 0) options.logger.error('rendering the live snapshot failed', { error: String(error) });
      channel.renderFailures += 1;
      return null;
    }
  }

  function drop(viewer: Viewer, reason: string): void {
    if (!viewer.channel.viewers.delete(viewer)) return;
    options.logger.info('dropped a live viewer', { reason, viewers: viewerCount() });
    viewer.res.destroy();
    stopWhenIdle();
  }

  function write(viewer: Viewer, text: string, bytes: number): void {
    const backlog = viewer.res.writableLength;
    if (backlog > Math.max(options.maxBacklogBytes, 4 * bytes)) {
      drop(viewer, `it stopped reading (${backlog} bytes unsent)`);
      return;
    }
    viewer.res.write(text);
    viewer.lastWriteMs = now();
  }

  function tick(): void {
    for (const channel of channels.values()) if (channel.viewers.size > 0) tickChannel(channel);
  }

  function tickChannel(channel: Channel): void {
    const text = render(channel);
    const atMs = now();
    // Nothing changed (or rendering failed): heartbeats keep the stream open.
    if (text !== null && text !== '') {
      const bytes = Buffer.byteLength(text);
      for (const viewer of [...channel.viewers]) write(viewer, text, bytes);
      return;
    }
    for (const viewer of [...channel.viewers]) {
      if (atMs - viewer.lastWriteMs >= options.heartbeatMs) write(viewer, ': heartbeat\n\n', 13);
    }
  }

  function startWhenWatched(): void {
    if (timer !== null || closed) return;
    timer = setInterval(tick, options.tickMs);
    timer.unref();
  }

  function stopWhenIdle(): void {
    if (viewerCount() > 0 || timer === null) return;
    clearInterval(timer);
    timer = null;
  }

  return {
    handle(req, res, channelName = '') {
      // A refused viewer's connection is closed, not kept alive: 500 refused viewers held
      // on keep-alive would fill the server for everyone else (MAX_CONNECTIONS).
      if (closed) {
        sendError(req, res, 503, { code: 'SHUTTING_DOWN', message: 'dockmon is shutting down' }, { Connection: 'close' });
        return;
      }
      const count = viewerCount();
      if (count >= options.maxViewers) {
        sendError(
          req,
          res,
          503,
          {
            code: 'TOO_MANY_VIEWERS',
            message: `${count} live viewers already (MAX_LIVE_VIEWERS); the page falls back to polling /table`,
          },
          { 'Retry-After': '30', Connection: 'close' },
        );
        return;
      }
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        // nginx and friends would otherwise hold events back in a buffer.
        'X-Accel-Buffering': 'no',
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      res.socket?.setNoDelay(true);
      const channel = channelOf(channelName);
      // While the channel has viewers, their state is its last render: join them there, or
      // the next patch would not apply. Otherwise render now (that patch is nobody's).
      const joinRender = channel.viewers.size === 0 || channel.snapshot === null;
      const viewer: Viewer = { res, lastWriteMs: now(), channel };
      channel.viewers.add(viewer);
      res.on('close', () => {
        channel.viewers.delete(viewer);
        stopWhenIdle();
      });
      res.write(`retry: ${options.retryMs}\n\n`);
      if (joinRender) render(channel);
      if (channel.snapshot !== null) write(viewer, channel.snapshot, Buffer.byteLength(channel.snapshot));
      startWhenWatched();
    },
    viewers: viewerCount,
    close() {
      closed = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      for (const channel of channels.values()) {
        for (const viewer of channel.viewers) viewer.res.end();
        channel.viewers.clear();
      }
    },
  };
}
