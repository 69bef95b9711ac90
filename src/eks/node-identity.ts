/**
 * Node identities (FM-51..FM-53): a kubelet authenticates with the node role, assumed with the EC2 instance id as
 * session name (`assumed-role/<NodeRole>/i-0123...`), and must map to username `system:node:{{EC2PrivateDNSName}}`
 * with group `system:nodes` (aws-auth: plus `system:bootstrappers`; Windows: plus `eks:kube-proxy-windows`;
 * Fargate: username `system:node:{{SessionName}}` and `system:node-proxier`; hybrid nodes: username
 * `system:node:{{SessionName}}`, the session being the SSM managed-instance id `mi-...` or the node name under IAM
 * Roles Anywhere). Access entries of type EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX or HYBRID_LINUX grant exactly that;
 * a STANDARD entry cannot (system: groups are rejected), and as a principal has at most one entry, a STANDARD entry
 * for a node role also blocks the right one. Sources: EKSUG:creating-access-entries.adoc,
 * EKSUG:windows-support.adoc, EKSUG:grant-k8s-access.adoc, EKSUG:hybrid-nodes-cluster-prep.adoc.
 */
import { findMapping, type AwsAuthMapping, type ParsedAwsAuth } from './aws-auth.js';
import { parseArn } from './arn.js';
import type { Incident } from '../model/incident.js';
import { okData, type Snapshot } from '../model/snapshot.js';
import { matchKey } from '../simulate/context.js';
import type { Simulation } from '../simulate/simulate.js';

export const INSTANCE_ID_SESSION = /^i-(\w{8}|\w{17})$/;
/** The session name SSM hybrid activations give a hybrid node's credentials: its managed-instance id. */
export const MANAGED_INSTANCE_SESSION = /^mi-[0-9a-f]{17}$/i;
export const NODE_USERNAME = 'system:node:{{EC2PrivateDNSName}}';
export const FARGATE_USERNAME = 'system:node:{{SessionName}}';
/** Hybrid nodes (and EC2 nodes named by instance id) use the session name as node name. */
export const SESSION_NODE_USERNAME = FARGATE_USERNAME;
export const NODE_GROUPS = ['system:bootstrappers', 'system:nodes'];
export const WINDOWS_GROUP = 'eks:kube-proxy-windows';
export const FARGATE_GROUP = 'system:node-proxier';

export const NODE_ENTRY_TYPES = ['EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX'] as const;
export type NodeEntryType = (typeof NODE_ENTRY_TYPES)[number];

export function isNodeEntryType(type: string | undefined): type is NodeEntryType {
  return (NODE_ENTRY_TYPES as readonly string[]).includes((type ?? '').toUpperCase());
}

/** Why we believe the failing caller is a node (kubelet), or undefined when nothing says so. */
export function nodeCallerEvidence(sim: Simulation, incident: Incident): string | undefined {
  const session = sim.principal?.sessionName;
  if (session && INSTANCE_ID_SESSION.test(session)) {
    return `the session name ${session} is an EC2 instance id`;
  }
  if (session && MANAGED_INSTANCE_SESSION.test(session)) {
    return `the session name ${session} is an SSM managed-instance id (a hybrid node)`;
  }
  const facts = incident.facts ?? [];
  if (facts.includes('kubelet-client')) return 'the pasted lines come from a kubelet';
  if (facts.includes('node-user') || incident.username?.startsWith('system:node:')) {
    return `the error names the node user ${incident.username ?? 'system:node:...'}`;
  }
  const template = sim.mapping?.usernameTemplate;
  if (template?.startsWith('system:node:')) return `the principal maps to ${template}`;
  // Only a kubelet registers its Node object.
  const r = sim.request;
  if (r.isResourceRequest && r.verb === 'create' && r.resource === 'nodes' && !r.apiGroup && !r.subresource) {
    return 'the request registers a Node (create nodes), which only a kubelet does';
  }
  return undefined;
}

export interface NodeRole {
  /** The access-entry type this node role needs. */
  type: NodeEntryType;
  /** Why it is a node role, as a phrase for explanations and notes. */
  why: string;
  /** What decided the type, when something did (EC2_LINUX is the default). */
  typeFrom?: string;
}

/**
 * Whether the principal is a node role, from anything that says so: the caller's session or pasted lines
 * (nodeCallerEvidence), an access entry of a node type, an aws-auth entry written as a node mapping (even one that
 * API mode ignores, or one with a path that never matches), or CloudTrail naming it as the node role of a node group
 * or the pod execution role of a Fargate profile. Access entries for nodes take only IAM roles.
 */
export function nodeRoleOf(
  sim: Simulation,
  incident: Incident = sim.input.incident ?? {},
): NodeRole | undefined {
  const p = sim.principal;
  if (!p?.parsed || !p.canonicalArn || (p.parsed.kind !== 'role' && p.parsed.kind !== 'assumed-role')) {
    return undefined;
  }
  const session = p.sessionName;
  const entry =
    sim.accessEntryCandidate?.entry ??
    (sim.mapping?.source === 'access-entry' ? sim.mapping.accessEntry?.entry : undefined);
  const entryType =
    entry && isNodeEntryType(entry.type) ? (entry.type?.toUpperCase() as NodeEntryType) : undefined;
  const mapping = writtenAwsAuthMapping(sim);
  const nodeMapping =
    mapping && mapping.section === 'mapRoles' && looksLikeNodeMapping(mapping) ? mapping : undefined;
  const trail = trailNodeRole(sim.input.snapshot, p.canonicalArn);
  const why =
    nodeCallerEvidence(sim, incident) ??
    (entryType ? `its access entry has type ${entryType}` : undefined) ??
    (nodeMapping
      ? `aws-auth maps it as a node (username ${nodeMapping.username ?? '(none)'}, groups [${nodeMapping.groups.join(', ')}])`
      : undefined) ??
    trail?.why;
  if (!why) return undefined;
  if (session && MANAGED_INSTANCE_SESSION.test(session)) {
    return { type: 'HYBRID_LINUX', why, typeFrom: `the session ${session} is an SSM managed-instance id` };
  }
  if (entryType) return { type: entryType, why, typeFrom: 'its access entry has that type' };
  if (nodeMapping) {
    return {
      type: nodeEntryType(nodeMapping.groups, { username: nodeMapping.username, sessionName: session }),
      why,
      typeFrom: `its aws-auth entry (username ${nodeMapping.username ?? '(none)'}, groups [${nodeMapping.groups.join(', ')}])`,
    };
  }
  if (trail) return { type: trail.type, why, typeFrom: trail.why };
  return { type: 'EC2_LINUX', why };
}

/**
 * The aws-auth entry written for the principal, also when it does not map it: ignored in API mode, or naming the
 * role with a path (FM-19). What it grants is what the principal was meant to have.
 */
export function writtenAwsAuthMapping(sim: Simulation): AwsAuthMapping | undefined {
  const mapped = sim.mapping?.awsAuth?.mapping;
  if (mapped) return mapped;
  const canonical = sim.principal?.canonicalArn;
  if (!canonical || !sim.index.awsAuth) return undefined;
  const exact = findMapping(sim.index.awsAuth, canonical)?.mapping;
  if (exact) return exact;
  const near = sim.index.awsAuthByKey.get(matchKey(canonical)) ?? [];
  return near[near.length - 1];
}

/** CloudTrail CreateNodegroup (nodeRole) or CreateFargateProfile (podExecutionRoleArn) naming this role. */
function trailNodeRole(
  snapshot: Snapshot,
  canonical: string,
): { type: NodeEntryType; why: string } | undefined {
  const key = matchKey(canonical);
  for (const raw of okData(snapshot, 'cloudTrail') ?? []) {
    const detail =
      typeof raw.CloudTrailEvent === 'string' ? parseJson(raw.CloudTrailEvent) : raw.CloudTrailEvent;
    const params = asRecord(asRecord(detail)?.requestParameters);
    const name = raw.EventName ?? asRecord(detail)?.eventName;
    const role =
      name === 'CreateNodegroup'
        ? params?.nodeRole
        : name === 'CreateFargateProfile'
          ? params?.podExecutionRoleArn
          : undefined;
    if (typeof role !== 'string' || !sameRole(role, key)) continue;
    return name === 'CreateFargateProfile'
      ? { type: 'FARGATE_LINUX', why: 'CloudTrail shows it as the pod execution role of a Fargate profile' }
      : { type: 'EC2_LINUX', why: 'CloudTrail shows it as the node role of a managed node group' };
  }
  return undefined;
}

function sameRole(arn: string, key: string): boolean {
  try {
    return parseArn(arn).kind === 'role' && matchKey(arn) === key;
  } catch {
    return false;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const NODE_GROUP_NAMES = ['system:nodes', 'system:bootstrappers', FARGATE_GROUP];

/** The group names in a list, also those that malformed YAML ran together into one item. */
function groupNames(groups: readonly string[]): string[] {
  return groups.flatMap((g) => g.split(/[\s,]+/)).filter((g) => g !== '' && g !== '-');
}

function mentions(groups: readonly string[], name: string): boolean {
  return groupNames(groups).includes(name);
}

/**
 * Whether an aws-auth mapping is written as a node mapping (by username or groups). Groups that YAML ran together
 * into one scalar (`system:bootstrappers - system:nodes`, FM-41) still count: the intent is plain.
 */
export function looksLikeNodeMapping(m: Pick<AwsAuthMapping, 'username' | 'groups'>): boolean {
  return (
    (m.username ?? '').startsWith('system:node:') ||
    groupNames(m.groups).some((g) => NODE_GROUP_NAMES.includes(g))
  );
}

/**
 * The access-entry type that matches a node mapping. Groups decide Fargate and Windows; a `system:node:{{SessionName}}`
 * username without the Fargate group is a hybrid node unless the session is an EC2 instance id (EC2 nodes named by
 * instance id use the same username); an `mi-` session is always a hybrid node.
 */
export function nodeEntryType(
  groups: readonly string[],
  hints: { username?: string | undefined; sessionName?: string | undefined } = {},
): NodeEntryType {
  if (mentions(groups, FARGATE_GROUP)) return 'FARGATE_LINUX';
  if (mentions(groups, WINDOWS_GROUP)) return 'EC2_WINDOWS';
  const session = hints.sessionName;
  if (session && MANAGED_INSTANCE_SESSION.test(session)) return 'HYBRID_LINUX';
  if (hints.username === SESSION_NODE_USERNAME && !(session && INSTANCE_ID_SESSION.test(session))) {
    return 'HYBRID_LINUX';
  }
  return 'EC2_LINUX';
}

/** The groups a node of that type needs in aws-auth. */
export function nodeGroupsFor(type: NodeEntryType): string[] {
  if (type === 'FARGATE_LINUX') return [...NODE_GROUPS, FARGATE_GROUP];
  if (type === 'EC2_WINDOWS') return [...NODE_GROUPS, WINDOWS_GROUP];
  return [...NODE_GROUPS];
}

export function nodeUsernameFor(type: NodeEntryType): string {
  return type === 'FARGATE_LINUX' || type === 'HYBRID_LINUX' ? SESSION_NODE_USERNAME : NODE_USERNAME;
}

/** The usernames EKS itself gives nodes: never a collision with a person's name when a node role carries them. */
export function isStandardNodeUsername(username: string | undefined): boolean {
  return username === NODE_USERNAME || username === SESSION_NODE_USERNAME;
}

/** What a node mapping lacks: groups the type needs, or the wrong username. */
export function nodeMappingDefects(
  m: Pick<AwsAuthMapping, 'username' | 'groups'>,
  type: NodeEntryType,
): string[] {
  const defects: string[] = [];
  const missing = nodeGroupsFor(type).filter((g) => g !== 'system:bootstrappers' && !m.groups.includes(g));
  if (missing.length) defects.push(`groups lack ${missing.join(', ')}`);
  if (!(m.username ?? '').startsWith('system:node:')) {
    defects.push(`username is ${m.username ? `"${m.username}"` : 'missing'}, not ${nodeUsernameFor(type)}`);
  }
  return defects;
}

/**
 * aws-auth mapRoles entries that name an instance profile instead of a role (a classic: the instance profile
 * ARN of the node group). Scanned only for node callers, once.
 */
export function instanceProfileMappings(awsAuth: ParsedAwsAuth | undefined): AwsAuthMapping[] {
  return (awsAuth?.roles ?? []).filter((m) => /:instance-profile\//i.test(m.arn));
}
