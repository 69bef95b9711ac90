import { defineRule } from '../src/engine/define-rule.js';
import { checkCommand } from '../src/fix/run-commands.js';
import { EKS_MAX_TOKEN_AGE_S, staleTokens } from '../src/k8s/stale-tokens.js';

const DAY = 24 * 3600;

/** FM-55: a pod keeps sending its projected ServiceAccount token long after expiry; past 90 days EKS rejects it (401). */
export default defineRule({
  id: 'serviceaccount-token-stale',
  stage: 'token',
  precedence: 40,
  summary:
    'A workload keeps using an expired ServiceAccount token (old Kubernetes client SDK that never reloads it); EKS rejects tokens older than 90 days with 401.',
  requires: ['auditEvents'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/service-accounts.html#service-account-tokens',
    'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html',
  ],
  messages: {
    rejected:
      'ServiceAccount {{namespace}}/{{name}} sends a token {{days}} days old; EKS rejects tokens older than 90 days',
    aging:
      'ServiceAccount {{namespace}}/{{name}} sends a token {{days}} days old; EKS will reject it after 90 days',
  },
  check({ sim, incident }, report) {
    const plausible =
      sim.facts.has('serviceaccount-token-stale') ||
      sim.input.observedStatus === 401 ||
      sim.facts.has('unauthorized') ||
      incident.username?.startsWith('system:serviceaccount:');
    if (!plausible) return;
    const tokens = staleTokens(sim.input.snapshot);
    if (tokens.length === 0) return;
    const named = incident.username?.startsWith('system:serviceaccount:') ? incident.username : undefined;
    const token =
      (named && tokens.find((t) => `system:serviceaccount:${t.namespace}:${t.name}` === named)) || tokens[0];
    if (!token) return;
    const days = (token.ageSeconds / DAY).toFixed(1);
    const left = Math.max(0, Math.ceil((EKS_MAX_TOKEN_AGE_S - token.ageSeconds) / DAY));
    report({
      messageId: token.rejected ? 'rejected' : 'aging',
      data: { namespace: token.namespace, name: token.name, days },
      ...(token.rejected ? {} : { severity: 'warning' as const }),
      explanation:
        'Bound ServiceAccount tokens are valid for one hour; the kubelet refreshes the projected file, but Kubernetes client SDKs older than ' +
        'Go 0.15.7, Python 12.0.0, Java 9.0.0, JavaScript 0.10.3 or C# 7.0.5 read it once and keep sending it. EKS tolerates such stale tokens for 90 days, ' +
        `annotating audit events with authentication.k8s.io/stale-token, then rejects them with 401. ${token.namespace}/${token.name} sent a token about ${days} days old` +
        (token.time ? ` at ${token.time}` : '') +
        (token.rejected
          ? ', past the limit: its calls are Unauthorized until the pod reloads the token.'
          : `; it will be rejected in about ${left} days.`),
      evidence: [
        {
          source: token.source,
          pointer: token.pointer,
          note: `${token.source === 'auditEvents' ? 'audit annotation ' : ''}stale-token for system:serviceaccount:${token.namespace}:${token.name}`,
        },
      ],
      fixes: [
        {
          title: `Upgrade the Kubernetes client SDK of the workloads using ${token.namespace}/${token.name}, then restart them`,
          actions: [],
          notes:
            'Minimum versions that reload the token: Go client-go 0.15.7, Python 12.0.0, Java 9.0.0, JavaScript 0.10.3, C# 7.0.5. Restarting the pods gives them a fresh token at once, but an old SDK goes stale again after an hour.',
        },
      ],
      checks: [
        {
          title: `Pods that run as ${token.namespace}/${token.name}`,
          commands: [
            checkCommand('kubectl', [
              'kubectl',
              'get',
              'pods',
              '--namespace',
              token.namespace,
              '-o',
              `jsonpath={range .items[?(@.spec.serviceAccountName=="${token.name}")]}{.metadata.name}{"\\n"}{end}`,
            ]),
          ],
        },
      ],
    });
  },
});
