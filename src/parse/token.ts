import { InputError } from '../cli/errors.js';
import { accountFromAccessKeyId } from './access-key.js';
import { classifyStsHost } from './sts-host.js';

/**
 * A `k8s-aws-v1.` token, decoded and checked the way aws-iam-authenticator's `Verify` checks it
 * (AUTH:pkg/token/token.go; FM §0 step 3, FM-05 … FM-12). The signature and the session token never leave this
 * module: `url` has `X-Amz-Signature` removed and the `X-Amz-Security-Token` value replaced by `***`.
 */
export interface DecodedToken {
  /** The pre-signed URL without `X-Amz-Signature`, with the `X-Amz-Security-Token` value replaced by `***`. */
  url: string;
  /** Byte length of the token (the authenticator refuses more than 4096). */
  length: number;
  /** STS host the URL points at (the authenticator replays the request there). */
  host: string;
  /** Region of the STS host; for the global endpoint, the region of the credential scope. */
  region?: string;
  /** Partition of the STS host (`aws`, `aws-cn`, `aws-us-gov`, ...); undefined for hosts STS does not use. */
  partition?: string;
  /** True for `sts.amazonaws.com`, which only clusters in partition `aws` accept. */
  stsGlobal: boolean;
  /** The `Action` parameter (must be `GetCallerIdentity`). */
  action?: string;
  /** `X-Amz-Date` as ISO 8601; the token expires 15 minutes later. */
  date?: string;
  /** Seconds between `X-Amz-Date` and "now" (negative when the token is dated in the future). */
  ageSeconds?: number;
  /** `X-Amz-Expires` (0..900 accepted; ignored for the 15-minute expiry). */
  expiresSeconds?: number;
  /** Access key id from `X-Amz-Credential` (`ASIA…` for temporary credentials). */
  accessKeyId?: string;
  /** The account the access key id belongs to, decoded from the key id itself (keys issued since 2019). */
  accessKeyAccount?: string;
  temporaryCredentials: boolean;
  /** `X-Amz-SignedHeaders`, split. */
  signedHeaders: string[];
  /** Whether `x-k8s-aws-id` (the cluster name the token is for) is among the signed headers. */
  clusterIdSigned: boolean;
  /** The cluster id when a custom generator hoisted `x-k8s-aws-id` into the query string (FM-09). */
  clusterIdInQuery?: string;
  /** Every check the authenticator would fail, in its own words, each with a FACTS id. */
  problems: Array<{ fact: string; message: string }>;
}

export const TOKEN_PREFIX = 'k8s-aws-v1.';
const MAX_TOKEN_BYTES = 4096;
/** Presigned STS URLs are valid 15 minutes after X-Amz-Date, whatever X-Amz-Expires says. */
const TOKEN_LIFETIME_SECONDS = 15 * 60;
/** STS refuses a signature dated more than 5 minutes ahead (`Signature not yet current`). */
const FUTURE_TOLERANCE_SECONDS = 5 * 60;
const WHITELIST = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);

/** Decodes and checks a token; throws InputError when the text is not a token at all. */
export function decodeToken(token: string, now: Date = new Date()): DecodedToken {
  const text = extractToken(token);
  const problems: DecodedToken['problems'] = [];
  let body: string;
  if (text.startsWith(TOKEN_PREFIX)) {
    body = text.slice(TOKEN_PREFIX.length);
  } else if (/^[A-Za-z0-9_-]{16,}$/.test(text) && /^https?:\/\//.test(base64UrlDecode(text))) {
    body = text;
    problems.push({
      fact: 'token-missing-prefix',
      message: `token is missing expected "${TOKEN_PREFIX}" prefix`,
    });
  } else {
    throw new InputError(
      'not a k8s-aws-v1 token (expected "k8s-aws-v1." followed by a base64url pre-signed STS URL)',
      'copy the token from `aws eks get-token --cluster-name <name> --query status.token --output text`',
    );
  }
  const bad = /[^A-Za-z0-9_-]/.exec(body);
  if (bad || body.length % 4 === 1) {
    // Go's base64.RawURLEncoding: no padding, no `+` or `/`.
    const at = bad ? bad.index : body.length;
    problems.push({ fact: 'token-malformed', message: `illegal base64 data at input byte ${at}` });
  }
  const url = base64UrlDecode(body);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new InputError(
      'the token does not decode to a pre-signed URL',
      'paste the whole token, without quotes',
    );
  }
  const decoded = analyzeTokenUrl(url, Buffer.byteLength(text, 'utf8'), now);
  decoded.problems.unshift(...problems);
  return decoded;
}

/** Accepts a bare token, `Bearer <token>`, or `aws eks get-token` JSON output. */
function extractToken(input: string): string {
  const text = input.trim();
  const embedded = /k8s-aws-v1\.[A-Za-z0-9_\-=+/]*/.exec(text);
  if (embedded && embedded[0] !== text) return embedded[0];
  return text.replace(/^Bearer\s+/i, '');
}

function base64UrlDecode(body: string): string {
  const normalized = body.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return Buffer.from(normalized, 'base64url').toString('utf8');
}

interface Pair {
  rawKey: string;
  raw: string;
  key: string;
  value: string;
}

/**
 * Checks a pre-signed STS URL (from a token, or a snapshot's token evidence, which already lacks the signature).
 * `length` is the byte length of the token it came from, when known.
 */
export function analyzeTokenUrl(
  url: string,
  length: number | undefined,
  now: Date = new Date(),
): DecodedToken {
  const problems: DecodedToken['problems'] = [];
  const add = (fact: string, message: string): void => {
    problems.push({ fact, message });
  };
  if (length !== undefined && length > MAX_TOKEN_BYTES) add('token-too-large', 'token is too large');

  const parsed = splitUrl(url);
  if (parsed.scheme !== 'https') {
    add('token-malformed', `unexpected scheme "${parsed.scheme}" in pre-signed URL`);
  }
  const sts = classifyStsHost(parsed.host);
  if (sts.problem) add('sts-endpoint-rejected', sts.problem);
  if (parsed.path !== '/') add('token-malformed', 'unexpected path in pre-signed URL');

  const pairs = parseQuery(parsed.query);
  if (!pairs) add('token-malformed', 'malformed query parameter');
  const list = pairs ?? [];

  const byLower = new Map<string, Pair[]>();
  for (const p of list) {
    const k = p.key.toLowerCase();
    const group = byLower.get(k);
    if (group) group.push(p);
    else byLower.set(k, [p]);
  }
  for (const [lower, group] of byLower) {
    const exactKeys = new Set(group.map((p) => p.key));
    if (exactKeys.size > 1) {
      add('token-duplicate-parameter', `duplicate query parameter found: "${[...exactKeys][1] ?? lower}"`);
    } else if (group.length > 1) {
      add('token-duplicate-parameter', 'query parameter with multiple values not supported');
    }
  }
  let clusterIdInQuery: string | undefined;
  for (const [lower, group] of byLower) {
    if (WHITELIST.has(lower)) continue;
    const first = group[0];
    add('token-non-whitelisted-parameter', `non-whitelisted query parameter "${first?.key ?? lower}"`);
    if (lower === 'x-k8s-aws-id') clusterIdInQuery = first?.value;
  }
  const get = (key: string): string | undefined => byLower.get(key)?.[0]?.value;

  const action = get('action');
  if (action !== 'GetCallerIdentity') add('token-malformed', 'unexpected action parameter in pre-signed URL');

  const signedHeaders = (get('x-amz-signedheaders') ?? '').split(';').filter((h) => h !== '');
  const clusterIdSigned = signedHeaders.some((h) => h.toLowerCase() === 'x-k8s-aws-id');
  if (!clusterIdSigned) {
    add('token-cluster-id-not-signed', 'client did not sign the x-k8s-aws-id header in the pre-signed URL');
  }

  const expiresText = get('x-amz-expires');
  const expires =
    expiresText !== undefined && /^[+-]?\d{1,18}$/.test(expiresText) ? Number(expiresText) : undefined;
  if (expires === undefined || expires < 0 || expires > 900) {
    add('token-invalid-expires', `invalid X-Amz-Expires parameter in pre-signed URL: ${expires ?? 0}`);
  }

  const dateText = get('x-amz-date');
  let date: Date | undefined;
  if (dateText === undefined || dateText === '') {
    add('token-malformed', 'X-Amz-Date parameter must be present in pre-signed URL');
  } else {
    date = parseAmzDate(dateText);
    if (!date) {
      add('token-malformed', `error parsing X-Amz-Date parameter ${dateText} into format 20060102T150405Z`);
    }
  }
  let ageSeconds: number | undefined;
  if (date) {
    ageSeconds = Math.floor((now.getTime() - date.getTime()) / 1000);
    if (ageSeconds > TOKEN_LIFETIME_SECONDS) {
      add('token-expired', `X-Amz-Date parameter is expired (15 minute expiration) ${goTime(date)}`);
    } else if (-ageSeconds > FUTURE_TOLERANCE_SECONDS) {
      add(
        'clock-skew',
        `Signature not yet current: ${dateText ?? ''} is still later than ${amzDate(new Date(now.getTime() + FUTURE_TOLERANCE_SECONDS * 1000))}`,
      );
    }
  }

  const credential = get('x-amz-credential') ?? '';
  const [keyId, , credentialRegion] = credential.split('/');
  const accessKeyId = keyId ? keyId : undefined;
  return {
    url: sanitizeUrl(parsed.base, list, parsed.query),
    length: length ?? Buffer.byteLength(url, 'utf8'),
    host: parsed.host,
    region: sts.region ?? (credentialRegion || undefined),
    partition: sts.partition,
    stsGlobal: sts.global,
    action,
    date: date?.toISOString(),
    ageSeconds,
    expiresSeconds: expires,
    accessKeyId,
    accessKeyAccount: accessKeyId ? accountFromAccessKeyId(accessKeyId) : undefined,
    temporaryCredentials: (accessKeyId?.startsWith('ASIA') ?? false) || byLower.has('x-amz-security-token'),
    signedHeaders,
    clusterIdSigned,
    clusterIdInQuery,
    problems,
  };
}

function splitUrl(url: string): { scheme: string; host: string; path: string; query: string; base: string } {
  const schemeEnd = url.indexOf('://');
  const scheme = schemeEnd >= 0 ? url.slice(0, schemeEnd).toLowerCase() : '';
  const afterScheme = schemeEnd >= 0 ? url.slice(schemeEnd + 3) : url;
  const hostEnd = afterScheme.search(/[/?#]/);
  const host = hostEnd >= 0 ? afterScheme.slice(0, hostEnd) : afterScheme;
  const rest = hostEnd >= 0 ? afterScheme.slice(hostEnd) : '';
  const hash = rest.indexOf('#');
  const noHash = hash >= 0 ? rest.slice(0, hash) : rest;
  const q = noHash.indexOf('?');
  const path = q >= 0 ? noHash.slice(0, q) : noHash;
  const query = q >= 0 ? noHash.slice(q + 1) : '';
  return { scheme, host, path, query, base: `${scheme}://${host}${path}` };
}

/** Go's url.ParseQuery: `;` or a bad escape anywhere is an error (undefined). */
function parseQuery(query: string): Pair[] | undefined {
  if (query === '') return [];
  if (query.includes(';')) return undefined;
  const out: Pair[] = [];
  for (const raw of query.split('&')) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    const rawKey = eq >= 0 ? raw.slice(0, eq) : raw;
    const rawValue = eq >= 0 ? raw.slice(eq + 1) : '';
    const key = unescape(rawKey);
    const value = unescape(rawValue);
    if (key === undefined || value === undefined) return undefined;
    out.push({ rawKey, raw, key, value });
  }
  return out;
}

function unescape(text: string): string | undefined {
  if (/%(?![0-9a-fA-F]{2})/.test(text)) return undefined;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The URL without the signature and with the session token masked, other parameters as they were written. */
function sanitizeUrl(base: string, pairs: Pair[], rawQuery: string): string {
  if (pairs.length === 0) {
    // Unparseable query: keep nothing that could be a credential.
    return rawQuery === ''
      ? base
      : `${base}?${rawQuery.replace(/(X-Amz-(?:Signature|Security-Token)=)[^&]*/gi, '$1***')}`;
  }
  const kept: string[] = [];
  for (const p of pairs) {
    const lower = p.key.toLowerCase();
    if (lower === 'x-amz-signature') continue;
    kept.push(lower === 'x-amz-security-token' ? `${p.rawKey}=***` : p.raw);
  }
  return kept.length > 0 ? `${base}?${kept.join('&')}` : base;
}

function parseAmzDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Reject rolled-over values (month 13, day 32) the way Go's time.Parse does.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  return date;
}

function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Go's default time format, as the authenticator prints it: `2020-05-06 01:09:00 +0000 UTC`. */
function goTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}
