import rule from '../../rules/aws-auth-entry-missing-arn-or-invalid.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, user } from '../helpers/build.js';

const NODE = `- rolearn: ${role('platform-prod-node-role')}
  username: system:node:{{EC2PrivateDNSName}}
  groups:
  - system:bootstrappers
  - system:nodes
`;
const entryWith = (arnLine: string) =>
  `${NODE}${arnLine}\n  username: deployer\n  groups:\n  - system:masters\n`;
const caller = session('deployer', 'gitlab-runner-8812');
const SSO = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';

runRuleTests(rule, {
  valid: [
    {
      name: 'a valid entry',
      snapshot: build({ principal: caller, mapRoles: entryWith(`- rolearn: ${role('deployer')}`) }),
    },
    {
      name: "someone else's entry lacks rolearn",
      snapshot: build({
        principal: caller,
        status: 401,
        mapRoles: entryWith(`- userarn: ${role('builder')}`),
      }),
    },
    {
      name: 'the caller is mapped by a valid entry despite an invalid one',
      snapshot: build({
        principal: caller,
        mapRoles: `${entryWith(`- rolearn: ${role('deployer')}`)}- rolarn: ${role('deployer')}\n  groups:\n  - viewers\n`,
      }),
    },
  ],
  invalid: [
    {
      name: 'userarn inside mapRoles',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: caller,
        status: 401,
        mapRoles: entryWith(`- userarn: ${role('deployer')}`),
      }),
      messageId: 'skipped',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'rolearn misspelt',
      snapshot: build({ principal: caller, mapRoles: entryWith(`- rolarn: ${role('deployer')}`) }),
      messageId: 'skipped',
      severity: 'error',
      first: true,
    },
    {
      name: 'a trailing space inside the quoted ARN',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: caller,
        mapRoles: entryWith(`- rolearn: "${role('deployer')} "`),
      }),
      messageId: 'spelling',
      severity: 'error',
      first: true,
    },
    {
      name: 'a zero-width space pasted into the user ARN',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: user('alice'),
        mapUsers: `- userarn: ${user('alice')}\u200b\n  username: alice\n  groups:\n  - system:masters\n`,
      }),
      messageId: 'spelling',
      severity: 'error',
      first: true,
    },
    {
      name: 'the alpha sso matcher for an Identity Center role',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: session(SSO, 'jane@example.com'),
        mapRoles: `${NODE}- sso:\n    permissionSetName: AdministratorAccess\n    accountID: "111122223333"\n  username: admin:{{SessionName}}\n  groups:\n  - system:masters\n`,
      }),
      messageId: 'skipped',
      severity: 'error',
      first: true,
    },
  ],
});
