// The page's files, read once at startup into memory from an allowlist. No path
// is ever built from a URL, so there is nothing to traverse.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface StaticFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** URL path → file name in public/. */
export const PUBLIC_FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};

export function loadStaticFiles(publicDir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const [urlPath, fileName] of Object.entries(PUBLIC_FILES)) {
    const body = readFileSync(path.join(publicDir, fileName));
    const contentType = MIME_TYPES[path.extname(fileName)] ?? 'application/octet-stream';
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    files.set(urlPath, { body, contentType, etag });
  }
  return files;
}
