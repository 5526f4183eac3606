// The yardstick for GET /containers: a bare node:http server that answers every request
// with one fixed body (the agent's own /containers answer, fetched once) and does nothing
// else: no routing, no rendering, no security headers. It runs in its own process, as the
// agent does, so it does not share an event loop with the load generator.
//
//   node [flags] dist-bench/bare-server.js <body-file>
//
// prints the loopback port it listens on as its first line of stdout.

import { readFileSync } from 'node:fs';
import http from 'node:http';

const bodyFile = process.argv[2];
if (bodyFile === undefined) throw new Error('usage: bare-server.js <body-file>');
const body = readFileSync(bodyFile);
const headers = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.length) };

const server = http.createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
