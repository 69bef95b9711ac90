import rule from '../../rules/access-entry-shadows-configmap.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, CA, VIEW } from '../helpers/build.js';

const DEPLOY = role('ci-deployer');
const masters = `- rolearn: ${DEPLOY}\n  username: ci-deployer\n  groups:\n  - system:masters\n`;
const teamGroup = `- rolearn: ${DEPLOY}\n  username: ci-deployer\n  groups:\n  - deployers\n`;
const caller = session('ci-deployer', 'botocore-session-1');

runRuleTests(rule, {
  valid: [
    { name: 'no access entry: aws-auth applies', snapshot: build({ principal: caller, mapRoles: masters }) },
    {
      name: 'entry with cluster admin policy',
      snapshot: build({
        principal: caller,
        mapRoles: masters,
        entries: [entry(DEPLOY, { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'entry but no aws-auth mapping',
      snapshot: build({ principal: caller, entries: [entry(DEPLOY)] }),
    },
  ],
  invalid: [
    {
      name: 'entry without policies shadows system:masters',
      snapshot: build({
        principal: caller,
        path: '/apis/apps/v1/namespaces/payments/deployments',
        status: 403,
        mapRoles: masters,
        entries: [entry(DEPLOY)],
      }),
      messageId: 'shadowed',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data/0', '/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'entry with View shadows a custom group bound to edit',
      snapshot: build({
        principal: caller,
        path: '/api/v1/namespaces/payments/secrets',
        mapRoles: teamGroup,
        entries: [entry(DEPLOY, { policies: [[VIEW, { type: 'cluster' }]] })],
        rbacBindings: [{ name: 'deployers-edit', role: 'edit', group: 'deployers' }],
      }),
      messageId: 'shadowed',
      severity: 'error',
      first: true,
    },
  ],
});
