/**
 * `explain --evidence-dir DIR`: the snapshot built from the outputs of the `collect --script` kit (script.ts lists
 * the files). A command that failed left NAME.err: AccessDenied and Forbidden become `denied` with the permission,
 * NotFound / NoSuchEntity / ResourceNotFound become the facts they are, anything else `error` with one line.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../cli/errors.js';
import { parseArn, type ParsedArn } from '../eks/arn.js';
import { validateSnapshot } from '../model/load.js';
import type { Snapshot } from '../model/snapshot.js';
import {
  EKS_AUTH_EVENTS,
  IAM_LIFECYCLE_EVENTS,
  eventConcernsCluster,
  eventConcernsPrincipal,
} from './aws/cloudtrail.js';
import { auditEventsFrom } from './aws/logs.js';
import { oneLine } from './failure.js';
import { KUBE_PERMISSIONS } from './kube/sources.js';
import { EVIDENCE_FILES } from './script.js';

type Evidence =
  | { status: 'ok'; data: unknown }
  | { status: 'denied'; permission: string; message?: string }
  | { status: 'error'; message: string };

interface FileResult {
  json?: unknown;
  err?: string;
  /** Set when NAME.json exists but is not JSON. */
  invalid?: string;
}

interface ErrorInfo {
  kind: 'denied' | 'not-found' | 'error';
  code: string;
  message: string;
  action?: string;
}

/** Reads an AWS CLI or kubectl error message. */
export function classifyCliError(text: string): ErrorInfo {
  const message = oneLine(text, 220);
  const aws = /An error occurred \(([A-Za-z]+)\)/.exec(text);
  const kube = /Error from server \(([A-Za-z]+)\)/.exec(text);
  const code = aws?.[1] ?? kube?.[1] ?? (/Unauthorized/.test(text) ? 'Unauthorized' : 'Error');
  const action = /not authorized to perform: ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(text)?.[1];
  if (/^(AccessDenied|AccessDeniedException|UnauthorizedOperation|Forbidden)$/.test(code)) {
    return { kind: 'denied', code, message, ...(action ? { action } : {}) };
  }
  if (/^(NotFound|ResourceNotFoundException|NoSuchEntity|NoSuchEntityException)$/.test(code)) {
    return { kind: 'not-found', code, message };
  }
  return { kind: 'error', code, message };
}

/** Timestamp fields AWS CLI v1 prints as raw epoch seconds (its default cli_timestamp_format is `none`). */
const TIMESTAMP_KEYS = new Set(['createdAt', 'modifiedAt', 'associatedAt', 'EventTime', 'CreateDate']);

function isoTimestamps(value: unknown, key = ''): unknown {
  if (typeof value === 'number' && TIMESTAMP_KEYS.has(key)) return new Date(value * 1000).toISOString();
  if (Array.isArray(value)) return value.map((item) => isoTimestamps(item));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isoTimestamps(v, k)]));
  }
  return value;
}

async function readEvidenceFile(dir: string, file: string): Promise<FileResult> {
  const base = file.replace(/\.json$/, '');
  const result: FileResult = {};
  try {
    const text = await readFile(join(dir, file), 'utf8');
    try {
      result.json = isoTimestamps(JSON.parse(text));
    } catch {
      result.invalid = `${file} is not valid JSON`;
    }
  } catch {
    // not there: the command failed or was not run
  }
  try {
    result.err = await readFile(join(dir, `${base}.err`), 'utf8');
  } catch {
    // no error output
  }
  return result;
}

/** Evidence for a failed file; `undefined` when the file simply is not there (not collected). */
function failed(file: FileResult, permission: string): Evidence | undefined {
  if (file.invalid) return { status: 'error', message: file.invalid };
  if (file.err === undefined) return undefined;
  const info = classifyCliError(file.err);
  if (info.kind === 'denied') {
    return { status: 'denied', permission: info.action ?? permission, message: info.message };
  }
  return { status: 'error', message: info.message || 'the command failed without a message' };
}

function items(json: unknown): Array<Record<string, unknown>> {
  return ((json as { items?: Array<Record<string, unknown>> } | undefined)?.items ?? []).filter(
    (i) => i && typeof i === 'object',
  );
}

function iso(value: unknown): string | undefined {
  if (typeof value === 'number') return new Date(value).toISOString();
  return typeof value === 'string' ? value : undefined;
}

export async function snapshotFromEvidenceDir(
  dir: string,
  incident?: Snapshot['incident'],
): Promise<Snapshot> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new InputError(
      `${dir}: no such folder (run the script from \`eksdoctor collect --script\` to make one)`,
    );
  }
  const names = new Set(await readdir(dir));
  const read = (file: string) => readEvidenceFile(dir, file);
  const snapshot: Record<string, unknown> = { schemaVersion: 1 };
  const set = (key: string, ev: Evidence | undefined) => {
    if (ev) snapshot[key] = ev;
  };

  const meta = (await read(EVIDENCE_FILES.meta)).json as
    { cluster?: string; region?: string; principalArn?: string; collectedAt?: string } | undefined;
  if (meta?.collectedAt) snapshot.collectedAt = meta.collectedAt;
  const principalArn = incident?.principalArn ?? (meta?.principalArn || undefined);
  let principal: ParsedArn | undefined;
  try {
    principal = principalArn ? parseArn(principalArn) : undefined;
  } catch {
    principal = undefined;
  }
  const clusterName = incident?.clusterName ?? meta?.cluster;
  snapshot.incident = {
    ...(principalArn ? { principalArn } : {}),
    ...(clusterName ? { clusterName } : {}),
    ...((incident?.region ?? meta?.region) ? { region: incident?.region ?? meta?.region } : {}),
    ...incident,
  };

  const cluster = await read(EVIDENCE_FILES.cluster);
  const clusterData = (cluster.json as { cluster?: Record<string, unknown> } | undefined)?.cluster;
  set('cluster', clusterData ? { status: 'ok', data: clusterData } : failed(cluster, 'eks:DescribeCluster'));

  const caller = await read(EVIDENCE_FILES.callerIdentity);
  set(
    'callerIdentity',
    caller.json ? { status: 'ok', data: caller.json } : failed(caller, 'sts:GetCallerIdentity'),
  );

  const iam = await read(EVIDENCE_FILES.iamPrincipal);
  const entity =
    (iam.json as { Role?: Record<string, unknown>; User?: Record<string, unknown> } | undefined) ?? {};
  const found = entity.Role ?? entity.User;
  if (found) {
    const type = entity.Role ? 'role' : 'user';
    set('iamPrincipals', {
      status: 'ok',
      data: [
        {
          arn: String(found.Arn ?? ''),
          exists: true,
          ...(found.RoleId || found.UserId ? { id: String(found.RoleId ?? found.UserId) } : {}),
          ...(iso(found.CreateDate) ? { createDate: iso(found.CreateDate) } : {}),
          ...(typeof found.Path === 'string' ? { path: found.Path } : {}),
          name: String(found.RoleName ?? found.UserName ?? ''),
          type,
        },
      ],
    });
  } else if (iam.err && classifyCliError(iam.err).kind === 'not-found' && principal) {
    const type = principal.kind === 'user' ? 'user' : 'role';
    set('iamPrincipals', {
      status: 'ok',
      data: [
        {
          arn: `arn:${principal.partition}:iam::${principal.accountId}:${type}${principal.path}${principal.name}`,
          exists: false,
          name: principal.name,
          type,
        },
      ],
    });
  } else {
    set('iamPrincipals', failed(iam, principal?.kind === 'user' ? 'iam:GetUser' : 'iam:GetRole'));
  }

  set('accessEntries', await accessEntries(dir, names, read, clusterData));
  set(
    'cloudTrail',
    await cloudTrail(names, read, clusterName, principal?.kind === 'root' ? undefined : principal?.name),
  );

  const authLogs = await read(EVIDENCE_FILES.authenticatorLogs);
  const auditLogs = await read(EVIDENCE_FILES.auditLogs);
  const logEvents = (file: FileResult) =>
    (
      (
        file.json as
          { events?: Array<{ timestamp?: number; message?: string; logStreamName?: string }> } | undefined
      )?.events ?? []
    ).map((e) => ({
      timestamp: new Date(e.timestamp ?? 0).toISOString(),
      message: e.message ?? '',
      ...(e.logStreamName ? { logStream: e.logStreamName } : {}),
    }));
  const logFailure = (file: FileResult) => {
    // A missing log group means logging was never enabled: not collected, not an error.
    if (file.err && classifyCliError(file.err).kind === 'not-found') return undefined;
    return failed(file, 'logs:FilterLogEvents');
  };
  set(
    'authenticatorLogs',
    authLogs.json ? { status: 'ok', data: logEvents(authLogs) } : logFailure(authLogs),
  );
  set(
    'auditEvents',
    auditLogs.json ? { status: 'ok', data: auditEventsFrom(logEvents(auditLogs)) } : logFailure(auditLogs),
  );

  const awsAuth = await read(EVIDENCE_FILES.awsAuth);
  if (awsAuth.json) set('awsAuth', { status: 'ok', data: awsAuth.json });
  else if (awsAuth.err && classifyCliError(awsAuth.err).kind === 'not-found') {
    set('awsAuth', { status: 'ok', data: null });
  } else set('awsAuth', failed(awsAuth, KUBE_PERMISSIONS.awsAuth));

  const rbacFiles = [
    ['clusterRoles', EVIDENCE_FILES.clusterRoles],
    ['clusterRoleBindings', EVIDENCE_FILES.clusterRoleBindings],
    ['roles', EVIDENCE_FILES.roles],
    ['roleBindings', EVIDENCE_FILES.roleBindings],
  ] as const;
  const rbac: Record<string, unknown> = {};
  let rbacEvidence: Evidence | undefined;
  for (const [key, file] of rbacFiles) {
    const result = await read(file);
    if (result.json) rbac[key] = items(result.json);
    else {
      rbacEvidence ??= failed(result, KUBE_PERMISSIONS[key]) ?? {
        status: 'error',
        message: `${file} is missing`,
      };
    }
  }
  const rbacRead = Object.keys(rbac).length;
  if (rbacRead === rbacFiles.length) set('rbac', { status: 'ok', data: rbac });
  else if (rbacRead > 0 || rbacFiles.some(([, f]) => names.has(f.replace('.json', '.err')))) {
    set('rbac', rbacEvidence);
  }

  const apiServices = await read(EVIDENCE_FILES.apiServices);
  set(
    'apiServices',
    apiServices.json
      ? { status: 'ok', data: items(apiServices.json) }
      : failed(apiServices, KUBE_PERMISSIONS.apiServices),
  );

  const whoami = await read(EVIDENCE_FILES.whoami);
  const userInfo = (whoami.json as { status?: { userInfo?: Record<string, unknown> } } | undefined)?.status
    ?.userInfo;
  set(
    'whoami',
    userInfo
      ? { status: 'ok', data: { username: '', ...userInfo } }
      : failed(whoami, KUBE_PERMISSIONS.whoami),
  );

  const kubeconfig = await read(EVIDENCE_FILES.kubeconfig);
  set(
    'kubeconfig',
    kubeconfig.json ? { status: 'ok', data: kubeconfig.json } : failed(kubeconfig, 'kubectl config view'),
  );

  return validateSnapshot(snapshot, dir);
}

async function accessEntries(
  _dir: string,
  names: Set<string>,
  read: (file: string) => Promise<FileResult>,
  cluster: Record<string, unknown> | undefined,
): Promise<Evidence | undefined> {
  const entry = await read(EVIDENCE_FILES.accessEntry);
  const policies = await read(EVIDENCE_FILES.accessPolicies);
  const withPolicies = (entryJson: unknown, policyFile: FileResult) => {
    const e = (entryJson as { accessEntry?: Record<string, unknown> }).accessEntry ?? {};
    const listed = (policyFile.json as { associatedAccessPolicies?: unknown[] } | undefined)
      ?.associatedAccessPolicies;
    return listed ? { ...e, associatedPolicies: listed } : e;
  };
  if (entry.json) return { status: 'ok', data: [withPolicies(entry.json, policies)] };
  if (!entry.err) return failed(entry, 'eks:DescribeAccessEntry');
  const info = classifyCliError(entry.err);
  const mode = (cluster?.accessConfig as { authenticationMode?: string } | undefined)?.authenticationMode;
  if (info.code === 'InvalidRequestException' && cluster && (mode === undefined || mode === 'CONFIG_MAP')) {
    return { status: 'ok', data: [] };
  }
  if (info.kind !== 'not-found') return failed(entry, 'eks:DescribeAccessEntry');
  const near: unknown[] = [];
  for (
    let i = 1;
    names.has(`${EVIDENCE_FILES.nearMissPrefix}${i}.json`) ||
    names.has(`${EVIDENCE_FILES.nearMissPrefix}${i}.err`);
    i++
  ) {
    const candidate = await read(`${EVIDENCE_FILES.nearMissPrefix}${i}.json`);
    if (candidate.json) {
      near.push(
        withPolicies(candidate.json, await read(`${EVIDENCE_FILES.nearMissPrefix}${i}-policies.json`)),
      );
    }
  }
  return { status: 'ok', data: near };
}

async function cloudTrail(
  names: Set<string>,
  read: (file: string) => Promise<FileResult>,
  clusterName: string | undefined,
  principalName: string | undefined,
): Promise<Evidence | undefined> {
  const events: Array<Record<string, unknown>> = [];
  let firstFailure: Evidence | undefined;
  let any = false;
  const files = [
    ...[...EKS_AUTH_EVENTS, ...IAM_LIFECYCLE_EVENTS].map(
      (e) => `${EVIDENCE_FILES.cloudTrailPrefix}${e}.json`,
    ),
  ];
  for (const file of files) {
    if (!names.has(file) && !names.has(file.replace(/\.json$/, '.err'))) continue;
    const result = await read(file);
    if (!result.json) {
      firstFailure ??= failed(result, 'cloudtrail:LookupEvents');
      continue;
    }
    any = true;
    for (const event of (result.json as { Events?: Array<Record<string, unknown>> }).Events ?? []) {
      const keep = IAM_LIFECYCLE_EVENTS.has(String(event.EventName))
        ? !principalName || eventConcernsPrincipal(event, principalName)
        : !clusterName || eventConcernsCluster(event, clusterName);
      if (keep) events.push(event);
    }
  }
  if (firstFailure) return firstFailure;
  if (!any) return undefined;
  events.sort((a, b) => String(b.EventTime ?? '').localeCompare(String(a.EventTime ?? '')));
  return { status: 'ok', data: events };
}
