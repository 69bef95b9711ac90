import rule from '../../rules/malformed-token-custom-generator.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session } from '../helpers/build.js';
import { deniedLine, tokenUrl, withEvidence, type TokenUrlOptions } from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const mapped = (logLines?: string[]) =>
  build({
    principal: BOB,
    entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
    ...(logLines ? { logLines } : {}),
  });
const withToken = (o: TokenUrlOptions) =>
  withEvidence(mapped(), { token: { status: 'ok', data: { url: tokenUrl(o), length: 1300 } } });

runRuleTests(rule, {
  valid: [
    { name: 'a token like aws eks get-token makes', snapshot: withToken({}) },
    { name: 'an expired but well-formed token', snapshot: withToken({ date: '2026-11-20T08:00:00Z' }) },
  ],
  invalid: [
    {
      name: 'x-k8s-aws-id hoisted into the query string',
      snapshot: withToken({ signedHeaders: 'host', extra: 'x-k8s-aws-id=platform-prod' }),
      messageId: 'malformed',
      severity: 'error',
      first: true,
      evidence: ['/token/data/url'],
    },
    {
      name: 'the JavaScript SDK default of 3600 seconds',
      snapshot: withToken({ expires: 3600 }),
      messageId: 'malformed',
      severity: 'error',
      first: true,
    },
    {
      name: 'the authenticator logged a missing prefix',
      snapshot: mapped([
        deniedLine(
          '2026-11-20T09:29:30Z',
          'input token was not properly formatted: token is missing expected "k8s-aws-v1." prefix',
        ).message,
      ]),
      messageId: 'malformed',
      severity: 'error',
      evidence: ['/incident/logLines/0'],
    },
  ],
});
