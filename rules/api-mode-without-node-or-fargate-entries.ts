import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence, noEntryEvidence } from '../src/engine/evidence.js';
import { findMapping } from '../src/eks/aws-auth.js';
import { awsAuthOnlyMappings, entryActionsForMapping } from '../src/eks/migration.js';
import {
  looksLikeNodeMapping,
  nodeCallerEvidence,
  nodeEntryType,
  nodeUsernameFor,
} from '../src/eks/node-identity.js';
import type { FixPlan } from '../src/fix/actions.js';
import { entryPrincipalArn } from '../src/fix/plans.js';
import { asRun } from '../src/fix/run-commands.js';
import { recentChangeSentence } from '../src/timeline/timeline.js';

const MODE_CHANGE = new Set(['UpdateClusterConfig', 'AwsAuthEdit']);
const SHOWN = 10;

/** FM-51: in API mode a node role that exists only in aws-auth maps nothing: kubelets get 401, nodes go NotReady. */
export default defineRule({
  id: 'api-mode-without-node-or-fargate-entries',
  stage: 'mapping',
  precedence: 65,
  summary:
    'The cluster is in API mode but the node (or Fargate) role is only in aws-auth: kubelets get 401 and nodes go NotReady.',
  requires: ['cluster', 'accessEntries', 'awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html',
  ],
  messages: {
    nodeRole: 'API mode ignores aws-auth, and node role {{arn}} has no {{type}} access entry',
  },
  check({ sim, incident, timeline, clusterName, region }, report) {
    if (sim.index.authMode.mode !== 'API' || !sim.principal?.canonicalArn || !sim.index.awsAuth) return;
    if (sim.mapping?.source === 'access-entry') return;
    const match = findMapping(sim.index.awsAuth, sim.principal.canonicalArn);
    const why = nodeCallerEvidence(sim, incident);
    if (!match || !(why || looksLikeNodeMapping(match.mapping))) return;
    const m = match.mapping;
    // The username and session tell hybrid nodes (system:node:{{SessionName}}, mi- sessions) from EC2 ones.
    const type = nodeEntryType(m.groups, { username: m.username, sessionName: sim.principal.sessionName });
    const an = /^[AEIOU]/.test(type) ? 'an' : 'a';
    const principalArn = entryPrincipalArn(sim) ?? m.arn;
    const others = awsAuthOnlyMappings(sim.index)
      .filter((o) => o !== m && o.section === 'mapRoles' && looksLikeNodeMapping(o))
      .slice(0, SHOWN);
    const fixes: FixPlan[] = [
      {
        title: `Create ${an} ${type} access entry for ${principalArn}`,
        actions: [{ kind: 'create-access-entry', principalArn, type }],
        notes: `The entry type gives username ${nodeUsernameFor(type)} and group system:nodes (do not add groups or policies). The caller needs iam:PassRole on the node role. Nodes recover once the kubelet retries.`,
      },
    ];
    if (others.length) {
      fixes.push({
        title: `Also: ${others.length} other node role(s) exist only in aws-auth`,
        actions: others
          .flatMap((o) => entryActionsForMapping(o))
          .flatMap((a) => asRun(a, { clusterName, region })),
        notes:
          'Managed node groups and Fargate profiles get entries automatically; self-managed nodes do not.',
      });
    }
    const change = recentChangeSentence(timeline, sim.input.now, MODE_CHANGE);
    report({
      messageId: 'nodeRole',
      data: { arn: principalArn, type },
      explanation:
        `The caller is a node (${why ?? `its aws-auth entry is a node mapping (${m.username ?? 'no username'})`}). ` +
        `In API mode EKS reads only access entries; the ${m.section} entry for ${m.arn} in aws-auth is ignored, so the kubelet's token maps to nothing and every call ` +
        '(node registration, "Failed to list *v1.Service: Unauthorized") gets 401. EKS creates entries automatically for managed node groups and Fargate profiles, ' +
        `but self-managed nodes need ${an} ${type} entry before the switch to API.` +
        (change ? ` ${change}` : ''),
      evidence: compact([
        modeEvidence(sim),
        {
          source: 'awsAuth',
          pointer: m.pointer,
          note: `${m.section} entry ${m.index} maps ${m.arn} as ${m.username ?? '(no username)'} — ignored in API mode`,
        },
        noEntryEvidence(sim),
      ]),
      fixes,
    });
  },
});
