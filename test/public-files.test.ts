// The page's own files: within the 60 KB budget, nothing inline that the CSP would
// block (or that would need 'unsafe-inline'), nothing fetched from another origin.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (name: string): string => readFileSync(new URL(`../public/${name}`, import.meta.url), 'utf8');
const html = read('index.html');
const script = read('app.js');
const style = read('style.css');

describe('public/', () => {
  it('weighs under 60 KB (HTML template, CSS and JS, uncompressed)', () => {
    const bytes = [html, script, style].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    expect(bytes).toBeLessThan(60 * 1024);
  });

  it('has no inline script, style attribute or event handler in the HTML', () => {
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script src="/app.js" defer>']);
    expect(html).not.toMatch(/\sstyle\s*=|<style|\son[a-z]+\s*=|javascript:/i);
  });

  it('loads nothing from another origin', () => {
    for (const text of [html, script, style]) expect(text).not.toMatch(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]/i);
    expect(style).not.toMatch(/@import|url\(/);
    expect(script).not.toMatch(/\beval\(|new Function|setTimeout\(['"`]|\.style\./);
  });

  it('has every slot the server fills', () => {
    for (const slot of ['status', 'filter', 'banner', 'thead', 'rows', 'totals']) expect(html).toContain(`<!--dockmon:${slot}-->`);
  });
});
