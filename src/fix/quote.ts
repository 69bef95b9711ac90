/**
 * POSIX shell quoting for one-line commands users paste. Words made only of safe characters stay bare (ARNs, flags,
 * `type=cluster`); anything else is single-quoted. shell-quote's quote() backslash-escapes `:` and `{`, which
 * makes ARNs unreadable, so it is used only in tests to check that these texts parse back to the same argv.
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(word: string): string {
  if (word !== '' && SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function commandText(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
