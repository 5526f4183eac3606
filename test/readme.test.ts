// The README's configuration table is generated from the option table in
// config.ts; this keeps the two from drifting apart.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigTable } from '../src/config.js';

describe('README', () => {
  it('holds the configuration table exactly as --help knows it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(renderConfigTable());
  });
});
