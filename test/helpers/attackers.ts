// Misbehaving HTTP clients, for the hostile-clients suite and the soak: each keeps up its
// attack until stopped, from loopback addresses of its own (Linux answers for all of
// 127.0.0.0/8), so per-address limits see them as the distinct clients they pretend to be.

import { spawn } from 'node:child_process';
import net from 'node:net';

export interface Attack {
  stop(): void;
  /** Connections opened so far. */
  opened(): number;
}

interface Target {
  port: number;
  /** Source addresses, used in turn. */
  addresses: readonly string[];
}

function connect(target: Target, index: number): net.Socket {
  const socket = net.connect({ port: target.port, host: '127.0.0.1', localAddress: target.addresses[index % target.addresses.length] });
  socket.on('error', () => undefined);
  return socket;
}

/** `count` connections sending their request head a byte every 100 ms, each reopened when it closes. */
export function slowHeadFlood(target: Target, count: number): Attack {
  let stopped = false;
  let opened = 0;
  const sockets = new Set<net.Socket>();
  const head = `GET /containers HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(4000)}`;
  const open = (): void => {
    if (stopped) return;
    const socket = connect(target, opened);
    opened += 1;
    sockets.add(socket);
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < head.length) socket.write(head.charAt(sent++));
    }, 100);
    socket.on('close', () => {
      clearInterval(drip);
      sockets.delete(socket);
      setTimeout(open, 10);
    });
  };
  for (let i = 0; i < count; i += 1) open();
  return {
    stop() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
    },
    opened: () => opened,
  };
}

/** `count` connections pipelining `requests` GETs of `path` and reading nothing; renewed every `renewMs`. */
export function pipelineFlood(target: Target, count: number, options: { path: string; requests: number; renewMs?: number }): Attack {
  let opened = 0;
  let sockets: net.Socket[] = [];
  const burst = `GET ${options.path} HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(options.requests);
  const openAll = (): void => {
    for (const socket of sockets) socket.destroy();
    sockets = Array.from({ length: count }, () => {
      const socket = connect(target, opened);
      opened += 1;
      socket.pause();
      socket.write(burst);
      return socket;
    });
  };
  openAll();
  const renew = options.renewMs === undefined ? null : setInterval(openAll, options.renewMs);
  return {
    stop() {
      if (renew !== null) clearInterval(renew);
      for (const socket of sockets) socket.destroy();
    },
    opened: () => opened,
  };
}

/** Every `everyMs`, `count` /live requests on fresh connections, dropped after `holdMs`. */
export function liveFlood(target: Target, count: number, options: { everyMs: number; holdMs: number }): Attack {
  let opened = 0;
  const held = new Set<net.Socket>();
  const wave = (): void => {
    for (let i = 0; i < count; i += 1) {
      const socket = connect(target, opened);
      opened += 1;
      held.add(socket);
      socket.on('data', () => undefined);
      socket.on('close', () => held.delete(socket));
      socket.write('GET /live HTTP/1.1\r\nHost: x\r\n\r\n');
      setTimeout(() => socket.destroy(), options.holdMs);
    }
  };
  wave();
  const timer = setInterval(wave, options.everyMs);
  return {
    stop() {
      clearInterval(timer);
      for (const socket of held) socket.destroy();
    },
    opened: () => opened,
  };
}

/** `count` addresses 127.<b>.<c>.1.. for one attack. */
export function loopbackAddresses(block: number, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `127.${block}.${Math.floor(index / 250)}.${1 + (index % 250)}`);
}

/**
 * The same attacks from a child process of their own, as a real attacker is: the test's
 * event loop stays free to time the well-behaved client, and the agent sees the load
 * arrive as it would from outside. Stop kills the child.
 */
export function attackFromChild(
  kind: 'slowHead' | 'pipeline' | 'live',
  target: Target,
  count: number,
  options: { path?: string; requests?: number; renewMs?: number; everyMs?: number; holdMs?: number } = {},
): Attack {
  const script = `
    const net = require('node:net');
    const [kind, port, addresses, count, options] = JSON.parse(process.argv[1]);
    let opened = 0;
    const connect = () => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress: addresses[opened++ % addresses.length] });
      socket.on('error', () => {});
      return socket;
    };
    if (kind === 'pipeline') {
      const burst = ('GET ' + options.path + ' HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n').repeat(options.requests);
      let sockets = [];
      const openAll = () => {
        for (const s of sockets) s.destroy();
        sockets = Array.from({ length: count }, () => { const s = connect(); s.pause(); s.write(burst); return s; });
      };
      openAll();
      if (options.renewMs) setInterval(openAll, options.renewMs);
    } else if (kind === 'slowHead') {
      const head = 'GET /containers HTTP/1.1\\r\\nHost: x\\r\\nX-Slow: ' + 'a'.repeat(4000);
      const open = () => {
        const s = connect();
        let sent = 0;
        const drip = setInterval(() => { if (sent < head.length) s.write(head.charAt(sent++)); }, 100);
        s.on('close', () => { clearInterval(drip); setTimeout(open, 10); });
      };
      for (let i = 0; i < count; i += 1) open();
    } else {
      const wave = () => {
        for (let i = 0; i < count; i += 1) {
          const s = connect();
          s.on('data', () => {});
          s.write('GET /live HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n');
          setTimeout(() => s.destroy(), options.holdMs);
        }
      };
      wave();
      setInterval(wave, options.everyMs);
    }
    setInterval(() => process.send && process.send(opened), 500);
  `;
  const child = spawn(process.execPath, ['-e', script, JSON.stringify([kind, target.port, target.addresses, count, options])], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  let opened = 0;
  child.on('message', (message) => {
    if (typeof message === 'number') opened = message;
  });
  return {
    stop() {
      child.kill('SIGKILL');
    },
    opened: () => opened,
  };
}
