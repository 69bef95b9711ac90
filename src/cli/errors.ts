/** Errors the user can fix print one line and exit 2; anything else is a bug (exit 4). DESIGN §2. */

export const EXIT = {
  allowed: 0,
  explained: 1,
  usage: 2,
  insufficientEvidence: 3,
  internal: 4,
} as const;

/** Bad flags, malformed ARNs, unreadable or invalid input files. Printed as one line; exit 2. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
