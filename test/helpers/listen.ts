// Starts a request handler on an ephemeral loopback port and returns its base URL.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export function listen(handler: http.RequestListener): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  return listenOn('127.0.0.1', handler);
}

/** As listen, on another address (0.0.0.0: every loopback address); baseUrl still names 127.0.0.1. */
export async function listenOn(
  host: string,
  handler: http.RequestListener,
): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
