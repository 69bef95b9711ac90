import rule from '../../rules/principal-not-mapped.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, CA, user } from '../helpers/build.js';

const BOB = session('data-analysts', 'bob');

runRuleTests(rule, {
  valid: [
    {
      name: 'mapped by an access entry',
      snapshot: build({
        principal: BOB,
        entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'mapped in aws-auth',
      snapshot: build({
        principal: BOB,
        mapRoles: `- rolearn: ${role('data-analysts')}\n  username: bob\n  groups:\n  - system:masters\n`,
      }),
    },
    {
      name: 'account listed in mapAccounts',
      snapshot: build({ principal: BOB, mapAccounts: '- "111122223333"\n' }),
    },
    {
      name: 'access entries not collected: undecided, not "not mapped"',
      snapshot: build({ principal: BOB, entries: 'denied' }),
    },
  ],
  invalid: [
    {
      name: 'assumed role, both modes, nothing matches',
      snapshot: build({ principal: BOB, status: 401 }),
      messageId: 'notMapped',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data', '/awsAuth/data'],
    },
    {
      name: 'IAM user in CONFIG_MAP mode (fix switches the mode first)',
      snapshot: build({ mode: 'CONFIG_MAP', principal: user('carol') }),
      messageId: 'notMapped',
      severity: 'error',
      first: true,
    },
    {
      name: 'API mode without entry',
      snapshot: build({ mode: 'API', principal: user('dave'), awsAuth: 'absent' }),
      messageId: 'notMapped',
      severity: 'error',
    },
  ],
});
