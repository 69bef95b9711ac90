/**
 * The ordered list of auth-relevant changes around an incident, from CloudTrail (EKS access management, cluster
 * version and mode changes, IAM lifecycle of the principal), authenticator logs and audit events.
 */
import type { TimelineEvent } from '../model/report.js';
import { okData, type Snapshot } from '../model/snapshot.js';
import type { Simulation } from '../simulate/simulate.js';
import { matchKey } from '../simulate/context.js';

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
export function buildTimeline(snapshot: Snapshot, sim: Simulation): TimelineEvent[] {
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
  return out.sort((a, b) => a.time.localeCompare(b.time));
}
