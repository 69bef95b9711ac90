import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { clientEvidence, execEvidence } from '../src/evidence/client.js';
import { logCitation, principalKey } from '../src/evidence/logs.js';
import { accessEntryPlan } from '../src/fix/plans.js';
import { regeneratedUser } from '../src/fix/kubeconfig.js';
import { commandText } from '../src/fix/quote.js';
import { okData } from '../src/model/snapshot.js';
import { simulate } from '../src/simulate/simulate.js';

/**
 * FM-03: the token is signed by another principal than the one that was granted access (a kubeconfig that pins
 * AWS_PROFILE, env credentials that win over the profile, a missing --role-arn, CI running as the runner's role).
 */
export default defineRule({
  id: 'wrong-aws-identity-in-exec',
  stage: 'mapping',
  precedence: 45,
  summary:
    'kubectl signs its token as a different IAM principal than the one that has access (AWS_PROFILE pinned in the kubeconfig, env credentials, missing --role-arn).',
  requires: ['callerIdentity', 'kubeconfig', 'accessEntries', 'awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/create-kubeconfig.html',
    'https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html#unauthorized',
  ],
  messages: {
    signsAsOther:
      'kubectl signs as {{principal}}, but the identity with access is {{caller}} (the one your shell uses)',
    allowedButObserved:
      '{{principal}} would be allowed, yet the client got {{status}}: the token is probably signed by another identity',
  },
  check({ sim, index }, report) {
    const principal = sim.principal;
    if (!principal?.canonicalArn) return;
    const snapshot = sim.input.snapshot;
    const exec = clientEvidence(snapshot).kubeconfig?.facts.exec;
    const observed = sim.input.observedStatus;
    const whoami = [
      'aws',
      'sts',
      'get-caller-identity',
      ...(exec?.profile ? ['--profile', exec.profile] : []),
    ];
    const checks = [
      {
        title: 'Ask STS who the exec plugin signs as (with the kubeconfig exec environment)',
        commands: [{ tool: 'aws', argv: whoami, text: commandText(whoami) }],
      },
    ];

    const caller = okData(snapshot, 'callerIdentity');
    const callerKey = principalKey(caller?.Arn);
    if (
      caller &&
      callerKey &&
      callerKey !== principalKey(principal.arn) &&
      (sim.failingStage === 'mapping' || sim.failingStage === 'authorization') &&
      sim.outcome !== 'allowed'
    ) {
      // Would the shell's identity get through? Replay it without the failing client's token, kubeconfig and logs.
      const alternative = simulate({
        snapshot: {
          ...snapshot,
          token: undefined,
          kubeconfig: undefined,
          authenticatorLogs: undefined,
          auditEvents: undefined,
        },
        principalArn: caller.Arn,
        path: sim.input.path,
        verb: sim.input.verb,
        namespace: sim.input.namespace,
        now: sim.input.now,
        index,
      });
      if (alternative.outcome !== 'allowed') return;
      const pinned = exec?.profile;
      const user = regeneratedUser(
        sim,
        { clusterName: sim.index.clusterName, region: sim.index.region },
        { profile: null, roleArn: null },
      );
      report({
        messageId: 'signsAsOther',
        data: { principal: principal.arn, caller: caller.Arn },
        explanation:
          `The cluster saw ${principal.arn} (canonical ${principal.canonicalArn}), but ${caller.Arn} is the identity your ` +
          'shell uses and the one this cluster grants access. The exec plugin signs with whatever credentials its own ' +
          'environment resolves: ' +
          (pinned
            ? `this kubeconfig sets AWS_PROFILE=${pinned} for it (written by \`update-kubeconfig --profile ${pinned}\`), which overrides your shell. `
            : 'AWS_ACCESS_KEY_ID/AWS_SESSION_TOKEN in the environment win over any profile, and a kubeconfig without --role signs as the base identity. ') +
          'Either make the exec plugin sign as the granted identity, or grant the identity it really uses.',
        evidence: compact([
          logCitation(sim, 'identity-not-mapped', 'access-granted', 'forbidden', 'unauthorized'),
          {
            source: 'callerIdentity',
            pointer: '/callerIdentity/data/Arn',
            note: `your shell signs as ${caller.Arn}`,
          },
          mappingEvidence(alternative, `${caller.Arn} is mapped here`),
          execEvidence(snapshot),
        ]),
        fixes: compact([
          {
            title: `Make the exec plugin sign as ${caller.Arn}`,
            actions: [],
            ...(user ? { snippet: user.snippet } : {}),
            notes:
              (pinned
                ? `Remove the AWS_PROFILE=${pinned} env entry from the kubeconfig user (the snippet shows the entry without it), or set it to the profile that signs as ${caller.Arn}. `
                : `Unset AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN if they belong to another identity, or add \`--role <granted role ARN>\` to the exec args. `) +
              (user ? `Regenerating with \`${user.command}\` writes the same entry.` : ''),
          },
          accessEntryPlan(sim, {
            title: `Alternative: grant the identity kubectl really uses (${principal.canonicalArn})`,
          }),
        ]),
        checks,
      });
      return;
    }

    if (sim.outcome === 'allowed' && (observed === 401 || observed === 403)) {
      report({
        messageId: 'allowedButObserved',
        data: { principal: principal.arn, status: observed },
        severity: 'info',
        explanation:
          `Replaying EKS's decision for ${principal.arn} allows the request, but the client saw ${observed}. The usual reason ` +
          'is that the token was not signed by this principal: a kubeconfig that pins AWS_PROFILE, credentials in the ' +
          'environment, or a CI job that runs the exec plugin as its runner role. The authenticator log names the ARN it saw ' +
          '(`msg="access denied" arn=...`).',
        evidence: compact([execEvidence(snapshot)]),
        checks,
      });
    }
  },
});
