import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { narrowestPolicyAllowing } from '../src/eks/access-policies.js';
import type { FixPlan } from '../src/fix/actions.js';
import { accessEntryPlan, entryPrincipalArn } from '../src/fix/plans.js';
import { canICommand } from '../src/fix/run-commands.js';
import { aggregatedTarget } from '../src/k8s/aggregated.js';
import { describeRequest } from '../src/k8s/rbac.js';
import { bindingName, clusterRoleAllowing, USER_FACING_CLUSTER_ROLES } from '../src/k8s/role-suggest.js';

/** ClusterRoles that commonly grant the metrics groups (metrics-server installs the first); never cluster-admin. */
const METRICS_ROLES = [
  'system:aggregated-metrics-reader',
  ...USER_FACING_CLUSTER_ROLES.filter((r) => r !== 'cluster-admin'),
];

/** FM-47: authenticated, but no access policy or RBAC rule covers the aggregated API group (metrics). */
export default defineRule({
  id: 'aggregated-api-permission-missing',
  stage: 'authorization',
  precedence: 75,
  summary:
    'The caller may not use an aggregated API group such as metrics.eks.amazonaws.com or metrics.k8s.io: only AdminView/ClusterAdmin policies or explicit RBAC cover it.',
  requires: ['apiServices', 'accessEntries', 'rbac'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/view-raw-metrics.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html',
  ],
  messages: {
    missing: 'No access policy or RBAC rule allows {{request}} on the aggregated API {{groupVersion}}',
    undecided: '{{request}} on the aggregated API {{groupVersion}} may be missing from RBAC (not collected)',
  },
  check({ sim }, report) {
    if (sim.authorization?.allowed === true || !sim.authorization || !sim.identity) return;
    const target = aggregatedTarget(sim.input.snapshot, sim.request);
    if (!target) return;
    const groupVersion = `${target.group}/${target.version}`;
    const request = describeRequest(sim.request);
    const undecided = sim.authorization.allowed === undefined;
    const entry = sim.mapping?.source === 'access-entry' ? sim.mapping.accessEntry?.entry : undefined;
    const policy = narrowestPolicyAllowing(sim.request);
    const fixes: FixPlan[] = [];
    const principalArn = entryPrincipalArn(sim);
    if (entry && policy && principalArn) {
      fixes.push({
        title: `Associate ${policy.name} at cluster scope`,
        actions: [
          {
            kind: 'associate-access-policy',
            principalArn,
            policyArn: policy.arn,
            scope: { type: 'cluster' },
          },
        ],
        notes: `${policy.name} is the narrowest managed policy that includes ${target.group}; View, Edit and Admin never do.`,
      });
    } else if (!entry && policy) {
      const plan = accessEntryPlan(sim, {
        title: `Give the principal an access entry with ${policy.name}`,
        policyArn: policy.arn,
        scope: { type: 'cluster' },
      });
      if (plan) {
        const groups = (sim.mapping?.groupTemplates ?? []).filter((g) => !g.startsWith('system:'));
        plan.notes = [
          plan.notes,
          `An access entry takes precedence over aws-auth for this principal${groups.length ? `: add its groups (${groups.join(', ')}) with aws eks update-access-entry --kubernetes-groups so its RBAC keeps applying` : ''}.`,
        ].join(' ');
        fixes.push(plan);
      }
    }
    const role = clusterRoleAllowing(sim.index.rbac, sim.request, METRICS_ROLES);
    // Groups only: a binding to a session-specific username would break with the next session.
    const group = sim.identity.groups.find((g) => !g.startsWith('system:'));
    if (role && group) {
      fixes.push({
        title: `Or bind group ${group} to ClusterRole ${role}`,
        actions: [
          {
            kind: 'create-rbac-binding',
            bindingKind: 'ClusterRoleBinding',
            name: bindingName(group, role),
            roleRef: { kind: 'ClusterRole', name: role },
            subject: { kind: 'Group', name: group },
          },
        ],
        notes: 'Run it as a cluster administrator.',
      });
    }
    report({
      messageId: undecided ? 'undecided' : 'missing',
      data: { request, groupVersion },
      ...(undecided ? { severity: 'info' as const } : {}),
      explanation:
        `${groupVersion} is an aggregated API${target.apiService ? ` (APIService ${target.apiService.name} → Service ${target.apiService.service})` : ''}; ` +
        `kube-apiserver authorizes the request before proxying it, and nothing allows ${request}. ` +
        'Among the access policies only AmazonEKSAdminViewPolicy (read) and AmazonEKSClusterAdminPolicy include every API group; View, Edit and Admin never cover ' +
        'metrics.eks.amazonaws.com (control-plane metrics: get on kcm/metrics and ksh/metrics) or metrics.k8s.io (kubectl top). ' +
        (fixes.length === 0
          ? `For a scraper or workload, add a ClusterRole rule {apiGroups: [${target.group}], resources: [kcm/metrics, ksh/metrics], verbs: [get]} (or the resources it reads) and bind it.`
          : ''),
      evidence: compact([
        mappingEvidence(sim),
        target.apiService
          ? {
              source: 'apiServices',
              pointer: target.apiService.pointer,
              note: `${target.apiService.name} is served by ${target.apiService.service}`,
            }
          : undefined,
      ]),
      fixes,
      checks: [
        { title: 'Ask the API server, as the failing principal', commands: [canICommand(sim.request)] },
      ],
    });
  },
});
