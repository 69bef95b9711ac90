import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence, modeEvidence } from '../src/engine/evidence.js';
import { findMapping } from '../src/eks/aws-auth.js';
import { accessEntryPlan, CLUSTER_ADMIN_POLICY, entryPrincipalArn } from '../src/fix/plans.js';
import type { FixPlan } from '../src/fix/actions.js';

/** FM-18: in API_AND_CONFIG_MAP an access entry overrides the principal's aws-auth entry entirely. */
export default defineRule({
  id: 'access-entry-shadows-configmap',
  stage: 'authorization',
  precedence: 60,
  summary:
    'An access entry for the principal overrides its aws-auth mapping, dropping the groups it had there.',
  requires: ['cluster', 'accessEntries', 'awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html',
    'https://github.com/aws/containers-roadmap/issues/185',
  ],
  messages: {
    shadowed:
      'The access entry for {{arn}} overrides its aws-auth mapping (groups [{{groups}}] no longer apply)',
  },
  check({ sim, timeline }, report) {
    const m = sim.mapping;
    if (
      m?.source !== 'access-entry' ||
      !m.accessEntry ||
      !sim.index.awsAuth ||
      !sim.principal?.canonicalArn
    ) {
      return;
    }
    const match = findMapping(sim.index.awsAuth, sim.principal.canonicalArn);
    if (!match) return;
    const awsAuthGroups = match.mapping.groups;
    const entry = m.accessEntry.entry;
    const lost = awsAuthGroups.filter((g) => !(entry.kubernetesGroups ?? []).includes(g));
    // Only a cause when the request is denied; an entry that grants enough on its own is a deliberate migration.
    if (lost.length === 0 || sim.authorization?.allowed !== false) return;
    const principalArn = entryPrincipalArn(sim) ?? entry.principalArn;
    const created = timeline.find((t) => t.event === 'CreateAccessEntry');
    const nonSystem = awsAuthGroups.filter((g) => !g.startsWith('system:'));
    const fixes: FixPlan[] = [];
    if (awsAuthGroups.includes('system:masters')) {
      const plan = accessEntryPlan(sim, {
        title: 'Give the access entry what system:masters gave: AmazonEKSClusterAdminPolicy',
        policyArn: CLUSTER_ADMIN_POLICY,
        scope: { type: 'cluster' },
      });
      if (plan) fixes.push(plan);
    } else if (nonSystem.length) {
      fixes.push({
        title: `Put the aws-auth groups on the access entry: ${nonSystem.join(', ')}`,
        actions: [
          {
            kind: 'update-access-entry',
            principalArn,
            kubernetesGroups: [...new Set([...(entry.kubernetesGroups ?? []), ...nonSystem])],
          },
        ],
        notes: 'update-access-entry replaces the whole group list.',
      });
    }
    fixes.push({
      title: 'Or delete the access entry so aws-auth applies again',
      actions: [{ kind: 'delete-access-entry', principalArn }],
      notes: 'Check first who created it (IaC such as Terraform or eksctl may re-create it).',
    });
    report({
      messageId: 'shadowed',
      data: { arn: match.mapping.arn, groups: awsAuthGroups.join(', ') },
      explanation:
        'In API_AND_CONFIG_MAP mode EKS looks up access entries first; when one matches, the aws-auth entry for the same principal is not consulted at all. ' +
        `The access entry gives username "${sim.identity?.username ?? ''}" and groups [${(entry.kubernetesGroups ?? []).join(', ')}] with ` +
        `${(entry.associatedPolicies ?? []).length} access polic${(entry.associatedPolicies ?? []).length === 1 ? 'y' : 'ies'}, ` +
        `so the aws-auth groups [${awsAuthGroups.join(', ')}] are lost` +
        (created
          ? ` since ${created.detail} at ${created.time}${created.actor ? ` by ${created.actor}` : ''}.`
          : '.'),
      evidence: compact([
        mappingEvidence(sim),
        {
          source: 'awsAuth',
          pointer: match.mapping.pointer,
          note: `${match.mapping.section} entry ${match.mapping.index}: groups [${awsAuthGroups.join(', ')}], shadowed`,
        },
        modeEvidence(sim),
        created?.pointer
          ? { source: 'cloudTrail', pointer: created.pointer, note: created.detail }
          : undefined,
      ]),
      fixes,
    });
  },
});
