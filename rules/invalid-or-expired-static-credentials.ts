import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import {
  clientEvidence,
  execEvidence,
  isOptInRegion,
  saysStsRegionDisabled,
  tokenEvidence,
} from '../src/evidence/client.js';
import { logCitation, logEvidenceFor } from '../src/evidence/logs.js';
import { commandText } from '../src/fix/quote.js';

/**
 * FM-13: the credentials that signed the token are expired or invalid. Presigning is offline, so the exec plugin
 * does not notice; STS does when the authenticator replays the URL (ExpiredToken, InvalidClientTokenId,
 * SignatureDoesNotMatch).
 */
export default defineRule({
  id: 'invalid-or-expired-static-credentials',
  stage: 'sts',
  precedence: 20,
  summary:
    'The token was signed with expired or invalid AWS credentials (stale AWS_SESSION_TOKEN, deactivated key, wrong secret); STS refuses it when the authenticator replays it.',
  requires: ['token', 'kubeconfig', 'authenticatorLogs'],
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html#unauthorized',
  ],
  messages: {
    expired: 'The session credentials that signed the token have expired (STS ExpiredToken)',
    invalidKey:
      'STS does not know the access key that signed the token (InvalidClientTokenId: deleted or deactivated)',
    wrongSecret:
      'STS rejects the signature (SignatureDoesNotMatch): the secret access key does not belong to the key id',
  },
  check({ sim, incident }, report) {
    if (sim.failingStage !== 'sts' || sim.facts.has('clock-skew')) return;
    const client = clientEvidence(sim.input.snapshot);
    const logs = logEvidenceFor(sim.input.snapshot, sim);
    const regionIssue =
      saysStsRegionDisabled(incident.reason) ||
      logs.citations.some((c) => saysStsRegionDisabled(c.note)) ||
      (sim.token !== undefined &&
        !sim.token.stsGlobal &&
        isOptInRegion(sim.token.region) &&
        sim.token.temporaryCredentials);
    let messageId: 'expired' | 'invalidKey' | 'wrongSecret';
    let undecided = false;
    if (sim.facts.has('sts-expired-token')) messageId = 'expired';
    else if (sim.facts.has('sts-invalid-client-token') && !regionIssue) messageId = 'invalidKey';
    else if (sim.facts.has('sts-signature-mismatch')) {
      if (client.clusterIdMismatch) return; // the token names another cluster (FM-07)
      messageId = 'wrongSecret';
      // Only a kubeconfig that names this cluster rules out the other cause of SignatureDoesNotMatch.
      undecided = client.kubeconfig?.facts.exec?.clusterIdArg === undefined || !client.expectedClusterId;
    } else return;

    const keyId = sim.token?.accessKeyId ?? incident.accessKeyId;
    const temporary = keyId?.startsWith('ASIA') ?? sim.token?.temporaryCredentials;
    const profile = client.kubeconfig?.facts.exec?.profile;
    const whoami = ['aws', 'sts', 'get-caller-identity', ...(profile ? ['--profile', profile] : [])];
    const user = sim.principal?.parsed?.kind === 'user' ? sim.principal.parsed.name : undefined;
    const listKeys = user ? ['aws', 'iam', 'list-access-keys', '--user-name', user] : undefined;
    const login = commandText(['aws', 'sso', 'login', ...(profile ? ['--profile', profile] : [])]);
    const explanations = {
      expired:
        'Making a token needs no call to AWS, so the exec plugin happily signs with a session that has already expired ' +
        '(a stale AWS_SESSION_TOKEN in the environment or the credentials file, an old assumed-role session). The ' +
        'authenticator replays the URL and STS answers ExpiredToken; the client sees 401.',
      invalidKey:
        `STS answers InvalidClientTokenId for the key id${keyId ? ` ${keyId}` : ''}: the access key was deleted or ` +
        'deactivated, or a session token is missing or belongs to other credentials. The exec plugin cannot notice, because ' +
        'making a token calls nobody.',
      wrongSecret:
        'STS recomputed the signature and it differs: the secret access key does not belong to the key id (a mixed-up ' +
        'credentials file or environment). ' +
        (undecided
          ? 'The same answer comes from a token signed for another cluster name (wrong-cluster-id-in-token); the kubeconfig exec args decide.'
          : 'The kubeconfig signs for this cluster, so the cluster name is not the cause.'),
    };
    report({
      messageId,
      ...(undecided ? { severity: 'info' as const } : {}),
      explanation: explanations[messageId],
      evidence: compact([
        logCitation(sim, 'sts-expired-token', 'sts-invalid-client-token', 'sts-signature-mismatch'),
        tokenEvidence(
          sim.input.snapshot,
          `signed with access key ${keyId ?? '?'}${temporary ? ' (temporary credentials)' : temporary === false ? ' (long-term key)' : ''}`,
        ),
        execEvidence(sim.input.snapshot),
      ]),
      fixes: [
        {
          title: 'Refresh the credentials the exec plugin signs with, then retry',
          actions: [],
          notes:
            messageId === 'expired'
              ? `Sign in again (\`${login}\`), re-assume the role, or unset a stale AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN so the profile is used.`
              : messageId === 'invalidKey'
                ? `Create a new access key${user ? ` for ${user}` : ''} and replace the old one where the exec plugin reads it (environment or credentials file), or use temporary credentials (\`${login}\`).`
                : 'Put the matching AWS_SECRET_ACCESS_KEY (or credentials file entry) next to the key id, or use temporary credentials instead of long-term keys.',
        },
      ],
      checks: compact([
        {
          title: 'Try the same credentials against STS',
          commands: [{ tool: 'aws', argv: whoami, text: commandText(whoami) }],
        },
        listKeys && {
          title: `See the status of ${user ?? 'the user'}'s access keys`,
          commands: [{ tool: 'aws', argv: listKeys, text: commandText(listKeys) }],
        },
      ]),
    });
  },
});
