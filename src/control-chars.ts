// Control characters in text that came from Docker (container names, labels): ESC, CR
// and their kind rewrite the terminal of whoever reads a page or /metrics with curl.
// Every text output replaces them with the Unicode symbols that picture them.

/**
 * C0 controls but tab and newline, and DEL, as the symbols that picture them (U+2400 to
 * U+241F, U+2421): visible in a browser, inert in a terminal.
 */
export function replaceControls(value: string): string {
  return value.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (char) => {
    const code = char.charCodeAt(0);
    return String.fromCharCode(code === 0x7f ? 0x2421 : 0x2400 + code);
  });
}
