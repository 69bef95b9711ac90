import rule from '../../rules/cross-account-identity.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, CA } from '../helpers/build.js';

const HOME = '444455556666';
const homeRole = (name: string) => `arn:aws:iam::${HOME}:role/${name}`;
const homeSession = (name: string, s: string) => `arn:aws:sts::${HOME}:assumed-role/${name}/${s}`;
const adminMapping = (arn: string) =>
  `- rolearn: ${arn}\n  username: platform-admin\n  groups:\n  - system:masters\n`;

runRuleTests(rule, {
  valid: [
    {
      name: 'a foreign role with its own access entry',
      snapshot: build({
        principal: homeSession('platform-admin', 'jane'),
        entries: [entry(homeRole('platform-admin'), { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'same account, not mapped: not a cross-account case',
      snapshot: build({ principal: session('data-analysts', 'bob'), status: 401 }),
    },
    {
      name: 'same account, mapped',
      snapshot: build({
        principal: session('platform-admin', 'jane'),
        mapRoles: adminMapping(role('platform-admin')),
      }),
    },
  ],
  invalid: [
    {
      name: 'the token is signed in the home account; aws-auth maps the cluster-account role',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: homeSession('platform-admin', 'jane'),
        status: 401,
        mapRoles: adminMapping(role('platform-admin')),
      }),
      messageId: 'otherAccount',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'the access entry names the home-account role; the caller uses the cluster-account one',
      snapshot: build({
        mode: 'API',
        awsAuth: 'absent',
        principal: session('platform-admin', 'jane'),
        entries: [entry(homeRole('platform-admin'), { policies: [[CA, { type: 'cluster' }]] })],
      }),
      messageId: 'otherAccount',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data/0'],
    },
    {
      name: 'a foreign principal nothing maps',
      snapshot: build({ principal: homeSession('auditor', 'kim'), status: 401 }),
      messageId: 'foreign',
      severity: 'info',
    },
  ],
});
