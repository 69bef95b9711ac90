import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import {
  clientEvidence,
  execEvidence,
  kubectlMintsToken,
  tokenEvidence,
  tokenMeasuredAt,
} from '../src/evidence/client.js';
import { logCitation } from '../src/evidence/logs.js';
import type { Check } from '../src/model/report.js';
import { commandText } from '../src/fix/quote.js';

/**
 * FM-06: the presign time comes from the client's clock. Ahead by more than 5 minutes: STS answers
 * `Signature not yet current`; behind by more than 15 minutes: every fresh token is already expired.
 */
export default defineRule({
  id: 'client-clock-skew',
  stage: 'sts',
  precedence: 50,
  summary:
    "The client's clock is wrong: tokens dated in the future are refused by STS, tokens dated too far back are already expired.",
  requires: ['token', 'kubeconfig', 'authenticatorLogs'],
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/blob/master/pkg/token/token.go',
  ],
  messages: {
    ahead:
      'The token is dated {{skew}} in the future: the client clock is ahead and STS refuses the signature',
    behind:
      'kubectl made this token itself, yet it was already expired: the client clock is behind by {{skew}} or more',
    maybeBehind:
      'kubectl made this token itself, yet it is already expired: the client clock may be behind by {{skew}} or more',
  },
  check({ sim, incident }, report) {
    const region = sim.token?.region ?? sim.index.region ?? 'us-east-1';
    const stsHost =
      sim.token?.host && !sim.token.problems.length ? sim.token.host : `sts.${region}.amazonaws.com`;
    const curl = ['curl', '-sI', `https://${stsHost}/`];
    const checks: Check[] = [
      {
        title: "Compare this machine's UTC time with the Date header AWS returns",
        commands: [
          { tool: 'shell', argv: ['date', '-u'], text: 'date -u' },
          { tool: 'shell', argv: curl, text: commandText(curl) },
        ],
      },
    ];
    const ageSeconds = sim.token?.ageSeconds;
    if (sim.failingStage === 'sts' && sim.facts.has('clock-skew')) {
      const skew =
        ageSeconds !== undefined && ageSeconds < 0
          ? `${Math.round(-ageSeconds / 60)} min`
          : 'more than 5 min';
      report({
        messageId: 'ahead',
        data: { skew },
        explanation:
          'The exec plugin stamps X-Amz-Date with the local clock. The authenticator only checks that the token is not ' +
          'older than 15 minutes, then replays it to STS, which refuses a signature more than 5 minutes in the future ' +
          '("SignatureDoesNotMatch: Signature not yet current"); the client sees 401.' +
          (sim.token?.date
            ? ` This token is dated ${sim.token.date}, ${skew} after ${sim.input.now.toISOString()}.`
            : ''),
        evidence: compact([
          logCitation(sim, 'clock-skew'),
          tokenEvidence(sim.input.snapshot, `X-Amz-Date ${sim.token?.date ?? '?'}: ${skew} in the future`),
        ]),
        fixes: [
          {
            title: 'Synchronise the clock with NTP, then retry',
            actions: [{ kind: 'run', tool: 'shell', argv: ['sudo', 'timedatectl', 'set-ntp', 'true'] }],
            notes:
              'That is for Linux with systemd. macOS: System Settings > General > Date & Time > Set time automatically (or `sudo sntp -sS time.apple.com`); Windows: `w32tm /resync`. kubectl makes a new token on the next request.',
          },
        ],
        checks,
      });
      return;
    }
    // Behind: a token kubectl made through the exec plugin expires by kubectl's own clock after 14 minutes, so one
    // the authenticator already finds expired points at the clock. kubectl itself failing says so; with only the
    // authenticator's log (the client unknown) it stays a possibility.
    const exec = clientEvidence(sim.input.snapshot).kubeconfig?.facts.exec;
    if (
      sim.failingStage === 'token' &&
      sim.facts.has('token-expired') &&
      exec &&
      (incident.source === 'kubectl' || incident.source === undefined)
    ) {
      const minted = kubectlMintsToken(sim.input.snapshot, incident);
      const skew =
        ageSeconds !== undefined ? `${Math.max(1, Math.floor(ageSeconds / 60) - 14)} min` : 'a few minutes';
      const measured = tokenMeasuredAt(sim);
      report({
        messageId: minted ? 'behind' : 'maybeBehind',
        data: { skew },
        ...(minted ? { stage: 'token' as const } : { severity: 'info' as const }),
        explanation:
          'kubectl runs the exec plugin and reuses the token until the expirationTimestamp the plugin reports (14 minutes ' +
          'after it was made, by the same local clock). If the authenticator still finds it older than 15 minutes, the ' +
          'local clock is behind real time: every token kubectl makes is then born expired, and getting a new one changes nothing.' +
          (sim.token?.date && ageSeconds !== undefined
            ? ` This token is dated ${sim.token.date}, ${Math.floor(ageSeconds / 60)} min before ${measured.failure ? 'the failure' : 'collection'} (${measured.at.toISOString()}): the clock is at least ${skew} behind.`
            : '') +
          (minted ? '' : ' Only the client machine can tell: compare its UTC time with AWS.'),
        evidence: compact([
          logCitation(sim, 'token-expired'),
          tokenEvidence(sim.input.snapshot, `X-Amz-Date ${sim.token?.date ?? '?'}`),
          execEvidence(sim.input.snapshot),
        ]),
        fixes: [
          {
            title: 'Synchronise the clock with NTP, then retry',
            actions: [{ kind: 'run', tool: 'shell', argv: ['sudo', 'timedatectl', 'set-ntp', 'true'] }],
            notes:
              'That is for Linux with systemd. macOS: System Settings > General > Date & Time > Set time automatically (or `sudo sntp -sS time.apple.com`); Windows: `w32tm /resync`. kubectl makes a new token on the next request.',
          },
        ],
        checks,
      });
    }
  },
});
