import rule from '../../rules/token-too-large.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session } from '../helpers/build.js';
import { deniedLine, tokenUrl, withEvidence } from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const mapped = (logLines?: string[]) =>
  build({
    principal: BOB,
    entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
    ...(logLines ? { logLines } : {}),
  });
const withLength = (length: number) =>
  withEvidence(mapped(), { token: { status: 'ok', data: { url: tokenUrl(), length } } });

runRuleTests(rule, {
  valid: [
    { name: 'a usual token (1.3 KB)', snapshot: withLength(1312) },
    { name: 'exactly 4096 bytes', snapshot: withLength(4096) },
  ],
  invalid: [
    {
      name: 'a session with many tags (5.2 KB)',
      snapshot: withLength(5188),
      messageId: 'tooLarge',
      severity: 'error',
      first: true,
      evidence: ['/token/data/length'],
    },
    {
      name: 'the authenticator logged it',
      snapshot: mapped([
        deniedLine('2026-11-20T09:29:30Z', 'input token was not properly formatted: token is too large')
          .message,
      ]),
      messageId: 'tooLarge',
      severity: 'error',
      first: true,
      evidence: ['/incident/logLines/0'],
    },
  ],
});
