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
import { parseClusterArn } from '../eks/arn.js';
import type { EvidenceRef } from '../model/report.js';
import { okData, type Snapshot } from '../model/snapshot.js';
import { readKubeconfig, type KubeconfigFacts } from '../parse/kubeconfig.js';
import { classifyStsHost, partitionOfRegion } from '../parse/sts-host.js';
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
