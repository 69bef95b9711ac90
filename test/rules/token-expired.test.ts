import rule from '../../rules/token-expired.js';
import { describe, expect, it } from 'vitest';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session } from '../helpers/build.js';
import { deniedLine, kubeconfig, tokenUrl, withEvidence, withIncident } from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const mapped = () =>
  build({
    principal: BOB,
    entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
  });
const withToken = (date: string) =>
  withEvidence(mapped(), { token: { status: 'ok', data: { url: tokenUrl({ date }), length: 1212 } } });
const EXPIRED_LINE = deniedLine(
  '2026-11-20T09:14:02Z',
  'input token was not properly formatted: X-Amz-Date parameter is expired (15 minute expiration) 2026-11-20 08:51:40 +0000 UTC',
);

runRuleTests(rule, {
  valid: [
    { name: 'a token made a minute ago', snapshot: withToken('2026-11-20T09:29:00Z') },
    { name: 'a token 14 minutes old is still accepted', snapshot: withToken('2026-11-20T09:16:00Z') },
    {
      name: 'a token 5 s old when the request failed, though collected 20 minutes later (QA fm09-2)',
      snapshot: withIncident(withToken('2026-11-20T09:09:55Z'), { observedAt: '2026-11-20T09:10:00Z' }),
    },
    {
      // QA noise b4: another client's expired token near the failure does not override what the config proves.
      name: 'a nameless expiry line does not override a principal that is not mapped',
      snapshot: withIncident(
        withEvidence(build({ principal: BOB, logLines: ['│ Error: Unauthorized'] }), {
          authenticatorLogs: { status: 'ok', data: [EXPIRED_LINE] },
        }),
        { observedAt: '2026-11-20T09:14:30Z' },
      ),
    },
    {
      name: 'an expiry line of another time is not this incident',
      snapshot: withIncident(
        withEvidence(mapped(), { authenticatorLogs: { status: 'ok', data: [EXPIRED_LINE] } }),
        {
          observedAt: '2026-11-20T11:00:00Z',
        },
      ),
    },
  ],
  invalid: [
    {
      name: 'a pasted token 38 minutes old',
      snapshot: withToken('2026-11-20T08:51:40Z'),
      messageId: 'expired',
      severity: 'error',
      first: true,
      evidence: ['/token/data/url'],
    },
    {
      name: 'a fixed token in the kubeconfig',
      snapshot: withEvidence(withToken('2026-11-20T08:51:40Z'), {
        kubeconfig: { status: 'ok', data: kubeconfig({ staticToken: true }) },
      }),
      messageId: 'staticToken',
      severity: 'error',
      first: true,
      evidence: ['/kubeconfig/data/users/0/user/token'],
    },
    {
      // The principal is mapped: the nameless line, tied by time only, is the one thing that explains the 401.
      name: 'a Terraform apply outlives its token (authenticator log at the incident time)',
      snapshot: withIncident(
        withEvidence(mapped(), { authenticatorLogs: { status: 'ok', data: [EXPIRED_LINE] } }),
        { observedAt: '2026-11-20T09:14:30Z', logLines: ['│ Error: Unauthorized'] },
      ),
      messageId: 'terraform',
      severity: 'error',
      first: true,
      evidence: ['/authenticatorLogs/data/0'],
    },
    {
      name: 'kubectl made it through the exec plugin: the expiry is a symptom of the clock (info)',
      snapshot: withEvidence(
        withIncident(withToken('2026-11-20T08:51:40Z'), {
          logLines: ['error: You must be logged in to the server (Unauthorized)'],
        }),
        { kubeconfig: { status: 'ok', data: kubeconfig() } },
      ),
      messageId: 'expired',
      severity: 'info',
    },
  ],
});

describe('token-expired fixes', () => {
  it('does not offer the exec plugin to a kubeconfig that already runs it', () => {
    const snapshot = withEvidence(
      withIncident(withToken('2026-11-20T08:51:40Z'), { logLines: ['│ Error: Unauthorized'] }),
      { kubeconfig: { status: 'ok', data: kubeconfig() } },
    );
    const { mine } = findingsOf(rule, { name: 'x', snapshot });
    expect(mine[0]?.severity).toBe('error');
    expect(mine[0]?.fixes.map((f) => f.title).join('\n')).not.toMatch(/Use the exec plugin/);
  });

  it('measures the age at the failure time when the token predates it', () => {
    const snapshot = withIncident(withToken('2026-11-20T08:51:40Z'), { observedAt: '2026-11-20T09:10:00Z' });
    const { mine } = findingsOf(rule, { name: 'x', snapshot });
    expect(mine[0]?.title).toContain('18 min old');
  });
});
