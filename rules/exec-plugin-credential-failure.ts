import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { clientEvidence, execEvidence } from '../src/evidence/client.js';
import { logCitation } from '../src/evidence/logs.js';
import type { Check } from '../src/model/report.js';
import { commandText } from '../src/fix/quote.js';

/** FM-01: the exec credential plugin cannot get AWS credentials, so kubectl never sends the request. */
const VARIANTS = [
  ['exec-plugin-not-found', 'notFound'],
  ['sso-token-expired', 'ssoExpired'],
  ['no-credentials', 'noCredentials'],
  ['exec-plugin-failed', 'failed'],
] as const;

export default defineRule({
  id: 'exec-plugin-credential-failure',
  stage: 'client',
  precedence: 10,
  summary:
    'The kubeconfig exec plugin (aws eks get-token) cannot obtain AWS credentials, so no request reaches the cluster.',
  requires: ['kubeconfig'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/create-kubeconfig.html',
    'https://docs.aws.amazon.com/cli/latest/userguide/sso-using-profile.html',
    'https://github.com/lensapp/lens/issues/5605',
  ],
  messages: {
    notFound: 'The exec plugin {{command}} is not installed or not on the PATH kubectl sees',
    ssoExpired:
      'The IAM Identity Center (SSO) session of {{profile}} has expired; the exec plugin gets no credentials',
    noCredentials: 'The exec plugin finds no AWS credentials for {{profile}}',
    failed: 'The exec plugin {{command}} failed before any request was sent',
  },
  check({ sim }, report) {
    if (sim.failingStage !== 'client') return;
    const facts = sim.facts;
    // A more specific client cause explains the failure: the apiVersion (FM-02) or AssumeRole (FM-04).
    if (
      ['assume-role-denied', 'exec-api-version-v1alpha1', 'exec-api-version-unsupported'].some((f) =>
        facts.has(f),
      )
    ) {
      return;
    }
    const variant = VARIANTS.find(([fact]) => facts.has(fact));
    if (!variant) return;
    const [fact, messageId] = variant;
    const exec = clientEvidence(sim.input.snapshot).kubeconfig?.facts.exec;
    const command = exec?.command || 'aws';
    const profile = exec?.profile;
    const profileText = profile ? `profile ${profile}` : 'the default profile';
    const explanations: Record<typeof messageId, string> = {
      notFound:
        `kubectl runs "${command}" to mint a token and cannot find it. A GUI client (Lens, an IDE) does not inherit your ` +
        "shell's PATH, and an old kubeconfig may name aws-iam-authenticator, which is no longer installed.",
      ssoExpired:
        `The exec plugin asks the AWS CLI for credentials of ${profileText}; its IAM Identity Center session has expired, ` +
        'so the CLI exits with code 255 and kubectl reports "getting credentials: exec: executable aws failed". Nothing ' +
        'reached the cluster: no authenticator log line and no audit event exists for this attempt.',
      noCredentials:
        `The exec plugin finds no credentials for ${profileText} ("Unable to locate credentials"). kubectl runs it with its ` +
        "own environment: a GUI client may not see your shell's AWS_* variables, and `env: AWS_PROFILE` in the kubeconfig " +
        'overrides the shell.',
      failed:
        `kubectl ran "${command}" and it exited with an error, so no token was made and no request was sent. ` +
        "The plugin's own error output (printed above kubectl's) says why.",
    };
    const checks: Check[] = [];
    if (exec) {
      const argv = [
        ...Object.entries(exec.env)
          .filter(([name, value]) => name.startsWith('AWS_') && value !== '***')
          .map(([name, value]) => `${name}=${value}`),
        command,
        ...exec.args,
      ];
      const withEnv = argv[0]?.includes('=') ? ['env', ...argv] : argv;
      checks.push({
        title: 'Run the exec plugin exactly as kubectl does and read its error',
        commands: [{ tool: 'shell', argv: withEnv, text: commandText(withEnv) }],
      });
    }
    const whoami = ['aws', 'sts', 'get-caller-identity', ...(profile ? ['--profile', profile] : [])];
    checks.push({
      title: `See whether ${profileText} has working credentials`,
      commands: [{ tool: 'aws', argv: whoami, text: commandText(whoami) }],
    });
    const login = commandText(['aws', 'sso', 'login', ...(profile ? ['--profile', profile] : [])]);
    const fixNotes: Record<typeof messageId, string> = {
      notFound:
        'Install AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), or put the ' +
        'absolute path of `aws` (`command -v aws`) in the kubeconfig exec `command`; GUI clients need it on their own PATH.',
      ssoExpired: `Run \`${login}\` (AWS CLI v2), then retry: kubectl runs the exec plugin again by itself.`,
      noCredentials:
        `Configure credentials for ${profileText} (\`aws configure sso\` or \`aws configure\`), or set \`env: AWS_PROFILE\` ` +
        'in the kubeconfig exec stanza to a profile that has them, then retry.',
      failed: `Fix what the plugin's error names (an expired SSO session: \`${login}\`; no credentials: configure ${profileText}), then retry.`,
    };
    report({
      messageId,
      data: { command, profile: profile ? `profile ${profile}` : 'the default profile' },
      explanation: explanations[messageId],
      evidence: compact([logCitation(sim, fact), execEvidence(sim.input.snapshot)]),
      fixes: [
        {
          title:
            messageId === 'ssoExpired'
              ? `Sign in again (${profileText})`
              : 'Give the exec plugin credentials',
          actions: [],
          notes: fixNotes[messageId],
        },
      ],
      checks,
    });
  },
});
