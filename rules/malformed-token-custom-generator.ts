import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { tokenEvidence } from '../src/evidence/client.js';
import { logCitation } from '../src/evidence/logs.js';
import { commandText } from '../src/fix/quote.js';

/** Token format facts (AUTH:pkg/token/token.go `Verify`), most telling first. */
const FORMAT_FACTS = [
  'token-missing-prefix',
  'token-non-whitelisted-parameter',
  'token-cluster-id-not-signed',
  'token-invalid-expires',
  'token-duplicate-parameter',
  'token-malformed',
];

/** What a hand-written generator must do instead, per fact. */
const ADVICE: Record<string, string> = {
  'token-missing-prefix': 'prefix the base64url text with "k8s-aws-v1."',
  'token-non-whitelisted-parameter':
    'sign x-k8s-aws-id as a header instead of moving it into the query string (presigners that hoist every header do that; the AWS SDK for JavaScript v3 hoists only x-amz-* headers unless told otherwise)',
  'token-cluster-id-not-signed':
    'add the header x-k8s-aws-id: <cluster name> before presigning, so it is signed',
  'token-invalid-expires':
    'presign with X-Amz-Expires between 0 and 900 (aws eks get-token uses 60; the AWS SDK for JavaScript v3 presigner defaults to 3600)',
  'token-duplicate-parameter': 'send every query parameter once',
  'token-malformed':
    'presign GET https://sts.<region>.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15 and encode it with base64url without padding',
};

/** FM-09: a hand-written token generator builds a token the authenticator refuses before calling STS. */
export default defineRule({
  id: 'malformed-token-custom-generator',
  stage: 'token',
  precedence: 30,
  summary:
    'The token is not built the way aws eks get-token builds it (prefix, base64url, signed x-k8s-aws-id header, X-Amz-Expires ≤ 900), so the authenticator refuses it.',
  requires: ['token', 'authenticatorLogs'],
  references: [
    'https://github.com/kubernetes-sigs/aws-iam-authenticator#api-authorization-from-outside-a-cluster',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/issues/459',
    'https://docs.aws.amazon.com/cli/latest/reference/eks/get-token.html',
  ],
  messages: {
    malformed: 'The authenticator refuses the token as not properly formatted: {{problem}}',
  },
  check({ sim, incident, clusterName, region }, report) {
    if (sim.failingStage !== 'token') return;
    const fact = FORMAT_FACTS.find((f) => sim.facts.has(f));
    if (!fact) return;
    const found =
      sim.token?.problems.find((p) => p.fact === fact) ??
      sim.token?.problems.find((p) => FORMAT_FACTS.includes(p.fact));
    const problem =
      found?.message ?? incident.reason?.replace(/^input token was not properly formatted: /, '') ?? fact;
    const advice = [...new Set((sim.token?.problems ?? []).map((p) => p.fact).filter((f) => ADVICE[f]))];
    if (!advice.length) advice.push(fact);
    const getToken = clusterName
      ? ['aws', 'eks', 'get-token', '--cluster-name', clusterName, ...(region ? ['--region', region] : [])]
      : undefined;
    report({
      messageId: 'malformed',
      data: { problem },
      explanation:
        'Before it asks STS anything, the authenticator checks the token: "k8s-aws-v1." + base64url (no padding) of an ' +
        'https pre-signed GET to an STS host, path /, only the SigV4 query parameters plus Action and Version, each once, ' +
        'Action=GetCallerIdentity, X-Amz-Expires 0..900, and x-k8s-aws-id among the signed headers. This token fails: ' +
        `${problem}. Hand-written generators (Java, .NET, JavaScript SDKs) get one of these wrong.`,
      evidence: compact([
        logCitation(sim, fact),
        tokenEvidence(sim.input.snapshot, `pre-signed URL to ${sim.token?.host ?? '?'}: ${problem}`),
      ]),
      fixes: [
        {
          title: 'Build the token like aws eks get-token',
          actions: [],
          notes:
            `Fix the generator: ${advice.map((f) => ADVICE[f]).join('; ')}.` +
            (getToken
              ? ` Or use \`${commandText(getToken)}\` (or \`aws-iam-authenticator token -i ${clusterName}\`) to make it.`
              : ''),
        },
      ],
      ...(getToken
        ? {
            checks: [
              {
                title: 'Make a reference token to compare with (decode both with eksdoctor parse)',
                commands: [{ tool: 'aws', argv: getToken, text: commandText(getToken) }],
              },
            ],
          }
        : {}),
    });
  },
});
