import rule from '../../rules/iam-user-renamed-or-moved.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, user, session, entry, trail, CA } from '../helpers/build.js';

const rename = trail('UpdateUser', '2026-11-12T01:00:00Z', {
  params: { userName: 'jdoe', newUserName: 'john.doe' },
});
const adminMapping = (arn: string) => `- userarn: ${arn}\n  username: jdoe\n  groups:\n  - system:masters\n`;
const MISMATCH = `time="2026-11-20T09:12:00Z" level=warning msg="access denied" arn="${user('john.doe')}" client="127.0.0.1:4242" error="mapper DynamicFile Map error: ARN does not match User ID" method=POST path=/authenticate`;

runRuleTests(rule, {
  valid: [
    {
      name: 'the renamed user has a current entry',
      snapshot: build({
        principal: user('john.doe'),
        entries: [entry(user('john.doe'), { policies: [[CA, { type: 'cluster' }]] })],
        cloudTrail: [rename],
      }),
    },
    {
      name: 'a rename of someone else',
      snapshot: build({
        principal: user('alice'),
        status: 401,
        entries: [entry(user('jdoe'), { policies: [[CA, { type: 'cluster' }]] })],
        cloudTrail: [rename],
      }),
    },
    {
      name: 'a role caller',
      snapshot: build({
        principal: session('jdoe', 'x'),
        entries: [entry(user('jdoe'), { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
  ],
  invalid: [
    {
      name: 'the access entry still names the old user name',
      snapshot: build({
        mode: 'API',
        awsAuth: 'absent',
        principal: user('john.doe'),
        status: 401,
        entries: [entry(user('jdoe'), { policies: [[CA, { type: 'cluster' }]] })],
        cloudTrail: [rename],
      }),
      messageId: 'renamed',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data/0', '/cloudTrail/data/0'],
    },
    {
      name: 'the user was moved to another path; aws-auth keeps the old path',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: user('jdoe', '/contractors/'),
        mapUsers: adminMapping(user('jdoe')),
      }),
      messageId: 'renamed',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapUsers'],
    },
    {
      name: 'moved user, access entry with the old path',
      snapshot: build({
        principal: user('jdoe'),
        entries: [entry(user('jdoe', '/contractors/'), { policies: [[CA, { type: 'cluster' }]] })],
      }),
      messageId: 'renamed',
      severity: 'error',
      first: true,
    },
    {
      name: 'the authenticator says the ARN does not match the user id, no old entry visible',
      snapshot: build({ principal: user('john.doe'), logLines: [MISMATCH] }),
      messageId: 'logged',
      severity: 'info',
    },
  ],
});
