import { describe, expect, it } from 'vitest';
import { keyOf, splitKeys } from '../../src/ui/split-keys.js';

describe('keyOf', () => {
  it.each([
    ['\r', '', 'return'],
    ['\t', '', 'tab'],
    ['\x7f', '', 'delete'],
    ['\x03', 'c', 'ctrl'],
    ['Q', 'Q', 'shift'],
    ['q', 'q', undefined],
  ] as const)('%j', (ch, input, flag) => {
    const [got, key] = keyOf(ch);
    expect(got).toBe(input);
    const set = Object.entries(key)
      .filter(([, v]) => v === true)
      .map(([k]) => k);
    expect(set).toEqual(flag ? [flag] : []);
  });
});

describe('splitKeys', () => {
  const plain = keyOf('x')[1];

  it('splits a chunk of several keys', () => {
    expect(splitKeys('q\r', plain).map(([input, key]) => [input, key.return])).toEqual([
      ['q', false],
      ['', true],
    ]);
  });

  it.each([
    ['a single key', 'q', plain],
    ['a modified key', 'l', { ...plain, ctrl: true }],
  ])('leaves %s alone', (_name, input, key) => {
    expect(splitKeys(input, key)).toEqual([[input, key]]);
  });
});
