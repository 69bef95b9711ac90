import type { Draft } from '../draft.js';
import { REASON_STATUS, clip, looksLikePrincipalArn } from '../text.js';
import { recordStsErrorCode } from './aws.js';
import { parseForbidden } from './kubernetes.js';
import { usernameFacts } from './identity.js';

type Json = Record<string, unknown>;
/** Parses one nested log line (a Docker `log` field, a CloudWatch `message`) into the same draft. */
export type LineParser = (line: string) => void;

const MAX_ITEMS = 10_000;

/**
 * Structured pastes: Kubernetes `Status` bodies, audit.k8s.io `Event`s (single, NDJSON, `EventList`, arrays),
 * Docker JSON log records and CloudWatch Logs exports whose messages are log lines.
 */
export function parseJsonValue(value: unknown, draft: Draft, parseLine: LineParser, depth = 0): boolean {
  if (depth > 4) return false;
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS);
    // A denied event says more than the allowed ones around it: read failures first.
    const ordered = [...items.filter(isFailingEvent), ...items.filter((i) => !isFailingEvent(i))];
    let any = false;
    for (const item of ordered) any = parseJsonValue(item, draft, parseLine, depth + 1) || any;
    return any;
  }
  if (!isObject(value)) return false;
  const kind = typeof value.kind === 'string' ? value.kind : undefined;
  if (kind === 'Status') return parseStatus(value, draft);
  if (kind === 'EventList' && Array.isArray(value.items)) {
    return parseJsonValue(value.items, draft, parseLine, depth + 1);
  }
  if (isAuditEvent(value)) return parseAuditEvent(value, draft);
  if (Array.isArray(value.events)) return parseJsonValue(value.events, draft, parseLine, depth + 1);
  if (Array.isArray(value.results)) return parseJsonValue(value.results, draft, parseLine, depth + 1);
  if (isObject(value.Error) && typeof value.Error.Code === 'string') {
    // STS's JSON error body, `{"Error":{"Code":"SignatureDoesNotMatch","Message":"…","Type":"Sender"}}`.
    return recordStsErrorCode(value.Error.Code, draft);
  }
  // Log records: Docker `log`, CloudWatch `message`/`@message`, and zap/logr (controller-runtime, Karpenter), which
  // put the summary in `msg` and the wrapped error text in `error`.
  let any = false;
  for (const key of ['log', 'message', '@message', 'msg', 'error', 'err']) {
    const nested = value[key];
    if (typeof nested !== 'string') continue;
    any = true;
    const trimmed = nested.trim();
    if (trimmed.startsWith('{') && depth < 3) {
      const inner = tryJson(trimmed);
      if (inner !== undefined && parseJsonValue(inner, draft, parseLine, depth + 1)) continue;
    }
    parseLine(nested);
  }
  if (any) draft.set('time', recordTime(value.time ?? value.ts ?? value.timestamp));
  return any;
}

/** A log record's own timestamp: RFC 3339 text, or zap's epoch seconds (`"ts":1651073143.61`). */
function recordTime(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/.test(value)
      ? value
      : undefined;
  }
  // Seconds between 2001 and 2286; milliseconds and other units are not guessed.
  if (typeof value === 'number' && value >= 1e9 && value < 1e10) return new Date(value * 1000).toISOString();
  return undefined;
}

export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Hand-edited pastes keep a trailing comma (`},\n}`); JSON without it is the same document.
    if (!/,\s*[}\]]/.test(text)) return undefined;
    try {
      return JSON.parse(text.replace(/,(\s*[}\]])/g, '$1')) as unknown;
    } catch {
      return undefined;
    }
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isAuditEvent(value: Json): boolean {
  const api = str(value.apiVersion) ?? '';
  return (
    (value.kind === 'Event' && api.startsWith('audit.k8s.io')) ||
    (value.auditID !== undefined && value.requestURI !== undefined)
  );
}

function isFailingEvent(value: unknown): boolean {
  if (!isObject(value)) return false;
  const status = isObject(value.responseStatus) ? value.responseStatus.code : undefined;
  return typeof status === 'number' && status >= 400;
}

/** A Kubernetes `Status` response body (`{"kind":"Status",...,"code":403}`). */
export function parseStatus(value: Json, draft: Draft): boolean {
  draft.source('kube-apiserver');
  const code = typeof value.code === 'number' ? value.code : REASON_STATUS[str(value.reason) ?? ''];
  recordCode(code, draft);
  const message = str(value.message);
  if (message) {
    draft.set('reason', clip(message));
    parseForbidden(message, draft);
  }
  const details = isObject(value.details) ? value.details : undefined;
  if (details) {
    draft.set('name', str(details.name) || undefined);
    draft.set('apiGroup', str(details.group));
    draft.set('resource', str(details.kind) || undefined);
  }
  return true;
}

function recordCode(code: number | undefined, draft: Draft): void {
  if (code === undefined || code < 400) return;
  draft.set('status', code);
  if (code === 401) draft.fact('unauthorized');
  if (code === 403) draft.fact('forbidden');
  if (code === 503) draft.fact('service-unavailable');
}

/**
 * An audit.k8s.io/v1 Event (FM §0.2 AUD401/AUD403). EKS puts the caller's ARN, canonical ARN, session name and
 * access key id into `user.extra` (FM §0 step 8).
 */
function parseAuditEvent(event: Json, draft: Draft): boolean {
  draft.source('audit');
  const response = isObject(event.responseStatus) ? event.responseStatus : undefined;
  const code = typeof response?.code === 'number' ? response.code : undefined;
  recordCode(code, draft);
  const annotations = isObject(event.annotations) ? event.annotations : {};
  if (annotations['authorization.k8s.io/decision'] === 'forbid') draft.fact('forbidden');

  const uri = str(event.requestURI);
  if (uri) draft.set('path', uri.split('?')[0]);
  draft.set('verb', str(event.verb));
  draft.set('time', str(event.requestReceivedTimestamp) ?? str(event.stageTimestamp));

  const user = isObject(event.user) ? event.user : undefined;
  if (user) {
    const username = str(user.username);
    // A failed authentication is audited with an empty user; that is not the empty-username mapping of FM-45.
    if (username !== undefined && !(username === '' && code === 401)) {
      draft.set('username', username);
      usernameFacts(username, draft);
    }
    if (Array.isArray(user.groups)) {
      draft.groups(user.groups.filter((g): g is string => typeof g === 'string'));
    }
    draft.set('uid', str(user.uid) || undefined);
    const extra = isObject(user.extra) ? user.extra : {};
    const firstOf = (key: string): string | undefined => {
      const v = extra[key];
      return Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
    };
    const arn = firstOf('arn') ?? firstOf('canonicalArn');
    if (arn && looksLikePrincipalArn(arn)) draft.set('principalArn', arn);
    draft.set('accessKeyId', firstOf('accessKeyId'));
  }
  if (event.impersonatedUser !== undefined) draft.fact('impersonation');

  const ref = isObject(event.objectRef) ? event.objectRef : undefined;
  if (ref) {
    draft.set('apiGroup', str(ref.apiGroup) ?? '');
    draft.set('namespace', str(ref.namespace) || undefined);
    draft.set('resource', str(ref.resource) || undefined);
    draft.set('subresource', str(ref.subresource) || undefined);
    draft.set('name', str(ref.name) || undefined);
  }
  const message = str(response?.message);
  if (message) {
    draft.set('reason', clip(message));
    parseForbidden(message, draft);
  }
  return true;
}
