/**
 * A local AWS endpoint on 127.0.0.1 for tests and the benchmark. It speaks the real wire protocols of the
 * operations eksdoctor uses (EKS rest-json, CloudTrail and CloudWatch Logs JSON 1.1, STS and IAM query/XML),
 * so the real SDK clients and the real AWS CLI talk to it through AWS_ENDPOINT_URL / --endpoint-url.
 * Requests are routed by the SigV4 credential scope (service and Region), answered from a snapshot-like state,
 * and can be disturbed per operation: AccessDenied, throttling, latency, 5xx, HTML bodies, hangs. Every request
 * is logged with its arrival and completion time (see request-log.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { RequestRecord } from './request-log.js';

export type { RequestRecord } from './request-log.js';
export { analyzeRequestLog, longestChain, maxInWindow } from './request-log.js';

export type AwsService = 'eks' | 'sts' | 'iam' | 'cloudtrail' | 'logs' | 'sso';

export interface FakeIdentity {
  Arn: string;
  UserId: string;
  Account: string;
}

export interface FakeAccessEntry {
  clusterName?: string;
  principalArn: string;
  kubernetesGroups?: string[];
  accessEntryArn?: string;
  createdAt?: string;
  modifiedAt?: string;
  tags?: Record<string, string>;
  username?: string;
  type?: string;
  associatedPolicies?: Array<{
    policyArn: string;
    accessScope: { type: string; namespaces?: string[] };
    associatedAt?: string;
    modifiedAt?: string;
  }>;
}

export interface FakeIamEntity {
  Arn: string;
  Id: string;
  Name: string;
  Path: string;
  CreateDate: string;
}

export interface FakeAwsState {
  /** Credentials the fake accepts: access key id → who it is. */
  identities: Record<string, FakeIdentity>;
  /** Roles that sts:AssumeRole may assume: role ARN → the temporary credentials and identity it returns. */
  assumableRoles?: Record<
    string,
    { accessKeyId: string; secretAccessKey: string; sessionToken: string; userId: string }
  >;
  clusters: Record<string, { cluster: Record<string, unknown>; accessEntries: FakeAccessEntry[] }>;
  iam: { roles: FakeIamEntity[]; users: FakeIamEntity[] };
  /** IAM Identity Center: the cached access token it accepts and the role credentials it hands out. */
  sso?: {
    accessToken: string;
    roles: Record<
      string,
      { accessKeyId: string; secretAccessKey: string; sessionToken: string; identity: FakeIdentity }
    >;
  };
  /** Region → events as LookupEvents returns them (EventTime ISO 8601; CloudTrailEvent a JSON string). */
  cloudTrail: Record<string, Array<Record<string, unknown>>>;
  /** Log group name → events (timestamp in ms). */
  logs: Record<string, Array<{ logStreamName: string; timestamp: number; message: string }>>;
}

export type FaultKind = 'accessDenied' | 'throttle' | 'latency' | 'serverError' | 'html' | 'htmlOk' | 'hang';

export interface Fault {
  service?: AwsService;
  /** Operation name (DescribeCluster, GetRole, LookupEvents, ...) or '*'. */
  operation: string;
  kind: FaultKind;
  /** How many matching requests it hits (default: all). */
  times?: number;
  /** Latency for `latency` (and added before any other kind). */
  ms?: number;
  region?: string;
}

export interface FakeAwsOptions {
  /** Page size per operation, to force pagination (defaults: the API maxima asked for). */
  pageSize?: Partial<
    Record<'ListAccessEntries' | 'ListAssociatedAccessPolicies' | 'LookupEvents' | 'FilterLogEvents', number>
  >;
  /** Latency added to every request (ms). */
  latencyMs?: number;
}

export interface FakeAws {
  url: string;
  state: FakeAwsState;
  faults: Fault[];
  log: RequestRecord[];
  options: FakeAwsOptions;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Parsed {
  service: AwsService;
  region: string;
  accessKeyId: string;
  operation: string;
  method: string;
  path: string[];
  query: URLSearchParams;
  body: string;
}

const XMLNS: Record<string, string> = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
};

function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function xmlFields(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${xmlEscape(v as string)}</${k}>`)
    .join('');
}

const epoch = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function credentialScope(
  req: IncomingMessage,
): { accessKeyId: string; region: string; service: string } | undefined {
  const auth = String(req.headers.authorization ?? '');
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  return m?.[1] && m[2] && m[3] ? { accessKeyId: m[1], region: m[2], service: m[3] } : undefined;
}

function eksOperation(method: string, path: string[]): string {
  // /clusters/{name}[/access-entries[/{arn}[/access-policies[/{policy}]]]] | /clusters/{name}/update-config
  const [root, , sub, , policies, policy] = path;
  if (root !== 'clusters') return 'Unknown';
  if (path.length === 2 && method === 'GET') return 'DescribeCluster';
  if (sub === 'update-config' && method === 'POST') return 'UpdateClusterConfig';
  if (sub !== 'access-entries') return 'Unknown';
  if (path.length === 3) return method === 'POST' ? 'CreateAccessEntry' : 'ListAccessEntries';
  if (path.length === 4) {
    return (
      (
        { GET: 'DescribeAccessEntry', POST: 'UpdateAccessEntry', DELETE: 'DeleteAccessEntry' } as Record<
          string,
          string
        >
      )[method] ?? 'Unknown'
    );
  }
  if (policies === 'access-policies') {
    if (policy !== undefined) return method === 'DELETE' ? 'DisassociateAccessPolicy' : 'Unknown';
    return method === 'POST' ? 'AssociateAccessPolicy' : 'ListAssociatedAccessPolicies';
  }
  return 'Unknown';
}

function parse(req: IncomingMessage, body: string): Parsed {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const scope = credentialScope(req);
  const service = (scope?.service ?? 'unknown') as AwsService;
  const method = req.method ?? 'GET';
  const path = url.pathname
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  let operation = 'Unknown';
  if (url.pathname === '/federation/credentials') {
    // IAM Identity Center's GetRoleCredentials is not SigV4-signed: a bearer token in a header.
    return {
      service: 'sso',
      region: '',
      accessKeyId: '',
      operation: 'GetRoleCredentials',
      method,
      path,
      query: url.searchParams,
      body,
    };
  }
  if (service === 'eks') operation = eksOperation(method, path);
  else if (service === 'sts' || service === 'iam') {
    operation = new URLSearchParams(body).get('Action') ?? 'Unknown';
  } else if (service === 'cloudtrail' || service === 'logs') {
    operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? 'Unknown';
  }
  return {
    service,
    region: scope?.region ?? '',
    accessKeyId: scope?.accessKeyId ?? '',
    operation,
    method,
    path,
    query: url.searchParams,
    body,
  };
}

function page<T>(
  items: readonly T[],
  token: string | null | undefined,
  size: number,
): { items: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) || 0 : 0;
  const slice = items.slice(start, start + size);
  const next =
    start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
  return next ? { items: slice, next } : { items: slice };
}

/** CloudWatch Logs filter patterns, the subset eksdoctor and its script use: quoted terms, `?` for "any of". */
export function matchesFilterPattern(pattern: string | undefined, message: string): boolean {
  if (!pattern?.trim()) return true;
  const terms = [...pattern.matchAll(/(\?)?(?:"([^"]*)"|(\S+))/g)].map((m) => ({
    optional: Boolean(m[1]),
    text: m[2] ?? m[3] ?? '',
  }));
  const optional = terms.filter((t) => t.optional);
  const required = terms.filter((t) => !t.optional);
  return (
    required.every((t) => message.includes(t.text)) &&
    (optional.length === 0 || optional.some((t) => message.includes(t.text)))
  );
}

export async function startFakeAws(state: FakeAwsState, options: FakeAwsOptions = {}): Promise<FakeAws> {
  const faults: Fault[] = [];
  const log: RequestRecord[] = [];
  const hanging = new Set<ServerResponse>();

  const identity = (p: Parsed): FakeIdentity => {
    const who = state.identities[p.accessKeyId];
    if (!who) {
      const json = p.service === 'eks' || p.service === 'cloudtrail' || p.service === 'logs';
      throw new ApiError(
        403,
        json ? 'UnrecognizedClientException' : 'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    }
    return who;
  };

  const denied = (p: Parsed) => {
    const who = state.identities[p.accessKeyId]?.Arn ?? 'unknown';
    const json = p.service === 'eks' || p.service === 'cloudtrail' || p.service === 'logs';
    return new ApiError(
      json && p.service !== 'eks' ? 400 : 403,
      json ? 'AccessDeniedException' : 'AccessDenied',
      `User: ${who} is not authorized to perform: ${p.service}:${p.operation} because no identity-based policy allows the ${p.service}:${p.operation} action`,
    );
  };

  const throttled = (p: Parsed) =>
    p.service === 'eks'
      ? new ApiError(429, 'ThrottlingException', 'Rate exceeded')
      : p.service === 'sts' || p.service === 'iam'
        ? new ApiError(400, 'Throttling', 'Rate exceeded')
        : new ApiError(400, 'ThrottlingException', 'Rate exceeded');

  // ---- EKS ---------------------------------------------------------------------------------------------------
  const clusterOf = (name: string | undefined) => {
    const c = name ? state.clusters[name] : undefined;
    if (!c) throw new ApiError(404, 'ResourceNotFoundException', `No cluster found for name: ${name}.`);
    return c;
  };
  const entryApiAllowed = (c: { cluster: Record<string, unknown> }) => {
    const mode =
      (c.cluster.accessConfig as { authenticationMode?: string } | undefined)?.authenticationMode ??
      'CONFIG_MAP';
    if (mode === 'CONFIG_MAP') {
      throw new ApiError(
        400,
        'InvalidRequestException',
        "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.",
      );
    }
  };
  const findEntry = (c: { accessEntries: FakeAccessEntry[] }, arn: string | undefined) => {
    const entry = c.accessEntries.find((e) => e.principalArn === arn);
    if (!entry) {
      throw new ApiError(
        404,
        'ResourceNotFoundException',
        `The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.`,
      );
    }
    return entry;
  };
  const entryJson = (e: FakeAccessEntry, cluster: string) => ({
    clusterName: e.clusterName ?? cluster,
    principalArn: e.principalArn,
    kubernetesGroups: e.kubernetesGroups ?? [],
    accessEntryArn: e.accessEntryArn,
    createdAt: epoch(e.createdAt),
    modifiedAt: epoch(e.modifiedAt ?? e.createdAt),
    tags: e.tags ?? {},
    username: e.username,
    type: e.type ?? 'STANDARD',
  });
  const policyJson = (p: NonNullable<FakeAccessEntry['associatedPolicies']>[number]) => ({
    policyArn: p.policyArn,
    accessScope: { type: p.accessScope.type, namespaces: p.accessScope.namespaces ?? [] },
    associatedAt: epoch(p.associatedAt),
    modifiedAt: epoch(p.modifiedAt ?? p.associatedAt),
  });

  const eks = (p: Parsed): unknown => {
    identity(p);
    const name = p.path[1];
    const c = clusterOf(name);
    const arn = p.path[3];
    const input = p.body ? (JSON.parse(p.body) as Record<string, unknown>) : {};
    const now = new Date().toISOString();
    const cluster = (name ?? '') as string;
    switch (p.operation) {
      case 'DescribeCluster':
        return { cluster: toWire(c.cluster) };
      case 'ListAccessEntries': {
        entryApiAllowed(c);
        const size = Math.min(
          Number(p.query.get('maxResults') ?? 100),
          options.pageSize?.ListAccessEntries ?? 100,
        );
        const result = page(
          c.accessEntries.map((e) => e.principalArn),
          p.query.get('nextToken'),
          size,
        );
        return { accessEntries: result.items, ...(result.next ? { nextToken: result.next } : {}) };
      }
      case 'DescribeAccessEntry':
        entryApiAllowed(c);
        return { accessEntry: entryJson(findEntry(c, arn), cluster) };
      case 'ListAssociatedAccessPolicies': {
        entryApiAllowed(c);
        const entry = findEntry(c, arn);
        const size = Math.min(
          Number(p.query.get('maxResults') ?? 100),
          options.pageSize?.ListAssociatedAccessPolicies ?? 100,
        );
        const result = page(entry.associatedPolicies ?? [], p.query.get('nextToken'), size);
        return {
          clusterName: cluster,
          principalArn: entry.principalArn,
          associatedAccessPolicies: result.items.map(policyJson),
          ...(result.next ? { nextToken: result.next } : {}),
        };
      }
      case 'CreateAccessEntry': {
        entryApiAllowed(c);
        const principalArn = String(input.principalArn ?? '');
        if (c.accessEntries.some((e) => e.principalArn === principalArn)) {
          throw new ApiError(
            409,
            'ResourceInUseException',
            'The specified access entry resource is already in use on this cluster.',
          );
        }
        const entry: FakeAccessEntry = {
          principalArn,
          kubernetesGroups: (input.kubernetesGroups as string[] | undefined) ?? [],
          accessEntryArn: `arn:aws:eks:${p.region}:${principalArn.split(':')[4] ?? ''}:access-entry/${cluster}/${randomUUID()}`,
          createdAt: now,
          type: (input.type as string | undefined) ?? 'STANDARD',
          ...(input.username ? { username: String(input.username) } : {}),
          associatedPolicies: [],
        };
        c.accessEntries.push(entry);
        return { accessEntry: entryJson(entry, cluster) };
      }
      case 'UpdateAccessEntry': {
        entryApiAllowed(c);
        const entry = findEntry(c, arn);
        if (input.kubernetesGroups) entry.kubernetesGroups = input.kubernetesGroups as string[];
        if (input.username) entry.username = String(input.username);
        entry.modifiedAt = now;
        return { accessEntry: entryJson(entry, cluster) };
      }
      case 'DeleteAccessEntry': {
        entryApiAllowed(c);
        const entry = findEntry(c, arn);
        c.accessEntries.splice(c.accessEntries.indexOf(entry), 1);
        return {};
      }
      case 'AssociateAccessPolicy': {
        entryApiAllowed(c);
        const entry = findEntry(c, arn);
        const policyArn = String(input.policyArn ?? '');
        const scope = input.accessScope as { type: string; namespaces?: string[] };
        entry.associatedPolicies = [
          ...(entry.associatedPolicies ?? []).filter((x) => x.policyArn !== policyArn),
          { policyArn, accessScope: scope, associatedAt: now },
        ];
        return {
          clusterName: cluster,
          principalArn: entry.principalArn,
          associatedAccessPolicy: policyJson({ policyArn, accessScope: scope, associatedAt: now }),
        };
      }
      case 'DisassociateAccessPolicy': {
        entryApiAllowed(c);
        const entry = findEntry(c, arn);
        entry.associatedPolicies = (entry.associatedPolicies ?? []).filter((x) => x.policyArn !== p.path[5]);
        return {};
      }
      case 'UpdateClusterConfig': {
        const access = input.accessConfig as { authenticationMode?: string } | undefined;
        if (access?.authenticationMode) {
          c.cluster.accessConfig = {
            ...(c.cluster.accessConfig as object),
            authenticationMode: access.authenticationMode,
          };
        }
        if (input.logging) c.cluster.logging = input.logging;
        return {
          update: {
            id: randomUUID(),
            status: 'InProgress',
            type: access ? 'AccessConfigUpdate' : 'LoggingUpdate',
            params: [],
            createdAt: Date.now() / 1000,
            errors: [],
          },
        };
      }
      default:
        throw new ApiError(
          404,
          'UnknownOperationException',
          `unknown EKS operation ${p.method} /${p.path.join('/')}`,
        );
    }
  };

  // ---- STS and IAM (query protocol, XML) ------------------------------------------------------------------------
  const query = (p: Parsed): string => {
    const form = new URLSearchParams(p.body);
    const requestId = randomUUID();
    const wrap = (result: string) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<${p.operation}Response xmlns="${XMLNS[p.service]}"><${p.operation}Result>${result}</${p.operation}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${p.operation}Response>`;
    if (p.service === 'sts' && p.operation === 'GetCallerIdentity') {
      const who = identity(p);
      return wrap(xmlFields({ Arn: who.Arn, UserId: who.UserId, Account: who.Account }));
    }
    if (p.service === 'sts' && p.operation === 'AssumeRole') {
      identity(p);
      const roleArn = form.get('RoleArn') ?? '';
      const session = form.get('RoleSessionName') ?? 'session';
      const role = state.assumableRoles?.[roleArn];
      if (!role) {
        throw new ApiError(
          403,
          'AccessDenied',
          `not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        );
      }
      const [, partition, , , account, resource] = roleArn.split(':');
      const assumedArn = `arn:${partition}:sts::${account}:assumed-role/${(resource ?? '').split('/').pop()}/${session}`;
      state.identities[role.accessKeyId] = {
        Arn: assumedArn,
        UserId: `${role.userId}:${session}`,
        Account: account ?? '',
      };
      return wrap(
        `<Credentials>${xmlFields({ AccessKeyId: role.accessKeyId, SecretAccessKey: role.secretAccessKey, SessionToken: role.sessionToken, Expiration: new Date(Date.now() + 3600_000).toISOString() })}</Credentials>` +
          `<AssumedRoleUser>${xmlFields({ Arn: assumedArn, AssumedRoleId: `${role.userId}:${session}` })}</AssumedRoleUser>`,
      );
    }
    if (p.service === 'iam' && (p.operation === 'GetRole' || p.operation === 'GetUser')) {
      identity(p);
      const isRole = p.operation === 'GetRole';
      const name = form.get(isRole ? 'RoleName' : 'UserName') ?? '';
      const found = (isRole ? state.iam.roles : state.iam.users).find((e) => e.Name === name);
      if (!found) {
        throw new ApiError(
          404,
          'NoSuchEntity',
          `The ${isRole ? 'role' : 'user'} with name ${name} cannot be found.`,
        );
      }
      const tag = isRole ? 'Role' : 'User';
      return wrap(
        `<${tag}>${xmlFields({
          Path: found.Path,
          [isRole ? 'RoleName' : 'UserName']: found.Name,
          [isRole ? 'RoleId' : 'UserId']: found.Id,
          Arn: found.Arn,
          CreateDate: found.CreateDate,
          ...(isRole
            ? { AssumeRolePolicyDocument: encodeURIComponent('{"Version":"2012-10-17","Statement":[]}') }
            : {}),
        })}</${tag}>`,
      );
    }
    throw new ApiError(400, 'InvalidAction', `Could not find operation ${p.operation} for version`);
  };

  // ---- CloudTrail and CloudWatch Logs (JSON 1.1) ------------------------------------------------------------------
  const json11 = (p: Parsed): unknown => {
    identity(p);
    const input = (p.body ? JSON.parse(p.body) : {}) as Record<string, unknown>;
    if (p.service === 'cloudtrail' && p.operation === 'LookupEvents') {
      const attributes =
        (input.LookupAttributes as Array<{ AttributeKey: string; AttributeValue: string }> | undefined) ?? [];
      if (attributes.length > 1) {
        throw new ApiError(
          400,
          'InvalidLookupAttributesException',
          'You cannot specify more than one lookup attribute.',
        );
      }
      const maxResults = Number(input.MaxResults ?? 50);
      if (maxResults < 1 || maxResults > 50) {
        throw new ApiError(400, 'InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
      }
      if (
        typeof input.StartTime === 'number' &&
        typeof input.EndTime === 'number' &&
        input.EndTime - input.StartTime > 90 * 86400 + 60
      ) {
        throw new ApiError(400, 'InvalidTimeRangeException', 'Event history covers the last 90 days.');
      }
      const start = typeof input.StartTime === 'number' ? input.StartTime * 1000 : -Infinity;
      const end = typeof input.EndTime === 'number' ? input.EndTime * 1000 : Infinity;
      const [attr] = attributes;
      const events = (state.cloudTrail[p.region] ?? [])
        .filter((e) => {
          const t = Date.parse(String(e.EventTime));
          if (t < start || t > end) return false;
          if (!attr) return true;
          switch (attr.AttributeKey) {
            case 'ResourceName':
              return ((e.Resources as Array<{ ResourceName?: string }> | undefined) ?? []).some(
                (r) => r.ResourceName === attr.AttributeValue,
              );
            case 'ReadOnly':
              return String(e.ReadOnly) === attr.AttributeValue;
            default:
              return String(e[attr.AttributeKey] ?? '') === attr.AttributeValue;
          }
        })
        .sort((a, b) => Date.parse(String(b.EventTime)) - Date.parse(String(a.EventTime)));
      const result = page(
        events,
        input.NextToken as string | undefined,
        Math.min(maxResults, options.pageSize?.LookupEvents ?? 50),
      );
      return {
        Events: result.items.map((e) => ({ ...e, EventTime: epoch(String(e.EventTime)) })),
        ...(result.next ? { NextToken: result.next } : {}),
      };
    }
    if (p.service === 'logs' && p.operation === 'FilterLogEvents') {
      const group = state.logs[String(input.logGroupName)];
      if (!group) {
        throw new ApiError(400, 'ResourceNotFoundException', 'The specified log group does not exist.');
      }
      const prefix = String(input.logStreamNamePrefix ?? '');
      const start = Number(input.startTime ?? -Infinity);
      const end = Number(input.endTime ?? Infinity);
      const events = group
        .filter((e) => e.logStreamName.startsWith(prefix) && e.timestamp >= start && e.timestamp <= end)
        .filter((e) => matchesFilterPattern(input.filterPattern as string | undefined, e.message))
        .sort((a, b) => a.timestamp - b.timestamp);
      const size = Math.min(Number(input.limit ?? 10_000), options.pageSize?.FilterLogEvents ?? 10_000);
      const result = page(events, input.nextToken as string | undefined, size);
      return {
        events: result.items.map((e, i) => ({
          ...e,
          ingestionTime: e.timestamp + 1000,
          eventId: `${e.timestamp}-${i}`,
        })),
        searchedLogStreams: [],
        ...(result.next ? { nextToken: result.next } : {}),
      };
    }
    throw new ApiError(400, 'UnknownOperationException', `unknown operation ${p.operation}`);
  };

  // ---- IAM Identity Center (rest-json) ---------------------------------------------------------------------------
  const sso = (p: Parsed, bearer: string): unknown => {
    if (!state.sso || bearer !== state.sso.accessToken) {
      throw new ApiError(401, 'UnauthorizedException', 'Session token not found or invalid');
    }
    const role = state.sso.roles[`${p.query.get('account_id')}/${p.query.get('role_name')}`];
    if (!role) throw new ApiError(403, 'ForbiddenException', 'No access');
    state.identities[role.accessKeyId] = role.identity;
    return {
      roleCredentials: {
        accessKeyId: role.accessKeyId,
        secretAccessKey: role.secretAccessKey,
        sessionToken: role.sessionToken,
        expiration: Date.now() + 3600_000,
      },
    };
  };

  // ---- transport ---------------------------------------------------------------------------------------------
  const send = (res: ServerResponse, p: Parsed, status: number, body: unknown) => {
    if (p.service === 'sso') {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    } else if (p.service === 'sts' || p.service === 'iam') {
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
      res.end(body as string);
    } else {
      const type = p.service === 'eks' ? 'application/json' : 'application/x-amz-json-1.1';
      res.writeHead(status, { 'content-type': type, 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(body));
    }
  };
  const sendError = (res: ServerResponse, p: Parsed, error: ApiError) => {
    if (p.service === 'sts' || p.service === 'iam') {
      res.writeHead(error.status, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse xmlns="${XMLNS[p.service] ?? ''}"><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    } else if (p.service === 'eks' || p.service === 'sso') {
      res.writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-errortype': error.code });
      res.end(JSON.stringify({ message: error.message }));
    } else {
      res.writeHead(error.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: error.code, message: error.message }));
    }
  };

  const takeFault = (p: Parsed): Fault | undefined => {
    const fault = faults.find(
      (f) =>
        (f.operation === '*' || f.operation === p.operation) &&
        (!f.service || f.service === p.service) &&
        (!f.region || f.region === p.region) &&
        (f.times === undefined || f.times > 0),
    );
    if (fault && fault.times !== undefined) fault.times--;
    return fault;
  };

  const server = createServer((req, res) => {
    const start = performance.now();
    void (async () => {
      const body = await readBody(req);
      const p = parse(req, body);
      const record: RequestRecord = {
        start,
        end: start,
        service: p.service,
        operation: p.operation,
        region: p.region,
        status: 0,
        accessKeyId: p.accessKeyId,
        body,
      };
      log.push(record);
      res.on('finish', () => {
        record.end = performance.now();
        record.status = res.statusCode;
      });
      const fault = takeFault(p);
      if (fault) record.fault = fault.kind;
      const delay = (options.latencyMs ?? 0) + (fault?.ms ?? 0);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      try {
        switch (fault?.kind) {
          case 'accessDenied':
            throw denied(p);
          case 'throttle':
            throw throttled(p);
          case 'serverError':
            throw new ApiError(
              p.service === 'sts' || p.service === 'iam' ? 503 : 500,
              p.service === 'eks' ? 'ServerException' : 'ServiceUnavailable',
              'Service is unavailable',
            );
          case 'html':
            res.writeHead(502, { 'content-type': 'text/html' });
            res.end(
              '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>proxy</p></body></html>',
            );
            return;
          case 'htmlOk':
            res.writeHead(200, { 'content-type': 'text/html' });
            res.end('<!DOCTYPE html><html><body><form>Sign in to the corporate network</form></body></html>');
            return;
          case 'hang':
            hanging.add(res);
            return;
          default:
            break;
        }
        let out: unknown;
        if (p.service === 'sso') out = sso(p, String(req.headers['x-amz-sso_bearer_token'] ?? ''));
        else if (p.service === 'eks') out = eks(p);
        else if (p.service === 'sts' || p.service === 'iam') out = query(p);
        else if (p.service === 'cloudtrail' || p.service === 'logs') out = json11(p);
        else throw new ApiError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
        send(res, p, 200, out);
      } catch (error) {
        if (error instanceof ApiError) sendError(res, p, error);
        else {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        }
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    faults,
    log,
    options,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Dates in SDK JSON for EKS are epoch seconds. */
function toWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = (k === 'createdAt' || k === 'modifiedAt') && typeof v === 'string' ? epoch(v) : toWire(v);
    }
    return out;
  }
  return value;
}
