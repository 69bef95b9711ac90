import rule from '../../rules/sso-permission-set-role.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, trail, CA, VIEW } from '../helpers/build.js';

const NEW = 'AWSReservedSSO_AdministratorAccess_9f8e7d6c5b4a3210';
const OLD = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';
const SSO_PATH = '/aws-reserved/sso.amazonaws.com/ap-northeast-2/';
const caller = session(NEW, 'jane@example.com');
const adminMapping = (arn: string) =>
  `- rolearn: ${arn}\n  username: "admin:{{SessionName}}"\n  groups:\n  - system:masters\n`;

runRuleTests(rule, {
  valid: [
    {
      name: 'the current role is mapped',
      snapshot: build({
        principal: caller,
        entries: [entry(role(NEW, SSO_PATH), { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'another permission set is mapped',
      snapshot: build({
        principal: caller,
        status: 401,
        entries: [
          entry(role('AWSReservedSSO_ReadOnly_1111222233334444', SSO_PATH), {
            policies: [[VIEW, { type: 'cluster' }]],
          }),
        ],
      }),
    },
    {
      name: 'not an Identity Center role',
      snapshot: build({ principal: session('deployer', 'ci'), mapRoles: adminMapping(role('deployer-old')) }),
    },
  ],
  invalid: [
    {
      name: 'the access entry names the previous suffix',
      snapshot: build({
        principal: caller,
        status: 401,
        entries: [entry(role(OLD, SSO_PATH), { policies: [[CA, { type: 'cluster' }]] })],
        cloudTrail: [
          trail('CreateRole', '2026-11-19T02:00:00Z', {
            actor: 'sso.amazonaws.com',
            params: { roleName: NEW },
          }),
        ],
      }),
      messageId: 'suffix',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data/0', '/cloudTrail/data/0'],
    },
    {
      name: 'aws-auth names the previous suffix',
      snapshot: build({ mode: 'CONFIG_MAP', principal: caller, mapRoles: adminMapping(role(OLD)) }),
      messageId: 'suffix',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'aws-auth names the previous suffix with the reserved path',
      snapshot: build({ principal: caller, mapRoles: adminMapping(role(OLD, SSO_PATH)) }),
      messageId: 'suffix',
      severity: 'error',
      first: true,
    },
  ],
});
