// Escaping for text and attribute values in HTML we render. Every value that comes
// from Docker (names, images, labels) is attacker-controlled: a container name or
// label can hold markup, and control characters that would rewrite a terminal.

import { replaceControls } from '../control-chars.js';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: string): string {
  return replaceControls(value).replace(/[&<>"'`]/g, (char) => HTML_ESCAPES[char] ?? char);
}
