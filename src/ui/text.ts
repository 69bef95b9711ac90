/** Plain-text layout for the terminal app: word wrapping and masking, measured in terminal cells. */
import { maskSecrets } from '../parse/text.js';

/** Terminal cells of a string: wide East Asian and emoji code points take two, combining marks none. */
export function cellWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 32 || (cp >= 0x300 && cp <= 0x36f) || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Cuts `text` to at most `width` cells, ending in `…` when something was cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (cellWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = cellWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return out + '…';
}

/** Splits text into pieces of at most `width` cells, keeping every character (YAML keeps its indentation). */
export function hardBreak(word: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const ch of word) {
    if (cellWidth(piece + ch) > width && piece) {
      pieces.push(piece);
      piece = '';
    }
    piece += ch;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/**
 * Word-wraps `text` to `width` cells; each newline starts a new paragraph. Continuation lines of a paragraph start
 * with `indent` (counted in the width). Words too long for a line are broken.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let prefix = '';
    const room = () => Math.max(1, width - cellWidth(prefix));
    const flush = () => {
      out.push(prefix + line);
      line = '';
      prefix = indent;
    };
    for (const word of paragraph.split(/ +/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (cellWidth(candidate) <= room()) {
        line = candidate;
        continue;
      }
      if (line) flush();
      const pieces = cellWidth(word) <= room() ? [word] : hardBreak(word, room());
      pieces.forEach((piece, i) => {
        line = piece;
        if (i < pieces.length - 1) flush();
      });
    }
    out.push(prefix + line);
  }
  return out;
}

/** What the app shows of pasted text: tokens and signatures masked, line breaks as ⏎. */
export function displayPaste(text: string): string {
  return maskSecrets(text).replace(/\r\n|\r|\n/g, ' ⏎ ');
}
