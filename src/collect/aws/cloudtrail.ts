/**
 * CloudTrail LookupEvents (FM §5.3): the cluster's access-management events in its Region, and the principal's
 * IAM lifecycle in us-east-1 (IAM is global; its events are recorded there). LookupEvents takes one attribute per
 * call and allows 2 requests per second per account and Region, so every call, retries included, passes a
 * per-Region pacer.
 *
 * Each source is read in two steps. First by event source (eks.amazonaws.com, iam.amazonaws.com): one page returns
 * every event of the window when the account is quiet, which is the common case and costs one paced call per
 * Region. When that does not reach the start of the window (busy accounts, where read-only calls such as
 * DescribeCluster or GetRole fill the pages), the rest of the window is read by event name, one lookup per name,
 * each stopping after a few pages.
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
/**
 * Pages read by event source before switching to event names. One page (50 events) is a probe: a second would
 * pay off only for windows of 51–100 events, and in busy accounts it costs half a second of pacing per Region.
 */
const SOURCE_PAGE_CAP = 1;
/** Pages read per event name. */
const NAME_PAGE_CAP = 3;

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

type LookupAttribute = { AttributeKey: 'EventSource' | 'EventName'; AttributeValue: string };

/** The events of one service that eksdoctor reads, in one Region. */
export interface LookupPlan {
  region: string;
  eventSource: string;
  eventNames: readonly string[];
  /** True when an event of one of `eventNames` concerns the cluster or principal. */
  concerns: (event: Record<string, unknown>) => boolean;
}

/**
 * What to read: the access-management events of the cluster in its Region and, for a known IAM user or role, the
 * lifecycle events of its kind in us-east-1.
 */
export function plannedLookups(
  region: string,
  cluster: string,
  principal: { name: string; type: 'user' | 'role' } | undefined,
): LookupPlan[] {
  const plans: LookupPlan[] = [
    {
      region,
      eventSource: 'eks.amazonaws.com',
      eventNames: EKS_AUTH_EVENTS,
      concerns: (event) => eventConcernsCluster(event, cluster),
    },
  ];
  if (principal) {
    plans.push({
      region: IAM_EVENTS_REGION,
      eventSource: 'iam.amazonaws.com',
      eventNames: IAM_LIFECYCLE[principal.type],
      concerns: (event) => eventConcernsPrincipal(event, principal.name),
    });
  }
  return plans;
}

export interface CloudTrailResult {
  events: Array<Record<string, unknown>>;
  /** A lookup stopped at its page cap (or a later page failed): older events of the window may be missing. */
  truncated: boolean;
  /** LookupEvents calls made, retries not counted. */
  calls: number;
}

interface Window {
  start: Date;
  end: Date;
}

export async function lookupCloudTrail(
  aws: AwsClients,
  policy: CallPolicy,
  plans: readonly LookupPlan[],
  window: Window,
  pacers: Map<string, Pacer>,
): Promise<CloudTrailResult> {
  let truncated = false;
  let calls = 0;
  let firstFailure: unknown;
  // When a first page fails (denied, say), the other lookups would only fail the same way, slowly.
  const stop = new AbortController();
  const signal = policy.signal ? AbortSignal.any([policy.signal, stop.signal]) : stop.signal;

  /**
   * Reads up to `cap` pages of one lookup; `complete` is false when more pages remain or a page failed. A failed
   * first page of an event-source lookup fails the source; the event-name lookups only add to what it found.
   */
  const read = async (
    region: string,
    attribute: LookupAttribute,
    range: Window,
    cap: number,
    failsSource: boolean,
  ): Promise<{ events: Array<Record<string, unknown>>; complete: boolean }> => {
    const { sdk, client } = await aws.cloudTrail(region);
    let pacer = pacers.get(region);
    if (!pacer) pacers.set(region, (pacer = new Pacer()));
    const events: Array<Record<string, unknown>> = [];
    let nextToken: string | undefined;
    for (let page = 0; page < cap; page++) {
      let out;
      calls++;
      try {
        out = await callWithRetry(
          (abortSignal) =>
            client.send(
              new sdk.LookupEventsCommand({
                LookupAttributes: [attribute],
                StartTime: range.start,
                EndTime: range.end,
                MaxResults: 50,
                NextToken: nextToken,
              }),
              { abortSignal },
            ),
          { ...policy, signal, pacer },
        );
      } catch (error) {
        if (page === 0 && failsSource) {
          if (!stop.signal.aborted) {
            firstFailure = new SourceFailure(failureFor('cloudtrail:LookupEvents', error));
            stop.abort();
          }
          throw error;
        }
        return { events, complete: false };
      }
      events.push(...toPlain<Array<Record<string, unknown>>>(out.Events ?? []));
      nextToken = out.NextToken;
      if (!nextToken) return { events, complete: true };
    }
    return { events, complete: false };
  };

  const run = async (plan: LookupPlan): Promise<Array<Record<string, unknown>>> => {
    const names = new Set(plan.eventNames);
    const relevant = (event: Record<string, unknown>) =>
      names.has(String(event.EventName)) && plan.concerns(event);
    const bySource = await read(
      plan.region,
      { AttributeKey: 'EventSource', AttributeValue: plan.eventSource },
      window,
      SOURCE_PAGE_CAP,
      true,
    );
    const found = bySource.events.filter(relevant);
    if (bySource.complete) return found;
    // Events come newest first, so the source page covered the window from the oldest event it held to its end.
    // One second of overlap because EventTime has whole seconds; duplicates are dropped by EventId below.
    const oldest = Math.min(
      ...bySource.events.map((e) => Date.parse(String(e.EventTime))).filter(Number.isFinite),
    );
    const end = Number.isFinite(oldest)
      ? new Date(Math.min(window.end.getTime(), oldest + 1000))
      : window.end;
    const byName = await Promise.all(
      plan.eventNames.map((name) =>
        read(
          plan.region,
          { AttributeKey: 'EventName', AttributeValue: name },
          { start: window.start, end },
          NAME_PAGE_CAP,
          false,
        ),
      ),
    );
    for (const result of byName) {
      if (!result.complete) truncated = true;
      found.push(...result.events.filter(relevant));
    }
    return found;
  };

  const results = await Promise.allSettled(plans.map(run));
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
  return { events, truncated, calls };
}
