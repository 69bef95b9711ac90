import { describe, expect, it } from 'vitest';
import { cellWidth, displayPaste, truncate, wrap } from '../../src/ui/text.js';

describe('cellWidth', () => {
  it.each([
    ['ascii', 'abc', 3],
    ['check mark', '✓ ok', 4],
    ['hangul is two cells', '홍길동', 6],
    ['combining mark is zero', 'e\u0301', 1],
    ['empty', '', 0],
  ])('%s', (_name, text, width) => {
    expect(cellWidth(text)).toBe(width);
  });
});

describe('truncate', () => {
  it.each([
    ['fits', 'abcdef', 6, 'abcdef'],
    ['cut with ellipsis', 'abcdef', 4, 'abc…'],
    ['wide characters never split', '홍길동', 5, '홍길…'],
    ['zero width', 'abc', 0, ''],
  ])('%s', (_name, text, width, expected) => {
    expect(truncate(text, width)).toBe(expected);
  });
});

describe('wrap', () => {
  it.each([
    ['short', 'a b c', 10, '', ['a b c']],
    ['breaks between words', 'alpha beta gamma', 11, '', ['alpha beta', 'gamma']],
    ['indents continuations', 'alpha beta gamma', 11, '  ', ['alpha beta', '  gamma']],
    ['breaks a long word', 'arn:aws:iam::111122223333', 10, '', ['arn:aws:ia', 'm::1111222', '23333']],
    ['keeps paragraphs', 'one\ntwo', 10, '', ['one', 'two']],
  ])('%s', (_name, text, width, indent, expected) => {
    expect(wrap(text, width, indent)).toEqual(expected);
  });

  it('never returns a line wider than asked', () => {
    const text =
      'The aws-auth mapUsers entry for arn:aws:iam::111122223333:user/honggildong has no "username"';
    for (const width of [8, 13, 21, 40, 80]) {
      for (const l of wrap(text, width, '    ')) expect(cellWidth(l)).toBeLessThanOrEqual(width);
    }
  });
});

describe('displayPaste', () => {
  it('masks a token and shows line breaks', () => {
    const shown = displayPaste(
      'token k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9u\nerror: Unauthorized',
    );
    expect(shown).not.toContain('aHR0cHM6');
    expect(shown).toBe('token k8s-aws-v1.*** ⏎ error: Unauthorized');
  });
});
