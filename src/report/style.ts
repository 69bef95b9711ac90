/**
 * Colour for text output. chalk does not honour NO_COLOR by itself (anchors §5.2), so the level is decided here:
 * --no-color or NO_COLOR (any non-empty value) or a non-TTY stream turn colour off; FORCE_COLOR turns it on.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export function makeChalk(options: {
  color?: boolean;
  env?: NodeJS.ProcessEnv;
  isTTY?: boolean;
}): ChalkInstance {
  const env = options.env ?? process.env;
  let enabled = options.isTTY ?? false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') enabled = true;
  if (env.NO_COLOR) enabled = false;
  if (options.color === false) enabled = false;
  return new Chalk({ level: enabled ? 1 : 0 });
}
