import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { clientEvidence } from '../src/evidence/client.js';
import { logCitation } from '../src/evidence/logs.js';
import { EXEC_API_VERSION, regeneratedUser } from '../src/fix/kubeconfig.js';

/** FM-02: the kubeconfig asks the exec plugin for client.authentication.k8s.io/v1alpha1 (removed in client-go 1.24). */
export default defineRule({
  id: 'exec-api-version-v1alpha1',
  stage: 'client',
  precedence: 30,
  summary:
    'The kubeconfig exec stanza uses client.authentication.k8s.io/v1alpha1 (or an apiVersion the plugin does not return), so the client refuses to run it.',
  requires: ['kubeconfig'],
  references: [
    'https://github.com/aws/containers-roadmap/issues/1736',
    'https://github.com/aws/aws-cli/issues/6920',
    'https://docs.aws.amazon.com/eks/latest/userguide/create-kubeconfig.html',
  ],
  messages: {
    v1alpha1:
      'The kubeconfig exec plugin uses apiVersion client.authentication.k8s.io/v1alpha1, which this client no longer accepts',
    mismatch: 'The exec plugin and the kubeconfig disagree on the ExecCredential apiVersion',
    latent:
      'The kubeconfig exec plugin uses apiVersion client.authentication.k8s.io/v1alpha1: kubectl 1.24 and later will refuse it',
  },
  check({ sim, incident, clusterName, region }, report) {
    const pastedAlpha = sim.facts.has('exec-api-version-v1alpha1');
    const pastedOther = sim.facts.has('exec-api-version-unsupported');
    const view = clientEvidence(sim.input.snapshot).kubeconfig;
    const configured = view?.facts.exec?.apiVersion;
    const inKubeconfig = view?.facts.problems.some((p) => p.fact === 'exec-api-version-v1alpha1') ?? false;
    if (!pastedAlpha && !pastedOther && !inKubeconfig) return;
    const failing = (pastedAlpha || pastedOther) && sim.failingStage === 'client';
    const messageId = failing ? (pastedAlpha ? 'v1alpha1' : 'mismatch') : 'latent';
    const user = regeneratedUser(sim, { clusterName, region });
    report({
      messageId,
      ...(failing ? {} : { severity: 'warning' as const }),
      explanation:
        'Kubernetes removed the ExecCredential API client.authentication.k8s.io/v1alpha1 from client-go 1.24, so kubectl ' +
        '1.24+ (and clients built on it: Helm, Terraform providers, Lens) refuses an exec stanza that asks for it, before ' +
        'running the plugin. Kubeconfigs written by AWS CLI versions before 1.24.0 (v1) or by aws-iam-authenticator ' +
        `0.5.3 and older carry it; a current \`aws eks update-kubeconfig\` writes ${EXEC_API_VERSION}. ` +
        (pastedOther && incident.reason ? `The client said: ${incident.reason}. ` : '') +
        (configured ? `This kubeconfig asks for ${configured}.` : ''),
      evidence: compact([
        logCitation(sim, 'exec-api-version-v1alpha1', 'exec-api-version-unsupported'),
        view?.facts.exec && {
          source: 'kubeconfig',
          pointer: `${view.execPointer ?? '/kubeconfig/data'}/apiVersion`,
          note: `exec apiVersion ${configured ?? '(none)'}`,
        },
      ]),
      fixes: [
        {
          title: `Use ${EXEC_API_VERSION} (upgrade the AWS CLI and regenerate the entry)`,
          actions: [],
          ...(user ? { snippet: user.snippet } : {}),
          notes:
            (user
              ? `Upgrade the AWS CLI, then run \`${user.command}\` (it rewrites the entry shown). `
              : '') +
            `Or edit the exec apiVersion to ${EXEC_API_VERSION} by hand; keep any --role or AWS_PROFILE you rely on.`,
        },
      ],
      checks: [
        {
          title: 'See which apiVersion the current context asks for',
          commands: [
            {
              tool: 'kubectl',
              argv: [
                'kubectl',
                'config',
                'view',
                '--minify',
                '-o',
                'jsonpath={.users[0].user.exec.apiVersion}',
              ],
              text: "kubectl config view --minify -o 'jsonpath={.users[0].user.exec.apiVersion}'",
            },
          ],
        },
      ],
    });
  },
});
