import rule from '../../rules/mapaccounts-only.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, ACCT } from '../helpers/build.js';

const caller = session('auditors', 'kim');
const ACCOUNTS = `- "${ACCT}"\n`;

runRuleTests(rule, {
  valid: [
    {
      name: 'mapped by mapRoles although the account is listed',
      snapshot: build({
        principal: caller,
        mapAccounts: ACCOUNTS,
        mapRoles: `- rolearn: ${role('auditors')}\n  username: auditor\n  groups:\n  - system:masters\n`,
      }),
    },
    {
      name: 'mapAccounts only, but RBAC binds the ARN username',
      snapshot: build({
        principal: caller,
        mapAccounts: ACCOUNTS,
        rbacBindings: [{ name: 'auditors-view', role: 'view', user: role('auditors') }],
      }),
    },
    { name: 'account not listed', snapshot: build({ principal: caller, status: 401 }) },
  ],
  invalid: [
    {
      name: 'authenticated only through mapAccounts: 403',
      snapshot: build({ mode: 'CONFIG_MAP', principal: caller, status: 403, mapAccounts: ACCOUNTS }),
      messageId: 'accountOnly',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapAccounts'],
    },
    {
      name: 'mapAccounts only, and the intended rolearn has a path',
      snapshot: build({
        principal: caller,
        path: '/apis/apps/v1/namespaces/web/deployments',
        mapAccounts: ACCOUNTS,
        mapRoles: `- rolearn: ${role('auditors', '/teams/')}\n  username: auditor\n  groups:\n  - system:masters\n`,
      }),
      messageId: 'accountOnly',
      severity: 'error',
      first: true,
    },
  ],
});
