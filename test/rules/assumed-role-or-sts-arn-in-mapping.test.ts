import rule from '../../rules/assumed-role-or-sts-arn-in-mapping.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session } from '../helpers/build.js';

const stsEntry = (arn: string) =>
  `- rolearn: ${arn}\n  username: release-bot\n  groups:\n  - system:masters\n`;
const caller = session('release-bot', 'release-2291');

runRuleTests(rule, {
  valid: [
    { name: 'IAM role ARN', snapshot: build({ principal: caller, mapRoles: stsEntry(role('release-bot')) }) },
    {
      name: 'STS ARN of another role',
      snapshot: build({ principal: caller, mapRoles: stsEntry(session('other-bot', 'x')) }),
    },
  ],
  invalid: [
    {
      name: 'session ARN in mapRoles',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: caller,
        status: 401,
        mapRoles: stsEntry(session('release-bot', 'release-2001')),
      }),
      messageId: 'stsArn',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'session ARN in mapUsers',
      snapshot: build({
        principal: caller,
        mapUsers: `- userarn: ${session('release-bot', 'old')}\n  username: release-bot\n  groups:\n  - system:masters\n`,
      }),
      messageId: 'stsArn',
      severity: 'error',
      first: true,
    },
  ],
});
