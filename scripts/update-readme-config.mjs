// Rewrites the README's configuration table from the option table in src/config.ts
// (via the build in dist/), between the config-table markers. `npm run docs:config`.
import { readFileSync, writeFileSync } from 'node:fs';

const { renderConfigTable } = await import(new URL('../dist/config.js', import.meta.url).href);
const readmeUrl = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
const start = '<!-- config-table:start -->\n';
const end = '<!-- config-table:end -->';
const from = readme.indexOf(start);
const to = readme.indexOf(end);
if (from === -1 || to === -1) throw new Error('README.md has no config-table markers');
writeFileSync(readmeUrl, readme.slice(0, from + start.length) + renderConfigTable() + readme.slice(to));
console.log('README.md configuration table updated');
