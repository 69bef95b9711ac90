import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { narrowestPolicyAllowing } from '../src/eks/access-policies.js';
import { entryPrincipalArn } from '../src/fix/plans.js';
import type { FixPlan } from '../src/fix/actions.js';
import { describeRequest } from '../src/k8s/rbac.js';

/** FM-37: a namespace-scoped association does not cover cluster-scoped requests or other namespaces. */
export default defineRule({
  id: 'namespace-scoped-policy-cluster-request',
  stage: 'authorization',
  precedence: 70,
  summary:
    'The access policy is scoped to namespaces that do not include this request (or the request is cluster-scoped).',
  requires: ['accessEntries'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html',
  ],
  messages: {
    clusterScope: '{{policy}} is scoped to namespaces [{{namespaces}}]; {{request}} is cluster-scoped',
    otherNamespace: '{{policy}} is scoped to namespaces [{{namespaces}}], which do not include {{namespace}}',
  },
  check({ sim }, report) {
    const blocked = sim.authorization?.policies?.blockedByScope ?? [];
    const first = blocked[0];
    const entry = sim.mapping?.accessEntry;
    if (!first || !entry || sim.authorization?.allowed !== false) return;
    const principalArn = entryPrincipalArn(sim) ?? entry.entry.principalArn;
    const policy = first.policyArn.split('/').pop() ?? first.policyArn;
    const ns = sim.request.namespace;
    const clusterScoped = !sim.request.isResourceRequest || !ns;
    const fixes: FixPlan[] = [];
    if (!clusterScoped && ns) {
      fixes.push({
        title: `Add namespace ${ns} to the ${policy} association`,
        actions: [
          {
            kind: 'associate-access-policy',
            principalArn,
            policyArn: first.policyArn,
            scope: { type: 'namespace', namespaces: [...first.namespaces, ns] },
          },
        ],
        notes: 'Re-associating a policy replaces its scope, so the command lists every namespace.',
      });
    } else {
      const narrow = narrowestPolicyAllowing(sim.request);
      if (narrow) {
        fixes.push({
          title: `Associate ${narrow.name} at cluster scope for cluster-wide requests`,
          actions: [
            {
              kind: 'associate-access-policy',
              principalArn,
              policyArn: narrow.arn,
              scope: { type: 'cluster' },
            },
          ],
          notes: `The namespace-scoped ${policy} association stays as it is.`,
        });
      }
    }
    report({
      messageId: clusterScoped ? 'clusterScope' : 'otherNamespace',
      data: {
        policy,
        namespaces: first.namespaces.join(', '),
        request: describeRequest(sim.request),
        namespace: ns ?? '',
      },
      explanation:
        `The rules of ${policy} would allow ${describeRequest(sim.request)}, but the association's accessScope is type=namespace with ` +
        `[${first.namespaces.join(', ')}]. A namespace scope covers only namespaced requests inside those namespaces (wildcards such as dev-* allowed, names not validated); ` +
        'cluster-scoped requests such as listing namespaces or nodes, "-A" listings and non-resource URLs are outside it.',
      evidence: compact([
        mappingEvidence(sim),
        {
          source: 'accessEntries',
          pointer: `${entry.pointer}/associatedPolicies/${first.index}/accessScope`,
          note: `type=namespace, namespaces [${first.namespaces.join(', ')}]`,
        },
      ]),
      fixes,
    });
  },
});
