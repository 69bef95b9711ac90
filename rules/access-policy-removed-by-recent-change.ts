import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { accessPolicyByName } from '../src/eks/access-policies.js';
import type { FixPlan } from '../src/fix/actions.js';
import { entryPrincipalArn } from '../src/fix/plans.js';
import { describeRequest, policyRulesAllow } from '../src/k8s/rbac.js';
import { bindingWouldAllow } from '../src/k8s/role-suggest.js';
import type { TimelineEvent } from '../src/model/report.js';
import { entryHistory } from '../src/timeline/history.js';
import {
  changesBeforeFailure,
  describeChange,
  recentChangeSentence,
  trailParams,
} from '../src/timeline/timeline.js';

const AUTHZ_CHANGES = new Set(['DisassociateAccessPolicy', 'UpdateAccessEntry']);

/**
 * Timeline: the principal's entry still maps it, but a change shortly before the failure took away what allowed
 * the request: an access policy disassociated, or a Kubernetes group dropped from the entry.
 */
export default defineRule({
  id: 'access-policy-removed-by-recent-change',
  stage: 'authorization',
  precedence: 62,
  summary:
    'A change shortly before the failure removed what allowed the request: an access policy was disassociated or a Kubernetes group dropped from the entry.',
  requires: ['cloudTrail', 'accessEntries', 'rbac'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/logging-using-cloudtrail.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html',
  ],
  messages: {
    disassociated: '{{policy}}, which allowed {{request}}, was disassociated by {{change}}',
    groupRemoved: 'Group {{group}}, whose RBAC allowed {{request}}, was removed from the entry by {{change}}',
  },
  check({ sim, timeline }, report) {
    const entry = sim.mapping?.source === 'access-entry' ? sim.mapping.accessEntry : undefined;
    if (!entry || sim.authorization?.allowed !== false) return;
    const principalArn = entryPrincipalArn(sim) ?? entry.entry.principalArn;
    const current = new Set((entry.entry.associatedPolicies ?? []).map((a) => a.policyArn));
    const groupsNow = new Set(entry.entry.kubernetesGroups ?? []);
    const request = describeRequest(sim.request);
    const snapshot = sim.input.snapshot;

    const removedPolicy = (e: TimelineEvent): string | undefined => {
      if (e.event !== 'DisassociateAccessPolicy') return undefined;
      const arn = trailParams(snapshot, e)?.policyArn;
      if (typeof arn !== 'string' || current.has(arn)) return undefined;
      const definition = accessPolicyByName(arn);
      return definition && policyRulesAllow(definition.rules, sim.request) ? arn : undefined;
    };
    const removedGroup = (e: TimelineEvent): string | undefined => {
      if (e.event !== 'UpdateAccessEntry') return undefined;
      const before = entryHistory(snapshot, timeline, principalArn, e.time);
      return [...before.everGroups].find(
        (g) =>
          !groupsNow.has(g) &&
          sim.index.rbac.bindingsForGroup(g).some((b) => bindingWouldAllow(sim.index.rbac, b, sim.request)),
      );
    };
    let found: { change: TimelineEvent; policy?: string; group?: string } | undefined;
    for (const change of changesBeforeFailure(timeline, sim.input.now, AUTHZ_CHANGES)) {
      const policy = removedPolicy(change);
      const group = policy ? undefined : removedGroup(change);
      if (policy || group) {
        found = { change, ...(policy ? { policy } : {}), ...(group ? { group } : {}) };
        break;
      }
    }
    if (!found) return;
    const { change, policy, group } = found;
    const fixes: FixPlan[] = [];
    if (policy) {
      const scope = entryHistory(snapshot, timeline, principalArn, change.time).policies.get(policy) ?? {
        type: 'cluster' as const,
      };
      fixes.push({
        title: `Associate ${policy.split('/').pop() ?? policy} again${scope.type === 'namespace' ? ` in ${scope.namespaces.join(', ')}` : ' at cluster scope'}`,
        actions: [{ kind: 'associate-access-policy', principalArn, policyArn: policy, scope }],
        notes:
          'The scope is the one the policy had before it was removed. If the removal was intended, grant a narrower policy instead.',
      });
    } else if (group) {
      fixes.push({
        title: `Add group ${group} back to the access entry`,
        actions: [{ kind: 'update-access-entry', principalArn, kubernetesGroups: [...groupsNow, group] }],
        notes:
          'update-access-entry replaces the whole list of groups, so the command repeats the current ones.',
      });
    }
    const sentence =
      recentChangeSentence(timeline, sim.input.now, new Set([change.event])) ?? describeChange(change);
    report({
      messageId: policy ? 'disassociated' : 'groupRemoved',
      data: {
        policy: policy?.split('/').pop() ?? '',
        group: group ?? '',
        request,
        change: describeChange(change),
      },
      explanation:
        `${sentence} ` +
        (policy
          ? `${policy.split('/').pop() ?? policy} would allow ${request}; since it was disassociated no remaining access policy or RBAC binding does, so the request is 403.`
          : `Bindings of group ${group} would allow ${request}; since the entry no longer carries the group, nothing else does, so the request is 403.`),
      evidence: compact([
        {
          source: change.source,
          pointer: change.pointer ?? '',
          note: `${describeChange(change)}: ${change.detail}`,
        },
        mappingEvidence(sim),
      ]),
      fixes,
    });
  },
});
