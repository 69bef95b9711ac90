import rule from '../../rules/invalid-or-expired-static-credentials.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session, user } from '../helpers/build.js';
import {
  deniedLine,
  kubeconfig,
  stsFailure,
  withEvidence,
  type KubeconfigOptions,
} from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const line = (code: string, message: string) =>
  deniedLine('2026-11-20T09:29:30Z', stsFailure(code, message)).message;
const EXPIRED = line('ExpiredToken', 'The security token included in the request is expired');
const INVALID = line('InvalidClientTokenId', 'The security token included in the request is invalid.');
const WRONG = line(
  'SignatureDoesNotMatch',
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
);
const snapshot = (principal: string, logLines: string[], k?: KubeconfigOptions) => {
  const s = build({
    principal,
    logLines,
    entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
  });
  return k ? withEvidence(s, { kubeconfig: { status: 'ok', data: kubeconfig(k) } }) : s;
};

runRuleTests(rule, {
  valid: [
    {
      name: 'the token names another cluster (wrong-cluster-id-in-token)',
      snapshot: snapshot(BOB, [WRONG], { signsFor: 'platform-stg' }),
    },
    {
      name: 'a clock ahead (client-clock-skew)',
      snapshot: snapshot(BOB, [
        line(
          'SignatureDoesNotMatch',
          'Signature not yet current: 20261120T094100Z is still later than 20261120T093500Z (20261120T093000Z + 5 min.)',
        ),
      ]),
    },
    {
      name: 'STS deactivated in the region (sts-region-disabled-or-optin-token)',
      snapshot: snapshot(BOB, [
        line('RegionDisabledException', 'STS is not activated in this region for account:111122223333.'),
      ]),
    },
  ],
  invalid: [
    {
      name: 'a stale AWS_SESSION_TOKEN',
      snapshot: snapshot(BOB, [EXPIRED]),
      messageId: 'expired',
      severity: 'error',
      first: true,
      evidence: ['/incident/logLines/0'],
    },
    {
      name: "a deactivated IAM user's key",
      snapshot: snapshot(user('build-bot'), [INVALID]),
      messageId: 'invalidKey',
      severity: 'error',
      first: true,
    },
    {
      name: 'a wrong secret key, the kubeconfig names this cluster',
      snapshot: snapshot(BOB, [WRONG], {}),
      messageId: 'wrongSecret',
      severity: 'error',
      first: true,
    },
    {
      name: 'SignatureDoesNotMatch without the kubeconfig: undecided',
      snapshot: snapshot(BOB, [WRONG]),
      messageId: 'wrongSecret',
      severity: 'info',
    },
  ],
});
