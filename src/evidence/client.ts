/**
 * Client-side evidence (FM-01 … FM-14): the failing kubeconfig context and the token, compared with the cluster
 * they are used against. Read once per snapshot. Where the comparison decides what the authenticator will do,
 * it yields the fact the authenticator's own check would produce, so the simulator fails the right stage:
 * - the exec plugin signs `x-k8s-aws-id` for another cluster than this one (its name, or its id on Outposts):
 *   STS answers the replay with SignatureDoesNotMatch (FM-07; AUTH:pkg/token/token.go sets the header to its own
 *   cluster id when replaying);
 * - the token's STS host belongs to another partition than the cluster: `global endpoint unsupported in
 *   partition …` / `partition {…} does not support hostname …` (FM-11; AUTH `verifySTSHostnameFormat`);
 * - the kubeconfig sends requests to another endpoint than this cluster's (FM-08): this cluster does not decide.
 */
import { canonicalArn, isPrincipalArn, parseClusterArn, stripPath } from '../eks/arn.js';
import type { Incident } from '../model/incident.js';
import type { EvidenceRef } from '../model/report.js';
import { okData, type Snapshot } from '../model/snapshot.js';
import { readKubeconfig, type KubeconfigFacts } from '../parse/kubeconfig.js';
import { classifyStsHost, partitionOfRegion } from '../parse/sts-host.js';
import { parseLogLine } from '../parse/lines.js';
import { findEksEndpoint } from '../parse/text.js';

export interface KubeconfigView {
  facts: KubeconfigFacts;
  /** JSON Pointers into the snapshot (`/kubeconfig/data/users/0/user/exec`, ...). */
  userPointer?: string;
  execPointer?: string;
  serverPointer?: string;
  /** The clusters[] entry the context uses. */
  clusterEntry?: string;
}

export interface ClientEvidence {
  kubeconfig?: KubeconfigView;
  /** The `x-k8s-aws-id` this cluster's authenticator replays: the cluster name, or its id on Outposts (FM-07). */
  expectedClusterId?: { value: string; outposts: boolean; pointer: string };
  /** The exec plugin signs the token for another cluster id than the expected one. */
  clusterIdMismatch?: { signedFor: string; expected: string; outposts: boolean };
  /** The kubeconfig server is not this cluster's endpoint. */
  endpointMismatch?: { server: string; endpoint: string };
  /** The token's STS host is refused for the cluster's partition, in the authenticator's words. */
  stsHostRejected?: { host: string; message: string; clusterPartition: string };
  /** Facts the comparisons prove; the simulator adds them to the pasted ones. */
  facts: Set<string>;
}

const cache = new WeakMap<Snapshot, ClientEvidence>();

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function indexByName(list: unknown, name: string | undefined): number {
  if (!Array.isArray(list)) return -1;
  if (list.length === 1) return 0;
  return list.findIndex((item) => isObject(item) && item.name === name);
}

function readView(data: Json): KubeconfigView | undefined {
  let facts: KubeconfigFacts;
  try {
    facts = readKubeconfig(data);
  } catch {
    return undefined;
  }
  const view: KubeconfigView = { facts };
  const userAt = indexByName(data.users, facts.user);
  if (userAt >= 0) {
    view.userPointer = `/kubeconfig/data/users/${userAt}/user`;
    if (facts.exec) view.execPointer = `${view.userPointer}/exec`;
  }
  const contexts = Array.isArray(data.contexts) ? data.contexts : [];
  const context = contexts.find((c) => isObject(c) && c.name === facts.contextName);
  const clusterRef = isObject(context) && isObject(context.context) ? context.context.cluster : undefined;
  const clusterAt = indexByName(data.clusters, typeof clusterRef === 'string' ? clusterRef : undefined);
  if (clusterAt >= 0 && facts.endpoint) {
    view.serverPointer = `/kubeconfig/data/clusters/${clusterAt}/cluster/server`;
  }
  const entry = Array.isArray(data.clusters) ? data.clusters[clusterAt] : undefined;
  if (isObject(entry) && typeof entry.name === 'string') view.clusterEntry = entry.name;
  return view;
}

/** `https://ABC.gr7.ap-northeast-2.eks.amazonaws.com/` and `https://abc.gr7...:443` are the same endpoint. */
export function sameEndpoint(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().toLowerCase().replace(/\/+$/, '').replace(/:443$/, '');
  return norm(a) === norm(b);
}

function tokenHost(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(url);
  return m?.[1]?.toLowerCase();
}

/** Why this cluster's authenticator refuses the token's STS host, or undefined when the partition fits. */
function partitionProblem(host: string, clusterRegion: string): string | undefined {
  const partition = partitionOfRegion(clusterRegion);
  const sts = classifyStsHost(host);
  if (sts.problem) return undefined; // refused whatever the cluster: analyzeTokenUrl already reports it
  if (sts.global) {
    return partition === 'aws' ? undefined : `global endpoint unsupported in partition ${partition}`;
  }
  // The authenticator compares the host's domain with the partition's (aws and aws-us-gov share amazonaws.com).
  const domain = host.split('.').slice(2).join('.');
  const inClusterRegion = classifyStsHost(`sts.${clusterRegion}.${domain}`);
  return inClusterRegion.partition === partition
    ? undefined
    : `partition {${partition}} does not support hostname ${host}`;
}

function build(snapshot: Snapshot): ClientEvidence {
  const out: ClientEvidence = { facts: new Set() };
  const cluster = okData(snapshot, 'cluster');
  const kubeconfig = okData(snapshot, 'kubeconfig');
  if (isObject(kubeconfig)) {
    const view = readView(kubeconfig);
    if (view) out.kubeconfig = view;
  }
  const clusterArn = cluster?.arn ? parseClusterArn(cluster.arn) : undefined;
  const region =
    clusterArn?.region ??
    (cluster?.endpoint ? findEksEndpoint(cluster.endpoint)?.region : undefined) ??
    snapshot.incident?.region;

  const outposts = cluster?.outpostConfig !== undefined && cluster.outpostConfig !== null;
  if (outposts && cluster?.id) {
    out.expectedClusterId = { value: cluster.id, outposts, pointer: '/cluster/data/id' };
  } else if (cluster?.name) {
    out.expectedClusterId = { value: cluster.name, outposts: false, pointer: '/cluster/data/name' };
  }

  const exec = out.kubeconfig?.facts.exec;
  const expected = out.expectedClusterId;
  if (exec?.clusterIdArg !== undefined && expected && exec.clusterIdArg !== expected.value) {
    out.clusterIdMismatch = {
      signedFor: exec.clusterIdArg,
      expected: expected.value,
      outposts: expected.outposts,
    };
    out.facts.add('sts-signature-mismatch');
  }

  const server = out.kubeconfig?.facts.endpoint;
  if (server && cluster?.endpoint && !sameEndpoint(server, cluster.endpoint)) {
    out.endpointMismatch = { server, endpoint: cluster.endpoint };
    out.facts.add('kubeconfig-endpoint-mismatch');
  }

  const token = okData(snapshot, 'token');
  const host = typeof token?.url === 'string' ? tokenHost(token.url) : undefined;
  if (host && region) {
    const message = partitionProblem(host, region);
    if (message) {
      out.stsHostRejected = { host, message, clusterPartition: partitionOfRegion(region) };
      out.facts.add('sts-endpoint-rejected');
    }
  }
  return out;
}

export function clientEvidence(snapshot: Snapshot): ClientEvidence {
  let found = cache.get(snapshot);
  if (!found) {
    found = build(snapshot);
    cache.set(snapshot, found);
  }
  return found;
}

/**
 * Regions that are disabled until an account opts in (STS v1 session tokens from the global endpoint are not
 * valid there; FM-12). AWS documentation, "Managing AWS Regions"; newer regions are opt-in as well.
 */
const OPT_IN_REGIONS = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
]);

export function isOptInRegion(region: string | undefined): boolean {
  return region !== undefined && OPT_IN_REGIONS.has(region);
}

/** STS answered that it is not activated in the region of the token's endpoint (FM-12). */
export function saysStsRegionDisabled(text: string | undefined): boolean {
  return text !== undefined && /RegionDisabledException|STS is not activated in this region/i.test(text);
}

/** The role an `AssumeRole` AccessDenied names (`... sts:AssumeRole on resource: <role arn>`). */
export function assumeRoleTarget(text: string | undefined): string | undefined {
  const m = text ? /on resource: (arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512})/.exec(text) : null;
  return m?.[1];
}

/** The failing context's exec stanza as report evidence: which command, cluster and identity it signs with. */
export function execEvidence(snapshot: Snapshot, note?: string): EvidenceRef | undefined {
  const view = clientEvidence(snapshot).kubeconfig;
  const exec = view?.facts.exec;
  if (!view || !exec) return undefined;
  const env = Object.entries(exec.env)
    .filter(([name]) => name.startsWith('AWS_'))
    .map(([name, value]) => `${name}=${value}`);
  const described = `exec: ${[exec.command, ...exec.args].join(' ')}${env.length ? ` with ${env.join(' ')}` : ''}`;
  return {
    source: 'kubeconfig',
    pointer: view.execPointer ?? view.userPointer ?? '/kubeconfig/data',
    note: note ?? described,
  };
}

/** The token evidence (the pre-signed URL, never the signature or session token) as report evidence. */
export function tokenEvidence(
  snapshot: Snapshot,
  note: string,
  field: 'url' | 'length' = 'url',
): EvidenceRef | undefined {
  const token = okData(snapshot, 'token');
  if (!token) return undefined;
  return {
    source: 'token',
    pointer: field === 'length' && token.length !== undefined ? '/token/data/length' : '/token/data/url',
    note,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// FM-03: who really signed the failing token. The authenticator maps whoever signed it, so when the evidence names
// another principal than the one the user gave, EKS decided for that other principal.

/** The principal that signed the failing request's token, when the evidence names another one than was given. */
export interface TokenSigner {
  /** The ARN the cluster saw: the STS session ARN when the authenticator logged one, else the ARN named. */
  arn: string;
  source: 'authenticatorLogs' | 'incident';
  pointer: string;
  note: string;
  /**
   * How it is tied to the failing request: the token's access key in the authenticator's STS response (decisive);
   * the pasted error naming who the API server saw (decisive); the only principal denied near the failure time.
   */
  match: 'access-key' | 'error' | 'time';
}

export interface SignerQuery {
  snapshot: Snapshot;
  /** What the pasted lines say. */
  incident: Incident | undefined;
  /** The pasted lines themselves (default: the snapshot's incident.logLines), read one by one. */
  pastedLines?: readonly string[] | undefined;
  /** The principal the user named (flag or snapshot incident). */
  givenArn: string;
  observedStatus: number | undefined;
  /** The failing token's access key id (X-Amz-Credential), when the token is known. */
  accessKeyId?: string | undefined;
  /** With --as, a 403 names the impersonated user, not the signer. */
  impersonating: boolean;
}

/** Principals compared the way the authenticator matches them: canonical, path-less, lower-cased. */
function signerKey(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  try {
    return stripPath(canonicalArn(arn)).toLowerCase();
  } catch {
    return undefined;
  }
}

interface AuthenticatorRecord {
  at: number;
  time: number | undefined;
  kind: 'denied' | 'granted' | 'sts';
  arn: string;
  key: string;
  accessKeyId?: string;
}

const records = new WeakMap<Snapshot, AuthenticatorRecord[]>();

const RECORD_KIND = /\bmsg="?(access denied|access granted|STS response)/i;
const RECORD_ARN = /\barn="?(arn:[^"\s]+)/;
const RECORD_KEY = /\baccesskeyid="?([A-Z0-9]{16,128})/i;

/** Authenticator decisions and STS responses that name a principal, read once per snapshot with cheap patterns. */
function namedRecords(snapshot: Snapshot): AuthenticatorRecord[] {
  let found = records.get(snapshot);
  if (found) return found;
  found = [];
  (okData(snapshot, 'authenticatorLogs') ?? []).forEach((entry, at) => {
    const message = typeof entry?.message === 'string' ? entry.message : undefined;
    const kind = message ? RECORD_KIND.exec(message)?.[1]?.toLowerCase() : undefined;
    const arn = kind && message ? RECORD_ARN.exec(message)?.[1] : undefined;
    const key = signerKey(arn);
    if (!message || !kind || !arn || !key) return;
    const stamp = Date.parse(entry.timestamp);
    const record: AuthenticatorRecord = {
      at,
      time: Number.isNaN(stamp) ? undefined : stamp,
      kind: kind === 'access denied' ? 'denied' : kind === 'access granted' ? 'granted' : 'sts',
      arn,
      key,
    };
    const accessKeyId = RECORD_KEY.exec(message)?.[1];
    if (accessKeyId) record.accessKeyId = accessKeyId;
    found?.push(record);
  });
  records.set(snapshot, found);
  return found;
}

/** Lines that name nobody else are tied to a known failure time only this close to it. */
const SIGNER_WINDOW_MS = 2 * 60_000;
/** Without a failure time, the look-back from collection (a token lives 15 minutes). */
const SIGNER_LOOKBACK_MS = 15 * 60_000;

/** The pasted line that names `text`, for a precise pointer. */
function pastedPointer(snapshot: Snapshot, text: string): string {
  const at = (snapshot.incident?.logLines ?? []).findIndex((l) => typeof l === 'string' && l.includes(text));
  return at >= 0 ? `/incident/logLines/${at}` : '/incident/logLines';
}

/** The pasted lines one by one; lines that together are one (pretty-printed) JSON document stay whole. */
function pastedUnits(q: SignerQuery): string[] {
  const lines = (q.pastedLines ?? q.snapshot.incident?.logLines ?? []).filter(
    (l): l is string => typeof l === 'string' && l.trim() !== '',
  );
  if (lines.length > 1) {
    try {
      JSON.parse(lines.join('\n'));
      return [lines.join('\n')];
    } catch {
      // Not one document: each line is its own evidence.
    }
  }
  return lines;
}

/**
 * Who one pasted line names as the failing caller, and the status it answers: `User "<arn>" cannot ...` (403),
 * an audit event's user.extra.arn (its own status), an authenticator `access denied arn=...` (401).
 */
function namedCaller(line: Incident): { arn: string; status: number | undefined } | undefined {
  const facts = line.facts ?? [];
  if (line.username && isPrincipalArn(line.username) && facts.includes('forbidden')) {
    return { arn: line.username, status: 403 };
  }
  if (line.source === 'audit' && line.principalArn && (line.status ?? 0) >= 400) {
    return { arn: line.principalArn, status: line.status };
  }
  if (
    line.source === 'authenticator' &&
    line.principalArn &&
    (facts.includes('identity-not-mapped') || facts.includes('unauthorized'))
  ) {
    return { arn: line.principalArn, status: 401 };
  }
  return undefined;
}

/**
 * The identity a pasted 403, audit event or authenticator denial names as the caller. Each line is read on its own
 * (a colleague's error pasted above the user's own must not win), any line naming the given principal means it
 * signed its own token, and a line counts only when it answers the status the user observed.
 */
function pastedSigner(q: SignerQuery, givenKey: string): TokenSigner | undefined {
  if (!q.incident || q.impersonating || q.incident.awsAction) return undefined;
  const named = new Map<string, string>();
  for (const unit of pastedUnits(q)) {
    const line = parseLogLine(unit);
    const mentioned = [line.principalArn, line.username].map(signerKey);
    if (mentioned.includes(givenKey)) return undefined;
    const caller = namedCaller(line);
    const key = signerKey(caller?.arn);
    if (caller && key && caller.status !== undefined && caller.status === q.observedStatus) {
      if (!named.has(key)) named.set(key, caller.arn);
    }
  }
  if (named.size !== 1) return undefined;
  const [arn] = named.values();
  if (!arn) return undefined;
  return {
    arn,
    source: 'incident',
    pointer: pastedPointer(q.snapshot, arn),
    note: `the pasted error names ${arn}`,
    match: 'error',
  };
}

function loggedSigner(q: SignerQuery, givenKey: string): TokenSigner | undefined | null {
  const all = namedRecords(q.snapshot);
  if (all.length === 0) return undefined;
  const iso = (t: number | undefined) => (t === undefined ? '' : ` at ${new Date(t).toISOString()}`);
  // The token's access key in an STS response names its signer whatever the time.
  if (q.accessKeyId) {
    const same = all.filter((r) => r.kind === 'sts' && r.accessKeyId === q.accessKeyId);
    if (same.some((r) => r.key === givenKey)) return null; // the given principal did sign it
    const last = same.reduce<AuthenticatorRecord | undefined>(
      (best, r) => (!best || (r.time ?? -1) >= (best.time ?? -1) ? r : best),
      undefined,
    );
    if (last) {
      return {
        arn: last.arn,
        source: 'authenticatorLogs',
        pointer: `/authenticatorLogs/data/${last.at}`,
        note: `STS answered for access key ${q.accessKeyId} (the token's) with ${last.arn}${iso(last.time)}`,
        match: 'access-key',
      };
    }
  }
  // Otherwise only a 401 near the failure: the authenticator denied exactly one principal then, and never saw the given one.
  if (q.observedStatus !== 401) return undefined;
  const failedAt = Date.parse(q.snapshot.incident?.observedAt ?? q.incident?.time ?? '');
  const collectedAt = Date.parse(q.snapshot.collectedAt ?? '');
  let from: number;
  let to: number;
  if (!Number.isNaN(failedAt)) {
    from = failedAt - SIGNER_WINDOW_MS;
    to = failedAt + SIGNER_WINDOW_MS;
  } else if (!Number.isNaN(collectedAt)) {
    from = collectedAt - SIGNER_LOOKBACK_MS;
    to = collectedAt;
  } else {
    return undefined;
  }
  // Any line of the given principal in the collected log shows it signs its own tokens: time proves nothing then.
  if (all.some((r) => r.key === givenKey)) return null;
  const near = all.filter((r) => r.time !== undefined && r.time >= from && r.time <= to);
  const denied = near.filter((r) => r.kind === 'denied');
  const keys = new Set(denied.map((r) => r.key));
  if (keys.size !== 1) return undefined;
  const denial = denied[denied.length - 1];
  if (!denial) return undefined;
  // The STS response before the denial carries the session ARN (assumed-role/<role>/<session>).
  const session = near.find((r) => r.kind === 'sts' && r.key === denial.key);
  const when = Number.isNaN(failedAt)
    ? 'in the 15 minutes before collection (the incident time is unknown)'
    : 'within 2 minutes of the failure';
  return {
    arn: session?.arn ?? denial.arn,
    source: 'authenticatorLogs',
    pointer: `/authenticatorLogs/data/${denial.at}`,
    note: `the authenticator denied ${denial.arn}${iso(denial.time)}, the only principal it denied ${when}; no line names ${q.givenArn}`,
    match: 'time',
  };
}

/**
 * The principal that signed the failing token when the evidence shows it is not the one given (FM-03): the
 * token's access key answered by STS for another ARN, a pasted 403/audit event/authenticator denial naming another
 * ARN, or (a 401 only) the one principal the authenticator denied around the failure while never seeing the given one.
 */
export function tokenSigner(q: SignerQuery): TokenSigner | undefined {
  const givenKey = signerKey(q.givenArn);
  if (!givenKey) return undefined;
  const logged = loggedSigner(q, givenKey);
  if (logged === null) return undefined;
  if (logged?.match === 'access-key') return logged;
  return pastedSigner(q, givenKey) ?? logged;
}

// ---------------------------------------------------------------------------------------------------------------
// FM-11: the authenticator's refusal of an STS host, read from its own words when no token was collected.

export interface StsHostRefusal {
  /** The refused host, when the message names it. */
  host?: string;
  /** The authenticator's (that is, the cluster's) partition, when the message names it. */
  clusterPartition?: string;
  /** The partition the host belongs to, when it is an STS host at all. */
  hostPartition?: string;
  kind: 'global-endpoint' | 'other-partition' | 'custom-host';
}

/**
 * Reads `partition {<p>} does not support hostname <host>`, `global endpoint unsupported in partition <p>` and
 * `unexpected hostname "<host>" in pre-signed URL` (AUTH:pkg/token/token.go `verifySTSHostnameFormat`).
 */
export function readStsHostRefusal(text: string | undefined): StsHostRefusal | undefined {
  if (!text) return undefined;
  const other = /partition \{([a-z0-9-]{2,20})\} does not support hostname ([A-Za-z0-9.-]{1,253})/.exec(text);
  if (other?.[1] && other[2]) {
    const host = other[2].replace(/\.$/, '').toLowerCase();
    const sts = classifyStsHost(host);
    return {
      host,
      clusterPartition: other[1],
      ...(sts.partition ? { hostPartition: sts.partition } : {}),
      kind: 'other-partition',
    };
  }
  const global = /global endpoint unsupported in partition ([a-z0-9-]{2,20})/.exec(text);
  if (global?.[1]) {
    return {
      host: 'sts.amazonaws.com',
      clusterPartition: global[1],
      hostPartition: 'aws',
      kind: 'global-endpoint',
    };
  }
  const unexpected = /unexpected hostname \\?"([^"\\\s]{1,253})\\?" in pre-signed URL/.exec(text);
  if (unexpected?.[1]) return { host: unexpected[1].toLowerCase(), kind: 'custom-host' };
  return undefined;
}

/** The cluster's partition: from its ARN, else from its region. */
export function clusterPartition(snapshot: Snapshot, region: string | undefined): string | undefined {
  const arn = okData(snapshot, 'cluster')?.arn;
  const fromArn = arn ? /^arn:([a-z0-9-]+):eks:/.exec(arn)?.[1] : undefined;
  return fromArn ?? (region ? partitionOfRegion(region) : undefined);
}

/**
 * kubectl made the failing token itself through the kubeconfig's exec plugin (no fixed token). It reuses such a
 * token only until the plugin's expirationTimestamp (14 minutes, by the local clock), so one the authenticator finds
 * older than 15 minutes means the local clock is behind (FM-06), not a stale token (FM-05).
 */
export function kubectlMintsToken(snapshot: Snapshot, incident: Incident): boolean {
  const facts = clientEvidence(snapshot).kubeconfig?.facts;
  return Boolean(facts?.exec) && facts?.token !== 'static' && incident.source === 'kubectl';
}

/** When the failure happened, as the simulation measured the token against it (else "now", collection). */
export function tokenMeasuredAt(sim: {
  failedAt?: Date | undefined;
  token?: { date?: string | undefined } | undefined;
  input: { now: Date };
}): { at: Date; failure: boolean } {
  const signed = sim.token?.date ? Date.parse(sim.token.date) : NaN;
  const failure = Boolean(sim.failedAt && signed <= sim.failedAt.getTime() && sim.failedAt < sim.input.now);
  return { at: failure && sim.failedAt ? sim.failedAt : sim.input.now, failure };
}
