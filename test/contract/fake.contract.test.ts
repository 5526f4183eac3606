// The Engine API contract (cases.ts) against the fake Engine: `npm test` runs it, so the
// fake cannot drift from what the real daemon answers in test/docker/contract.test.ts.

import { describe } from 'vitest';
import { describeEngineContract } from './cases.js';
import { createFakeTarget } from './fake-target.js';

describe('the fake Engine (test/helpers/fake-docker.ts)', () => {
  describeEngineContract(createFakeTarget, 10_000);
});
