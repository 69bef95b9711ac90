import rule from '../../rules/sts-throttling.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session } from '../helpers/build.js';
import { deniedLine, withEvidence, withIncident } from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const mapped = (logLines?: string[]) =>
  build({
    principal: BOB,
    entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
    ...(logLines ? { logLines } : {}),
  });
const THROTTLED = (time: string) =>
  deniedLine(
    time,
    'sts getCallerIdentity was throttled: {"Error":{"Code":"Throttling","Message":"Rate exceeded","Type":"Sender"},"RequestId":"3b1f0c2d-9e8a-4b7c-8d6e-5f4a3b2c1d0e"}',
  );
const logged = (observedAt: string) =>
  withIncident(
    withEvidence(mapped(), {
      authenticatorLogs: {
        status: 'ok',
        data: [THROTTLED('2026-11-20T09:14:01Z'), THROTTLED('2026-11-20T09:14:02Z')],
      },
    }),
    { observedAt, status: 401 },
  );

runRuleTests(rule, {
  valid: [
    { name: 'no throttling', snapshot: mapped() },
    { name: 'throttling an hour before the incident', snapshot: logged('2026-11-20T10:20:00Z') },
  ],
  invalid: [
    {
      name: 'the pasted authenticator line',
      snapshot: mapped([THROTTLED('2026-11-20T09:29:30Z').message]),
      messageId: 'throttled',
      severity: 'error',
      first: true,
      evidence: ['/incident/logLines/0'],
    },
    {
      name: 'throttled lines in the authenticator log at the incident time',
      snapshot: logged('2026-11-20T09:14:03Z'),
      messageId: 'throttled',
      severity: 'error',
      first: true,
      evidence: ['/authenticatorLogs/data/1'],
    },
  ],
});
