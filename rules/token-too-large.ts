import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { tokenEvidence } from '../src/evidence/client.js';
import { logCitation } from '../src/evidence/logs.js';
import { commandText } from '../src/fix/quote.js';

/** FM-10: the authenticator refuses tokens longer than 4096 bytes (AUTH:pkg/token/token.go `maxTokenLenBytes`). */
export default defineRule({
  id: 'token-too-large',
  stage: 'token',
  precedence: 40,
  summary:
    'The token is longer than the 4096 bytes the authenticator accepts, because the session token inside it is large.',
  requires: ['token', 'authenticatorLogs'],
  references: [
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/issues/1106',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html',
  ],
  messages: {
    tooLarge: 'The token is {{length}} bytes; the authenticator accepts at most 4096',
  },
  check({ sim, clusterName, region }, report) {
    if (sim.failingStage !== 'token' || !sim.facts.has('token-too-large')) return;
    const length = sim.token?.length;
    const getToken = clusterName
      ? [
          'aws',
          'eks',
          'get-token',
          '--cluster-name',
          clusterName,
          ...(region ? ['--region', region] : []),
          '--query',
          'status.token',
          '--output',
          'text',
        ]
      : undefined;
    report({
      messageId: 'tooLarge',
      data: { length: length ?? 'more than 4096' },
      explanation:
        'The token carries the whole pre-signed URL, including X-Amz-Security-Token, and base64 makes it a third longer. ' +
        'Session tokens grow with session tags, inline session policies and managed policy ARNs passed to AssumeRole, and ' +
        'with role chaining that carries transitive tags; global-endpoint session tokens of version 2 are longer too. ' +
        'Past 4096 bytes the authenticator answers "token is too large" without calling STS.',
      evidence: compact([
        logCitation(sim, 'token-too-large'),
        tokenEvidence(sim.input.snapshot, `token length ${length ?? '?'} bytes`, 'length'),
      ]),
      fixes: [
        {
          title: 'Use a session with a smaller session token',
          actions: [],
          notes:
            'Assume the role without session tags, inline session policy or policy ARNs (check the identity provider or the tool that assumes it), avoid chaining roles, or use a role that needs none of them.',
        },
      ],
      ...(getToken
        ? {
            checks: [
              {
                title: 'Measure a fresh token (pipe it to `wc -c`)',
                commands: [{ tool: 'aws', argv: getToken, text: commandText(getToken) }],
              },
            ],
          }
        : {}),
    });
  },
});
