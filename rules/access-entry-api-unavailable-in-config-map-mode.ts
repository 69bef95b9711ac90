import { defineRule } from '../src/engine/define-rule.js';
import { checkOf, compact, modeEvidence, describeClusterArgv } from '../src/engine/evidence.js';
import type { FixAction } from '../src/fix/actions.js';
import { accessEntryPlan, entryPrincipalArn, intendedPolicy } from '../src/fix/plans.js';

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
    // With the mode unknown the error itself proves CONFIG_MAP: switch explicitly.
    const plan =
      mode === 'CONFIG_MAP'
        ? accessEntryPlan(sim, { title: 'Switch to API_AND_CONFIG_MAP, then create the access entry' })
        : principalArn
          ? {
              title: 'Switch to API_AND_CONFIG_MAP, then create the access entry',
              actions: [
                { kind: 'update-authentication-mode', mode: 'API_AND_CONFIG_MAP' },
                { kind: 'create-access-entry', principalArn, type: 'STANDARD' },
                { kind: 'associate-access-policy', principalArn, ...intendedPolicy(sim) },
              ] satisfies FixAction[],
              notes:
                'Switching to API_AND_CONFIG_MAP is one-way; wait until the update is done before creating the entry.',
            }
          : undefined;
    report({
      messageId: 'configMapOnly',
      data: { action },
      explanation:
        'Access entries exist only when the authentication mode is API or API_AND_CONFIG_MAP; in CONFIG_MAP mode EKS answers every access-entry call with ' +
        '"InvalidRequestException: The cluster\'s authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation." ' +
        'Switch the mode to API_AND_CONFIG_MAP (aws-auth keeps working beside the entries; the switch cannot be undone and needs a platform version that supports access entries), ' +
        'wait for the update to finish, then create the entry. The alternative is an aws-auth mapping.',
      evidence: compact([modeEvidence(sim)]),
      fixes: compact([plan]),
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
