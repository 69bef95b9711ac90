import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import type { FixPlan } from '../src/fix/actions.js';
import { describeRequest, policyRulesAllow } from '../src/k8s/rbac.js';

const USER_FACING_ROLES = ['view', 'edit', 'admin', 'cluster-admin'];

/** FM-35: groups set on an access entry or in aws-auth grant nothing until RBAC binds them. */
export default defineRule({
  id: 'kubernetes-groups-without-rbac-binding',
  stage: 'authorization',
  precedence: 40,
  summary: "The principal's Kubernetes groups are not bound by RBAC to a role that allows the request.",
  requires: ['rbac'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/',
  ],
  messages: {
    unbound: 'No RBAC binding references group {{group}}, so it grants nothing',
    insufficient: 'Group {{group}} is bound, but its roles do not allow {{request}}',
  },
  check({ sim }, report) {
    if (sim.authorization?.allowed !== false || !sim.index.rbacCollected) return;
    const groups = (sim.identity?.groups ?? []).filter((g) => !g.startsWith('system:'));
    if (groups.length === 0) return;
    const unbound = groups.filter((g) => sim.index.rbac.bindingsForGroup(g).length === 0);
    const group = unbound[0] ?? groups[0] ?? '';
    const bindings = sim.index.rbac.bindingsForGroup(group);
    const ns = sim.request.isResourceRequest ? sim.request.namespace : '';
    const role = USER_FACING_ROLES.find((name) => {
      const rules = sim.index.rbac.rulesOf({ kind: 'ClusterRole', name });
      return rules !== undefined && policyRulesAllow(rules, sim.request);
    });
    const fixes: FixPlan[] = [];
    if (role) {
      fixes.push({
        title: ns
          ? `Bind ${group} to ClusterRole ${role} in namespace ${ns}`
          : `Bind ${group} to ClusterRole ${role}`,
        actions: [
          {
            kind: 'create-rbac-binding',
            bindingKind: ns ? 'RoleBinding' : 'ClusterRoleBinding',
            name: `${group.replace(/[^a-z0-9.-]/gi, '-').toLowerCase()}-${role}`,
            ...(ns ? { namespace: ns } : {}),
            roleRef: { kind: 'ClusterRole', name: role },
            subject: { kind: 'Group', name: group },
          },
        ],
        notes: 'Run it as a cluster administrator. Group names are exact, case-sensitive strings.',
      });
    }
    report({
      messageId: unbound.length ? 'unbound' : 'insufficient',
      data: { group, request: describeRequest(sim.request) },
      explanation:
        `The principal authenticates with groups [${sim.identity?.groups.join(', ')}]. EKS does not check that RBAC objects reference the groups ` +
        'set on an access entry or in aws-auth: a group only grants what a RoleBinding or ClusterRoleBinding with subject kind Group and that exact name grants. ' +
        (unbound.length
          ? `No binding names ${group}.`
          : `The bindings of ${group} (${bindings.map((b) => `${b.kind} ${b.name} → ${b.roleRef.name}`).join(', ')}) do not allow ${describeRequest(sim.request)}.`),
      evidence: compact([
        mappingEvidence(sim, `groups [${sim.mapping?.groupTemplates.join(', ') ?? ''}]`),
        {
          source: 'rbac',
          pointer: '/rbac/data',
          note: unbound.length ? `no binding with subject Group ${group}` : `bindings of ${group} checked`,
        },
        ...bindings.slice(0, 3).map((b) => ({
          source: 'rbac',
          pointer: b.pointer,
          note: `${b.kind} ${b.name} → ${b.roleRef.kind} ${b.roleRef.name}`,
        })),
      ]),
      fixes,
    });
  },
});
