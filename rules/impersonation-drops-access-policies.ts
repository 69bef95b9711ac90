import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { accessPoliciesAllow } from '../src/eks/access-policies.js';
import type { FixPlan } from '../src/fix/actions.js';
import { canICommand } from '../src/fix/run-commands.js';
import { describeRequest } from '../src/k8s/rbac.js';
import { bindingName, clusterRoleAllowing } from '../src/k8s/role-suggest.js';

/** FM-40: requests made with --as / --as-group are authorized by RBAC only; access policies do not apply. */
export default defineRule({
  id: 'impersonation-drops-access-policies',
  stage: 'authorization',
  precedence: 80,
  summary:
    'The request impersonates (kubectl --as / --as-group), and impersonated requests are authorized by RBAC only: access policies do not count.',
  requires: ['accessEntries', 'rbac'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html',
    'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation',
  ],
  messages: {
    dropped: '{{policy}} would allow {{request}}, but access policies do not apply to impersonated requests',
    rbacOnly: 'Impersonated requests are authorized by RBAC only, and no RBAC rule allows {{request}}',
  },
  check({ sim, incident }, report) {
    if (sim.authorization?.policiesIgnored !== 'impersonation' || sim.authorization.allowed === true) return;
    const entry = sim.mapping?.accessEntry?.entry;
    const would = entry ? accessPoliciesAllow(entry.associatedPolicies ?? [], sim.request) : undefined;
    const policy = would?.allowedBy?.policyArn.split('/').pop();
    const request = describeRequest(sim.request);
    const identity = sim.identity;
    // The replay authorizes the identity it mapped, without its access policies; the error may name another user.
    const subject = identity?.username ?? '';
    const named = incident.username && incident.username !== subject ? incident.username : undefined;
    const role = clusterRoleAllowing(sim.index.rbac, sim.request);
    const ns = sim.request.isResourceRequest ? sim.request.namespace : '';
    const fixes: FixPlan[] = [
      {
        title: 'Run the command without --as / --as-group',
        actions: [],
        notes: 'Without impersonation the access policies of your own access entry apply again.',
      },
    ];
    if (role && subject && identity?.unknownParts.length === 0) {
      fixes.push({
        title: `Grant the impersonated user ${subject} through RBAC (ClusterRole ${role})`,
        actions: [
          {
            kind: 'create-rbac-binding',
            bindingKind: ns ? 'RoleBinding' : 'ClusterRoleBinding',
            name: bindingName('impersonated', subject.split('/').pop() ?? subject, role),
            ...(ns ? { namespace: ns } : {}),
            roleRef: { kind: 'ClusterRole', name: role },
            subject: { kind: 'User', name: subject },
          },
        ],
        notes: `Needed only when impersonation is the point (testing what that user may do).${named ? ` The error names user ${named}: bind that name instead if it is the impersonated user.` : ''}`,
      });
    }
    report({
      messageId: policy ? 'dropped' : 'rbacOnly',
      data: { policy: policy ?? '', request },
      explanation:
        'The request was sent with impersonation headers (kubectl --as / --as-group, or Impersonate-User). Kubernetes then authorizes it as the impersonated identity, ' +
        'and EKS access policies are not consulted for impersonated requests: only RBAC counts. ' +
        (policy
          ? `Without impersonation, ${policy} on the access entry would allow ${request}. `
          : `Neither the access policies nor RBAC would allow ${request} as it stands. `) +
        'Access-policy grants are also invisible to kubectl auth can-i --list.',
      evidence: compact([
        {
          source: 'incident',
          pointer: '/incident/logLines',
          note: 'impersonated request (fact impersonation)',
        },
        mappingEvidence(sim, policy ? `associated ${policy}` : undefined),
      ]),
      fixes,
      checks: [
        {
          title: 'What RBAC alone allows the impersonated identity',
          commands: [canICommand(sim.request, { user: subject })],
        },
      ],
    });
  },
});
