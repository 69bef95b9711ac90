import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { nodeRoleOf } from '../src/eks/node-identity.js';
import { accessEntryPlan } from '../src/fix/plans.js';
import { describeRequest } from '../src/k8s/rbac.js';

/** FM-34: a STANDARD access entry with no policy and no groups authenticates but authorizes almost nothing. */
export default defineRule({
  id: 'access-entry-without-policy-or-groups',
  stage: 'authorization',
  precedence: 50,
  summary:
    'The access entry has no access policy and no Kubernetes groups, so only discovery is allowed (403).',
  requires: ['accessEntries'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html',
  ],
  messages: {
    empty: 'The access entry for {{arn}} has no access policy and no Kubernetes groups',
  },
  check({ sim }, report) {
    const entry = sim.mapping?.source === 'access-entry' ? sim.mapping.accessEntry?.entry : undefined;
    if (!entry || (entry.type ?? 'STANDARD').toUpperCase() !== 'STANDARD') return;
    if ((entry.associatedPolicies ?? []).length > 0 || (entry.kubernetesGroups ?? []).length > 0) return;
    // A node role's entry carries no policy by design: its fault is the STANDARD type
    // (node-role-wrong-entry-type-or-groups), and a policy would hand every node admin rights without making it a node.
    if (nodeRoleOf(sim)) return;
    const plan = accessEntryPlan(sim);
    report({
      messageId: 'empty',
      data: { arn: entry.principalArn },
      // An empty entry that still gets what it asked for (e.g. discovery) is only a latent risk.
      ...(sim.authorization?.allowed === false ? {} : { severity: 'warning' as const }),
      explanation:
        'The entry authenticates the principal (so the answer is 403, not 401), but authorization comes only from associated access policies ' +
        "and from RBAC bound to the entry's Kubernetes groups. With neither, the identity has just the discovery and self-review permissions every " +
        `authenticated user gets, so ${describeRequest(sim.request)} is forbidden.`,
      evidence: compact([mappingEvidence(sim, 'associatedPolicies: [], kubernetesGroups: []')]),
      fixes: compact([plan]),
      checks: [
        {
          title: 'List what is associated with the entry',
          commands: [
            {
              tool: 'aws',
              argv: [
                'aws',
                'eks',
                'list-associated-access-policies',
                '--cluster-name',
                sim.index.clusterName ?? '',
                '--principal-arn',
                entry.principalArn,
              ],
              text: `aws eks list-associated-access-policies --cluster-name ${sim.index.clusterName ?? ''} --principal-arn ${entry.principalArn}`,
            },
          ],
        },
      ],
    });
  },
});
