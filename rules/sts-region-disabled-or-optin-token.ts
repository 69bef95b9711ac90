import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { isOptInRegion, saysStsRegionDisabled, tokenEvidence } from '../src/evidence/client.js';
import { citeFact, logEvidenceFor } from '../src/evidence/logs.js';
import { regeneratedUser } from '../src/fix/kubeconfig.js';
import { commandText } from '../src/fix/quote.js';

/**
 * FM-12: the token goes to a regional STS endpoint that is deactivated for the account (RegionDisabledException), or
 * to an opt-in region's endpoint with a session token from the global endpoint that is valid only in default
 * regions (InvalidClientTokenId).
 */
export default defineRule({
  id: 'sts-region-disabled-or-optin-token',
  stage: 'sts',
  precedence: 35,
  summary:
    'STS refuses the token in its region: STS is deactivated there for the account, or the session token (global endpoint, version 1) is not valid in that opt-in region.',
  requires: ['token', 'authenticatorLogs'],
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html',
    'https://docs.aws.amazon.com/sdkref/latest/guide/feature-sts-regionalized-endpoints.html',
  ],
  messages: {
    regionDisabled:
      'STS is not activated in {{region}} for this account, so the token cannot be verified there',
    optInToken:
      '{{region}} is an opt-in region and the session token is not valid there (a version 1 token from the global STS endpoint)',
  },
  check({ sim, incident, clusterName, region }, report) {
    if (sim.failingStage !== 'sts' || sim.facts.has('clock-skew')) return;
    const logs = logEvidenceFor(sim.input.snapshot, sim);
    const disabledLine = logs.citations.find((c) => saysStsRegionDisabled(c.note));
    const disabled = disabledLine !== undefined || saysStsRegionDisabled(incident.reason);
    const tokenRegion = sim.token && !sim.token.stsGlobal ? sim.token.region : undefined;
    const optIn =
      !disabled &&
      sim.facts.has('sts-invalid-client-token') &&
      tokenRegion !== undefined &&
      isOptInRegion(tokenRegion) &&
      sim.token?.temporaryCredentials === true;
    if (!disabled && !optIn) return;
    const where = tokenRegion ?? region ?? "the token's region";
    const summary = ['aws', 'iam', 'get-account-summary', '--query', 'SummaryMap.GlobalEndpointTokenVersion'];
    const probe = [
      'aws',
      'sts',
      'get-caller-identity',
      '--region',
      where,
      '--endpoint-url',
      `https://${sim.token?.host ?? `sts.${where}.amazonaws.com`}`,
    ];
    const regional = regeneratedUser(
      sim,
      { clusterName, region },
      { env: { AWS_STS_REGIONAL_ENDPOINTS: 'regional' } },
    );
    report({
      messageId: disabled ? 'regionDisabled' : 'optInToken',
      data: { region: where },
      explanation: disabled
        ? `The authenticator replays the token to the STS endpoint it was signed for (${sim.token?.host ?? `sts.${where}.amazonaws.com`}), ` +
          `and STS answers RegionDisabledException: it is deactivated in ${where} for this account (IAM account settings). ` +
          'Every token signed for that endpoint fails with 401; EKS also reports this as the STS_REGIONAL_ENDPOINT_DISABLED cluster health issue.'
        : `The token is signed for sts.${where}, an opt-in region, with temporary credentials. Session tokens issued by the ` +
          'global endpoint (sts.amazonaws.com) are version 1 by default and valid only in regions enabled by default, so STS ' +
          `in ${where} answers InvalidClientTokenId.`,
      evidence: compact([
        disabledLine ? citeFact(logs, disabledLine.fact) : undefined,
        sim.facts.has('sts-invalid-client-token') ? citeFact(logs, 'sts-invalid-client-token') : undefined,
        tokenEvidence(
          sim.input.snapshot,
          `pre-signed for ${sim.token?.host ?? '?'}${sim.token?.temporaryCredentials ? ' with a session token' : ''}`,
        ),
      ]),
      fixes: disabled
        ? [
            {
              title: `Activate STS in ${where}`,
              actions: [],
              notes:
                `IAM console > Account settings > Security Token Service (STS) > Endpoints: activate ${where} (an account administrator; it cannot be done from the AWS CLI). ` +
                'Until then the exec plugin can pre-sign for another active region of the same partition (for example `--region us-east-1` in the exec args): the authenticator accepts any regional STS host of its partition.',
            },
          ]
        : [
            {
              title: 'Use session tokens valid in all regions',
              actions: [],
              notes: `Run \`${commandText(['aws', 'iam', 'set-security-token-service-preferences', '--global-endpoint-token-version', 'v2Token'])}\` (account setting; version 2 tokens are longer), or get the credentials from the regional endpoint instead of the global one.`,
            },
            ...(regional
              ? [
                  {
                    title: 'Or get credentials from the regional STS endpoint',
                    actions: [],
                    snippet: regional.snippet,
                    notes:
                      'The entry sets AWS_STS_REGIONAL_ENDPOINTS=regional for the exec plugin; set it in the profile that issues the session as well.',
                  },
                ]
              : []),
          ],
      checks: disabled
        ? [
            {
              title: `Call STS in ${where} directly (RegionDisabledException while it is deactivated)`,
              commands: [{ tool: 'aws', argv: probe, text: commandText(probe) }],
            },
          ]
        : [
            {
              title: 'See which global endpoint token version the account issues',
              commands: [{ tool: 'aws', argv: summary, text: commandText(summary) }],
            },
          ],
    });
  },
});
