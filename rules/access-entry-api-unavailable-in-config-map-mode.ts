import { defineRule } from '../src/engine/define-rule.js';
import { checkOf, compact, modeEvidence, describeClusterArgv } from '../src/engine/evidence.js';
import { nodeRoleOf } from '../src/eks/node-identity.js';
import { accessEntriesUnsupported, platformUpgradePlan } from '../src/eks/platform-versions.js';
import type { FixAction, FixPlan } from '../src/fix/actions.js';
import {
  accessEntryPlan,
  awsAuthMappingPlan,
  entryPrincipalArn,
  intendedPolicy,
  nodeEntryPlan,
} from '../src/fix/plans.js';

/**
 * With the mode unknown the error itself proves CONFIG_MAP, which the shared plans only see from the cluster: put
 * the switch first.
 */
function withModeSwitch(plan: FixPlan | undefined): FixPlan | undefined {
  if (!plan || plan.actions.some((a) => a.kind === 'update-authentication-mode')) return plan;
  return {
    ...plan,
    actions: [{ kind: 'update-authentication-mode', mode: 'API_AND_CONFIG_MAP' }, ...plan.actions],
    notes:
      `Switching to API_AND_CONFIG_MAP is one-way; wait until the update is done before creating the entry. ${plan.notes ?? ''}`.trim(),
  };
}

/**
 * FM-17: in CONFIG_MAP mode every access-entry API call fails with InvalidRequestException ("The cluster's
 * authentication mode must be set to one of [API, API_AND_CONFIG_MAP]"), so the usual fix for a 401 cannot be
 * applied until the mode includes the API.
 */
export default defineRule({
  id: 'access-entry-api-unavailable-in-config-map-mode',
  stage: 'mapping',
  precedence: 30,
  summary:
    'Creating an access entry failed because the cluster is in CONFIG_MAP mode; switch to API_AND_CONFIG_MAP first (one-way), or map the principal in aws-auth.',
  requires: ['cluster'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html#set-cam',
  ],
  messages: {
    configMapOnly:
      'EKS refused {{action}}: the cluster is in CONFIG_MAP mode, which has no access entries until it is switched to API_AND_CONFIG_MAP',
  },
  check({ sim, incident, clusterName, region }, report) {
    if (!incident.facts?.includes('auth-mode-config-map-only')) return;
    const mode = sim.index.authMode.mode;
    if (mode !== undefined && mode !== 'CONFIG_MAP') return;
    const action = incident.awsAction ?? 'the access-entry call';
    const principalArn = entryPrincipalArn(sim);
    const node = nodeRoleOf(sim);
    const title = 'Switch to API_AND_CONFIG_MAP, then create the access entry';
    const unsupported = accessEntriesUnsupported(sim.input.snapshot);
    const fixes: FixPlan[] = unsupported
      ? // The switch itself is refused on this platform version: aws-auth now, the upgrade for access entries.
        compact([
          awsAuthMappingPlan(sim, {
            title: `Map it in aws-auth (Kubernetes ${unsupported.version} ${unsupported.platformVersion} has no access entries)`,
            groups: ['system:masters'],
            notes:
              'system:masters grants full admin; choose a narrower group bound by RBAC when that is too much. Read aws-auth first: correct an entry for this principal rather than add a second one.',
          }),
          platformUpgradePlan(unsupported, { clusterName, region }),
        ])
      : compact([
          mode === 'CONFIG_MAP'
            ? accessEntryPlan(sim, { title })
            : node
              ? withModeSwitch(nodeEntryPlan(sim, node, { title }))
              : principalArn
                ? {
                    title,
                    actions: [
                      { kind: 'update-authentication-mode', mode: 'API_AND_CONFIG_MAP' },
                      { kind: 'create-access-entry', principalArn, type: 'STANDARD' },
                      { kind: 'associate-access-policy', principalArn, ...intendedPolicy(sim) },
                    ] satisfies FixAction[],
                    notes:
                      'Switching to API_AND_CONFIG_MAP is one-way; wait until the update is done before creating the entry.',
                  }
                : undefined,
        ]);
    report({
      messageId: 'configMapOnly',
      data: { action },
      explanation:
        'Access entries exist only when the authentication mode is API or API_AND_CONFIG_MAP; in CONFIG_MAP mode EKS answers every access-entry call with ' +
        '"InvalidRequestException: The cluster\'s authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation." ' +
        'Switch the mode to API_AND_CONFIG_MAP (aws-auth keeps working beside the entries; the switch cannot be undone and needs a platform version that supports access entries), ' +
        'wait for the update to finish, then create the entry. The alternative is an aws-auth mapping.' +
        (unsupported
          ? ` This cluster runs Kubernetes ${unsupported.version} ${unsupported.platformVersion}, which predates access entries (they need ${unsupported.needs}): the switch is refused too, so map the principal in aws-auth now and upgrade the cluster for access entries.`
          : ''),
      evidence: compact([modeEvidence(sim)]),
      fixes,
      checks: clusterName
        ? [
            checkOf(
              'Confirm the mode and the platform version',
              describeClusterArgv(clusterName, region, 'cluster.[accessConfig,platformVersion]'),
            ),
          ]
        : [],
    });
  },
});
