import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import {
  nodeCallerEvidence,
  nodeEntryType,
  nodeGroupsFor,
  nodeMappingDefects,
  nodeRoleOf,
  nodeUsernameFor,
} from '../src/eks/node-identity.js';
import { entryPrincipalArn, nodeEntryPlan } from '../src/fix/plans.js';
import { describeRequest } from '../src/k8s/rbac.js';

/** FM-53: the node role maps, but as a STANDARD entry or with aws-auth groups that are not the node groups. */
export default defineRule({
  id: 'node-role-wrong-entry-type-or-groups',
  stage: 'authorization',
  precedence: 72,
  summary:
    'The node role authenticates but not as a node: a STANDARD access entry, or an aws-auth entry without system:nodes / the system:node username (403 for kubelets).',
  requires: ['accessEntries', 'awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/windows-support.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
  ],
  messages: {
    standardEntry: 'Node role {{arn}} has a STANDARD access entry, which never grants node permissions',
    awsAuth: 'The aws-auth entry of node role {{arn}} is not a node mapping: {{defects}}',
  },
  check({ sim, incident }, report) {
    if (sim.authorization?.allowed !== false || !sim.mapping) return;
    const why = nodeCallerEvidence(sim, incident);
    if (!why) return;
    const request = describeRequest(sim.request);
    if (sim.mapping.source === 'access-entry') {
      const e = sim.mapping.accessEntry?.entry;
      if (!e || (e.type ?? 'STANDARD').toUpperCase() !== 'STANDARD') return;
      const principalArn = entryPrincipalArn(sim) ?? e.principalArn;
      const node = nodeRoleOf(sim, incident) ?? { type: 'EC2_LINUX', why };
      const plan = nodeEntryPlan(sim, node, { principalArn });
      report({
        messageId: 'standardEntry',
        data: { arn: principalArn },
        explanation:
          `The caller is a node (${why}), but its access entry has type STANDARD: it authenticates as ${sim.identity?.username ?? 'the role ARN'} with ` +
          `groups [${sim.identity?.groups.join(', ') ?? ''}], not as system:node:<name> in system:nodes, so ${request} is forbidden. ` +
          'system:nodes cannot be added to an entry (system: groups are rejected) and the type cannot be changed after creation.',
        evidence: compact([mappingEvidence(sim, `type ${e.type ?? 'STANDARD'}`)]),
        fixes: plan ? [plan] : [],
      });
      return;
    }
    const m = sim.mapping.awsAuth?.mapping;
    if (!m || m.section !== 'mapRoles') return;
    const type = nodeEntryType(m.groups, { username: m.username, sessionName: sim.principal?.sessionName });
    const defects = nodeMappingDefects(m, type);
    if (defects.length === 0 || m.groupsMalformed) return; // malformed YAML is aws-auth-groups-malformed
    const groups = [...new Set([...nodeGroupsFor(type), ...m.groups.filter((g) => g !== '')])];
    report({
      messageId: 'awsAuth',
      data: { arn: m.arn, defects: defects.join('; ') },
      explanation:
        `The caller is a node (${why}) and aws-auth maps it, but ${defects.join(' and ')}. A kubelet is authorized by the Node authorizer only as user ` +
        `system:node:<name> in group system:nodes, so ${request} is forbidden.` +
        (type === 'EC2_WINDOWS'
          ? ' Windows nodes also need eks:kube-proxy-windows for kube-proxy and DNS.'
          : ''),
      evidence: compact([
        mappingEvidence(sim, `username ${m.username ?? '(none)'}, groups [${m.groups.join(', ')}]`),
      ]),
      fixes: [
        {
          title: 'Rewrite the node mapping',
          actions: [
            {
              kind: 'aws-auth-put-mapping',
              section: 'mapRoles',
              arn: m.arn,
              username: nodeUsernameFor(type),
              groups,
              replacesExisting: true,
            },
          ],
          yamlSnippet: true,
          notes:
            type === 'EC2_WINDOWS'
              ? 'Windows nodes need eks:kube-proxy-windows as well (kept above).'
              : 'Windows nodes: add eks:kube-proxy-windows to the groups.',
        },
      ],
    });
  },
});
