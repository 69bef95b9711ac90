/**
 * Bound ServiceAccount tokens that clients keep using past their expiry (FM-55, EKSUG:service-accounts.adoc):
 * tokens are valid for 1 hour but EKS extends them to 90 days for old client SDKs; past the hour the API server
 * annotates audit events with `authentication.k8s.io/stale-token: "subject: system:serviceaccount:<ns>:<name>,
 * seconds after warning threshold: <n>"`, and past 90 days it rejects the token (401).
 */
import { okData, type Snapshot } from '../model/snapshot.js';

export const STALE_TOKEN_ANNOTATION = 'authentication.k8s.io/stale-token';
/** Tokens are valid for an hour; the warning threshold is that hour. */
const WARNING_THRESHOLD_S = 3600;
/** EKS rejects tokens older than 90 days. */
export const EKS_MAX_TOKEN_AGE_S = 90 * 24 * 3600;

export interface StaleToken {
  namespace: string;
  name: string;
  /** Token age in seconds when the request was made. */
  ageSeconds: number;
  /** True when the token was past EKS's 90-day limit (the API server rejects it). */
  rejected: boolean;
  time?: string;
  source: 'auditEvents' | 'incident';
  pointer: string;
}

const VALUE =
  /subject: system:serviceaccount:([a-z0-9.-]{1,253}):([a-z0-9.-]{1,253}), seconds after warning threshold: ?(\d{1,12})/;

function parseValue(
  text: string,
): Pick<StaleToken, 'namespace' | 'name' | 'ageSeconds' | 'rejected'> | undefined {
  const m = VALUE.exec(text);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  const ageSeconds = WARNING_THRESHOLD_S + Number(m[3]);
  return { namespace: m[1], name: m[2], ageSeconds, rejected: ageSeconds > EKS_MAX_TOKEN_AGE_S };
}

const cache = new WeakMap<Snapshot, StaleToken[]>();

/** Every stale-token annotation in the audit events and pasted lines, oldest token first. Read once per snapshot. */
export function staleTokens(snapshot: Snapshot): StaleToken[] {
  const cached = cache.get(snapshot);
  if (cached) return cached;
  const out: StaleToken[] = [];
  (okData(snapshot, 'auditEvents') ?? []).forEach((event, i) => {
    const annotations = event.annotations;
    if (typeof annotations !== 'object' || annotations === null) return;
    const value = (annotations as Record<string, unknown>)[STALE_TOKEN_ANNOTATION];
    const parsed = typeof value === 'string' ? parseValue(value) : undefined;
    if (!parsed) return;
    const time = event.requestReceivedTimestamp ?? event.stageTimestamp;
    out.push({
      ...parsed,
      source: 'auditEvents',
      pointer: `/auditEvents/data/${i}`,
      ...(typeof time === 'string' ? { time } : {}),
    });
  });
  (snapshot.incident?.logLines ?? []).forEach((line, i) => {
    if (!line.includes('stale-token') && !line.includes('seconds after warning threshold')) return;
    const parsed = parseValue(line.replace(/\\"/g, '"'));
    if (parsed) out.push({ ...parsed, source: 'incident', pointer: `/incident/logLines/${i}` });
  });
  out.sort((a, b) => b.ageSeconds - a.ageSeconds);
  cache.set(snapshot, out);
  return out;
}

/** The fact the simulator adds when a rejected (over 90 days) token is in evidence for a 401. */
export function staleTokenFacts(
  snapshot: Snapshot,
  observedStatus: number | undefined,
  facts: ReadonlySet<string>,
): string[] {
  if (observedStatus !== 401 && !facts.has('unauthorized')) return [];
  return staleTokens(snapshot).some((t) => t.rejected) ? ['serviceaccount-token-stale'] : [];
}
