import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence, noEntryEvidence } from '../src/engine/evidence.js';
import { findMapping } from '../src/eks/aws-auth.js';
import { entryActionsForMapping } from '../src/eks/migration.js';
import { nodeRoleOf } from '../src/eks/node-identity.js';
import { entryPrincipalArn, equivalentEntryPlan, nodeEntryPlan } from '../src/fix/plans.js';

/** FM-16: in API mode the aws-auth ConfigMap is never read, so a mapping there does nothing. */
export default defineRule({
  id: 'auth-mode-api-ignores-configmap',
  stage: 'mapping',
  precedence: 60,
  summary: 'The cluster is in API mode, which ignores aws-auth; the principal is only mapped there.',
  requires: ['cluster', 'awsAuth', 'accessEntries'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html#set-cam',
    'https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html',
  ],
  messages: {
    ignored: 'Authentication mode is API, so the aws-auth entry for {{arn}} is ignored',
  },
  check({ sim, incident }, report) {
    if (sim.index.authMode.mode !== 'API' || !sim.index.awsAuth || !sim.principal?.canonicalArn) return;
    if (sim.mapping?.source === 'access-entry') return;
    const match = findMapping(sim.index.awsAuth, sim.principal.canonicalArn);
    if (!match) return;
    const entry = match.mapping;
    // Equivalent means what the entry gave: its groups and username, system:masters as cluster admin, a node
    // role as a node entry; not the narrowest policy for the one failed request.
    const principalArn = entryPrincipalArn(sim) ?? entry.arn;
    const node = nodeRoleOf(sim, incident);
    const plan = node
      ? nodeEntryPlan(sim, node, { principalArn })
      : equivalentEntryPlan(sim, entry, entryActionsForMapping({ ...entry, arn: principalArn }), {
          title: 'Create the equivalent access entry',
        });
    report({
      messageId: 'ignored',
      data: { arn: entry.arn },
      explanation:
        `The cluster's authentication mode is API: EKS reads only access entries and never consults kube-system/aws-auth. ` +
        `The ${entry.section} entry for ${entry.arn} (groups [${entry.groups.join(', ')}]) therefore maps nothing, and with no access entry the caller gets 401. ` +
        'The mode cannot be switched back to a ConfigMap mode; the entry has to become an access entry. system:masters cannot be an access-entry group: use AmazonEKSClusterAdminPolicy instead.',
      evidence: compact([
        modeEvidence(sim),
        {
          source: 'awsAuth',
          pointer: entry.pointer,
          note: `${entry.section} entry ${entry.index} maps ${entry.arn}, ignored in API mode`,
        },
        noEntryEvidence(sim),
      ]),
      fixes: compact([plan]),
    });
  },
});
