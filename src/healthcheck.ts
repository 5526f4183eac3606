// The image's HEALTHCHECK: `node dist/healthcheck.js`. Distroless images have no
// shell and no curl, so the probe is a few lines of Node. Exit 0 while the agent
// serves /healthz with 200, 1 otherwise. It asks the address the agent listens on (HOST).

import http from 'node:http';
import { probeAddressFor } from './config-values.js';

const port = Number(process.env['PORT'] ?? '5000');
const host = probeAddressFor(process.env['HOST'] ?? '');
const request = http.get({ host, port, path: '/healthz', timeout: 3_000 }, (response) => {
  response.resume();
  process.exitCode = response.statusCode === 200 ? 0 : 1;
});
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', (error) => {
  process.stderr.write(`healthcheck: ${host}:${port}: ${error.message}\n`);
  process.exitCode = 1;
});
