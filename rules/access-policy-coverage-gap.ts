import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { accessPolicyByName, narrowestPolicyAllowing } from '../src/eks/access-policies.js';
import type { AccessScopeInput } from '../src/fix/actions.js';
import { entryPrincipalArn } from '../src/fix/plans.js';
import { canICommand } from '../src/fix/run-commands.js';
import { aggregatedTarget } from '../src/k8s/aggregated.js';
import { describeRequest } from '../src/k8s/rbac.js';
import { recentChangeSentence } from '../src/timeline/timeline.js';

const POLICY_CHANGES = new Set(['DisassociateAccessPolicy', 'AssociateAccessPolicy', 'UpdateAccessEntry']);

/** FM-38: the associated access policies are fixed rule sets that simply do not include this resource or verb. */
export default defineRule({
  id: 'access-policy-coverage-gap',
  stage: 'authorization',
  precedence: 60,
  summary:
    "The principal's access policies apply here but none of them includes this resource and verb (e.g. nodes, secrets, CRDs under View/Edit/Admin).",
  requires: ['accessEntries', 'rbac'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html',
  ],
  messages: {
    gap: '{{policies}} does not allow {{request}}',
    undecided: '{{policies}} may not allow {{request}}; eksdoctor cannot evaluate every associated policy',
  },
  check({ sim, timeline }, report) {
    const decision = sim.authorization?.policies;
    const entry = sim.mapping?.source === 'access-entry' ? sim.mapping.accessEntry : undefined;
    if (!decision || !entry || sim.authorization?.allowed === true) return;
    const associated = entry.entry.associatedPolicies ?? [];
    if (associated.length === 0 || decision.blockedByScope.length > 0) return;
    if (aggregatedTarget(sim.input.snapshot, sim.request)) return; // aggregated-api-permission-missing
    const names = associated.map((p) => p.policyArn.split('/').pop() ?? p.policyArn);
    const request = describeRequest(sim.request);
    const principalArn = entryPrincipalArn(sim) ?? entry.entry.principalArn;
    const suggestion = narrowestPolicyAllowing(sim.request);
    const ns = sim.request.isResourceRequest ? sim.request.namespace : '';
    // Least privilege: a namespaced request gets the extra policy in its namespace only.
    const scope: AccessScopeInput =
      ns && suggestion?.name !== 'AmazonEKSClusterAdminPolicy'
        ? { type: 'namespace', namespaces: [ns] }
        : { type: 'cluster' };
    const undecided = decision.unknownPolicies.length > 0 || sim.authorization?.allowed === undefined;
    const covers = names
      .map((n) => {
        const summary = accessPolicyByName(n)?.summary;
        return summary ? `${n}: ${summary}` : undefined;
      })
      .filter(Boolean)
      .slice(0, 2)
      .join(' ');
    const change = recentChangeSentence(timeline, sim.input.now, POLICY_CHANGES);
    report({
      messageId: undecided ? 'undecided' : 'gap',
      data: { policies: names.join(' + '), request },
      ...(undecided ? { severity: 'info' as const } : {}),
      explanation:
        `The access entry has ${names.join(', ')}, and the scope covers this request, but the policies' rules do not include ${request}. ` +
        'Access policies are fixed, AWS-managed rule sets that cannot be extended: View, Edit and Admin have no nodes and no custom resources (CRDs), ' +
        'View has no secrets, and only AmazonEKSAdminViewPolicy and AmazonEKSClusterAdminPolicy reach every API group. ' +
        (covers ? `${covers} ` : '') +
        (decision.unknownPolicies.length
          ? `eksdoctor cannot evaluate ${decision.unknownPolicies.join(', ')}, so it may still allow the request. `
          : '') +
        (change ? `${change} ` : '') +
        'No RBAC binding of the identity allows it either.',
      evidence: compact([
        mappingEvidence(sim, `associated policies: ${names.join(', ')}`),
        ...associated.slice(0, 3).map((p, i) => ({
          source: 'accessEntries',
          pointer: `${entry.pointer}/associatedPolicies/${i}`,
          note: `${p.policyArn.split('/').pop() ?? ''} (${p.accessScope.type}${p.accessScope.namespaces?.length ? `: ${p.accessScope.namespaces.join(', ')}` : ''})`,
        })),
      ]),
      fixes: suggestion
        ? [
            {
              title: `Associate ${suggestion.name}${scope.type === 'namespace' ? ` in namespace ${ns}` : ' at cluster scope'}`,
              actions: [{ kind: 'associate-access-policy', principalArn, policyArn: suggestion.arn, scope }],
              notes: `${suggestion.name} is the narrowest managed policy that allows ${request}; policies add up, the existing associations stay. For anything narrower, add a Kubernetes group to the entry and bind it with RBAC.`,
            },
          ]
        : [],
      checks: [
        {
          title: 'Ask the API server, as the failing principal',
          commands: [canICommand(sim.request)],
        },
      ],
    });
  },
});
