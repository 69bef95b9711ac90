import rule from '../../rules/sts-region-disabled-or-optin-token.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session } from '../helpers/build.js';
import { deniedLine, stsFailure, tokenUrl, withEvidence, withIncident } from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const mapped = (logLines?: string[]) =>
  build({
    principal: BOB,
    entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
    ...(logLines ? { logLines } : {}),
  });
const DISABLED = deniedLine(
  '2026-11-20T09:29:30Z',
  stsFailure(
    'RegionDisabledException',
    'STS is not activated in this region for account:111122223333. Your account administrator can activate STS in this region using the IAM Console.',
  ),
);
const INVALID = deniedLine(
  '2026-11-20T09:29:30Z',
  stsFailure('InvalidClientTokenId', 'The security token included in the request is invalid.'),
).message;

runRuleTests(rule, {
  valid: [
    {
      name: 'InvalidClientTokenId in a default region (a bad key)',
      snapshot: withEvidence(mapped([INVALID]), { token: { status: 'ok', data: { url: tokenUrl() } } }),
    },
    { name: 'no STS error', snapshot: mapped() },
    {
      // A nameless denial tied by time only explains a 401; with no status seen there is no failure to explain.
      name: 'the line is in the collected log but no failure status was seen',
      snapshot: withIncident(
        withEvidence(mapped(), { authenticatorLogs: { status: 'ok', data: [DISABLED] } }),
        { observedAt: '2026-11-20T09:29:45Z' },
      ),
    },
  ],
  invalid: [
    {
      name: 'the authenticator logged RegionDisabledException',
      snapshot: mapped([DISABLED.message]),
      messageId: 'regionDisabled',
      severity: 'error',
      first: true,
      evidence: ['/incident/logLines/0'],
    },
    {
      name: 'the line is in the collected authenticator log at the incident time',
      snapshot: withIncident(
        withEvidence(mapped(), { authenticatorLogs: { status: 'ok', data: [DISABLED] } }),
        { observedAt: '2026-11-20T09:29:45Z', status: 401 },
      ),
      messageId: 'regionDisabled',
      severity: 'error',
      first: true,
      evidence: ['/authenticatorLogs/data/0'],
    },
    {
      name: 'a global-endpoint session token used in an opt-in region',
      snapshot: withEvidence(mapped([INVALID]), {
        token: {
          status: 'ok',
          data: { url: tokenUrl({ host: 'sts.me-south-1.amazonaws.com', region: 'me-south-1' }) },
        },
      }),
      messageId: 'optInToken',
      severity: 'error',
      first: true,
    },
  ],
});
