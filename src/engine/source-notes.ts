/** Says what could not be seen, and which permission would reveal it (DESIGN §1: one failing source never stops a diagnosis). */
import type { Snapshot, SourceName } from '../model/snapshot.js';
import type { Simulation } from '../simulate/simulate.js';

const WHAT_IT_DECIDES: Record<SourceName, string> = {
  cluster: 'the authentication mode and platform version',
  accessEntries: 'whether an access entry maps the principal and which policies it has',
  awsAuth: 'the aws-auth mappings (username, groups)',
  iamPrincipals: 'whether the principal was recreated after its access entry (unique id)',
  callerIdentity: 'who collected the evidence',
  rbac: 'which RBAC bindings grant the request',
  apiServices: 'whether the path is served by an aggregated API',
  whoami: 'the identity the API server resolved',
  cloudTrail: 'what changed and when (timeline)',
  authenticatorLogs: "the authenticator's own reason for a denial",
  auditEvents: 'what the API server decided for the request',
  token: 'whether the token itself is valid',
  kubeconfig: 'which identity and cluster the client uses',
};

const DEFAULT_PERMISSION: Partial<Record<SourceName, string>> = {
  cluster: 'eks:DescribeCluster',
  accessEntries: 'eks:ListAccessEntries, eks:DescribeAccessEntry, eks:ListAssociatedAccessPolicies',
  awsAuth: 'Kubernetes get configmaps/aws-auth in kube-system',
  iamPrincipals: 'iam:GetRole / iam:GetUser',
  rbac: 'Kubernetes list roles, rolebindings, clusterroles, clusterrolebindings',
  apiServices: 'Kubernetes list apiservices.apiregistration.k8s.io',
  cloudTrail: 'cloudtrail:LookupEvents',
  authenticatorLogs: 'logs:FilterLogEvents on /aws/eks/<cluster>/cluster',
  auditEvents: 'logs:FilterLogEvents on /aws/eks/<cluster>/cluster',
};

/** Sources whose absence matters for this request. */
function relevant(sim: Simulation): SourceName[] {
  const list: SourceName[] = ['cluster', 'accessEntries', 'awsAuth', 'iamPrincipals'];
  if (sim.identity) list.push('rbac', 'apiServices');
  return list;
}

export function sourceNotes(snapshot: Snapshot, sim: Simulation): string[] {
  const notes: string[] = [];
  for (const name of relevant(sim)) {
    const ev = snapshot[name];
    const decides = WHAT_IT_DECIDES[name];
    if (!ev || ev.status === 'absent') {
      const perm = DEFAULT_PERMISSION[name];
      notes.push(`${name} not collected: it would show ${decides}${perm ? ` (needs ${perm})` : ''}.`);
    } else if (ev.status === 'denied') {
      notes.push(`${name} denied: it would show ${decides}; grant ${ev.permission}.`);
    } else if (ev.status === 'error') {
      notes.push(`${name} failed (${ev.message}): it would show ${decides}.`);
    }
  }
  return notes;
}
