import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { clientEvidence, tokenEvidence } from '../src/evidence/client.js';
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
    if (user && (staticToken || !tool)) {
      fixes.push({
        title: 'Use the exec plugin instead of a fixed or cached token',
        actions: [],
        snippet: user.snippet,
        notes:
          `kubectl re-runs the exec plugin whenever its token expires. \`${user.command}\` writes this entry. ` +
          'Programs that load a kubeconfig once (SDK clients, long-running jobs) must reload credentials before 15 minutes.',
      });
    }
    if (!fixes.length) {
      fixes.push({
        title: 'Make a new token and use it within 15 minutes',
        actions: [],
        notes: 'Re-run `aws eks get-token` (or let kubectl run it through the kubeconfig exec stanza).',
      });
    }
    report({
      messageId,
      data: { age, tool: tool ?? 'the client' },
      explanation:
        'aws-iam-authenticator rejects a token 15 minutes after its X-Amz-Date, whatever X-Amz-Expires says ' +
        '("X-Amz-Date parameter is expired (15 minute expiration)"); the client sees 401. ' +
        (sim.token?.date
          ? `This token was signed at ${sim.token.date}, ${age} before ${sim.input.now.toISOString()}. `
          : '') +
        (staticToken
          ? 'The kubeconfig user has a fixed `token:`, so every request after those 15 minutes fails. '
          : tool
            ? `${tool === 'helm' ? 'Helm' : 'Terraform'} reuses one token for the whole run, so an apply longer than 15 minutes fails part-way. `
            : 'A client that cached the token (or a pasted token) used it too late. ') +
        'A client clock that is behind makes fresh tokens look old as well (client-clock-skew).',
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
