/**
 * Node identities (FM-51..FM-53): a kubelet authenticates with the node role, assumed with the EC2 instance id as
 * session name (`assumed-role/<NodeRole>/i-0123...`), and must map to username `system:node:{{EC2PrivateDNSName}}`
 * with group `system:nodes` (aws-auth: plus `system:bootstrappers`; Windows: plus `eks:kube-proxy-windows`;
 * Fargate: username `system:node:{{SessionName}}` and `system:node-proxier`). Access entries of type EC2_LINUX,
 * EC2_WINDOWS, FARGATE_LINUX or HYBRID_LINUX grant exactly that; a STANDARD entry cannot (system: groups are
 * rejected). Sources: EKSUG:creating-access-entries.adoc, EKSUG:windows-support.adoc, EKSUG:grant-k8s-access.adoc.
 */
import type { AwsAuthMapping, ParsedAwsAuth } from './aws-auth.js';
import type { Incident } from '../model/incident.js';
import type { Simulation } from '../simulate/simulate.js';

export const INSTANCE_ID_SESSION = /^i-(\w{8}|\w{17})$/;
export const NODE_USERNAME = 'system:node:{{EC2PrivateDNSName}}';
export const FARGATE_USERNAME = 'system:node:{{SessionName}}';
export const NODE_GROUPS = ['system:bootstrappers', 'system:nodes'];
export const WINDOWS_GROUP = 'eks:kube-proxy-windows';
export const FARGATE_GROUP = 'system:node-proxier';

export type NodeEntryType = 'EC2_LINUX' | 'EC2_WINDOWS' | 'FARGATE_LINUX';

/** Why we believe the failing caller is a node (kubelet), or undefined when nothing says so. */
export function nodeCallerEvidence(sim: Simulation, incident: Incident): string | undefined {
  const session = sim.principal?.sessionName;
  if (session && INSTANCE_ID_SESSION.test(session)) {
    return `the session name ${session} is an EC2 instance id`;
  }
  const facts = incident.facts ?? [];
  if (facts.includes('kubelet-client')) return 'the pasted lines come from a kubelet';
  if (facts.includes('node-user') || incident.username?.startsWith('system:node:')) {
    return `the error names the node user ${incident.username ?? 'system:node:...'}`;
  }
  const template = sim.mapping?.usernameTemplate;
  if (template?.startsWith('system:node:')) return `the principal maps to ${template}`;
  return undefined;
}

/** Whether an aws-auth mapping is written as a node mapping (by username or groups). */
export function looksLikeNodeMapping(m: Pick<AwsAuthMapping, 'username' | 'groups'>): boolean {
  return (
    (m.username ?? '').startsWith('system:node:') ||
    m.groups.some((g) => g === 'system:nodes' || g === 'system:bootstrappers' || g === FARGATE_GROUP)
  );
}

/** The access-entry type that matches a node mapping's groups. */
export function nodeEntryType(groups: readonly string[]): NodeEntryType {
  if (groups.includes(FARGATE_GROUP)) return 'FARGATE_LINUX';
  if (groups.includes(WINDOWS_GROUP)) return 'EC2_WINDOWS';
  return 'EC2_LINUX';
}

/** The groups a node of that type needs in aws-auth. */
export function nodeGroupsFor(type: NodeEntryType): string[] {
  if (type === 'FARGATE_LINUX') return [...NODE_GROUPS, FARGATE_GROUP];
  if (type === 'EC2_WINDOWS') return [...NODE_GROUPS, WINDOWS_GROUP];
  return [...NODE_GROUPS];
}

export function nodeUsernameFor(type: NodeEntryType): string {
  return type === 'FARGATE_LINUX' ? FARGATE_USERNAME : NODE_USERNAME;
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
