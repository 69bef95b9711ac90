import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence } from '../src/engine/evidence.js';
import type { FixPlan } from '../src/fix/actions.js';
import { policyRulesAllow } from '../src/k8s/rbac.js';
import { accessEntryPlan } from '../src/fix/plans.js';
import { findNearMisses, nearMissEvidence, nearMissFix } from '../src/simulate/near-miss.js';

const USER_FACING_ROLES = ['view', 'edit', 'admin', 'cluster-admin'];

/**
 * FM-33: no role or user entry matched, but the account is listed in aws-auth mapAccounts: the authenticator then
 * authenticates the caller with its canonical ARN as username and no groups, so RBAC grants it nothing (403).
 */
export default defineRule({
  id: 'mapaccounts-only',
  stage: 'authorization',
  precedence: 65,
  summary:
    'The principal is authenticated only through aws-auth mapAccounts: username = its ARN, no groups, so nothing authorizes it (403).',
  requires: ['awsAuth', 'rbac'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/issues/188',
  ],
  messages: {
    accountOnly:
      '{{arn}} is authenticated only because account {{account}} is in mapAccounts: username "{{arn}}" with no groups',
  },
  check({ sim }, report) {
    if (sim.mapping?.source !== 'map-accounts' || !sim.principal?.canonicalArn || !sim.principal.parsed) {
      return;
    }
    if (sim.authorization?.allowed === true) return;
    const arn = sim.principal.canonicalArn;
    const account = sim.principal.parsed.accountId;
    const miss = findNearMisses(sim)[0];
    const ns = sim.request.isResourceRequest ? sim.request.namespace : '';
    const role = USER_FACING_ROLES.find((name) => {
      const rules = sim.index.rbac.rulesOf({ kind: 'ClusterRole', name });
      return rules !== undefined && policyRulesAllow(rules, sim.request);
    });
    const fixes: FixPlan[] = compact([
      miss ? nearMissFix(sim, miss) : undefined,
      accessEntryPlan(sim, { title: `Give ${arn} an access entry (groups and policies of its own)` }),
      role
        ? {
            title: `Or bind the username ${arn} to ClusterRole ${role}${ns ? ` in namespace ${ns}` : ''}`,
            actions: [
              {
                kind: 'create-rbac-binding' as const,
                bindingKind: ns ? ('RoleBinding' as const) : ('ClusterRoleBinding' as const),
                name: `${sim.principal.parsed.name.toLowerCase().replace(/[^a-z0-9.-]/g, '-')}-${role}`,
                ...(ns ? { namespace: ns } : {}),
                roleRef: { kind: 'ClusterRole' as const, name: role },
                subject: { kind: 'User' as const, name: arn },
              },
            ],
            notes: 'The username is the exact canonical ARN (case-sensitive in RBAC).',
          }
        : undefined,
    ]);
    report({
      messageId: 'accountOnly',
      data: { arn, account },
      explanation:
        `No mapRoles or mapUsers entry matches ${arn}, but mapAccounts lists ${account}; the authenticator then accepts the caller with its canonical ARN as the username ` +
        'and no groups besides system:authenticated. Nothing binds that username, so the request is forbidden (403) although authentication succeeded.' +
        (miss ? ` The entry that was probably meant: ${miss.detail}.` : ''),
      evidence: compact([
        { source: 'awsAuth', pointer: '/awsAuth/data/data/mapAccounts', note: `lists ${account}` },
        miss && nearMissEvidence(miss),
        modeEvidence(sim),
      ]),
      fixes,
    });
  },
});
