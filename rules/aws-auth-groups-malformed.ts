import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { intendedGroups } from '../src/eks/aws-auth-groups.js';
import { okData } from '../src/model/snapshot.js';
import { suggestedUsername } from '../src/fix/plans.js';
import { describeRequest } from '../src/k8s/rbac.js';

const SHAPES = {
  'not-a-list':
    'is a single string, not a YAML list, so the authenticator keeps the entry with no groups at all',
  'scalar-with-dashes':
    'has list items run together by indentation into one string, which the authenticator grants as one (meaningless) group name',
  'non-string-items': 'has items that are not strings, which the authenticator turns into empty group names',
} as const;

/** FM-41: the entry maps, but `groups` is malformed YAML, so the identity has wrong or no groups (403). */
export default defineRule({
  id: 'aws-auth-groups-malformed',
  stage: 'authorization',
  precedence: 75,
  summary:
    'The aws-auth entry matches, but its groups are malformed YAML (a string, or items run together), so the identity gets wrong or no groups.',
  requires: ['awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/blob/master/pkg/mapper/configmap/yaml_test.go',
  ],
  messages: {
    malformed:
      'The groups of aws-auth {{section}} entry {{arn}} are malformed: the identity gets [{{granted}}]',
  },
  check({ sim }, report) {
    const match = sim.mapping?.source === 'aws-auth' ? sim.mapping.awsAuth : undefined;
    const m = match?.mapping;
    if (!m?.groupsMalformed) return;
    const configMap = okData(sim.input.snapshot, 'awsAuth');
    const intended = intendedGroups(configMap, m);
    const granted = m.groups.map((g) => JSON.stringify(g)).join(', ');
    const username = m.username && !m.usernameNotString ? m.username : suggestedUsername(sim);
    report({
      messageId: 'malformed',
      data: { section: m.section, arn: m.arn, granted },
      explanation:
        `The ${m.section} entry for ${m.arn}${m.line ? ` (line ${m.line})` : ''} matches the caller, but its "groups" ${SHAPES[m.groupsMalformed]}. ` +
        `The principal therefore authenticates with groups [${granted}] instead of [${intended.join(', ')}]` +
        (sim.authorization?.allowed === false ? `, and ${describeRequest(sim.request)} is forbidden.` : '.') +
        ' Groups must be a YAML list with one item per line at the same indentation.',
      evidence: compact([mappingEvidence(sim, `groups ${m.groupsMalformed}: [${granted}]`)]),
      fixes: intended.length
        ? [
            {
              title: `Rewrite the entry with groups [${intended.join(', ')}]`,
              actions: [
                {
                  kind: 'aws-auth-put-mapping',
                  section: m.section,
                  arn: m.arn,
                  username,
                  groups: intended,
                  replacesExisting: true,
                },
              ],
              yamlSnippet: true,
              notes:
                'eksctl re-creates the entry with a proper list. Editing the ConfigMap by hand works too: one "- group" item per line under groups.',
            },
          ]
        : [],
    });
  },
});
