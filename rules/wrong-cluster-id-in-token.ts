import { defineRule } from '../src/engine/define-rule.js';
import { compact, describeClusterArgv } from '../src/engine/evidence.js';
import { clientEvidence, execEvidence } from '../src/evidence/client.js';
import { logCitation } from '../src/evidence/logs.js';
import { regeneratedUser } from '../src/fix/kubeconfig.js';
import { commandText } from '../src/fix/quote.js';

/**
 * FM-07: the token signs `x-k8s-aws-id` for another cluster id than the one this cluster's authenticator sets when
 * it replays the request (the cluster name; the cluster id for Outposts local clusters), so STS answers
 * SignatureDoesNotMatch.
 */
export default defineRule({
  id: 'wrong-cluster-id-in-token',
  stage: 'sts',
  precedence: 40,
  summary:
    'The exec plugin signs the token for another cluster name (or id, on Outposts) than this cluster, so STS rejects the replayed signature.',
  requires: ['kubeconfig', 'cluster', 'authenticatorLogs'],
  references: [
    'https://docs.aws.amazon.com/cli/latest/reference/eks/get-token.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/eks-outposts-local-cluster-create.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/issues/130',
  ],
  messages: {
    mismatch: 'The token is signed for cluster "{{signedFor}}" but this cluster expects "{{expected}}"',
    undecided:
      'STS refused the token signature: either the token names another cluster, or the secret key is wrong',
  },
  check({ sim, clusterName, region }, report) {
    if (
      sim.failingStage !== 'sts' ||
      !sim.facts.has('sts-signature-mismatch') ||
      sim.facts.has('clock-skew')
    ) {
      return;
    }
    const client = clientEvidence(sim.input.snapshot);
    const mismatch = client.clusterIdMismatch;
    const exec = client.kubeconfig?.facts.exec;
    const describe = clusterName
      ? describeClusterArgv(clusterName, region, 'cluster.[name,id,outpostConfig]')
      : undefined;
    const argsView = ['kubectl', 'config', 'view', '--minify', '-o', 'jsonpath={.users[0].user.exec.args}'];
    const checks = compact([
      {
        title: 'See which cluster the exec plugin signs for',
        commands: [{ tool: 'kubectl', argv: argsView, text: commandText(argsView) }],
      },
      describe && {
        title: 'See the name and id this cluster expects',
        commands: [{ tool: 'aws', argv: describe, text: commandText(describe) }],
      },
    ]);
    if (!mismatch) {
      // The exec stanza was seen and names this cluster: the secret key is the cause (FM-13), not this one.
      if (exec?.clusterIdArg !== undefined && client.expectedClusterId) return;
      report({
        messageId: 'undecided',
        severity: 'info',
        explanation:
          'The authenticator replays the token to STS with x-k8s-aws-id set to its own cluster id (the cluster name; the ' +
          'cluster id on Outposts). STS answers SignatureDoesNotMatch when the token was signed for another value, and also ' +
          'when it was signed with a wrong secret key. The kubeconfig exec args decide which.',
        evidence: compact([logCitation(sim, 'sts-signature-mismatch')]),
        checks,
      });
      return;
    }
    const user = regeneratedUser(sim, { clusterName, region });
    const flag = mismatch.outposts ? '--cluster-id' : '--cluster-name';
    report({
      messageId: 'mismatch',
      data: { signedFor: mismatch.signedFor, expected: mismatch.expected },
      explanation:
        `The exec plugin signs the header x-k8s-aws-id: ${mismatch.signedFor}. This cluster's authenticator replays the ` +
        `token to STS with x-k8s-aws-id: ${mismatch.expected} (${mismatch.outposts ? 'an Outposts local cluster is identified by its cluster id, not its name' : 'the cluster name, compared exactly'}), ` +
        'so the signature no longer matches and STS answers SignatureDoesNotMatch; the client sees 401. Typical causes: a ' +
        `typo or renamed cluster in the kubeconfig args, a token made for another cluster, or ${mismatch.outposts ? '--cluster-name on an Outposts cluster' : 'a context copied from another cluster'}.`,
      evidence: compact([
        execEvidence(sim.input.snapshot, `the exec plugin signs x-k8s-aws-id: ${mismatch.signedFor}`),
        client.expectedClusterId && {
          source: 'cluster',
          pointer: client.expectedClusterId.pointer,
          note: `the authenticator replays with x-k8s-aws-id: ${mismatch.expected}`,
        },
        logCitation(sim, 'sts-signature-mismatch'),
      ]),
      fixes: [
        {
          title: `Sign the token for ${flag} ${mismatch.expected}`,
          actions: [],
          ...(user ? { snippet: user.snippet } : {}),
          notes: user
            ? `\`${user.command}\` writes this entry (it uses --cluster-id by itself for Outposts local clusters).`
            : `Set the exec args to ${flag} ${mismatch.expected}.`,
        },
      ],
      checks,
    });
  },
});
