/**
 * How a failed AWS or Kubernetes call becomes evidence (DESIGN §1: every source records ok, denied, error or absent
 * and degrades alone). Messages are one line and never carry a token, signature or key.
 */

/** The evidence a failed source records. */
export type Failure =
  { status: 'denied'; permission: string; message?: string } | { status: 'error'; message: string };

/** Thrown by collectors; the orchestrator turns it into the source's evidence. */
export class SourceFailure extends Error {
  override name = 'SourceFailure';
  constructor(readonly failure: Failure) {
    super(failure.message ?? failure.status);
  }
}

/** Thrown inside a source that was deliberately not collected; becomes `absent`, the message saying why. */
export class NotCollected extends Error {
  override name = 'NotCollected';
}

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
  'NotAuthorized',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'IncompleteSignature',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

export type ErrorKind = 'denied' | 'throttled' | 'server' | 'network' | 'timeout' | 'credentials' | 'other';

interface ErrorLike {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string> };
  $retryable?: { throttling?: boolean };
  cause?: unknown;
}

export function errorCode(error: unknown): string {
  const e = (error ?? {}) as ErrorLike;
  for (const candidate of [e.Code, e.name, e.code]) {
    if (typeof candidate === 'string' && candidate && candidate !== 'Error') return candidate;
  }
  return 'Error';
}

export function httpStatus(error: unknown): number | undefined {
  const e = (error ?? {}) as ErrorLike;
  return e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as ErrorLike).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as ErrorLike).cause;
  }
  return undefined;
}

export function classifyError(error: unknown): ErrorKind {
  const code = errorCode(error);
  const status = httpStatus(error);
  if (code === 'TimeoutError' || code === 'AbortError' || code === 'RequestTimeout') return 'timeout';
  if (DENIED.has(code)) return 'denied';
  if (THROTTLED.has(code) || status === 429 || (error as ErrorLike)?.$retryable?.throttling) {
    return 'throttled';
  }
  if (BAD_CREDENTIALS.has(code)) return 'credentials';
  if (networkCode(error)) return 'network';
  if (status !== undefined && status >= 500) return 'server';
  return 'other';
}

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1***'],
  [/k8s-aws-v1\.[A-Za-z0-9_=-]+/g, 'k8s-aws-v1.***'],
  [/(X-Amz-Signature=)[0-9a-fA-F]+/gi, '$1***'],
  [/(X-Amz-Security-Token=)[^&\s"']+/gi, '$1***'],
  [/(Signature=)[0-9a-f]{64}/g, '$1***'],
  [
    /(aws_secret_access_key|aws_session_token|SecretAccessKey|SessionToken)(["'\s:=]+)[^\s"',}]+/gi,
    '$1$2***',
  ],
];

/** Removes anything that looks like a bearer token, signature, secret key or session token. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** The first meaningful line of a message, without markup, bounded in length. */
export function oneLine(text: string, max = 240): string {
  const flat = scrubSecrets(text)
    .replace(/<[^>]*>/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function looksLikeMarkup(text: string): boolean {
  return /<!doctype html|<html|<body|<head|<title/i.test(text);
}

/** One line describing what went wrong in `operation`, for an `error` evidence. */
export function describeError(operation: string, error: unknown): string {
  const kind = classifyError(error);
  const code = errorCode(error);
  const status = httpStatus(error);
  const raw =
    typeof (error as ErrorLike)?.message === 'string' ? ((error as ErrorLike).message as string) : '';
  const net = networkCode(error);
  if (kind === 'timeout') return `${operation}: no answer in time (request timed out)`;
  if (code === 'CredentialsProviderError') {
    return `${operation}: no usable AWS credentials (${oneLine(raw, 140)}); pass --profile, set AWS_PROFILE, or run aws sso login`;
  }
  if (kind === 'network') return `${operation}: cannot reach the endpoint (${net})`;
  if (kind === 'credentials') {
    return `${operation}: the AWS credentials were rejected (${code}): ${oneLine(raw, 160)}`;
  }
  if (
    looksLikeMarkup(raw) ||
    /deserializ|unexpected token|not valid json|unexpected end|non-xml|xml/i.test(raw)
  ) {
    return `${operation}: unexpected response${status ? ` (HTTP ${status})` : ''}, not an API answer (an HTML error page or a proxy?)`;
  }
  if (kind === 'server' && /^(Unknown|UnknownError|Error)$/.test(code)) {
    return `${operation}: server error (HTTP ${status}) without an AWS error body (an HTML page from a proxy?)`;
  }
  if (kind === 'server' || kind === 'throttled') {
    return `${operation}: ${kind === 'server' ? 'server error' : 'still throttled after retries'} (${status ? `HTTP ${status}, ` : ''}${code})`;
  }
  const detail = oneLine(raw, 200);
  return `${operation}: ${code}${status ? ` (HTTP ${status})` : ''}${detail && detail !== code ? `: ${detail}` : ''}`;
}

/** An answer that parsed but lacks what the API always returns: a proxy or portal page, not AWS. */
export function unexpectedAnswer(operation: string, missing: string): SourceFailure {
  return new SourceFailure({
    status: 'error',
    message: `${operation}: unexpected response without ${missing}, not an API answer (an HTML page from a proxy?)`,
  });
}

/** The evidence for a failed call: `denied` with the exact permission, else `error` with one line. */
export function failureFor(permission: string, error: unknown): Failure {
  if (error instanceof SourceFailure) return error.failure;
  if (classifyError(error) === 'denied') {
    const raw =
      typeof (error as ErrorLike)?.message === 'string' ? ((error as ErrorLike).message as string) : '';
    const message = oneLine(raw, 200);
    return message ? { status: 'denied', permission, message } : { status: 'denied', permission };
  }
  return { status: 'error', message: describeError(permission, error) };
}
