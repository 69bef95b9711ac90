/**
 * When did the failing principal's access last work, and when did it first fail? Read from the authenticator's
 * `access granted` / `access denied` lines (FM §0.2 AGG, AGD) and from audit events (AUD401/AUD403), matched to the
 * principal by canonical ARN (authenticator `arn=`, audit `user.extra.arn` / `canonicalArn`) or by the rendered
 * username. One pass over each source; nothing is kept but the few observations a timeline shows.
 */
import { okData, type Snapshot } from '../model/snapshot.js';
import { parseLogfmt } from '../parse/logfmt.js';
import { matchKey } from '../simulate/context.js';
import { isPrincipalArn } from '../eks/arn.js';

export interface Observation {
  time: string;
  ok: boolean;
  source: 'authenticatorLogs' | 'auditEvents';
  pointer: string;
  detail: string;
}

export interface ObservationSummary {
  lastWorked?: Observation;
  firstFailed?: Observation;
  /** Failures seen after lastWorked (including firstFailed). */
  failuresAfter: number;
}

export interface WhoToMatch {
  /** The caller's canonical ARN. */
  canonicalArn?: string | undefined;
  /** The rendered username (non-empty), for audit events that carry no ARN. */
  username?: string | undefined;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function iso(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function sameArn(a: string | undefined, key: string | undefined): boolean {
  if (!a || !key) return false;
  try {
    return matchKey(isPrincipalArn(a) ? a : a.trim()) === key;
  } catch {
    return false;
  }
}

/** `access granted` / `access denied` lines for this principal. */
export function authenticatorObservations(snapshot: Snapshot, who: WhoToMatch): Observation[] {
  const logs = okData(snapshot, 'authenticatorLogs') ?? [];
  const key = who.canonicalArn ? matchKey(who.canonicalArn) : undefined;
  const canonical = who.canonicalArn?.toLowerCase();
  const out: Observation[] = [];
  logs.forEach((log, i) => {
    const lower = log.message.toLowerCase();
    const granted = lower.includes('access granted');
    // Cheap filters first: the line must be a decision and name this principal's (lower-cased) ARN.
    if ((!granted && !lower.includes('access denied')) || !canonical || !lower.includes(canonical)) return;
    const fields = parseLogfmt(log.message);
    if (!sameArn(fields.get('arn'), key)) return;
    const time = iso(log.timestamp) ?? iso(fields.get('time'));
    if (!time) return;
    const reason = fields.get('error');
    out.push({
      time,
      ok: granted,
      source: 'authenticatorLogs',
      pointer: `/authenticatorLogs/data/${i}`,
      detail: granted
        ? `authenticator: access granted (username "${fields.get('username') ?? ''}")`
        : `authenticator: access denied${reason ? ` (${reason})` : ''}`,
    });
  });
  return out;
}

/** The principal's audited requests: 2xx/3xx worked, 401/403 failed. */
export function auditObservations(snapshot: Snapshot, who: WhoToMatch): Observation[] {
  const events = okData(snapshot, 'auditEvents') ?? [];
  const key = who.canonicalArn ? matchKey(who.canonicalArn) : undefined;
  const out: Observation[] = [];
  events.forEach((event, i) => {
    const user = isObject(event.user) ? event.user : undefined;
    const extra = isObject(user?.extra) ? user.extra : {};
    const first = (k: string) => {
      const v = extra[k];
      return Array.isArray(v) ? str(v[0]) : undefined;
    };
    const username = str(user?.username);
    const mine =
      sameArn(first('canonicalArn'), key) ||
      sameArn(first('arn'), key) ||
      (who.username !== undefined && who.username !== '' && username === who.username);
    if (!mine) return;
    const response = isObject(event.responseStatus) ? event.responseStatus : undefined;
    const code = typeof response?.code === 'number' ? response.code : undefined;
    if (code === undefined || (code >= 400 && code !== 401 && code !== 403)) return;
    const time = iso(str(event.stageTimestamp) ?? str(event.requestReceivedTimestamp));
    if (!time) return;
    const what = `${str(event.verb) ?? ''} ${str(event.requestURI) ?? ''}`.trim();
    out.push({
      time,
      ok: code < 400,
      source: 'auditEvents',
      pointer: `/auditEvents/data/${i}`,
      detail: `audit: ${what || 'request'} → ${code}`,
    });
  });
  return out;
}

/**
 * The last success before the latest failure, and the first failure after it. `observedAt` (when the user saw the
 * failure) counts as a failure even when no log shows one.
 */
export function summarize(observations: Observation[], observedAt?: string): ObservationSummary {
  const failures = observations.filter((o) => !o.ok).map((o) => o.time);
  const observed = iso(observedAt);
  if (observed) failures.push(observed);
  if (failures.length === 0) return { failuresAfter: 0 };
  const latestFailure = failures.reduce((a, b) => (b > a ? b : a));
  let lastWorked: Observation | undefined;
  for (const o of observations) {
    if (o.ok && o.time <= latestFailure && (!lastWorked || o.time > lastWorked.time)) lastWorked = o;
  }
  const after = observations.filter((o) => !o.ok && (!lastWorked || o.time >= lastWorked.time));
  let firstFailed: Observation | undefined;
  for (const o of after) if (!firstFailed || o.time < firstFailed.time) firstFailed = o;
  const summary: ObservationSummary = { failuresAfter: after.length };
  if (lastWorked) summary.lastWorked = lastWorked;
  if (firstFailed) summary.firstFailed = firstFailed;
  return summary;
}
