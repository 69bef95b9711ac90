/**
 * The ordered list of auth-relevant changes around an incident, from CloudTrail (EKS access management, cluster
 * version and mode changes, IAM lifecycle of the principal), audit events (aws-auth edits), the authenticator log
 * and audit observations of the principal ("last worked" / "first failed"), and the time the user saw the failure.
 */
import type { TimelineEvent } from '../model/report.js';
import { okData, type Snapshot } from '../model/snapshot.js';
import type { Simulation } from '../simulate/simulate.js';
import { matchKey } from '../simulate/context.js';
import { logEvidenceFor } from '../evidence/logs.js';
import { auditObservations, authenticatorObservations, summarize, type Observation } from './observations.js';

export const EKS_AUTH_EVENTS = new Set([
  'CreateCluster',
  'UpdateClusterVersion',
  'UpdateClusterConfig',
  'CreateAccessEntry',
  'UpdateAccessEntry',
  'DeleteAccessEntry',
  'AssociateAccessPolicy',
  'DisassociateAccessPolicy',
]);
export const IAM_LIFECYCLE_EVENTS = new Set([
  'CreateRole',
  'DeleteRole',
  'CreateUser',
  'DeleteUser',
  'UpdateUser',
]);

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Json) : undefined;
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Path parameters arrive URL-encoded in CloudTrail (`arn%3Aaws%3Aiam...`); decode before comparing. */
export function decodeParam(value: unknown): string | undefined {
  const s = str(value);
  if (!s) return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface ParsedTrailEvent {
  time: string;
  name: string;
  source: string;
  actor?: string;
  clusterName?: string;
  principalArn?: string;
  policyArn?: string;
  authenticationMode?: string;
  version?: string;
  roleOrUserName?: string;
  errorCode?: string;
  index: number;
}

export function parseTrailEvent(raw: Json, index: number): ParsedTrailEvent | undefined {
  const detail = asObject(raw.CloudTrailEvent) ?? {};
  const name = str(raw.EventName) ?? str(detail.eventName);
  const time = str(raw.EventTime) ?? str(detail.eventTime);
  if (!name || !time) return undefined;
  const params = asObject(detail.requestParameters) ?? {};
  const identity = asObject(detail.userIdentity) ?? {};
  const accessConfig = asObject(params.accessConfig);
  const parsed: ParsedTrailEvent = {
    time: new Date(Date.parse(time)).toISOString(),
    name,
    source: str(raw.EventSource) ?? str(detail.eventSource) ?? '',
    index,
  };
  const actor = str(identity.arn) ?? str(raw.Username);
  if (actor) parsed.actor = actor;
  const cluster = decodeParam(params.name) ?? decodeParam(params.clusterName);
  if (cluster) parsed.clusterName = cluster;
  const principal = decodeParam(params.principalArn);
  if (principal) parsed.principalArn = principal;
  const policy = decodeParam(params.policyArn);
  if (policy) parsed.policyArn = policy;
  const mode = str(accessConfig?.authenticationMode);
  if (mode) parsed.authenticationMode = mode;
  const version = str(params.version);
  if (version) parsed.version = version;
  const iamName = str(params.roleName) ?? str(params.userName);
  if (iamName) parsed.roleOrUserName = iamName;
  const errorCode = str(detail.errorCode);
  if (errorCode) parsed.errorCode = errorCode;
  return parsed;
}

function describe(e: ParsedTrailEvent): string {
  const failed = e.errorCode ? ` (failed: ${e.errorCode})` : '';
  switch (e.name) {
    case 'UpdateClusterConfig':
      return e.authenticationMode
        ? `authentication mode set to ${e.authenticationMode}${failed}`
        : `cluster configuration updated${failed}`;
    case 'UpdateClusterVersion':
      return `cluster upgrade to Kubernetes ${e.version ?? '?'} started${failed}`;
    case 'CreateAccessEntry':
    case 'UpdateAccessEntry':
    case 'DeleteAccessEntry':
      return `${e.name.replace('AccessEntry', '').toLowerCase()} access entry ${e.principalArn ?? ''}${failed}`.trim();
    case 'AssociateAccessPolicy':
    case 'DisassociateAccessPolicy':
      return `${e.name === 'AssociateAccessPolicy' ? 'associate' : 'disassociate'} ${e.policyArn?.split('/').pop() ?? 'policy'} for ${e.principalArn ?? '?'}${failed}`;
    default:
      return `${e.name} ${e.roleOrUserName ?? e.principalArn ?? ''}${failed}`.trim();
  }
}

/** Auth-relevant CloudTrail events for this cluster and principal, oldest first. */
function trailEvents(snapshot: Snapshot, sim: Simulation): TimelineEvent[] {
  const events = okData(snapshot, 'cloudTrail') ?? [];
  const cluster = sim.index.clusterName;
  const principalKey = sim.principal?.canonicalArn ? matchKey(sim.principal.canonicalArn) : undefined;
  const principalName = sim.principal?.parsed?.name;
  const out: TimelineEvent[] = [];
  events.forEach((raw, i) => {
    const name = raw.EventName;
    if (!name || !(EKS_AUTH_EVENTS.has(name) || IAM_LIFECYCLE_EVENTS.has(name))) return;
    const e = parseTrailEvent(raw as Json, i);
    if (!e) return;
    if (EKS_AUTH_EVENTS.has(e.name) && cluster && e.clusterName && e.clusterName !== cluster) return;
    if (IAM_LIFECYCLE_EVENTS.has(e.name) && principalName && e.roleOrUserName !== principalName) return;
    if (
      e.principalArn &&
      principalKey &&
      matchKey(e.principalArn) !== principalKey &&
      e.name !== 'CreateAccessEntry'
    ) {
      // Other principals' entries are noise, except creations, which may be the near miss.
      return;
    }
    const item: TimelineEvent = {
      time: e.time,
      event: e.name,
      detail: describe(e),
      source: 'cloudTrail',
      pointer: `/cloudTrail/data/${i}`,
    };
    if (e.actor) item.actor = e.actor;
    out.push(item);
  });
  return out;
}

function observationEvent(o: Observation, marker: TimelineEvent['marker'], extra = ''): TimelineEvent {
  return {
    time: o.time,
    event: o.ok ? 'AccessWorked' : 'AccessFailed',
    detail: `${o.detail}${extra}`,
    source: o.source,
    pointer: o.pointer,
    ...(marker ? { marker } : {}),
  };
}

function isoOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * Every auth-relevant event around the incident, oldest first: CloudTrail changes, aws-auth edits, the last time
 * the principal's access worked and the first time it failed (authenticator log, audit), and when the user saw it.
 */
export function buildTimeline(snapshot: Snapshot, sim: Simulation): TimelineEvent[] {
  const out = trailEvents(snapshot, sim);
  for (const edit of logEvidenceFor(snapshot, sim).awsAuthEdits) {
    const time = isoOf(edit.time);
    if (!time || (edit.code !== undefined && edit.code >= 400)) continue;
    out.push({
      time,
      event: 'AwsAuthEdit',
      detail: `kube-system/aws-auth ${edit.verb === 'delete' ? 'deleted' : `changed (${edit.verb})`}`,
      source: 'auditEvents',
      pointer: edit.pointer,
      ...(edit.user ? { actor: edit.user } : {}),
    });
  }
  const who = {
    canonicalArn: sim.principal?.canonicalArn,
    username: sim.identity?.username,
  };
  // "access granted" only says the token was accepted: it shows access working for a 401, not for a 403.
  const forbidden = sim.outcome === 'forbidden' || sim.input.observedStatus === 403;
  const observations = who.canonicalArn
    ? [
        ...authenticatorObservations(snapshot, who).filter((o) => !(forbidden && o.ok)),
        ...auditObservations(snapshot, who),
      ]
    : [];
  const observedAt = isoOf(snapshot.incident?.observedAt);
  const summary = summarize(observations, observedAt);
  if (summary.lastWorked) out.push(observationEvent(summary.lastWorked, 'last-worked'));
  const first = summary.firstFailed;
  if (first) {
    const more = summary.failuresAfter > 1 ? ` (${summary.failuresAfter} failures seen from then on)` : '';
    out.push(
      observationEvent(first, observedAt && observedAt < first.time ? undefined : 'first-failed', more),
    );
  }
  if (observedAt) {
    const status = snapshot.incident?.status;
    out.push({
      time: observedAt,
      event: 'FailureObserved',
      detail: `the user saw the failure${status ? ` (HTTP ${status})` : ''}`,
      source: 'incident',
      pointer: '/incident/observedAt',
      ...(!first || observedAt < first.time ? { marker: 'first-failed' as const } : {}),
    });
  }
  // Stable: equal times keep source order (changes before the observations they explain).
  // Plain code-unit order: ISO times sort correctly, and localeCompare would load ICU collation (slow start).
  return out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** The events that changed access (not observations, not failed API calls). */
export const CHANGE_EVENTS = new Set([...EKS_AUTH_EVENTS, ...IAM_LIFECYCLE_EVENTS, 'AwsAuthEdit']);

/** Changes that can take access away (the ones worth naming as a cause). */
export const REMOVING_EVENTS = new Set([
  'DeleteAccessEntry',
  'DisassociateAccessPolicy',
  'UpdateAccessEntry',
  'AssociateAccessPolicy',
  'UpdateClusterConfig',
  'DeleteRole',
  'DeleteUser',
  'UpdateUser',
  'AwsAuthEdit',
]);

export interface TimelineMarkers {
  lastWorked?: TimelineEvent;
  firstFailed?: TimelineEvent;
}

export function timelineMarkers(timeline: readonly TimelineEvent[]): TimelineMarkers {
  const markers: TimelineMarkers = {};
  for (const e of timeline) {
    if (e.marker === 'last-worked') markers.lastWorked = e;
    if (e.marker === 'first-failed' && !markers.firstFailed) markers.firstFailed = e;
  }
  return markers;
}

function failedCall(e: TimelineEvent): boolean {
  return e.detail.includes('(failed: ');
}

/**
 * Successful changes between the last time access worked (exclusive) and the failure (the first-failed marker,
 * else `now`), newest first. Without a last-worked marker every earlier change qualifies.
 */
export function changesBeforeFailure(
  timeline: readonly TimelineEvent[],
  now: Date,
  names: ReadonlySet<string> = REMOVING_EVENTS,
): TimelineEvent[] {
  const { lastWorked, firstFailed } = timelineMarkers(timeline);
  const until = firstFailed?.time ?? now.toISOString();
  return timeline
    .filter(
      (e) =>
        names.has(e.event) && !failedCall(e) && e.time <= until && (!lastWorked || e.time > lastWorked.time),
    )
    .reverse();
}

/** `2026-11-20 09:12 UTC` */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d{2}(\.\d+)?Z$/, ' UTC');
}

/** "DeleteAccessEntry at 2026-11-20 09:12 UTC by arn:…" */
export function describeChange(e: TimelineEvent): string {
  return `${e.event} at ${shortTime(e.time)}${e.actor ? ` by ${e.actor}` : ''}`;
}

/**
 * One sentence for explanations: "Access worked until 09:05 (authenticator: access granted ...); then
 * DeleteAccessEntry at 09:12 by arn:… (delete access entry …); first failure at 09:14." Undefined when the
 * timeline shows no change before the failure.
 */
export function recentChangeSentence(
  timeline: readonly TimelineEvent[],
  now: Date,
  names: ReadonlySet<string> = REMOVING_EVENTS,
): string | undefined {
  const change = changesBeforeFailure(timeline, now, names)[0];
  if (!change) return undefined;
  const { lastWorked, firstFailed } = timelineMarkers(timeline);
  const parts = [
    lastWorked ? `Access last worked at ${shortTime(lastWorked.time)}` : undefined,
    `${lastWorked ? 'then ' : ''}${describeChange(change)} (${change.detail})`,
    firstFailed ? `first failure at ${shortTime(firstFailed.time)}` : undefined,
  ].filter(Boolean);
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** The parsed CloudTrail event a timeline entry points at (for the request parameters). */
export function trailEventOf(snapshot: Snapshot, e: TimelineEvent): ParsedTrailEvent | undefined {
  const m = /^\/cloudTrail\/data\/(\d+)$/.exec(e.pointer ?? '');
  if (!m?.[1]) return undefined;
  const index = Number(m[1]);
  const raw = okData(snapshot, 'cloudTrail')?.[index];
  return raw ? parseTrailEvent(raw as Json, index) : undefined;
}

/** The request parameters of the CloudTrail event a timeline entry points at (path parameters URL-decoded). */
export function trailParams(snapshot: Snapshot, e: TimelineEvent): Record<string, unknown> | undefined {
  const m = /^\/cloudTrail\/data\/(\d+)$/.exec(e.pointer ?? '');
  if (!m?.[1]) return undefined;
  const raw = okData(snapshot, 'cloudTrail')?.[Number(m[1])];
  const detail = raw ? asObject(raw.CloudTrailEvent) : undefined;
  const params = detail ? asObject(detail.requestParameters) : undefined;
  if (!params) return undefined;
  const out: Record<string, unknown> = { ...params };
  for (const key of ['principalArn', 'policyArn', 'name']) {
    const decoded = decodeParam(params[key]);
    if (decoded) out[key] = decoded;
  }
  return out;
}

/** "Access last worked at …; first failed at …." for report headers; undefined without markers. */
export function markerSummary(timeline: readonly TimelineEvent[]): string | undefined {
  const { lastWorked, firstFailed } = timelineMarkers(timeline);
  if (!lastWorked && !firstFailed) return undefined;
  const parts = [
    lastWorked ? `access last worked at ${shortTime(lastWorked.time)}` : undefined,
    firstFailed ? `first failed at ${shortTime(firstFailed.time)}` : undefined,
  ].filter(Boolean);
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
