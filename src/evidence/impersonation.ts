/**
 * Impersonation (FM-40): a request sent with `kubectl --as <user> --as-group <group>` (Impersonate-User and
 * Impersonate-Group headers) is authorized as the impersonated identity, by RBAC only: EKS access policies belong to
 * the caller's access entry and do not follow. Where the evidence says so, and who was impersonated:
 * - the collected audit log (`auditEvents`): an event with `impersonatedUser` for the failing request;
 * - pasted lines: such an audit event, or the kubectl/helm command line with its `--as` flags;
 * - the kubeconfig user's `as` / `as-groups` fields (every request of that context impersonates).
 * The groups follow Kubernetes' impersonation filter: a ServiceAccount without `--as-group` gets its ServiceAccount
 * groups, and every non-anonymous impersonated user gets `system:authenticated`.
 */
import { principalKey } from './logs.js';
import { clientEvidence } from './client.js';
import { okData, type Snapshot } from '../model/snapshot.js';
import { parseLogLine } from '../parse/index.js';

export interface Impersonation {
  /** Impersonate-User. */
  user: string;
  /** The groups the request is authorized with (as Kubernetes completes them). */
  groups: string[];
  /** Impersonate-Group values as the client sent them; the caller needs `impersonate` on each. */
  requestedGroups: string[];
  /**
   * True when an audit event shows the API server switched to the impersonated identity, which it only does
   * after the caller passed its `impersonate` checks.
   */
  accepted: boolean;
  source: 'auditEvents' | 'incident' | 'kubeconfig';
  pointer: string;
  note: string;
}

export interface ImpersonationQuery {
  snapshot: Snapshot;
  /** Every pasted line (the snapshot's incident.logLines first, as diagnose merges them). */
  pastedLines?: readonly string[] | undefined;
  principalArn?: string | undefined;
  /** The request path being diagnosed. */
  path?: string | undefined;
  observedAt?: string | undefined;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SA_PREFIX = 'system:serviceaccount:';

/** The groups an impersonated request runs with (k8s.io/apiserver endpoints/filters/impersonation.go). */
export function impersonatedGroups(user: string, requested: readonly string[]): string[] {
  const groups = [...requested];
  if (groups.length === 0 && user.startsWith(SA_PREFIX)) {
    const namespace = user.slice(SA_PREFIX.length).split(':')[0] ?? '';
    groups.push('system:serviceaccounts', `system:serviceaccounts:${namespace}`);
  }
  if (user === 'system:anonymous') {
    if (!groups.includes('system:unauthenticated')) groups.push('system:unauthenticated');
  } else if (!groups.includes('system:authenticated') && !groups.includes('system:unauthenticated')) {
    groups.push('system:authenticated');
  }
  return groups;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

interface AuditImpersonation {
  at: number;
  time: number | undefined;
  path: string | undefined;
  callerArn: string | undefined;
  callerKey: string | undefined;
  code: number | undefined;
  user: string;
  groups: string[];
}

function fromAuditEvent(event: Json): Omit<AuditImpersonation, 'at'> | undefined {
  const impersonated = event.impersonatedUser;
  if (!isObject(impersonated) || typeof impersonated.username !== 'string') return undefined;
  const caller = isObject(event.user) ? event.user : {};
  const extra = isObject(caller.extra) ? caller.extra : {};
  const callerArn =
    strings(extra.arn)[0] ??
    strings(extra.canonicalArn)[0] ??
    (typeof caller.username === 'string' ? caller.username : undefined);
  const status = isObject(event.responseStatus) ? event.responseStatus : {};
  const uri = typeof event.requestURI === 'string' ? event.requestURI.split('?')[0] : undefined;
  const stamp =
    typeof event.requestReceivedTimestamp === 'string'
      ? event.requestReceivedTimestamp
      : typeof event.stageTimestamp === 'string'
        ? event.stageTimestamp
        : undefined;
  const time = stamp ? Date.parse(stamp) : NaN;
  return {
    time: Number.isNaN(time) ? undefined : time,
    path: uri,
    callerArn,
    callerKey: principalKey(callerArn),
    code: typeof status.code === 'number' ? status.code : undefined,
    user: impersonated.username,
    // The audit log records the identity after the filter completed it.
    groups: strings(impersonated.groups),
  };
}

const auditIndex = new WeakMap<Snapshot, AuditImpersonation[]>();

/** An audit event belongs to the failure when it is this close to it (a token lives 15 minutes). */
const WINDOW_MS = 15 * 60_000;

/** The collected audit events that impersonate someone (read once per snapshot). */
function auditImpersonations(snapshot: Snapshot): AuditImpersonation[] {
  let found = auditIndex.get(snapshot);
  if (found) return found;
  found = [];
  (okData(snapshot, 'auditEvents') ?? []).forEach((event, at) => {
    if (!isObject(event) || event.impersonatedUser === undefined) return;
    const parsed = fromAuditEvent(event);
    if (parsed) found?.push({ ...parsed, at });
  });
  auditIndex.set(snapshot, found);
  return found;
}

/** The audit event of the failing request: a failure, by the caller and for the path when known, nearest in time. */
function bestAuditEvent(events: AuditImpersonation[], q: ImpersonationQuery): AuditImpersonation | undefined {
  const callerKey = principalKey(q.principalArn);
  const path = q.path?.split('?')[0];
  const at = q.observedAt ? Date.parse(q.observedAt) : NaN;
  let best: { event: AuditImpersonation; score: number; distance: number } | undefined;
  for (const event of events) {
    if (event.code !== undefined && event.code < 400) continue;
    const byCaller = callerKey !== undefined && event.callerKey === callerKey;
    const byPath = path !== undefined && event.path === path;
    if (!byCaller && !byPath) continue;
    // With a known principal the event must be its own: an event whose caller has no IAM ARN (a ServiceAccount,
    // a certificate user) is another client's, since EKS records the ARN of every IAM-authenticated caller.
    if (callerKey !== undefined && !byCaller) continue;
    // Another attempt of the same kind long before or after is not this failure; without a time, both must match.
    if (
      Number.isNaN(at)
        ? !(byCaller && byPath)
        : event.time !== undefined && Math.abs(event.time - at) > WINDOW_MS
    ) {
      continue;
    }
    // Sessions of one role share the canonical ARN: the exact session ARN tells two people apart.
    const bySession =
      q.principalArn !== undefined && event.callerArn?.toLowerCase() === q.principalArn.toLowerCase();
    const score = (bySession ? 4 : 0) + (byCaller ? 2 : 0) + (byPath ? 1 : 0);
    const distance =
      Number.isNaN(at) || event.time === undefined ? -(event.time ?? 0) : Math.abs(event.time - at);
    if (!best || score > best.score || (score === best.score && distance < best.distance)) {
      best = { event, score, distance };
    }
  }
  return best?.event;
}

/** Splits a pasted command line into words (simple shell quoting). */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m && out.length < 200; m = re.exec(line)) {
    out.push(m[1] ?? m[2] ?? m[3] ?? '');
  }
  return out;
}

const USER_FLAGS = new Set(['--as', '--kube-as-user']);
const GROUP_FLAGS = new Set(['--as-group', '--kube-as-group']);

/** `kubectl … --as U --as-group G` / `helm … --kube-as-user U --kube-as-group G`. */
function fromCommand(line: string): { user: string; groups: string[] } | undefined {
  if (line.length > 4000 || !/\b(?:kubectl|helm|oc)\b/.test(line) || !/--(?:kube-)?as/.test(line)) {
    return undefined;
  }
  const argv = words(line);
  let user: string | undefined;
  const groups: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    const eq = word.indexOf('=');
    const flag = eq > 0 ? word.slice(0, eq) : word;
    if (!USER_FLAGS.has(flag) && !GROUP_FLAGS.has(flag)) continue;
    const value = eq > 0 ? word.slice(eq + 1) : argv[++i];
    if (!value) continue;
    if (USER_FLAGS.has(flag)) user = value;
    else groups.push(value);
  }
  return user ? { user, groups } : undefined;
}

/** A kubectl/helm/oc invocation, after an optional shell prompt, `sudo` or environment assignments. */
const COMMAND_LINE =
  /^(?:[^\s"']*[$#%>+]\s*)?(?:sudo\s+)?(?:[A-Za-z_]\w*=\S*\s+)*(?:\S*\/)?(?:kubectl|helm|oc)(?:\.exe)?(?:\s|$)/;
/** `kubectl auth can-i … --as X` and `auth whoami` ask about an identity; they are not the failing request. */
const PROBE = /\bauth\s+(?:can-i|whoami)\b/;

interface PastedCommand {
  at: number;
  line: string;
}

function isCommand(line: string): boolean {
  return line.length <= 4000 && (COMMAND_LINE.test(line) || fromCommand(line) !== undefined);
}

/** A pasted failure: a line the parser reads a status from, or a client error line. */
function isError(line: string): boolean {
  if (/^(?:error\b|Error from server\b|E\d{4} )/i.test(line)) return true;
  return line.length <= 4000 && parseLogLine(line).status !== undefined;
}

/**
 * The command whose output is the pasted failure: the last command line before the first error line, or the only
 * command pasted. Several commands with no error between them and it leave the failing one unknown.
 */
function failingCommand(lines: readonly string[], commands: PastedCommand[]): PastedCommand | undefined {
  if (commands.length <= 1) return commands[0];
  const error = lines.findIndex((line, at) => !commands.some((c) => c.at === at) && isError(line.trim()));
  if (error < 0) return undefined;
  return commands.filter((c) => c.at < error).pop();
}

function fromPasted(q: ImpersonationQuery): Impersonation | undefined {
  const lines = q.pastedLines ?? q.snapshot.incident?.logLines ?? [];
  const own = q.snapshot.incident?.logLines?.length ?? 0;
  const pointerOf = (at: number): string => (at < own ? `/incident/logLines/${at}` : '/incident/logLines');
  const commands: PastedCommand[] = [];
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at];
    if (typeof line !== 'string') continue;
    const trimmed = line.trim();
    if (trimmed.startsWith('{') && trimmed.includes('impersonatedUser')) {
      let event: unknown;
      try {
        event = JSON.parse(trimmed);
      } catch {
        continue;
      }
      const parsed = isObject(event) ? fromAuditEvent(event) : undefined;
      if (!parsed) continue;
      const groups = parsed.groups.length ? parsed.groups : impersonatedGroups(parsed.user, []);
      return {
        user: parsed.user,
        groups,
        requestedGroups: groups.filter((g) => g !== 'system:authenticated'),
        accepted: true,
        source: 'incident',
        pointer: pointerOf(at),
        note: `pasted audit event: impersonated user "${parsed.user}"${parsed.groups.length ? `, groups [${parsed.groups.join(', ')}]` : ''}`,
      };
    }
    if (isCommand(trimmed)) commands.push({ at, line: trimmed });
  }
  const failing = failingCommand(
    lines.map((line) => (typeof line === 'string' ? line : '')),
    commands,
  );
  const flags = failing && !PROBE.test(failing.line) ? fromCommand(failing.line) : undefined;
  if (!failing || !flags) return undefined;
  return {
    user: flags.user,
    groups: impersonatedGroups(flags.user, flags.groups),
    requestedGroups: flags.groups,
    accepted: false,
    source: 'incident',
    pointer: pointerOf(failing.at),
    note: `pasted command impersonates --as ${flags.user}${flags.groups.map((g) => ` --as-group ${g}`).join('')}`,
  };
}

/** The kubeconfig user's `as` / `as-groups` (kubectl impersonates on every request of that context). */
function fromKubeconfig(snapshot: Snapshot): Impersonation | undefined {
  const pointer = clientEvidence(snapshot).kubeconfig?.userPointer;
  const data = okData(snapshot, 'kubeconfig');
  const at = pointer ? /^\/kubeconfig\/data\/users\/(\d+)\/user$/.exec(pointer)?.[1] : undefined;
  const users = isObject(data) && Array.isArray(data.users) ? data.users : [];
  const entry: unknown = at !== undefined ? users[Number(at)] : undefined;
  const user = isObject(entry) && isObject(entry.user) ? entry.user : undefined;
  const as = user && typeof user.as === 'string' && user.as !== '' ? user.as : undefined;
  if (!as || !pointer) return undefined;
  const groups = strings(user?.['as-groups']);
  return {
    user: as,
    groups: impersonatedGroups(as, groups),
    requestedGroups: groups,
    accepted: false,
    source: 'kubeconfig',
    pointer: `${pointer}/as`,
    note: `the kubeconfig user impersonates "${as}"${groups.length ? ` with groups [${groups.join(', ')}]` : ''} on every request`,
  };
}

/** Who the failing request impersonated, when the evidence shows it impersonated at all. */
export function impersonationOf(q: ImpersonationQuery): Impersonation | undefined {
  const event = bestAuditEvent(auditImpersonations(q.snapshot), q);
  if (event) {
    const groups = event.groups.length ? event.groups : impersonatedGroups(event.user, []);
    const when = event.time !== undefined ? ` at ${new Date(event.time).toISOString()}` : '';
    return {
      user: event.user,
      groups,
      requestedGroups: groups.filter((g) => g !== 'system:authenticated'),
      accepted: true,
      source: 'auditEvents',
      pointer: `/auditEvents/data/${event.at}`,
      note: `audit: ${event.code ?? '?'} ${event.path ?? ''}${when}, impersonating user "${event.user}", groups [${groups.join(', ')}]`,
    };
  }
  return fromPasted(q) ?? fromKubeconfig(q.snapshot);
}
