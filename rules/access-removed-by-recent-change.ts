import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence, noEntryEvidence } from '../src/engine/evidence.js';
import { findMapping } from '../src/eks/aws-auth.js';
import { entryActionsForMapping } from '../src/eks/migration.js';
import { nodeCallerEvidence } from '../src/eks/node-identity.js';
import type { FixAction, FixPlan } from '../src/fix/actions.js';
import { accessEntryPlan, entryPrincipalArn, pathCaveat } from '../src/fix/plans.js';
import type { TimelineEvent } from '../src/model/report.js';
import { entryHistory } from '../src/timeline/history.js';
import {
  changesBeforeFailure,
  describeChange,
  recentChangeSentence,
  trailParams,
} from '../src/timeline/timeline.js';

const MAPPING_CHANGES = new Set(['DeleteAccessEntry', 'UpdateClusterConfig', 'AwsAuthEdit']);

/**
 * Timeline: the principal's mapping worked, then a change took it away (its access entry deleted, the mode switched
 * to API while it was only in aws-auth, aws-auth edited): "access worked until DeleteAccessEntry at 09:12 by ...".
 */
export default defineRule({
  id: 'access-removed-by-recent-change',
  stage: 'mapping',
  precedence: 15,
  summary:
    "A change shortly before the failure removed the principal's mapping: its access entry was deleted, the mode switched to API, or aws-auth was edited.",
  requires: ['cloudTrail', 'auditEvents', 'accessEntries', 'awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/logging-using-cloudtrail.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html',
  ],
  messages: {
    deleted: 'The access entry was deleted by {{change}}',
    modeSwitched: 'The switch to API mode by {{change}} dropped the aws-auth mapping',
    awsAuthEdited: 'aws-auth was edited ({{change}}) and no longer maps the principal',
  },
  check({ sim, incident, timeline }, report) {
    const p = sim.principal;
    if (!p?.canonicalArn || sim.mapping || sim.failingStage !== 'mapping') return;
    const mode = sim.index.authMode.mode;
    const awsAuthMatch = sim.index.awsAuth ? findMapping(sim.index.awsAuth, p.canonicalArn) : undefined;
    const applies = (e: TimelineEvent): boolean => {
      if (e.event === 'DeleteAccessEntry') return mode !== 'CONFIG_MAP' && !sim.accessEntryCandidate;
      if (e.event === 'UpdateClusterConfig') {
        const params = trailParams(sim.input.snapshot, e);
        const config = params?.accessConfig as { authenticationMode?: unknown } | undefined;
        return mode === 'API' && config?.authenticationMode === 'API' && awsAuthMatch !== undefined;
      }
      return e.event === 'AwsAuthEdit' && mode !== 'API' && awsAuthMatch === undefined;
    };
    const change = changesBeforeFailure(timeline, sim.input.now, MAPPING_CHANGES).find(applies);
    if (!change) return;
    const principalArn = entryPrincipalArn(sim) ?? p.canonicalArn;
    const fixes: FixPlan[] = [];
    let messageId: 'deleted' | 'modeSwitched' | 'awsAuthEdited';
    if (change.event === 'DeleteAccessEntry') {
      messageId = 'deleted';
      const before = entryHistory(sim.input.snapshot, timeline, principalArn, change.time);
      if (before.type || before.policies.size || before.kubernetesGroups?.length) {
        const type = before.type ?? 'STANDARD';
        const actions: FixAction[] = [
          {
            kind: 'create-access-entry',
            principalArn,
            type,
            ...(before.username ? { username: before.username } : {}),
            ...(before.kubernetesGroups?.length ? { kubernetesGroups: before.kubernetesGroups } : {}),
          },
          ...[...before.policies].map(([policyArn, scope]): FixAction => ({
            kind: 'associate-access-policy',
            principalArn,
            policyArn,
            scope,
          })),
        ];
        fixes.push({
          title: 'Re-create the access entry as it was before the deletion',
          actions,
          notes: [
            'Rebuilt from the CloudTrail calls that created and configured the entry.',
            pathCaveat(sim),
            'If the deletion was intended, grant this principal access some other way instead.',
          ]
            .filter(Boolean)
            .join(' '),
        });
      } else {
        const plan = accessEntryPlan(sim, {
          title: 'Re-create an access entry (its earlier settings are not in the timeline)',
        });
        if (plan) fixes.push(plan);
      }
    } else if (change.event === 'UpdateClusterConfig') {
      messageId = 'modeSwitched';
      const m = awsAuthMatch?.mapping;
      if (m) {
        fixes.push({
          title: 'Give the aws-auth mapping an equivalent access entry',
          actions: entryActionsForMapping({ ...m, arn: principalArn }),
          notes: `Converted from the ${m.section} entry (groups [${m.groups.join(', ')}]). The mode cannot go back to API_AND_CONFIG_MAP.`,
        });
      }
    } else {
      messageId = 'awsAuthEdited';
      const plan = accessEntryPlan(sim, {
        title: 'Grant access with an access entry (independent of aws-auth edits)',
      });
      if (plan) fixes.push(plan);
      fixes.push({
        title: 'Or restore the removed aws-auth mapping',
        actions: [],
        notes:
          'Take the previous version of kube-system/aws-auth from your GitOps history or backups (audit events at Metadata level do not keep the body) and re-apply the entry for this principal.',
      });
    }
    const sentence =
      recentChangeSentence(timeline, sim.input.now, new Set([change.event])) ?? describeChange(change);
    const node = nodeCallerEvidence(sim, incident);
    report({
      messageId,
      data: { change: describeChange(change) },
      explanation:
        `${sentence} ` +
        (messageId === 'deleted'
          ? `With its access entry gone, ${p.canonicalArn} maps to nothing${awsAuthMatch ? '' : ' (aws-auth has no entry for it either)'}, so every request is 401.`
          : messageId === 'modeSwitched'
            ? `In API mode EKS reads only access entries, so the aws-auth entry that mapped ${p.canonicalArn} stopped counting and every request is 401.`
            : `After the edit kube-system/aws-auth has no entry for ${p.canonicalArn}, so every request is 401.`) +
        (node ? ` The caller is a node (${node}): node roles need EC2_LINUX/EC2_WINDOWS entries.` : ''),
      evidence: compact([
        {
          source: change.source,
          pointer: change.pointer ?? '',
          note: `${describeChange(change)}: ${change.detail}`,
        },
        noEntryEvidence(sim),
        modeEvidence(sim),
      ]),
      fixes,
    });
  },
});
