import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { citeFact, logEvidenceFor } from '../src/evidence/logs.js';

/**
 * FM-14: STS throttled the authenticator's GetCallerIdentity replay; it answers kube-apiserver with HTTP 429, the
 * webhook client retries, and the client sees 401 when the throttling lasts (AUTH:pkg/server/server.go).
 */
export default defineRule({
  id: 'sts-throttling',
  stage: 'sts',
  precedence: 30,
  summary:
    "STS throttled the authenticator's verification calls (too many new tokens at once), so some requests fail with 401.",
  requires: ['authenticatorLogs'],
  references: [
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/blob/master/pkg/server/server.go',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
  ],
  messages: {
    throttled: 'STS throttled the token verification ({{count}})',
  },
  check({ sim }, report) {
    if (sim.failingStage !== 'sts' || !sim.facts.has('sts-throttled')) return;
    const logs = logEvidenceFor(sim.input.snapshot, sim);
    const lines = logs.citations
      .filter((c) => c.fact === 'sts-throttled' && c.source === 'authenticatorLogs')
      .reduce((n, c) => n + 1 + (c.more ?? 0), 0);
    report({
      messageId: 'throttled',
      data: {
        count:
          lines > 1 ? `${lines} denials in the authenticator log` : 'sts getCallerIdentity was throttled',
      },
      explanation:
        'For every new token the authenticator replays the pre-signed GetCallerIdentity to STS. When STS throttles it, ' +
        'the authenticator answers kube-apiserver with 429, the webhook client retries, and a request whose retries also ' +
        'hit the limit fails with 401. It comes and goes: bursts of fresh tokens (CI fan-out, many short-lived kubectl ' +
        'processes, controllers that mint a token per call) cause it.',
      evidence: compact([citeFact(logs, 'sts-throttled')]),
      fixes: [
        {
          title: 'Mint fewer tokens, and retry',
          actions: [],
          notes:
            'Reuse a token until it expires (kubectl caches the exec credential for 14 minutes per process; long-lived clients should cache too), stagger parallel jobs, and retry 401s with back-off.',
        },
      ],
    });
  },
});
