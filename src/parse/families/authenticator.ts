import type { Draft } from '../draft.js';
import { parseGoStringSlice, parseLogfmt } from '../logfmt.js';
import { authenticatorErrorFacts, isAuthenticatorError } from '../authenticator-errors.js';
import { clip, findPrincipalArn } from '../text.js';
import { usernameFacts } from './identity.js';

/**
 * aws-iam-authenticator log lines (`authenticator-*` CloudWatch stream or the pod log), FM §0.2 AGD/AGG/AGS:
 * `msg="access denied"`, `msg="access granted"`, `msg="STS response"`. Fields are alphabetical; an empty
 * username prints as a bare `username=`.
 */
export function parseAuthenticatorLine(line: string, lower: string, draft: Draft): boolean {
  if (!lower.includes('msg=')) return false;
  const isAuthLine =
    lower.includes('msg="access denied"') ||
    lower.includes('msg="access granted"') ||
    lower.includes('msg="sts response"') ||
    (lower.includes('path=/authenticate') && lower.includes('level='));
  if (!isAuthLine) return false;

  // Skip prefixes such as a CloudWatch timestamp or `aws-iam-authenticator-xyz aws-iam-authenticator `.
  const start = firstIndex(lower, ['time=', 'level=']);
  const fields = parseLogfmt(start >= 0 ? line.slice(start) : line);
  const msg = (fields.get('msg') ?? '').toLowerCase();
  draft.source('authenticator');
  draft.set('time', isoTime(fields.get('time')));

  if (msg === 'sts response') {
    draft.set('principalArn', fields.get('arn'));
    draft.set('accessKeyId', nonEmpty(fields.get('accesskeyid')));
    draft.set('awsUserId', nonEmpty(fields.get('userid')));
    return true;
  }

  if (msg === 'access granted') {
    draft.fact('access-granted');
    draft.set('principalArn', fields.get('arn'));
    const username = fields.get('username');
    if (username !== undefined) {
      draft.set('username', username);
      usernameFacts(username, draft);
    }
    const groups = fields.get('groups');
    if (groups !== undefined) draft.groups(parseGoStringSlice(groups));
    draft.set('uid', fields.get('uid'));
    return true;
  }

  if (msg === 'access denied') {
    // The authenticator answers the webhook with 403/429, but kube-apiserver then fails the bearer token, so the
    // client sees 401 (FM §0.1).
    draft.set('status', 401);
    draft.fact('unauthorized');
    const error = fields.get('error') ?? '';
    if (error) {
      draft.set('reason', clip(error));
      draft.fact(...authenticatorErrorFacts(error));
    }
    // `arn=` appears once the STS call succeeded; the oldest not-mapped text also carries the lower-cased ARN.
    draft.set('principalArn', fields.get('arn') ?? findPrincipalArn(error));
    return true;
  }
  return true;
}

/**
 * An authenticator error pasted without its log line (e.g. `could not verify token: sts getCallerIdentity failed…`
 * from `aws-iam-authenticator verify`): facts only, no status, because nothing says a request was made.
 */
export function parseAuthenticatorError(line: string, lower: string, draft: Draft): boolean {
  if (!/token|mapped|getcalleridentity|template/.test(lower) || !isAuthenticatorError(line)) return false;
  draft.fact(...authenticatorErrorFacts(line));
  const m = /(input token was not properly formatted[^"\n]{0,300}|sts getCallerIdentity [^"\n]{0,300})/i.exec(
    line,
  );
  if (m?.[1]) draft.set('reason', clip(m[1]));
  return true;
}

function firstIndex(text: string, needles: string[]): number {
  let best = -1;
  for (const needle of needles) {
    const i = text.indexOf(needle);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** logrus `time="2021-10-18T21:17:08Z"` is already RFC 3339; anything else is dropped rather than guessed. */
export function isoTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$/.test(value)
    ? value
    : undefined;
}
