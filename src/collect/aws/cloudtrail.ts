/**
 * CloudTrail LookupEvents (FM §5.3): the cluster's access-management events in its Region, and the principal's
 * IAM lifecycle in us-east-1 (IAM is global; its events are recorded there). LookupEvents takes one attribute per
 * call and allows 2 requests per second per account and Region, so every call, retries included, passes a
 * per-Region pacer, and each lookup stops after a few pages.
 */
import { SourceFailure, failureFor } from '../failure.js';
import { Pacer } from '../concurrency.js';
import { toPlain } from '../plain.js';
import type { AwsClients } from './clients.js';
import type { CallPolicy } from '../retry.js';
import { callWithRetry } from '../retry.js';

/**
 * EKS events that change who can authenticate or what they may do (FM §5.3, FM-22, FM-49), and version upgrades
 * (authenticator and aggregated-API behaviour change with them, FM-45), and who created the cluster (FM-30).
 */
export const EKS_AUTH_EVENTS = [
  'CreateCluster',
  'UpdateClusterVersion',
  'CreateAccessEntry',
  'DeleteAccessEntry',
  'UpdateAccessEntry',
  'AssociateAccessPolicy',
  'DisassociateAccessPolicy',
  'UpdateClusterConfig',
] as const;

/** IAM events of a principal's lifecycle: recreation (FM-22) and renames or moves (FM-23). */
export const IAM_LIFECYCLE = {
  role: ['CreateRole', 'DeleteRole'],
  user: ['CreateUser', 'DeleteUser', 'UpdateUser'],
} as const;
export const IAM_LIFECYCLE_EVENTS = new Set<string>([...IAM_LIFECYCLE.role, ...IAM_LIFECYCLE.user]);

export const IAM_EVENTS_REGION = 'us-east-1';
const PAGE_CAP = 3;

export interface Lookup {
  region: string;
  attribute: { AttributeKey: 'EventName'; AttributeValue: string };
  keep: (event: Record<string, unknown>) => boolean;
}

function parsedDetail(event: Record<string, unknown>): Record<string, unknown> | undefined {
  const raw = event.CloudTrailEvent;
  if (typeof raw === 'object' && raw !== null) return raw as Record<string, unknown>;
  if (typeof raw !== 'string') return undefined;
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** True when an EKS event concerns `cluster` (path parameters may be URL-encoded; the key is `name` or `clusterName`). */
export function eventConcernsCluster(event: Record<string, unknown>, cluster: string): boolean {
  const detail = parsedDetail(event);
  const params = (detail?.requestParameters ?? {}) as Record<string, unknown>;
  const names = [params.name, params.clusterName].filter((v): v is string => typeof v === 'string');
  if (names.some((n) => safeDecode(n) === cluster)) return true;
  const resources = (event.Resources as Array<{ ResourceName?: string }> | undefined) ?? [];
  if (resources.some((r) => r.ResourceName === cluster || r.ResourceName?.endsWith(`:cluster/${cluster}`))) {
    return true;
  }
  // Unreadable details are kept rather than silently dropped.
  return detail === undefined && names.length === 0;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** True when an IAM lifecycle event names the user or role `name` (old or new name of a rename). */
export function eventConcernsPrincipal(event: Record<string, unknown>, name: string): boolean {
  const params = (parsedDetail(event)?.requestParameters ?? {}) as Record<string, unknown>;
  const lower = name.toLowerCase();
  // IAM names are unique case-insensitively.
  return [params.roleName, params.userName, params.newUserName].some(
    (v) => typeof v === 'string' && v.toLowerCase() === lower,
  );
}

/** Earlier names of IAM user `name`, from UpdateUser events that renamed them to it. */
export function formerUserNames(events: ReadonlyArray<Record<string, unknown>>, name: string): string[] {
  const former = new Set<string>();
  for (const event of events) {
    if (event.EventName !== 'UpdateUser') continue;
    const params = (parsedDetail(event)?.requestParameters ?? {}) as Record<string, unknown>;
    if (
      typeof params.newUserName === 'string' &&
      params.newUserName.toLowerCase() === name.toLowerCase() &&
      typeof params.userName === 'string'
    ) {
      former.add(params.userName);
    }
  }
  return [...former];
}

/**
 * The lookups: each access-management event name in the cluster's Region, and each lifecycle event of the
 * principal's kind in us-east-1. Event names, not resource names: every event has one, so nothing is missed.
 */
export function plannedLookups(
  region: string,
  cluster: string,
  principal: { name: string; type: 'user' | 'role' } | undefined,
): Lookup[] {
  const lookups: Lookup[] = EKS_AUTH_EVENTS.map((name) => ({
    region,
    attribute: { AttributeKey: 'EventName', AttributeValue: name },
    keep: (event) => eventConcernsCluster(event, cluster),
  }));
  if (principal) {
    for (const name of IAM_LIFECYCLE[principal.type]) {
      lookups.push({
        region: IAM_EVENTS_REGION,
        attribute: { AttributeKey: 'EventName', AttributeValue: name },
        keep: (event) => eventConcernsPrincipal(event, principal.name),
      });
    }
  }
  return lookups;
}

export interface CloudTrailResult {
  events: Array<Record<string, unknown>>;
  truncated: boolean;
}

export async function lookupCloudTrail(
  aws: AwsClients,
  policy: CallPolicy,
  lookups: readonly Lookup[],
  window: { start: Date; end: Date },
  pacers: Map<string, Pacer>,
): Promise<CloudTrailResult> {
  let truncated = false;
  let firstFailure: unknown;
  // When one lookup fails on its first page (denied, say), the others would only fail the same way, slowly.
  const stop = new AbortController();
  const signal = policy.signal ? AbortSignal.any([policy.signal, stop.signal]) : stop.signal;
  const run = async (lookup: Lookup) => {
    const { sdk, client } = await aws.cloudTrail(lookup.region);
    let pacer = pacers.get(lookup.region);
    if (!pacer) pacers.set(lookup.region, (pacer = new Pacer()));
    const events: Array<Record<string, unknown>> = [];
    let nextToken: string | undefined;
    for (let page = 0; page < PAGE_CAP; page++) {
      let out;
      try {
        out = await callWithRetry(
          (abortSignal) =>
            client.send(
              new sdk.LookupEventsCommand({
                LookupAttributes: [lookup.attribute],
                StartTime: window.start,
                EndTime: window.end,
                MaxResults: 50,
                NextToken: nextToken,
              }),
              { abortSignal },
            ),
          { ...policy, signal, pacer },
        );
      } catch (error) {
        // A later page failing keeps what was read; a first page failing fails the source.
        if (page === 0) {
          if (!stop.signal.aborted) {
            firstFailure = new SourceFailure(failureFor('cloudtrail:LookupEvents', error));
            stop.abort();
          }
          throw error;
        }
        truncated = true;
        break;
      }
      for (const event of toPlain<Array<Record<string, unknown>>>(out.Events ?? [])) {
        if (lookup.keep(event)) events.push(event);
      }
      nextToken = out.NextToken;
      if (!nextToken) break;
      if (page === PAGE_CAP - 1) truncated = true;
    }
    return events;
  };
  const results = await Promise.allSettled(lookups.map(run));
  if (policy.signal?.aborted) throw policy.signal.reason;
  if (firstFailure) throw firstFailure;
  const seen = new Set<string>();
  const events = results
    .flatMap((r) => (r.status === 'fulfilled' ? r.value : []))
    .filter((e) => {
      const id = String(e.EventId ?? JSON.stringify(e));
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    })
    .sort((a, b) => String(b.EventTime ?? '').localeCompare(String(a.EventTime ?? '')));
  return { events, truncated };
}
