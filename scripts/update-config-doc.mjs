// Rewrites the configuration table of docs/configuration.md from the option table in
// src/config.ts (via the build in dist/), between the config-table markers.
// `npm run docs:config`. (The README links to that page and keeps only a summary.)
import { readFileSync, writeFileSync } from 'node:fs';

const { renderConfigTable } = await import(new URL('../dist/config.js', import.meta.url).href);
const pageUrl = new URL('../docs/configuration.md', import.meta.url);
const page = readFileSync(pageUrl, 'utf8');
const start = '<!-- config-table:start -->\n';
const end = '<!-- config-table:end -->';
const from = page.indexOf(start);
const to = page.indexOf(end);
if (from === -1 || to === -1) throw new Error('docs/configuration.md has no config-table markers');
writeFileSync(pageUrl, page.slice(0, from + start.length) + renderConfigTable() + page.slice(to));
console.log('docs/configuration.md configuration table updated');
