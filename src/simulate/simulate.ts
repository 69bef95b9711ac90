/**
 * Replays what EKS does with one request (FM §0): client → token → STS identity → mapping under the cluster's
 * authentication mode → username/group rendering → authorization → aggregated-API hop. Pure and deterministic:
 * "now" is an input. Each stage yields a TraceStep; the first failing stage decides the verdict.
 */
import { parseArn, canonicalArn, stripPath, type ParsedArn } from '../eks/arn.js';
import { findMapping, accountMapped, type MappingMatch } from '../eks/aws-auth.js';
import { accessPoliciesAllow, type AccessPolicyDecision } from '../eks/access-policies.js';
import { renderTemplate, type TemplateContext } from '../eks/templates.js';
import { requestAttributes, type RequestAttributes } from '../k8s/request-info.js';
import { describeRequest, type RbacDecision } from '../k8s/rbac.js';
import { nodeAuthorizerAllows } from '../k8s/node-authorizer.js';
import { staleTokenFacts } from '../k8s/stale-tokens.js';
import type { Incident } from '../model/incident.js';
import { stages, type Outcome, type Stage, type StepResult, type TraceStep } from '../model/report.js';
import { okData, type ApiService, type IamPrincipal, type Snapshot } from '../model/snapshot.js';
import { analyzeTokenUrl, type DecodedToken } from '../parse/index.js';
import { indexSnapshot, matchKey, type IndexedEntry, type SnapshotIndex } from './context.js';
import { evidenceFacts, hasWeakLogMatch } from '../evidence/index.js';
import { tokenMeasuredAt, tokenSigner, type TokenSigner } from '../evidence/client.js';
import { impersonatedGroups, impersonationOf, type Impersonation } from '../evidence/impersonation.js';
import { logEvidenceFor, type LogGrant } from '../evidence/logs.js';
import { parseTrailEvent } from '../timeline/timeline.js';

export interface SimulationInput {
  snapshot: Snapshot;
  principalArn?: string | undefined;
  path?: string | undefined;
  verb?: string | undefined;
  namespace?: string | undefined;
  observedStatus?: number | undefined;
  /** What pasted text revealed (facts, username, ...). */
  incident?: Incident | undefined;
  /** The pasted lines themselves (the incident keeps no `--as` flags or audit `impersonatedUser`). */
  pastedLines?: readonly string[] | undefined;
  now: Date;
  /** Reuse an index across simulations of the same snapshot. */
  index?: SnapshotIndex;
}

export interface PrincipalInfo {
  arn: string;
  parsed?: ParsedArn;
  canonicalArn?: string;
  error?: string;
  /** The IAM facts for this principal (matched by path-less ARN), if collected. */
  iam?: { principal: IamPrincipal; pointer: string };
  /** Session name when known ('' for users, undefined for a role given without a session). */
  sessionName: string | undefined;
}

/** `authenticator-log`: the sources were unreadable, but the authenticator logged what it mapped the caller to. */
export type MappingSource = 'access-entry' | 'aws-auth' | 'map-accounts' | 'authenticator-log';

export interface MappingResult {
  source: MappingSource;
  pointer: string;
  usernameTemplate: string | undefined;
  groupTemplates: string[];
  accessEntry?: IndexedEntry;
  awsAuth?: MappingMatch;
  /** The principal's `access granted` line (source `authenticator-log`). */
  logGrant?: LogGrant;
}

export interface IdentityResult {
  username: string;
  groups: string[];
  /** Template parts that could not be known offline, e.g. {{SessionName}} of a role given without a session. */
  unknownParts: string[];
  renderError?: string;
}

export interface AuthorizationResult {
  allowed: boolean | undefined;
  by?: 'system:masters' | 'access-policy' | 'rbac' | 'node';
  policies?: AccessPolicyDecision;
  rbac?: RbacDecision;
  policiesIgnored?: 'impersonation';
  /** The identity an impersonated request was authorized as (FM-40). */
  impersonated?: { username: string; groups: string[] };
  /** The `impersonate` check the caller failed, before the request itself was considered. */
  impersonateDenied?: { resource: 'users' | 'groups' | 'serviceaccounts'; name: string; namespace?: string };
}

export interface AggregationResult {
  aggregated: boolean | undefined;
  groupVersion?: string;
  apiService?: { name: string; pointer: string; service: string };
}

export interface Simulation {
  input: SimulationInput;
  index: SnapshotIndex;
  request: RequestAttributes;
  /** False when no path was given and the discovery request GET /api was evaluated instead. */
  pathGiven: boolean;
  principal?: PrincipalInfo;
  token?: DecodedToken;
  /** The access entry whose ARN matches the caller, even if it no longer authenticates it (stale). */
  accessEntryCandidate?: IndexedEntry;
  accessEntryStale?: AccessEntryStale;
  mapping?: MappingResult;
  identity?: IdentityResult;
  authorization?: AuthorizationResult;
  aggregation: AggregationResult;
  trace: TraceStep[];
  failingStage?: Stage;
  outcome: Outcome;
  expectedStatus: number | null;
  facts: Set<string>;
  /**
   * The principal the input named, when the evidence shows the token was signed by another one (FM-03):
   * `principal` is then the signer, because EKS maps whoever signed.
   */
  signedBy?: { given: PrincipalInfo; signer: TokenSigner };
  /**
   * A principal tied to the failure by time only (the one the authenticator denied near it, the given one never
   * logged). Never replayed in the given one's place: when the given principal would be allowed, the sts stage is
   * left undecided with it as the likely signer.
   */
  likelySigner?: TokenSigner;
  /** Who the request impersonated (kubectl --as / --as-group), when the evidence says (FM-40). */
  impersonation?: Impersonation;
  /** When the failure happened, if the evidence says: the token's age is measured at it, not at collection. */
  failedAt?: Date;
}

/** Why an access entry for the caller's ARN no longer authenticates it (FM-22). */
export interface AccessEntryStale {
  reason: string;
  principalCreated: string;
  entryCreated: string;
  /** What proves the re-creation: IAM's CreateDate, or a CloudTrail CreateRole/CreateUser when IAM was unreadable. */
  provenBy: 'iam' | 'cloudTrail';
  /** The CloudTrail event, when `provenBy` is cloudTrail. */
  pointer?: string;
  /** The new unique id, when known. */
  principalId?: string;
}

/** Username prefixes the authenticator's reserve list rejects (FM-29; EKS documents the same list for access entries). */
export const RESERVED_USERNAME_PREFIXES = ['aws:', 'iam:', 'amazon:', 'system:', 'eks:'] as const;

/** Groups of aggregated APIs commonly served by a Service (used when APIServices were not collected). */
export const KNOWN_AGGREGATED_GROUPS = [
  'metrics.eks.amazonaws.com',
  'metrics.k8s.io',
  'custom.metrics.k8s.io',
  'external.metrics.k8s.io',
];

const CLIENT_FACTS: Record<string, string> = {
  'exec-plugin-failed': 'the exec credential plugin failed; no request was sent',
  'exec-plugin-not-found': 'the exec credential plugin was not found; no request was sent',
  'exec-api-version-v1alpha1': 'the kubeconfig exec apiVersion v1alpha1 is not supported by this client',
  'sso-token-expired': 'the SSO session of the exec plugin has expired; no request was sent',
  'no-credentials': 'the exec plugin found no AWS credentials; no request was sent',
  'assume-role-denied': 'the exec plugin could not assume the role; no request was sent',
  'exec-api-version-unsupported':
    'the exec plugin and the kubeconfig disagree on the ExecCredential apiVersion',
  // EKS API 400s: the failing "request" is the EKS API call itself (FM-36, FM-49).
  'system-group-rejected':
    'the EKS API rejected the access entry: its Kubernetes groups cannot start with system:',
  'auth-mode-transition-rejected':
    'the EKS API rejected the authentication mode change (unsupported transition)',
};

const TOKEN_FACTS = [
  'token-expired',
  'token-malformed',
  'token-too-large',
  'token-missing-prefix',
  'token-cluster-id-not-signed',
  'token-non-whitelisted-parameter',
  'token-duplicate-parameter',
  'token-invalid-expires',
  'sts-endpoint-rejected',
  // A pod's bound ServiceAccount token past EKS's 90-day limit (FM-55): the API server rejects it.
  'serviceaccount-token-stale',
];
const STS_FACTS = [
  // STS refuses a signature dated in the future (`Signature not yet current`, FM-06).
  'clock-skew',
  'sts-signature-mismatch',
  'sts-invalid-client-token',
  'sts-expired-token',
  'sts-throttled',
  'sts-error',
];

function step(stage: Stage, result: StepResult, detail: string): TraceStep {
  return { stage, result, detail };
}

function lowerEq(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function describePrincipal(arn: string, index: SnapshotIndex): PrincipalInfo {
  let parsed: ParsedArn;
  try {
    parsed = parseArn(arn);
  } catch (error) {
    return { arn, error: (error as Error).message, sessionName: undefined };
  }
  // A role is only ever used through an assumed-role session, whose canonical ARN has no path: the ARN copied from
  // IAM (`role/aws-reserved/sso.amazonaws.com/...`) names the same caller.
  const canonical = parsed.kind === 'role' ? stripPath(arn) : canonicalArn(arn);
  const key = matchKey(canonical);
  const principals = okData(index.snapshot, 'iamPrincipals') ?? [];
  const at = principals.findIndex((p) => matchKey(p.arn) === key);
  const iamPrincipal = at >= 0 ? principals[at] : undefined;
  const sessionName =
    parsed.kind === 'assumed-role' ? parsed.sessionName : parsed.kind === 'role' ? undefined : '';
  return {
    arn,
    parsed,
    canonicalArn: canonical,
    sessionName,
    ...(iamPrincipal ? { iam: { principal: iamPrincipal, pointer: `/iamPrincipals/data/${at}` } } : {}),
  };
}

/** Matches the caller to an access entry like EKS: by path-less ARN, then by unique id (recreated ⇒ stale). */
function findAccessEntry(
  principal: PrincipalInfo,
  index: SnapshotIndex,
): { candidate?: IndexedEntry; stale?: Simulation['accessEntryStale'] } {
  if (!principal.canonicalArn || !principal.parsed) return {};
  const candidates = index.entriesByKey.get(matchKey(principal.canonicalArn)) ?? [];
  // IAM users keep their path in the canonical ARN, so the stored ARN must match it exactly (case-insensitive).
  const candidate =
    principal.parsed.kind === 'user'
      ? candidates.find((c) => lowerEq(c.entry.principalArn, principal.canonicalArn ?? ''))
      : candidates[0];
  if (!candidate) return {};
  const iam = principal.iam?.principal;
  const entryCreated = candidate.entry.createdAt;
  if (iam?.createDate && entryCreated && Date.parse(iam.createDate) > Date.parse(entryCreated)) {
    return {
      candidate,
      stale: {
        reason: 'the IAM principal was created after its access entry, so its unique id no longer matches',
        principalCreated: iam.createDate,
        entryCreated,
        provenBy: 'iam',
        ...(iam.id ? { principalId: iam.id } : {}),
      },
    };
  }
  // IAM unreadable (iam:GetRole is often denied): CloudTrail's CreateRole/CreateUser after the entry proves the same
  // thing, because an entry can only be created for a principal that exists, so a later creation is a re-creation.
  const recreated = iam ? undefined : trailRecreation(principal, index, entryCreated);
  if (recreated && entryCreated) {
    return {
      candidate,
      stale: {
        reason: `CloudTrail shows the IAM principal created again on ${recreated.time}, after its access entry, so its unique id no longer matches`,
        principalCreated: recreated.time,
        entryCreated,
        provenBy: 'cloudTrail',
        pointer: recreated.pointer,
        ...(recreated.id ? { principalId: recreated.id } : {}),
      },
    };
  }
  return { candidate };
}

/** The latest successful CreateRole/CreateUser of the principal's name after `after` in the collected CloudTrail. */
function trailRecreation(
  principal: PrincipalInfo,
  index: SnapshotIndex,
  after: string | undefined,
): { time: string; pointer: string; id?: string } | undefined {
  const parsed = principal.parsed;
  const since = after ? Date.parse(after) : NaN;
  if (!parsed || Number.isNaN(since)) return undefined;
  const isUser = parsed.kind === 'user';
  if (!isUser && parsed.kind !== 'role' && parsed.kind !== 'assumed-role') return undefined;
  const eventName = isUser ? 'CreateUser' : 'CreateRole';
  let found: { time: string; pointer: string; id?: string } | undefined;
  (okData(index.snapshot, 'cloudTrail') ?? []).forEach((raw, at) => {
    if (raw.EventName !== undefined && raw.EventName !== eventName) return;
    const event = parseTrailEvent(raw as Record<string, unknown>, at);
    if (!event || event.name !== eventName || event.errorCode) return;
    // IAM names are unique per account and case-insensitive.
    if (event.roleOrUserName?.toLowerCase() !== parsed.name.toLowerCase()) return;
    const created = trailCreatedPrincipal(raw.CloudTrailEvent);
    if (created.accountId && created.accountId !== parsed.accountId) return;
    if (Date.parse(event.time) <= since) return;
    if (!found || Date.parse(event.time) >= Date.parse(found.time)) {
      found = {
        time: event.time,
        pointer: `/cloudTrail/data/${at}`,
        ...(created.id ? { id: created.id } : {}),
      };
    }
  });
  return found;
}

/** The account and new unique id a CreateRole/CreateUser event names (responseElements), when present. */
function trailCreatedPrincipal(detail: unknown): { accountId?: string; id?: string } {
  let event: unknown = detail;
  if (typeof detail === 'string') {
    try {
      event = JSON.parse(detail);
    } catch {
      return {};
    }
  }
  if (typeof event !== 'object' || event === null) return {};
  const e = event as { recipientAccountId?: unknown; responseElements?: unknown };
  const response = (e.responseElements ?? {}) as { role?: { roleId?: unknown }; user?: { userId?: unknown } };
  const id = response?.role?.roleId ?? response?.user?.userId;
  return {
    ...(typeof e.recipientAccountId === 'string' ? { accountId: e.recipientAccountId } : {}),
    ...(typeof id === 'string' ? { id } : {}),
  };
}

function entryUsername(entry: IndexedEntry['entry'], principal: PrincipalInfo): string {
  if (entry.username) return entry.username;
  const type = (entry.type ?? 'STANDARD').toUpperCase();
  if (type.startsWith('EC2')) return 'system:node:{{EC2PrivateDNSName}}';
  // Hybrid nodes are named by their session (the SSM managed-instance id, or the Roles Anywhere node name), as
  // Fargate nodes are (EKSUG:hybrid-nodes-cluster-prep.adoc).
  if (type === 'FARGATE_LINUX' || type === 'HYBRID_LINUX') return 'system:node:{{SessionName}}';
  const p = principal.parsed;
  if (p && (p.kind === 'role' || p.kind === 'assumed-role')) {
    return `arn:${p.partition}:sts::${p.accountId}:assumed-role/${p.name}/{{SessionName}}`;
  }
  return entry.principalArn;
}

function entryGroups(entry: IndexedEntry['entry']): string[] {
  const type = (entry.type ?? 'STANDARD').toUpperCase();
  if (type === 'EC2_LINUX' || type === 'EC2' || type === 'HYBRID_LINUX') return ['system:nodes'];
  if (type === 'EC2_WINDOWS') return ['system:nodes', 'eks:kube-proxy-windows'];
  if (type === 'FARGATE_LINUX') return ['system:nodes', 'system:node-proxier'];
  return entry.kubernetesGroups ?? [];
}

/** The APIService serving group/version, by name or by spec; `collected` is false when APIServices were not read. */
export function findApiService(
  snapshot: Snapshot,
  group: string,
  version: string,
): { found?: ApiService; at: number; collected: boolean } {
  const services = okData(snapshot, 'apiServices');
  if (!services) return { at: -1, collected: false };
  const name = `${version}.${group}`;
  const at = services.findIndex(
    (s) => s.metadata?.name === name || (s.spec?.group === group && s.spec.version === version),
  );
  return { found: at >= 0 ? services[at] : undefined, at, collected: true };
}

/** The group/version a request is proxied for, if any: /apis/<g>/<v>[/...] (not /apis/<g>, served locally). */
export function proxiedGroupVersion(
  request: RequestAttributes,
): { group: string; version: string } | undefined {
  if (request.isResourceRequest) {
    return request.apiPrefix === 'apis' && request.apiGroup
      ? { group: request.apiGroup, version: request.apiVersion }
      : undefined;
  }
  const parts = request.path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  return parts[0] === 'apis' && parts[1] && parts[2] ? { group: parts[1], version: parts[2] } : undefined;
}

export function simulate(input: SimulationInput): Simulation {
  if (!hasWeakLogMatch(input)) return replay(input, true);
  // A nameless token or STS denial tied to the incident by time only may be another client's: it fills a gap (the
  // replay without it explains no 401) but never overrides what the principal's own evidence shows.
  const strict = replay(input, false);
  const explained = strict.outcome !== 'forbidden' && strict.trace.some((s) => s.result === 'fail');
  return explained ? strict : replay(input, true);
}

function replay(input: SimulationInput, weakLogMatches: boolean): Simulation {
  const index = input.index ?? indexSnapshot(input.snapshot);
  const snapshot = input.snapshot;
  const facts = new Set(input.incident?.facts ?? []);
  // The principal's authenticator log lines and the kubeconfig/token evidence count like pasted lines.
  for (const fact of evidenceFacts(input, weakLogMatches)) facts.add(fact);
  for (const fact of staleTokenFacts(snapshot, input.observedStatus, facts)) facts.add(fact);
  const pathGiven = Boolean(input.path);
  const request = requestAttributes(input.path || '/api', input.verb);
  if (input.namespace && request.isResourceRequest && !request.namespace) request.namespace = input.namespace;

  const trace: TraceStep[] = [];
  const sim: Simulation = {
    input,
    index,
    request,
    pathGiven,
    aggregation: { aggregated: false },
    trace,
    outcome: 'unknown',
    expectedStatus: null,
    facts,
  };
  // Who the request is for is known before any stage runs, so reports name it even when the client or token fails.
  const principalArn = input.principalArn ?? input.incident?.principalArn;
  if (principalArn) sim.principal = describePrincipal(principalArn, index);
  const failedAt = Date.parse(snapshot.incident?.observedAt ?? input.incident?.time ?? '');
  if (!Number.isNaN(failedAt)) sim.failedAt = new Date(failedAt);
  const impersonation = impersonationOf({
    snapshot,
    pastedLines: input.pastedLines,
    principalArn,
    path: input.path,
    observedAt: snapshot.incident?.observedAt ?? input.incident?.time,
  });
  if (impersonation) {
    sim.impersonation = impersonation;
    facts.add('impersonation');
  }

  // client: did a request reach the server at all?
  const clientFact = Object.keys(CLIENT_FACTS).find((f) => facts.has(f));
  if (clientFact) {
    trace.push(step('client', 'fail', CLIENT_FACTS[clientFact] ?? clientFact));
    return finish(sim);
  }
  trace.push(step('client', 'pass', 'the client sent a request'));

  // token
  const tokenEvidence = okData(snapshot, 'token');
  if (facts.has('anonymous')) {
    trace.push(step('token', 'fail', 'no credentials were sent: the request ran as system:anonymous'));
    return finish(sim);
  }
  if (tokenEvidence) {
    sim.token = analyzeTokenUrl(tokenEvidence.url, tokenEvidence.length, input.now);
    // The authenticator judged the token when the request failed. A token signed after that time is another,
    // later one: judge it at collection time as before.
    const measured = tokenMeasuredAt(sim);
    if (measured.failure) sim.token = analyzeTokenUrl(tokenEvidence.url, tokenEvidence.length, measured.at);
    for (const p of sim.token.problems) facts.add(p.fact);
  }
  const tokenFact = TOKEN_FACTS.find((f) => facts.has(f));
  if (tokenFact) {
    const problem = sim.token?.problems.find((p) => p.fact === tokenFact);
    trace.push(
      step(
        'token',
        'fail',
        problem?.message ??
          (tokenFact === 'serviceaccount-token-stale'
            ? 'the API server rejects the ServiceAccount token: older than the 90 days EKS accepts'
            : `the authenticator rejects the token (${tokenFact})`),
      ),
    );
    return finish(sim);
  }
  trace.push(
    sim.token
      ? step(
          'token',
          'pass',
          `token well-formed, signed ${sim.token.ageSeconds ?? '?'} s before ${tokenMeasuredAt(sim).failure ? 'the failure' : 'now'}`,
        )
      : step('token', 'skip', 'no token to check; assumed well-formed and fresh'),
  );

  // sts: who is calling, canonicalized
  const stsFact = STS_FACTS.find((f) => facts.has(f));
  if (stsFact) {
    trace.push(step('sts', 'fail', `STS rejected the presigned request (${stsFact})`));
    return finish(sim);
  }
  // EKS maps whoever signed the token: when the evidence names another signer than the principal given, follow it.
  const signer = sim.principal
    ? tokenSigner({
        snapshot,
        incident: input.incident,
        pastedLines: input.pastedLines,
        givenArn: sim.principal.arn,
        observedStatus: input.observedStatus,
        accessKeyId: sim.token?.accessKeyId,
        impersonating: facts.has('impersonation'),
      })
    : undefined;
  if (signer?.match === 'time') {
    sim.likelySigner = signer;
  } else if (sim.principal && signer) {
    sim.signedBy = { given: sim.principal, signer };
    sim.principal = describePrincipal(signer.arn, index);
  }
  const principal = sim.principal;
  if (!principal) {
    trace.push(step('sts', 'unknown', 'the failing principal is not known: pass --principal ARN'));
    return finish(sim);
  }
  if (principal.error || !principal.canonicalArn) {
    trace.push(
      step('sts', 'fail', `the authenticator cannot canonicalize the ARN: ${principal.error ?? ''}`),
    );
    return finish(sim);
  }
  if (principal.iam && !principal.iam.principal.exists) {
    trace.push(step('sts', 'fail', `${principal.iam.principal.arn} does not exist in IAM (NoSuchEntity)`));
    return finish(sim);
  }
  const signedNote = sim.signedBy
    ? `; the token is signed by ${principal.arn}, not by ${sim.signedBy.given.arn} as given (${sim.signedBy.signer.note})`
    : '';
  trace.push(step('sts', 'pass', `canonical ARN ${principal.canonicalArn}${signedNote}`));

  // The kubeconfig sends the request to another endpoint: this cluster's mappings do not decide it (FM-08).
  if (facts.has('kubeconfig-endpoint-mismatch')) {
    trace.push(
      step('mapping', 'unknown', 'the kubeconfig sends requests to another endpoint than this cluster'),
    );
    return finish(sim);
  }

  // mapping
  mapPrincipal(sim, principal);
  if (!sim.mapping && sim.signedBy) signerMappingUnseen(sim);
  if (!sim.mapping) {
    // Whether the path is an aggregated API still matters when the mapping could not be read (FM-45 vs FM-15).
    sim.aggregation = classifyAggregation(sim).result;
    return finish(sim);
  }

  // identity
  renderIdentity(sim, principal);
  if (!sim.identity || sim.identity.renderError) return finish(sim);

  // authorization
  authorize(sim);
  if (sim.authorization?.allowed !== true) return finish(sim);

  // aggregation
  aggregate(sim);
  return likelySignerExplains(finish(sim));
}

/**
 * The given principal would be allowed, yet the client saw 401 and the authenticator denied another principal
 * near the failure: that one probably signed the token. Matched by time only, so the sts stage is left undecided
 * (the observed 401 settles the verdict) rather than replaying, and granting, a principal nothing ties to the request.
 */
function likelySignerExplains(sim: Simulation): Simulation {
  const likely = sim.likelySigner;
  const sts = sim.trace.find((s) => s.stage === 'sts');
  if (!likely || sim.outcome !== 'allowed' || sim.input.observedStatus !== 401 || sts?.result !== 'pass') {
    return sim;
  }
  sts.result = 'unknown';
  sts.detail = `${sts.detail}; but the token was probably signed by another principal: ${likely.note}`;
  return finish(sim);
}

function mapPrincipal(sim: Simulation, principal: PrincipalInfo): void {
  const { index, trace } = sim;
  const mode = index.authMode.mode;
  const entriesConsidered = mode === 'API' || mode === 'API_AND_CONFIG_MAP' || mode === undefined;
  const configMapConsidered = mode === 'CONFIG_MAP' || mode === 'API_AND_CONFIG_MAP' || mode === undefined;
  const entriesStatus = sim.input.snapshot.accessEntries?.status ?? 'absent';
  const awsAuthStatus = sim.input.snapshot.awsAuth?.status ?? 'absent';
  const modeText = mode ?? 'unknown mode';

  const { candidate, stale } = findAccessEntry(principal, index);
  if (candidate) sim.accessEntryCandidate = candidate;
  if (stale) sim.accessEntryStale = stale;

  if (entriesConsidered && candidate && !stale && mode !== undefined) {
    sim.mapping = {
      source: 'access-entry',
      pointer: candidate.pointer,
      usernameTemplate: entryUsername(candidate.entry, principal),
      groupTemplates: entryGroups(candidate.entry),
      accessEntry: candidate,
    };
    trace.push(step('mapping', 'pass', `${modeText}: access entry ${candidate.entry.principalArn} matches`));
    return;
  }
  if (configMapConsidered && index.awsAuth && principal.canonicalArn) {
    const match = findMapping(index.awsAuth, principal.canonicalArn);
    if (match) {
      sim.mapping = {
        source: 'aws-auth',
        pointer: match.mapping.pointer,
        usernameTemplate: match.mapping.username,
        groupTemplates: match.mapping.groups,
        awsAuth: match,
      };
      trace.push(
        step(
          'mapping',
          entriesConsidered && mode === undefined ? 'unknown' : 'pass',
          `${modeText}: aws-auth ${match.mapping.section}[${match.mapping.index}] ${match.mapping.arn} matches`,
        ),
      );
      return;
    }
    const account = principal.parsed?.accountId;
    if (account && accountMapped(index.awsAuth, account)) {
      sim.mapping = {
        source: 'map-accounts',
        pointer: '/awsAuth/data/data/mapAccounts',
        usernameTemplate: principal.canonicalArn,
        groupTemplates: [],
      };
      trace.push(
        step('mapping', 'pass', `${modeText}: account ${account} is listed in aws-auth mapAccounts`),
      );
      return;
    }
  }
  const unseen = (what: string, status: string): string =>
    `${what} ${status === 'denied' ? 'denied' : status === 'error' ? 'unreadable' : 'not collected'}`;
  const missing: string[] = [];
  if (mode === undefined) missing.push('cluster (authentication mode) not collected');
  if (entriesConsidered && entriesStatus !== 'ok') missing.push(unseen('access entries', entriesStatus));
  if (configMapConsidered && awsAuthStatus !== 'ok') missing.push(unseen('aws-auth', awsAuthStatus));
  if (missing.length > 0) {
    // What the mapping sources cannot show, the authenticator's own "access granted" line for this principal does.
    const grant = logEvidenceFor(sim.input.snapshot, sim).granted;
    if (grant) {
      sim.mapping = {
        source: 'authenticator-log',
        pointer: grant.pointer,
        usernameTemplate: grant.username,
        groupTemplates: grant.groups,
        logGrant: grant,
      };
      const name = grant.username === '' ? '"" (empty)' : `"${grant.username}"`;
      trace.push(
        step(
          'mapping',
          'pass',
          `${modeText}: ${missing.join(', ')}, but the authenticator log${grant.time ? ` (${grant.time})` : ''} shows ${principal.canonicalArn} mapped: username ${name}, groups [${grant.groups.join(', ')}]`,
        ),
      );
      return;
    }
    trace.push(step('mapping', 'unknown', `${modeText}: no mapping seen, but ${missing.join(', ')}`));
    return;
  }
  const where =
    mode === 'API'
      ? 'no access entry (API mode ignores aws-auth)'
      : mode === 'CONFIG_MAP'
        ? 'no aws-auth mapping (CONFIG_MAP mode ignores access entries)'
        : 'no access entry and no aws-auth mapping';
  const staleNote =
    entriesConsidered && sim.accessEntryStale
      ? ` (its access entry is stale: ${sim.accessEntryStale.reason})`
      : '';
  trace.push(
    step('mapping', 'fail', `${modeText}: ${principal.canonicalArn} is not mapped: ${where}${staleNote}`),
  );
}

/**
 * A 403 proves the API server authenticated the signer, so a mapping exists even when the evidence lacks it
 * (collection looks up the access entry of the principal given, not the signer's): not mapped is not proven.
 */
function signerMappingUnseen(sim: Simulation): void {
  if (sim.input.observedStatus !== 403 || sim.signedBy?.signer.match !== 'error') return;
  const mapping = sim.trace.find((s) => s.stage === 'mapping');
  if (mapping?.result !== 'fail') return;
  mapping.result = 'unknown';
  mapping.detail = `${mapping.detail}; but the 403 shows the API server authenticated ${sim.principal?.arn ?? 'the signer'}, so its mapping was not collected`;
}

function renderIdentity(sim: Simulation, principal: PrincipalInfo): void {
  const mapping = sim.mapping;
  if (!mapping || !principal.parsed) return;
  const ctx: TemplateContext = {
    accountId: principal.parsed.accountId,
    sessionName: principal.sessionName,
    ...(sim.token?.accessKeyId ? { accessKeyId: sim.token.accessKeyId } : {}),
  };
  const unknownParts: string[] = [];
  const user = renderTemplate(mapping.usernameTemplate ?? '', ctx);
  if (!user.ok) {
    sim.identity = { username: '', groups: [], unknownParts, renderError: user.error };
    sim.trace.push(step('identity', 'fail', user.error));
    return;
  }
  // The reserve list is per mapper (AUTH:pkg/server/server.go doMapping) and, per cluster, possibly on for aws-auth
  // (FM §0 step 7, open question 4): apply it when the authenticator's own log says it is on, to the mapper it names.
  // Access entries are not subject by default: EKS refuses reserved usernames when the entry is created, and the
  // names it generates for node entries (system:node:...) are its own.
  const reserved =
    sim.facts.has('reserved-username-prefix') && reserveListMappers(sim).has(mapping.source)
      ? RESERVED_USERNAME_PREFIXES.find((prefix) => user.value.startsWith(prefix))
      : undefined;
  if (reserved) {
    const error = `invalid username '${user.value}': username must not begin with the reserved prefix "${reserved}"`;
    sim.identity = { username: user.value, groups: [], unknownParts, renderError: error };
    sim.trace.push(step('identity', 'fail', error));
    return;
  }
  unknownParts.push(...user.unknown);
  const groups: string[] = [];
  for (const g of mapping.groupTemplates) {
    const r = renderTemplate(g, ctx);
    if (!r.ok) {
      sim.identity = { username: user.value, groups, unknownParts, renderError: r.error };
      sim.trace.push(step('identity', 'fail', r.error));
      return;
    }
    unknownParts.push(...r.unknown);
    groups.push(r.value);
  }
  if (!groups.includes('system:authenticated')) groups.push('system:authenticated');
  sim.identity = { username: user.value, groups, unknownParts };
  const name = user.value === '' ? '"" (empty username)' : `"${user.value}"`;
  sim.trace.push(step('identity', 'pass', `username ${name}, groups [${groups.join(', ')}]`));
}

/** The authenticator's mapper names, as its reserve-list errors print them, and the mapping source each serves. */
const MAPPER_SOURCES: Record<string, MappingSource> = {
  eksconfigmap: 'aws-auth',
  dynamicfile: 'access-entry',
};

/**
 * The mapping sources the reserve list applies to: those of the mappers the reserve-list errors name
 * (`invalid username '...' for mapper EKSConfigMap: ...`), else aws-auth, the one a cluster may turn it on for.
 */
function reserveListMappers(sim: Simulation): Set<MappingSource> {
  const texts = [
    ...logEvidenceFor(sim.input.snapshot, sim)
      .citations.filter((c) => c.fact === 'reserved-username-prefix')
      .map((c) => c.note),
    sim.input.incident?.reason ?? '',
    ...(sim.input.pastedLines ?? []),
  ];
  const named = new Set<MappingSource>();
  for (const text of texts) {
    for (const m of text.matchAll(/\bfor mapper (\w+)/gi)) {
      const source = MAPPER_SOURCES[(m[1] ?? '').toLowerCase()];
      if (source) named.add(source);
    }
  }
  return named.size ? named : new Set<MappingSource>(['aws-auth']);
}

function authorize(sim: Simulation): void {
  const identity = sim.identity;
  if (!identity) return;
  const { request } = sim;
  const mapped = sim.mapping?.source === 'access-entry' ? sim.mapping.accessEntry?.entry : undefined;
  const entry = mapped && (mapped.type ?? 'STANDARD').toUpperCase() === 'STANDARD' ? mapped : undefined;
  // The `impersonate` check is authorized for the caller itself, access policies included; what follows it is not.
  const impersonating = sim.facts.has('impersonation') && request.verb !== 'impersonate';
  if (impersonating && sim.impersonation) {
    authorizeImpersonated(sim, identity, entry, sim.impersonation);
    return;
  }
  const result = decide(sim, identity, request, impersonating ? undefined : entry);
  // Impersonated, but who is unknown: the identity replayed is the caller's, without its access policies.
  if (impersonating && entry) result.policiesIgnored = 'impersonation';
  recordAuthorization(sim, result, describeRequest(request));
}

/** What the authorizers answer for one identity and request; access policies count only when `entry` is given. */
function decide(
  sim: Simulation,
  identity: { username: string; groups: string[] },
  request: RequestAttributes,
  entry: IndexedEntry['entry'] | undefined,
): AuthorizationResult {
  if (identity.groups.includes('system:masters')) return { allowed: true, by: 'system:masters' };
  const result: AuthorizationResult = { allowed: false };
  if (entry) {
    result.policies = accessPoliciesAllow(entry.associatedPolicies ?? [], request);
    if (result.policies.allowed) return { ...result, allowed: true, by: 'access-policy' };
  }
  // Kubelets are authorized by the Node authorizer ahead of RBAC (FM-51..FM-53).
  if (nodeAuthorizerAllows(identity, request)) return { ...result, allowed: true, by: 'node' };
  result.rbac = sim.index.rbac.authorize(identity, request);
  if (result.rbac.allowed) return { ...result, allowed: true, by: 'rbac' };
  return { ...result, allowed: sim.index.rbacCollected ? false : undefined };
}

function recordAuthorization(sim: Simulation, result: AuthorizationResult, what: string, suffix = ''): void {
  sim.authorization = result;
  if (result.allowed === true) {
    const how =
      result.by === 'system:masters'
        ? 'allowed (group system:masters)'
        : result.by === 'access-policy'
          ? `allowed by access policy ${result.policies?.allowedBy?.policyArn.split('/').pop() ?? ''}`
          : result.by === 'node'
            ? 'allowed by the Node authorizer'
            : `allowed by RBAC (${result.rbac?.reason ?? ''})`;
    sim.trace.push(step('authorization', 'pass', `${what}: ${how}`));
  } else if (result.allowed === undefined) {
    sim.trace.push(
      step(
        'authorization',
        'unknown',
        `${what}: no access policy allows it and RBAC was not collected${suffix}`,
      ),
    );
  } else {
    sim.trace.push(
      step('authorization', 'fail', `${what}: no access policy or RBAC rule allows it${suffix}`),
    );
  }
}

/** The `impersonate` checks Kubernetes makes for the caller before switching identity (Impersonate-User/-Group). */
/** The request the API server authorizes before impersonating: `impersonate` on users, groups or serviceaccounts. */
export function impersonateRequest(check: {
  resource: string;
  namespace?: string | undefined;
  name: string;
}): RequestAttributes {
  return {
    isResourceRequest: true,
    path: '',
    verb: 'impersonate',
    apiPrefix: 'api',
    apiGroup: '',
    apiVersion: 'v1',
    namespace: check.namespace ?? '',
    resource: check.resource,
    subresource: '',
    name: check.name,
  };
}

function impersonateChecks(target: Impersonation): NonNullable<AuthorizationResult['impersonateDenied']>[] {
  const sa = target.user.startsWith('system:serviceaccount:')
    ? target.user.slice('system:serviceaccount:'.length).split(':')
    : undefined;
  const user: NonNullable<AuthorizationResult['impersonateDenied']> =
    sa?.[0] && sa[1]
      ? { resource: 'serviceaccounts', name: sa[1], namespace: sa[0] }
      : { resource: 'users', name: target.user };
  return [user, ...target.requestedGroups.map((name) => ({ resource: 'groups' as const, name }))];
}

/**
 * FM-40: the caller must be allowed to impersonate; the request is then authorized as the impersonated identity,
 * by RBAC (and system:masters, and the Node authorizer) only: the caller's access policies do not follow it.
 */
function authorizeImpersonated(
  sim: Simulation,
  caller: IdentityResult,
  entry: IndexedEntry['entry'] | undefined,
  target: Impersonation,
): void {
  const what = describeRequest(sim.request);
  const impersonated = { username: target.user, groups: impersonatedGroups(target.user, target.groups) };
  // An audit event of the impersonated request proves the checks passed.
  if (!target.accepted) {
    for (const check of impersonateChecks(target)) {
      const decision = decide(sim, caller, impersonateRequest(check), entry);
      if (decision.allowed !== false) continue; // unknown: the observed status decides
      sim.authorization = { ...decision, allowed: false, impersonateDenied: check, impersonated };
      const object = check.namespace ? `${check.namespace}/${check.name}` : check.name;
      sim.trace.push(
        step(
          'authorization',
          'fail',
          `"${caller.username}" may not impersonate ${check.resource} "${object}": no access policy or RBAC rule allows it`,
        ),
      );
      return;
    }
  }
  const result = decide(sim, impersonated, sim.request, undefined);
  result.impersonated = impersonated;
  if (entry) result.policiesIgnored = 'impersonation';
  recordAuthorization(
    sim,
    result,
    `${what} as impersonated user "${impersonated.username}" (groups ${impersonated.groups.join(', ')})`,
    result.allowed === true ? '' : ' (access policies do not apply to impersonated requests)',
  );
}

/**
 * Whether kube-aggregator proxies the request to a Service: `undefined` when APIServices were not collected and the
 * group is one usually served that way.
 */
function classifyAggregation(sim: Simulation): { result: AggregationResult; collected: boolean } {
  const gv = proxiedGroupVersion(sim.request);
  if (!gv) return { result: { aggregated: false }, collected: true };
  const groupVersion = `${gv.group}/${gv.version}`;
  const lookup = findApiService(sim.index.snapshot, gv.group, gv.version);
  if (!lookup.collected) {
    const known = KNOWN_AGGREGATED_GROUPS.includes(gv.group);
    return { result: { aggregated: known ? undefined : false, groupVersion }, collected: false };
  }
  const service = lookup.found?.spec?.service;
  if (!lookup.found || !service) return { result: { aggregated: false, groupVersion }, collected: true };
  const name = lookup.found.metadata?.name ?? `${gv.version}.${gv.group}`;
  const backend = `${service.namespace ?? ''}/${service.name ?? ''}`;
  return {
    result: {
      aggregated: true,
      groupVersion,
      apiService: { name, pointer: `/apiServices/data/${lookup.at}`, service: backend },
    },
    collected: true,
  };
}

function aggregate(sim: Simulation): void {
  const { result, collected } = classifyAggregation(sim);
  sim.aggregation = result;
  const groupVersion = result.groupVersion;
  if (!groupVersion) {
    sim.trace.push(step('aggregation', 'skip', 'served by kube-apiserver itself'));
    return;
  }
  const username = sim.identity?.username ?? '';
  if (!collected) {
    if (result.aggregated === undefined && username === '') {
      sim.trace.push(
        step(
          'aggregation',
          'unknown',
          `${groupVersion} is usually an aggregated API; APIServices not collected`,
        ),
      );
    } else {
      sim.trace.push(step('aggregation', 'skip', `APIServices not collected; ${groupVersion} assumed local`));
    }
    return;
  }
  const apiService = result.apiService;
  if (!apiService) {
    sim.trace.push(step('aggregation', 'skip', `${groupVersion} is served by kube-apiserver itself`));
    return;
  }
  const { name, service: backend } = apiService;
  if (username === '') {
    sim.trace.push(
      step(
        'aggregation',
        'fail',
        `APIService ${name} proxies to Service ${backend}; the empty username becomes an empty X-Remote-User, which the backend rejects with 401`,
      ),
    );
    return;
  }
  sim.trace.push(step('aggregation', 'pass', `proxied to Service ${backend} as X-Remote-User "${username}"`));
}

const STATUS_401_STAGES: Stage[] = ['token', 'sts', 'mapping', 'identity'];

function finish(sim: Simulation): Simulation {
  // One step per stage, in pipeline order: stages after a failure were not reached.
  const seen = new Set(sim.trace.map((s) => s.stage));
  for (const stage of stages) if (!seen.has(stage)) sim.trace.push(step(stage, 'skip', 'not reached'));
  sim.trace.sort((a, b) => stages.indexOf(a.stage) - stages.indexOf(b.stage));
  const failing = sim.trace.find((s) => s.result === 'fail');
  if (failing) {
    sim.failingStage = failing.stage;
    if (failing.stage === 'client') {
      sim.outcome = 'client-error';
      sim.expectedStatus = null;
    } else if (failing.stage === 'authorization') {
      sim.outcome = 'forbidden';
      sim.expectedStatus = 403;
    } else if (failing.stage === 'token' && sim.facts.has('anonymous')) {
      sim.outcome = 'forbidden';
      sim.expectedStatus = 403;
    } else {
      sim.outcome = 'unauthenticated';
      sim.expectedStatus = 401;
    }
    return sim;
  }
  const unknown = sim.trace.find((s) => s.result === 'unknown');
  if (!unknown) {
    sim.outcome = 'allowed';
    sim.expectedStatus = 200;
    return sim;
  }
  // A stage could not be evaluated: the status the user observed settles the verdict (DESIGN §4).
  const observed = sim.input.observedStatus;
  if (observed === 401) {
    sim.outcome = 'unauthenticated';
    sim.expectedStatus = 401;
    sim.failingStage =
      STATUS_401_STAGES.includes(unknown.stage) || unknown.stage === 'aggregation'
        ? unknown.stage
        : 'mapping';
  } else if (observed === 403) {
    sim.outcome = 'forbidden';
    sim.expectedStatus = 403;
    sim.failingStage = 'authorization';
  } else {
    sim.outcome = 'unknown';
    sim.expectedStatus = null;
    sim.failingStage = unknown.stage;
  }
  return sim;
}
