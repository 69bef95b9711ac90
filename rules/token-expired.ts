import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { clientEvidence, kubectlMintsToken, tokenEvidence, tokenMeasuredAt } from '../src/evidence/client.js';
import { logCitation } from '../src/evidence/logs.js';
import type { FixPlan } from '../src/fix/actions.js';
import { EXEC_API_VERSION, regeneratedUser } from '../src/fix/kubeconfig.js';

/** FM-05: the authenticator refuses tokens more than 15 minutes after their X-Amz-Date. */
export default defineRule({
  id: 'token-expired',
  stage: 'token',
  precedence: 20,
  summary:
    'The token was signed more than 15 minutes before it was used (a static or cached token, a long Terraform apply), so the authenticator refuses it.',
  requires: ['token', 'kubeconfig', 'authenticatorLogs'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/cluster-auth.html',
    'https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs#exec-plugins',
    'https://github.com/runatlantis/atlantis/issues/800',
  ],
  messages: {
    staticToken: 'The kubeconfig carries a fixed token, which expired 15 minutes after it was made',
    terraform: 'The token {{tool}} was given expired during the run (tokens live 15 minutes)',
    expired: 'The token is {{age}} old; the authenticator accepts a token for 15 minutes after X-Amz-Date',
  },
  check({ sim, incident, clusterName, region }, report) {
    if (sim.failingStage !== 'token' || !sim.facts.has('token-expired')) return;
    const view = clientEvidence(sim.input.snapshot).kubeconfig;
    const staticToken = view?.facts.token === 'static';
    // The kubeconfig already runs the exec plugin: "use exec" would change nothing.
    const execInUse = Boolean(view?.facts.exec) && !staticToken;
    // kubectl made the token itself and refreshes it by its own clock: the clock is the cause (client-clock-skew).
    const clockSuspect = kubectlMintsToken(sim.input.snapshot, incident);
    const measured = tokenMeasuredAt(sim);
    const tool = incident.source === 'terraform' || incident.source === 'helm' ? incident.source : undefined;
    const ageSeconds = sim.token?.ageSeconds;
    const age = ageSeconds !== undefined ? `${Math.floor(ageSeconds / 60)} min` : 'more than 15 min';
    const messageId = staticToken ? 'staticToken' : tool ? 'terraform' : 'expired';
    const user = regeneratedUser(sim, { clusterName, region });
    const fixes: FixPlan[] = [];
    if (tool && clusterName) {
      fixes.push({
        title: `Let the ${tool === 'helm' ? 'Helm' : 'Kubernetes'} provider mint a token per connection (exec)`,
        actions: [],
        snippet: {
          language: 'hcl',
          content: [
            `provider "${tool === 'helm' ? 'helm' : 'kubernetes'}" {`,
            ...(tool === 'helm' ? ['  kubernetes {'] : []),
            '  host                   = data.aws_eks_cluster.this.endpoint',
            '  cluster_ca_certificate = base64decode(data.aws_eks_cluster.this.certificate_authority[0].data)',
            '  exec {',
            `    api_version = "${EXEC_API_VERSION}"`,
            '    command     = "aws"',
            `    args        = ["eks", "get-token", "--cluster-name", "${clusterName}"${region ? `, "--region", "${region}"` : ''}]`,
            '  }',
            ...(tool === 'helm' ? ['  }'] : []),
            '}',
          ].join('\n'),
        },
        notes:
          'A token from the aws_eks_cluster_auth data source is made once at plan time and expires 15 minutes later; the exec block runs `aws eks get-token` for every connection.',
      });
    }
    if (user && (staticToken || !tool) && !execInUse) {
      fixes.push({
        title: 'Use the exec plugin instead of a fixed or cached token',
        actions: [],
        snippet: user.snippet,
        notes:
          `kubectl re-runs the exec plugin whenever its token expires. \`${user.command}\` writes this entry. ` +
          'Programs that load a kubeconfig once (SDK clients, long-running jobs) must reload credentials before 15 minutes.',
      });
    }
    if (!fixes.length && !clockSuspect) {
      fixes.push(
        execInUse
          ? {
              title: 'Reload credentials in the client that reused the token',
              actions: [],
              notes:
                'The kubeconfig already runs the exec plugin, and kubectl refreshes its token before 15 minutes. A program that loads the kubeconfig once (an SDK client, a long-running job) must run the plugin again before the token is 15 minutes old.',
            }
          : {
              title: 'Make a new token and use it within 15 minutes',
              actions: [],
              notes: 'Re-run `aws eks get-token` (or let kubectl run it through the kubeconfig exec stanza).',
            },
      );
    }
    report({
      messageId,
      data: { age, tool: tool ?? 'the client' },
      // The expiry is how the failure shows, not its cause, when kubectl made the token itself.
      ...(clockSuspect ? { severity: 'info' as const } : {}),
      explanation:
        'aws-iam-authenticator rejects a token 15 minutes after its X-Amz-Date, whatever X-Amz-Expires says ' +
        '("X-Amz-Date parameter is expired (15 minute expiration)"); the client sees 401. ' +
        (sim.token?.date
          ? `This token was signed at ${sim.token.date}, ${age} before ${measured.failure ? 'the failure at ' : ''}${measured.at.toISOString()}. `
          : '') +
        (clockSuspect
          ? 'kubectl made it through the kubeconfig exec plugin and reuses such a token only for 14 minutes by its own clock, so the client clock is behind (client-clock-skew): a new token is born expired as well. '
          : staticToken
            ? 'The kubeconfig user has a fixed `token:`, so every request after those 15 minutes fails. '
            : tool
              ? `${tool === 'helm' ? 'Helm' : 'Terraform'} reuses one token for the whole run, so an apply longer than 15 minutes fails part-way. `
              : 'A client that cached the token (or a pasted token) used it too late. ') +
        (clockSuspect
          ? ''
          : 'A client clock that is behind makes fresh tokens look old as well (client-clock-skew).'),
      evidence: compact([
        logCitation(sim, 'token-expired'),
        tokenEvidence(sim.input.snapshot, `X-Amz-Date ${sim.token?.date ?? '?'}: ${age} old`),
        staticToken && view?.userPointer
          ? {
              source: 'kubeconfig',
              pointer: `${view.userPointer}/token`,
              note: 'a fixed token in the kubeconfig',
            }
          : undefined,
      ]),
      fixes,
    });
  },
});
