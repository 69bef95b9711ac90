import { InputError } from '../cli/errors.js';

const MAX_DAYS = 366;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * A look-back window such as `24h`, `90m`, `7d` or `1h30m`, in milliseconds. Units: ms, s, m, h, d, w.
 * A bare number is rejected: `--since 24` could mean hours or days, so the user says which.
 */
export function parseDuration(text: string): number {
  const input = text.trim().toLowerCase();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;
  let total = 0;
  let index = 0;
  while (index < input.length) {
    part.lastIndex = index;
    const match = part.exec(input);
    if (!match?.[1] || !match[2]) break;
    total += Number(match[1]) * (UNIT_MS[match[2]] ?? 0);
    index = part.lastIndex;
  }
  if (input.length === 0 || index !== input.length) {
    throw new InputError(`invalid duration "${text}": use a number with a unit, e.g. 90m, 24h or 7d`);
  }
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new InputError(`invalid duration "${text}": must be longer than zero`);
  }
  // CloudTrail keeps 90 days of event history and log retention is rarely longer than a year; a larger value is a
  // typo, and would not fit the collect script's shell arithmetic either.
  if (total > MAX_DAYS * UNIT_MS.d!) {
    throw new InputError(`invalid duration "${text}": at most ${MAX_DAYS}d`);
  }
  return Math.round(total);
}
