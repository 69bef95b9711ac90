import { canonicalArn } from '../src/eks/arn.js';
import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { assumeRoleTarget, clientEvidence, execEvidence } from '../src/evidence/client.js';
import { logCitation } from '../src/evidence/logs.js';
import { regeneratedUser } from '../src/fix/kubeconfig.js';
import { commandText } from '../src/fix/quote.js';

/** FM-04: the exec plugin must assume a role (--role-arn / --role / -r) and STS refuses. */
export default defineRule({
  id: 'exec-assume-role-denied',
  stage: 'client',
  precedence: 40,
  summary:
    'The kubeconfig exec plugin assumes a role first, and STS refuses (trust policy, missing sts:AssumeRole, expired source credentials).',
  requires: ['kubeconfig'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html#unauthorized',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_roles.html',
    'https://docs.aws.amazon.com/cli/latest/reference/eks/get-token.html',
  ],
  messages: {
    denied: '{{caller}} may not assume {{role}}, so the exec plugin makes no token',
    expired: 'The credentials the exec plugin uses to assume {{role}} have expired',
  },
  check({ sim, incident }, report) {
    if (sim.failingStage !== 'client' || !sim.facts.has('assume-role-denied')) return;
    const exec = clientEvidence(sim.input.snapshot).kubeconfig?.facts.exec;
    const role = assumeRoleTarget(incident.reason) ?? exec?.roleArn;
    const roleText = role ?? 'the role in the kubeconfig (--role-arn / --role)';
    const callerArn = incident.principalArn;
    const expired = sim.facts.has('sts-expired-token') || sim.facts.has('sts-invalid-client-token');
    const roleName = role?.split('/').pop();
    let trustPrincipal: string | undefined;
    try {
      trustPrincipal = callerArn ? canonicalArn(callerArn) : undefined;
    } catch {
      trustPrincipal = undefined;
    }
    const getRole = roleName
      ? ['aws', 'iam', 'get-role', '--role-name', roleName, '--query', 'Role.AssumeRolePolicyDocument']
      : undefined;
    const tryAssume = role
      ? ['aws', 'sts', 'assume-role', '--role-arn', role, '--role-session-name', 'eksdoctor-check']
      : undefined;
    const user = regeneratedUser(
      sim,
      { clusterName: sim.index.clusterName, region: sim.index.region },
      { roleArn: null },
    );
    report({
      messageId: expired ? 'expired' : 'denied',
      data: { caller: callerArn ?? 'the caller', role: roleText },
      explanation: expired
        ? `The exec plugin first calls sts:AssumeRole for ${roleText} (\`aws eks get-token --role-arn\` uses session name ` +
          'EKSGetTokenAuth), and STS says the source credentials have expired. No token is made and no request is sent.'
        : `The exec plugin first calls sts:AssumeRole for ${roleText}; STS denies it because the role's trust policy does ` +
          `not trust ${callerArn ?? 'the caller'}, or the caller's own policies do not allow sts:AssumeRole on it (both are ` +
          'needed across accounts). No token is made and no request is sent.',
      evidence: compact([
        logCitation(sim, 'assume-role-denied', 'aws-access-denied', 'sts-expired-token'),
        execEvidence(sim.input.snapshot),
      ]),
      fixes: expired
        ? [
            {
              title: 'Refresh the source credentials, then retry',
              actions: [],
              notes:
                `Sign in again (\`${commandText(['aws', 'sso', 'login', ...(exec?.profile ? ['--profile', exec.profile] : [])])}\` for IAM Identity Center), ` +
                'or replace the expired AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN in the environment.',
            },
          ]
        : compact([
            {
              title: `Let ${trustPrincipal ?? 'the caller'} assume ${roleText}`,
              actions: [],
              ...(trustPrincipal
                ? {
                    snippet: {
                      language: 'json' as const,
                      content: JSON.stringify(
                        { Effect: 'Allow', Principal: { AWS: trustPrincipal }, Action: 'sts:AssumeRole' },
                        null,
                        2,
                      ),
                    },
                  }
                : {}),
              notes:
                `Add this statement to the trust policy of ${roleText}` +
                (roleName
                  ? ` (\`${commandText(getRole ?? [])}\` shows it; \`${commandText(['aws', 'iam', 'update-assume-role-policy', '--role-name', roleName, '--policy-document', 'file://trust-policy.json'])}\` replaces it with the edited file)`
                  : '') +
                `, and allow sts:AssumeRole on it in ${trustPrincipal ?? 'the caller'}'s identity policy when the accounts differ.`,
            },
            user && {
              title: 'Alternative: stop assuming the role and grant the caller directly',
              actions: [],
              snippet: user.snippet,
              notes: `The entry without --role signs as ${callerArn ?? 'the caller'}; that principal then needs an access entry or aws-auth mapping of its own.`,
            },
          ]),
      checks: compact([
        tryAssume && {
          title: `Try the AssumeRole call the exec plugin makes`,
          commands: [{ tool: 'aws', argv: tryAssume, text: commandText(tryAssume) }],
        },
        getRole && {
          title: `Read the trust policy of ${roleName ?? 'the role'}`,
          commands: [{ tool: 'aws', argv: getRole, text: commandText(getRole) }],
        },
      ]),
    });
  },
});
