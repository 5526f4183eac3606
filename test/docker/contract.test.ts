// The Engine API contract (test/contract/cases.ts) against the real daemon: the same cases
// the fake Engine passes in the unit project. Fails loudly when no daemon answers.

import { describe } from 'vitest';
import { describeEngineContract } from '../contract/cases.js';
import { createDockerTarget } from '../contract/docker-target.js';

const socketPath = (process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');

describe('the real daemon', () => {
  describeEngineContract(() => createDockerTarget(socketPath), 60_000);
});
