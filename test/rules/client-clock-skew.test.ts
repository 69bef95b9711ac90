import rule from '../../rules/client-clock-skew.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session } from '../helpers/build.js';
import {
  deniedLine,
  kubeconfig,
  stsFailure,
  tokenUrl,
  withEvidence,
  withIncident,
} from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const mapped = (logLines?: string[]) =>
  build({
    principal: BOB,
    entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
    ...(logLines ? { logLines } : {}),
  });
const withToken = (date: string, logLines?: string[]) =>
  withEvidence(mapped(logLines), {
    token: { status: 'ok', data: { url: tokenUrl({ date }), length: 1212 } },
  });
const NOT_YET = deniedLine(
  '2026-11-20T09:30:00Z',
  stsFailure(
    'SignatureDoesNotMatch',
    'Signature not yet current: 20261120T094100Z is still later than 20261120T093500Z (20261120T093000Z + 5 min.)',
  ),
).message;

runRuleTests(rule, {
  valid: [
    { name: 'a fresh token', snapshot: withToken('2026-11-20T09:29:00Z') },
    { name: 'three minutes ahead is tolerated', snapshot: withToken('2026-11-20T09:33:00Z') },
    {
      name: 'an expired fixed token says nothing about the clock',
      snapshot: withEvidence(withToken('2026-11-20T08:51:40Z'), {
        kubeconfig: { status: 'ok', data: kubeconfig({ staticToken: true }) },
      }),
    },
  ],
  invalid: [
    {
      name: 'a token dated 11 minutes in the future',
      snapshot: withToken('2026-11-20T09:41:00Z'),
      messageId: 'ahead',
      severity: 'error',
      first: true,
      evidence: ['/token/data/url'],
    },
    {
      name: 'the authenticator logged "Signature not yet current"',
      snapshot: mapped([NOT_YET]),
      messageId: 'ahead',
      severity: 'error',
      first: true,
      evidence: ['/incident/logLines/0'],
    },
    {
      name: 'kubectl made the token itself and it is already expired',
      snapshot: withEvidence(
        withToken('2026-11-20T09:08:00Z', ['error: You must be logged in to the server (Unauthorized)']),
        {
          kubeconfig: { status: 'ok', data: kubeconfig() },
        },
      ),
      messageId: 'behind',
      severity: 'error',
      first: true,
      evidence: ['/token/data/url', '/kubeconfig/data/users/0/user/exec'],
    },
    {
      name: 'the 22-minute-old token kubectl sent, measured at the failure time (QA fm06-1)',
      snapshot: withIncident(
        withEvidence(
          withToken('2026-11-20T08:59:25Z', ['error: You must be logged in to the server (Unauthorized)']),
          {
            kubeconfig: { status: 'ok', data: kubeconfig() },
            authenticatorLogs: {
              status: 'ok',
              data: [
                deniedLine(
                  '2026-11-20T09:21:30Z',
                  'input token was not properly formatted: X-Amz-Date parameter is expired (15 minute expiration) 2026-11-20 08:59:25 +0000 UTC',
                ),
              ],
            },
          },
        ),
        { observedAt: '2026-11-20T09:21:30Z' },
      ),
      messageId: 'behind',
      severity: 'error',
      first: true,
    },
    {
      name: 'only the log and an exec kubeconfig, the client unknown: a possibility',
      snapshot: withEvidence(withToken('2026-11-20T09:08:00Z'), {
        kubeconfig: { status: 'ok', data: kubeconfig() },
      }),
      messageId: 'maybeBehind',
      severity: 'info',
    },
  ],
});
