/**
 * logrus text format (`key=value key="quoted \"value\""`), as the aws-iam-authenticator writes it (FM §0.2 AGD,
 * AGG, AGS). A bare `key=` is an empty value, which is exactly how an empty username shows up.
 */
export function parseLogfmt(line: string): Map<string, string> {
  const out = new Map<string, string>();
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    const keyStart = i;
    while (i < n && line[i] !== '=' && line[i] !== ' ' && line[i] !== '\t') i++;
    const key = line.slice(keyStart, i);
    if (i >= n || line[i] !== '=') {
      // A word without `=` (e.g. a log-stream prefix): skip it.
      continue;
    }
    i++; // '='
    let value: string;
    if (line[i] === '"') {
      i++;
      let buf = '';
      while (i < n && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < n) {
          const next = line[i + 1];
          buf += next === 'n' ? '\n' : next === 't' ? '\t' : (next ?? '');
          i += 2;
          continue;
        }
        buf += line[i];
        i++;
      }
      i++; // closing quote
      value = buf;
    } else {
      const start = i;
      while (i < n && line[i] !== ' ' && line[i] !== '\t') i++;
      value = line.slice(start, i);
    }
    if (key !== '' && !out.has(key)) out.set(key, value);
  }
  return out;
}

/** Go's `fmt` rendering of a string slice, `[system:masters group two]`, back into a list. */
export function parseGoStringSlice(value: string): string[] {
  const inner = value.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  return inner === '' ? [] : inner.split(/\s+/);
}
