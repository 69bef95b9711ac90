/**
 * Replays what EKS does with one request (FM §0): client → token → STS identity → mapping under the cluster's
 * authentication mode → username/group rendering → authorization → aggregated-API hop. Pure and deterministic:
 * "now" is an input. Each stage yields a TraceStep; the first failing stage decides the verdict.
 */
import { parseArn, canonicalArn, type ParsedArn } from '../eks/arn.js';
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
import { evidenceFacts } from '../evidence/index.js';

export interface SimulationInput {
  snapshot: Snapshot;
  principalArn?: string | undefined;
  path?: string | undefined;
  verb?: string | undefined;
  namespace?: string | undefined;
  observedStatus?: number | undefined;
  /** What pasted text revealed (facts, username, ...). */
  incident?: Incident | undefined;
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

export type MappingSource = 'access-entry' | 'aws-auth' | 'map-accounts';

export interface MappingResult {
  source: MappingSource;
  pointer: string;
  usernameTemplate: string | undefined;
  groupTemplates: string[];
  accessEntry?: IndexedEntry;
  awsAuth?: MappingMatch;
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
  accessEntryStale?: { reason: string; principalCreated: string; entryCreated: string };
  mapping?: MappingResult;
  identity?: IdentityResult;
  authorization?: AuthorizationResult;
  aggregation: AggregationResult;
  trace: TraceStep[];
  failingStage?: Stage;
  outcome: Outcome;
  expectedStatus: number | null;
  facts: Set<string>;
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
  const canonical = canonicalArn(arn);
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
      },
    };
  }
  return { candidate };
}

function entryUsername(entry: IndexedEntry['entry'], principal: PrincipalInfo): string {
  if (entry.username) return entry.username;
  const type = (entry.type ?? 'STANDARD').toUpperCase();
  if (type.startsWith('EC2') || type === 'HYBRID_LINUX') return 'system:node:{{EC2PrivateDNSName}}';
  if (type === 'FARGATE_LINUX') return 'system:node:{{SessionName}}';
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

function findApiService(
  index: SnapshotIndex,
  group: string,
  version: string,
): { found?: ApiService; at: number; collected: boolean } {
  const services = okData(index.snapshot, 'apiServices');
  if (!services) return { at: -1, collected: false };
  const name = `${version}.${group}`;
  const at = services.findIndex(
    (s) => s.metadata?.name === name || (s.spec?.group === group && s.spec.version === version),
  );
  return { found: at >= 0 ? services[at] : undefined, at, collected: true };
}

/** The group/version a request is proxied for, if any: /apis/<g>/<v>[/...] (not /apis/<g>, served locally). */
function proxiedGroupVersion(request: RequestAttributes): { group: string; version: string } | undefined {
  if (request.isResourceRequest) {
    return request.apiPrefix === 'apis' && request.apiGroup
      ? { group: request.apiGroup, version: request.apiVersion }
      : undefined;
  }
  const parts = request.path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  return parts[0] === 'apis' && parts[1] && parts[2] ? { group: parts[1], version: parts[2] } : undefined;
}

export function simulate(input: SimulationInput): Simulation {
  const index = input.index ?? indexSnapshot(input.snapshot);
  const snapshot = input.snapshot;
  const facts = new Set(input.incident?.facts ?? []);
  // The principal's authenticator log lines and the kubeconfig/token evidence count like pasted lines.
  for (const fact of evidenceFacts(input)) facts.add(fact);
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
      ? step('token', 'pass', `token well-formed, signed ${sim.token.ageSeconds ?? '?'} s before now`)
      : step('token', 'skip', 'no token to check; assumed well-formed and fresh'),
  );

  // sts: who is calling, canonicalized
  const stsFact = STS_FACTS.find((f) => facts.has(f));
  if (stsFact) {
    trace.push(step('sts', 'fail', `STS rejected the presigned request (${stsFact})`));
    return finish(sim);
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
  trace.push(step('sts', 'pass', `canonical ARN ${principal.canonicalArn}`));

  // The kubeconfig sends the request to another endpoint: this cluster's mappings do not decide it (FM-08).
  if (facts.has('kubeconfig-endpoint-mismatch')) {
    trace.push(
      step('mapping', 'unknown', 'the kubeconfig sends requests to another endpoint than this cluster'),
    );
    return finish(sim);
  }

  // mapping
  mapPrincipal(sim, principal);
  if (!sim.mapping) return finish(sim);

  // identity
  renderIdentity(sim, principal);
  if (!sim.identity || sim.identity.renderError) return finish(sim);

  // authorization
  authorize(sim);
  if (sim.authorization?.allowed !== true) return finish(sim);

  // aggregation
  aggregate(sim);
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
  const missing: string[] = [];
  if (mode === undefined) missing.push('cluster (authentication mode)');
  if (entriesConsidered && entriesStatus !== 'ok') missing.push('access entries');
  if (configMapConsidered && awsAuthStatus !== 'ok') missing.push('aws-auth');
  if (missing.length > 0) {
    trace.push(
      step('mapping', 'unknown', `${modeText}: no mapping seen, but ${missing.join(', ')} not collected`),
    );
    return;
  }
  const where =
    mode === 'API'
      ? 'no access entry (API mode ignores aws-auth)'
      : mode === 'CONFIG_MAP'
        ? 'no aws-auth mapping (CONFIG_MAP mode ignores access entries)'
        : 'no access entry and no aws-auth mapping';
  trace.push(step('mapping', 'fail', `${modeText}: ${principal.canonicalArn} is not mapped: ${where}`));
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
  // The reserve list is on for access entries (EKS rejects such usernames up front) and, per cluster, possibly
  // for aws-auth (FM §0 step 7, open question 4): apply it when the authenticator's own log says it is on.
  const reserved = sim.facts.has('reserved-username-prefix')
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

function authorize(sim: Simulation): void {
  const identity = sim.identity;
  if (!identity) return;
  const { request, index } = sim;
  const what = describeRequest(request);
  if (identity.groups.includes('system:masters')) {
    sim.authorization = { allowed: true, by: 'system:masters' };
    sim.trace.push(step('authorization', 'pass', `${what}: allowed (group system:masters)`));
    return;
  }
  const result: AuthorizationResult = { allowed: false };
  const entry = sim.mapping?.source === 'access-entry' ? sim.mapping.accessEntry?.entry : undefined;
  if (entry && (entry.type ?? 'STANDARD').toUpperCase() === 'STANDARD') {
    if (sim.facts.has('impersonation')) {
      result.policiesIgnored = 'impersonation';
    } else {
      result.policies = accessPoliciesAllow(entry.associatedPolicies ?? [], request);
      if (result.policies.allowed) {
        sim.authorization = { ...result, allowed: true, by: 'access-policy' };
        const arn = result.policies.allowedBy?.policyArn ?? '';
        sim.trace.push(
          step('authorization', 'pass', `${what}: allowed by access policy ${arn.split('/').pop()}`),
        );
        return;
      }
    }
  }
  // Kubelets are authorized by the Node authorizer ahead of RBAC (FM-51..FM-53).
  if (nodeAuthorizerAllows(identity, request)) {
    sim.authorization = { ...result, allowed: true, by: 'node' };
    sim.trace.push(step('authorization', 'pass', `${what}: allowed by the Node authorizer`));
    return;
  }
  result.rbac = index.rbac.authorize({ username: identity.username, groups: identity.groups }, request);
  if (result.rbac.allowed) {
    sim.authorization = { ...result, allowed: true, by: 'rbac' };
    sim.trace.push(step('authorization', 'pass', `${what}: allowed by RBAC (${result.rbac.reason})`));
    return;
  }
  if (!index.rbacCollected) {
    sim.authorization = { ...result, allowed: undefined };
    sim.trace.push(
      step('authorization', 'unknown', `${what}: no access policy allows it and RBAC was not collected`),
    );
    return;
  }
  sim.authorization = result;
  sim.trace.push(step('authorization', 'fail', `${what}: no access policy or RBAC rule allows it`));
}

function aggregate(sim: Simulation): void {
  const gv = proxiedGroupVersion(sim.request);
  if (!gv) {
    sim.trace.push(step('aggregation', 'skip', 'served by kube-apiserver itself'));
    return;
  }
  const groupVersion = `${gv.group}/${gv.version}`;
  const lookup = findApiService(sim.index, gv.group, gv.version);
  const username = sim.identity?.username ?? '';
  if (!lookup.collected) {
    const known = KNOWN_AGGREGATED_GROUPS.includes(gv.group);
    sim.aggregation = { aggregated: known ? undefined : false, groupVersion };
    if (known && username === '') {
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
  const service = lookup.found?.spec?.service;
  if (!lookup.found || !service) {
    sim.aggregation = { aggregated: false, groupVersion };
    sim.trace.push(step('aggregation', 'skip', `${groupVersion} is served by kube-apiserver itself`));
    return;
  }
  const name = lookup.found.metadata?.name ?? `${gv.version}.${gv.group}`;
  const backend = `${service.namespace ?? ''}/${service.name ?? ''}`;
  sim.aggregation = {
    aggregated: true,
    groupVersion,
    apiService: { name, pointer: `/apiServices/data/${lookup.at}`, service: backend },
  };
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
