/** Colour on or off for the whole app, decided once from NO_COLOR / FORCE_COLOR / --no-color. */
import { createContext, useContext } from 'react';
import type { Span, Tone } from './lines.js';

export interface Theme {
  color: boolean;
}

export const ThemeContext = createContext<Theme>({ color: false });

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

const TONE_COLOR: Record<Tone, string | undefined> = {
  pass: 'green',
  fail: 'red',
  warn: 'yellow',
  info: 'cyan',
  accent: 'blue',
  muted: undefined,
};

/** Ink <Text> props for a span. Dim and bold and reverse are attributes, not colours, so NO_COLOR keeps them. */
export function textProps(
  s: Span,
  theme: Theme,
): { color?: string; bold?: boolean; dimColor?: boolean; inverse?: boolean } {
  const props: { color?: string; bold?: boolean; dimColor?: boolean; inverse?: boolean } = {};
  const color = s.tone ? TONE_COLOR[s.tone] : undefined;
  if (theme.color && color) props.color = color;
  if (s.tone === 'muted') props.dimColor = true;
  if (s.bold) props.bold = true;
  if (s.inverse) props.inverse = true;
  return props;
}

/**
 * Whether the app may use colour: off under NO_COLOR (any non-empty value, https://no-color.org) or --no-color,
 * on under FORCE_COLOR (except 0). chalk, which Ink uses, ignores NO_COLOR by itself (anchors §5.2).
 */
export function colorEnabled(env: NodeJS.ProcessEnv, argv: readonly string[] = process.argv): boolean {
  if (env.NO_COLOR) return false;
  if (argv.includes('--no-color')) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return env.TERM !== 'dumb';
}
