/**
 * Control-plane logs in CloudWatch Logs (anchors §4): log group /aws/eks/<cluster>/cluster, streams
 * `authenticator-*` and `kube-apiserver-audit-*`, present only when those log types are enabled on the cluster.
 * Events are filtered by the principal's name (as written and lower-cased, since older authenticators log
 * lower-cased ARNs), authenticator denials are all kept (they often name no ARN), and the count is bounded.
 */
import { SourceFailure, errorCode, failureFor } from '../failure.js';
import type { AwsClients } from './clients.js';
import type { Call } from './eks.js';

export type LogKind = 'authenticator' | 'audit';

const STREAM_PREFIX: Record<LogKind, string> = {
  authenticator: 'authenticator',
  audit: 'kube-apiserver-audit',
};
const PAGE_LIMIT = 500;
const PAGE_CAP = 4;

export function logGroupName(cluster: string): string {
  return `/aws/eks/${cluster}/cluster`;
}

/** Which log types DescribeCluster says are enabled (`logging.clusterLogging[].types` where `enabled`). */
export function enabledLogTypes(cluster: Record<string, unknown> | undefined): Set<string> {
  const logging = (cluster?.logging ?? {}) as {
    clusterLogging?: Array<{ types?: string[]; enabled?: boolean }>;
  };
  const enabled = new Set<string>();
  for (const setup of logging.clusterLogging ?? []) {
    if (setup.enabled) for (const type of setup.types ?? []) enabled.add(type);
  }
  return enabled;
}

/** A CloudWatch Logs filter pattern matching any of the terms (quoted, so ARNs and @ need no escaping). */
export function filterPattern(terms: readonly string[]): string | undefined {
  const unique = [...new Set(terms.filter(Boolean))];
  if (unique.length === 0) return undefined;
  const quoted = unique.map((t) => `"${t.replace(/["\\]/g, '')}"`);
  return quoted.length === 1 ? quoted[0] : quoted.map((q) => `?${q}`).join(' ');
}

export interface LogEvent {
  timestamp: string;
  message: string;
  logStream?: string;
}

export interface LogResult {
  events: LogEvent[];
  truncated: boolean;
  groupMissing: boolean;
}

export async function filterLogs(
  aws: AwsClients,
  call: Call,
  cluster: string,
  kind: LogKind,
  terms: readonly string[],
  window: { start: Date; end: Date },
): Promise<LogResult> {
  const { sdk, client } = await aws.logs();
  const events: LogEvent[] = [];
  const pattern = filterPattern(terms);
  let nextToken: string | undefined;
  let truncated = false;
  for (let page = 0; page < PAGE_CAP; page++) {
    let out;
    try {
      out = await call((abortSignal) =>
        client.send(
          new sdk.FilterLogEventsCommand({
            logGroupName: logGroupName(cluster),
            logStreamNamePrefix: STREAM_PREFIX[kind],
            startTime: window.start.getTime(),
            endTime: window.end.getTime(),
            limit: PAGE_LIMIT,
            ...(pattern ? { filterPattern: pattern } : {}),
            ...(nextToken ? { nextToken } : {}),
          }),
          { abortSignal },
        ),
      );
    } catch (error) {
      if (errorCode(error) === 'ResourceNotFoundException') return { events, truncated, groupMissing: true };
      if (page === 0) throw new SourceFailure(failureFor('logs:FilterLogEvents', error));
      truncated = true;
      break;
    }
    for (const e of out.events ?? []) {
      events.push({
        timestamp: new Date(e.timestamp ?? 0).toISOString(),
        message: e.message ?? '',
        ...(e.logStreamName ? { logStream: e.logStreamName } : {}),
      });
    }
    nextToken = out.nextToken;
    if (!nextToken) break;
    if (page === PAGE_CAP - 1) truncated = true;
  }
  return { events, truncated, groupMissing: false };
}

/** Audit log lines are JSON audit.k8s.io/v1 Event objects; anything else is skipped. */
export function auditEventsFrom(events: readonly LogEvent[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const e of events) {
    try {
      const parsed = JSON.parse(e.message) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        out.push(parsed as Record<string, unknown>);
      }
    } catch {
      // not an audit event
    }
  }
  return out;
}
