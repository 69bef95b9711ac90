/**
 * Fix plans shared by rules, so that two rules never build the same EKS fix differently.
 */
import { ACCESS_POLICY_ARN_PREFIX, narrowestPolicyAllowing } from '../eks/access-policies.js';
import type { AwsAuthMapping } from '../eks/aws-auth.js';
import { parseArn, stripPath } from '../eks/arn.js';
import {
  nodeGroupsFor,
  nodeRoleOf,
  nodeUsernameFor,
  writtenAwsAuthMapping,
  type NodeRole,
} from '../eks/node-identity.js';
import { matchKey } from '../simulate/context.js';
import type { Simulation } from '../simulate/simulate.js';
import type { AccessScopeInput, FixAction, FixPlan } from './actions.js';

export const CLUSTER_ADMIN_POLICY = `${ACCESS_POLICY_ARN_PREFIX}AmazonEKSClusterAdminPolicy`;

/**
 * The ARN to give the EKS access-entry APIs: the IAM ARN with its path when IAM told us, else the role ARN with the
 * path an aws-auth entry for the same role wrote (aws-auth cannot use it, access entries can), else the canonical one.
 */
export function entryPrincipalArn(sim: Simulation): string | undefined {
  return sim.principal?.iam?.principal.arn ?? awsAuthRolePathArn(sim) ?? sim.principal?.canonicalArn;
}

/** The path-ful role ARN of an aws-auth entry naming the caller's role (FM-19), if there is one. */
function awsAuthRolePathArn(sim: Simulation): string | undefined {
  const p = sim.principal;
  if (!p?.canonicalArn || !p.parsed || (p.parsed.kind !== 'role' && p.parsed.kind !== 'assumed-role')) {
    return undefined;
  }
  const written = (sim.index.awsAuthByKey.get(matchKey(p.canonicalArn)) ?? []).map((m) => m.arn.trim());
  return written.reverse().find((arn) => {
    try {
      const parsed = parseArn(arn);
      return parsed.kind === 'role' && parsed.path !== '/';
    } catch {
      return false;
    }
  });
}

/** A note when the principal is a role whose path we could not see (EKS needs the path-ful ARN). */
export function pathCaveat(sim: Simulation): string | undefined {
  const p = sim.principal;
  if (!p?.parsed || p.iam) return undefined;
  if (p.parsed.kind !== 'role' && p.parsed.kind !== 'assumed-role') return undefined;
  if (p.parsed.kind === 'role' && p.parsed.path !== '/') return undefined; // given with its path
  const fromAwsAuth = awsAuthRolePathArn(sim);
  if (fromAwsAuth) {
    return `The path of ${fromAwsAuth} comes from its aws-auth entry; confirm it with aws iam get-role --role-name ${p.parsed.name} --query Role.Arn.`;
  }
  return `If role ${p.parsed.name} has an IAM path, use its full ARN: aws iam get-role --role-name ${p.parsed.name} --query Role.Arn.`;
}

/** The managed policy that fits what the principal was meant to have (system:masters ⇒ cluster admin). */
export function intendedPolicy(sim: Simulation): { policyArn: string; scope: AccessScopeInput } {
  const groups =
    sim.mapping?.groupTemplates ?? writtenAwsAuthMapping(sim)?.groups ?? sim.identity?.groups ?? [];
  if (groups.includes('system:masters')) {
    return { policyArn: CLUSTER_ADMIN_POLICY, scope: { type: 'cluster' } };
  }
  const narrow = narrowestPolicyAllowing(sim.request);
  const policyArn = narrow?.arn ?? CLUSTER_ADMIN_POLICY;
  const ns = sim.request.namespace;
  return {
    policyArn,
    scope:
      ns && policyArn !== CLUSTER_ADMIN_POLICY
        ? { type: 'namespace', namespaces: [ns] }
        : { type: 'cluster' },
  };
}

const ONE_WAY =
  'Switching to API_AND_CONFIG_MAP is one-way (it can never go back to CONFIG_MAP); aws-auth keeps working alongside access entries. Wait until `aws eks describe-cluster` shows the update done before creating the entry.';

const PROPAGATION =
  'EKS applies access entries within seconds (eventually consistent); retry once if the first call still fails.';

/**
 * Grant through an access entry: switch the mode first when it is CONFIG_MAP, create the entry unless one exists,
 * and associate the policy. A node role gets its node-type entry instead (nodeEntryPlan), never a STANDARD one.
 */
export function accessEntryPlan(
  sim: Simulation,
  options: {
    title?: string;
    policyArn?: string;
    scope?: AccessScopeInput;
    username?: string;
    principalArn?: string;
  } = {},
): FixPlan | undefined {
  const node = nodeRoleOf(sim);
  if (node) return nodeEntryPlan(sim, node, options);
  const principalArn = options.principalArn ?? entryPrincipalArn(sim);
  if (!principalArn) return undefined;
  const intended = intendedPolicy(sim);
  const policyArn = options.policyArn ?? intended.policyArn;
  const scope = options.scope ?? intended.scope;
  const actions: FixAction[] = [];
  const notes: string[] = [];
  if (sim.index.authMode.mode === 'CONFIG_MAP') {
    actions.push({ kind: 'update-authentication-mode', mode: 'API_AND_CONFIG_MAP' });
    notes.push(ONE_WAY);
  }
  const existing = sim.accessEntryCandidate && !sim.accessEntryStale;
  if (!existing) {
    actions.push({
      kind: 'create-access-entry',
      principalArn,
      type: 'STANDARD',
      ...(options.username ? { username: options.username } : {}),
    });
  }
  actions.push({ kind: 'associate-access-policy', principalArn, policyArn, scope });
  const caveat = options.principalArn ? undefined : pathCaveat(sim);
  if (caveat) notes.push(caveat);
  notes.push(PROPAGATION);
  return {
    title: options.title ?? `Grant ${principalArn} an access entry with ${policyArn.split('/').pop()}`,
    actions,
    notes: notes.join(' '),
  };
}

/**
 * The access entry a node role needs: its node type, which gives the system:node username and the system:nodes
 * group, and never an access policy. A principal has at most one entry and its type is fixed at creation, so an
 * entry of another type is deleted first. Undefined when the right entry already exists: more access cannot help.
 */
export function nodeEntryPlan(
  sim: Simulation,
  node: NodeRole,
  options: { title?: string; principalArn?: string } = {},
): FixPlan | undefined {
  const principalArn = options.principalArn ?? entryPrincipalArn(sim);
  if (!principalArn) return undefined;
  const existing = sim.accessEntryCandidate?.entry;
  const existingType = existing ? (existing.type ?? 'STANDARD').toUpperCase() : undefined;
  if (existingType === node.type && !sim.accessEntryStale) return undefined;
  const actions: FixAction[] = [];
  const notes: string[] = [];
  if (sim.index.authMode.mode === 'CONFIG_MAP') {
    actions.push({ kind: 'update-authentication-mode', mode: 'API_AND_CONFIG_MAP' });
    notes.push(ONE_WAY);
  }
  if (existing) actions.push({ kind: 'delete-access-entry', principalArn: existing.principalArn });
  actions.push({ kind: 'create-access-entry', principalArn, type: node.type });
  notes.push(
    `This is a node role (${node.why}): the ${node.type} type gives username ${nodeUsernameFor(node.type)} and group system:nodes; add no access policy or groups. ` +
      'A STANDARD entry with a policy would not make it a node, and would block the node entry (one entry per principal, type fixed at creation).',
  );
  if (existing) {
    notes.push(
      `The existing ${existingType} entry is deleted first; between the two calls the nodes cannot authenticate, so run them back to back.`,
    );
  }
  // The type cannot be changed later: when nothing decided it, name the others.
  if (!node.typeFrom) {
    notes.push(
      'EC2_LINUX is the usual type; use EC2_WINDOWS for Windows nodes, FARGATE_LINUX for a Fargate pod execution role, HYBRID_LINUX for hybrid nodes.',
    );
  }
  notes.push('The caller needs iam:PassRole on the node role.');
  const caveat = options.principalArn ? undefined : pathCaveat(sim);
  if (caveat) notes.push(caveat);
  const what = existing
    ? `re-create the access entry of node role ${principalArn} with type ${node.type}`
    : `create ${/^[AEIOU]/.test(node.type) ? 'an' : 'a'} ${node.type} access entry for node role ${principalArn}`;
  const title = /^or\b/i.test(options.title ?? '')
    ? `Or ${what}`
    : `${what[0]?.toUpperCase() ?? ''}${what.slice(1)}`;
  return { title, actions, notes: notes.join(' ') };
}

/**
 * An access entry equivalent to an aws-auth mapping, from migration's entryActionsForMapping (system:masters becomes
 * AmazonEKSClusterAdminPolicy, other groups and an allowed username are kept): the mode switch first when the
 * cluster is in CONFIG_MAP, and notes that say what carried over.
 */
export function equivalentEntryPlan(
  sim: Simulation,
  mapping: Pick<AwsAuthMapping, 'section' | 'username' | 'groups'>,
  entryActions: FixAction[],
  options: { title: string },
): FixPlan {
  const actions: FixAction[] = [];
  const notes: string[] = [];
  if (sim.index.authMode.mode === 'CONFIG_MAP') {
    actions.push({ kind: 'update-authentication-mode', mode: 'API_AND_CONFIG_MAP' });
    notes.push(ONE_WAY);
  }
  actions.push(...entryActions);
  const create = entryActions.find((a) => a.kind === 'create-access-entry');
  if (create?.kind === 'create-access-entry' && (create.type ?? 'STANDARD') === 'STANDARD') {
    const parts: string[] = [];
    if (mapping.groups.includes('system:masters')) {
      parts.push(
        'system:masters becomes AmazonEKSClusterAdminPolicy at cluster scope (entries refuse system: groups)',
      );
    }
    const kept = create.kubernetesGroups ?? [];
    if (kept.length) parts.push(`groups [${kept.join(', ')}] are kept, so their RBAC bindings still apply`);
    const dropped = mapping.groups.filter((g) => g.startsWith('system:') && g !== 'system:masters');
    if (dropped.length) parts.push(`[${dropped.join(', ')}] cannot be entry groups and are left out`);
    if (create.username) parts.push(`username ${create.username} is kept`);
    else if (mapping.username) {
      parts.push(
        `EKS generates the username (${mapping.username} is not allowed on an entry), so RBAC bindings to that User need the new name`,
      );
    }
    if (parts.length) notes.push(`Same access as the ${mapping.section} entry: ${parts.join('; ')}.`);
  }
  notes.push(PROPAGATION);
  return { title: options.title, actions, notes: notes.join(' ') };
}

/**
 * Map the principal in aws-auth: a node role as a node (its username and groups), anyone else with a non-empty,
 * unreserved username and `groups`. Role ARNs lose their path there (FM-19).
 */
export function awsAuthMappingPlan(
  sim: Simulation,
  options: { title: string; groups: string[]; notes?: string },
): FixPlan | undefined {
  const p = sim.principal;
  const arn = p?.canonicalArn ?? entryPrincipalArn(sim);
  if (!p?.parsed || !arn) return undefined;
  const isRole = p.parsed.kind === 'role' || p.parsed.kind === 'assumed-role';
  const node = isRole ? nodeRoleOf(sim) : undefined;
  return {
    title: options.title,
    actions: [
      {
        kind: 'aws-auth-put-mapping',
        section: isRole ? 'mapRoles' : 'mapUsers',
        arn: isRole ? stripPath(arn) : arn,
        username: node ? nodeUsernameFor(node.type) : suggestedUsername(sim),
        groups: node ? nodeGroupsFor(node.type) : options.groups,
        replacesExisting: false,
      },
    ],
    yamlSnippet: true,
    ...(node
      ? {
          notes: `This is a node role (${node.why}): it is mapped as a node, with the node username and groups.`,
        }
      : options.notes
        ? { notes: options.notes }
        : {}),
  };
}

/** A non-empty, unreserved username for an aws-auth mapping of this principal. */
export function suggestedUsername(sim: Simulation): string {
  const p = sim.principal?.parsed;
  if (!p) return 'admin';
  if (p.kind === 'role' || p.kind === 'assumed-role') return `${p.name}:{{SessionName}}`;
  return p.name;
}
