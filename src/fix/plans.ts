/**
 * Fix plans shared by rules, so that two rules never build the same EKS fix differently.
 */
import { ACCESS_POLICY_ARN_PREFIX, narrowestPolicyAllowing } from '../eks/access-policies.js';
import type { Simulation } from '../simulate/simulate.js';
import type { AccessScopeInput, FixAction, FixPlan } from './actions.js';

export const CLUSTER_ADMIN_POLICY = `${ACCESS_POLICY_ARN_PREFIX}AmazonEKSClusterAdminPolicy`;

/** The ARN to give the EKS access-entry APIs: the IAM ARN with its path when IAM told us, else the canonical one. */
export function entryPrincipalArn(sim: Simulation): string | undefined {
  return sim.principal?.iam?.principal.arn ?? sim.principal?.canonicalArn;
}

/** A note when the principal is a role whose path we could not see (EKS needs the path-ful ARN). */
export function pathCaveat(sim: Simulation): string | undefined {
  const p = sim.principal;
  if (!p?.parsed || p.iam) return undefined;
  if (p.parsed.kind !== 'role' && p.parsed.kind !== 'assumed-role') return undefined;
  return `If role ${p.parsed.name} has an IAM path, use its full ARN: aws iam get-role --role-name ${p.parsed.name} --query Role.Arn.`;
}

/** The managed policy that fits what the principal was meant to have (system:masters ⇒ cluster admin). */
export function intendedPolicy(sim: Simulation): { policyArn: string; scope: AccessScopeInput } {
  const groups = sim.mapping?.groupTemplates ?? sim.identity?.groups ?? [];
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

/**
 * Grant through an access entry: switch the mode first when it is CONFIG_MAP, create the entry unless one exists,
 * and associate the policy.
 */
export function accessEntryPlan(
  sim: Simulation,
  options: { title?: string; policyArn?: string; scope?: AccessScopeInput; username?: string } = {},
): FixPlan | undefined {
  const principalArn = entryPrincipalArn(sim);
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
  const caveat = pathCaveat(sim);
  if (caveat) notes.push(caveat);
  notes.push(
    'EKS applies access entries within seconds (eventually consistent); retry once if the first call still fails.',
  );
  return {
    title: options.title ?? `Grant ${principalArn} an access entry with ${policyArn.split('/').pop()}`,
    actions,
    notes: notes.join(' '),
  };
}

/** A non-empty, unreserved username for an aws-auth mapping of this principal. */
export function suggestedUsername(sim: Simulation): string {
  const p = sim.principal?.parsed;
  if (!p) return 'admin';
  if (p.kind === 'role' || p.kind === 'assumed-role') return `${p.name}:{{SessionName}}`;
  return p.name;
}
