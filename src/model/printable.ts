/** Text from the user's input shown back in one line: control characters escaped, never sent to the terminal. */

// eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** True when the text holds whitespace or control characters (never part of an IAM name). */
export function hasBlankOrControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  return /\s/.test(text) || CONTROL.test(text);
}
