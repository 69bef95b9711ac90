/**
 * Screens are built as lists of styled lines, so that every view knows its exact height: Ink redraws a frame in
 * place only while it is shorter than the terminal, and clears the whole screen (a visible flicker) otherwise.
 */

/** Meaning, not colour: the theme decides whether a tone becomes a colour (never under NO_COLOR). */
export type Tone = 'pass' | 'fail' | 'warn' | 'info' | 'accent' | 'muted';

export interface Span {
  text: string;
  tone?: Tone;
  bold?: boolean;
  /** Reverse video marks the selection; it is not a colour, so it stays under NO_COLOR. */
  inverse?: boolean;
}

export type Line = Span[];

export function span(text: string, style: Omit<Span, 'text'> = {}): Span {
  return { text, ...style };
}

/** One line of plain text (optionally styled as a whole). */
export function line(text: string, style: Omit<Span, 'text'> = {}): Line {
  return [span(text, style)];
}

export const BLANK: Line = [];

/** The plain text of a line (tests and width checks). */
export function lineText(l: Line): string {
  return l.map((s) => s.text).join('');
}

/** Lines `offset .. offset + height` of `lines`. */
export function windowOf<T>(lines: readonly T[], offset: number, height: number): T[] {
  return lines.slice(offset, offset + Math.max(0, height));
}

/** The scroll offset that keeps rows `first..last` visible in a window of `height`, moving as little as possible. */
export function scrollTo(
  current: number,
  first: number,
  last: number,
  height: number,
  total: number,
): number {
  let offset = current;
  if (last >= offset + height) offset = last - height + 1;
  if (first < offset) offset = first;
  return clampOffset(offset, height, total);
}

export function clampOffset(offset: number, height: number, total: number): number {
  return Math.max(0, Math.min(offset, Math.max(0, total - height)));
}
