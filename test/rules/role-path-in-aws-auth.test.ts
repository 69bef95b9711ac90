import rule from '../../rules/role-path-in-aws-auth.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session } from '../helpers/build.js';

const withPath = (arn: string) => `- rolearn: ${arn}\n  username: deployer\n  groups:\n  - system:masters\n`;
const caller = session('deployer', 'gitlab-runner-8812');

runRuleTests(rule, {
  valid: [
    {
      name: 'path-less rolearn',
      snapshot: build({ principal: caller, mapRoles: withPath(role('deployer')) }),
    },
    {
      name: 'another role with a path',
      snapshot: build({ principal: caller, mapRoles: withPath(role('other', '/teams/')) }),
    },
    {
      name: 'IAM user with a path matches (paths kept for users)',
      snapshot: build({
        principal: 'arn:aws:iam::111122223333:user/ops/jane',
        mapUsers:
          '- userarn: arn:aws:iam::111122223333:user/ops/jane\n  username: jane\n  groups:\n  - system:masters\n',
      }),
    },
  ],
  invalid: [
    {
      name: 'team path',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: caller,
        status: 401,
        mapRoles: withPath(role('deployer', '/teams/platform/')),
      }),
      messageId: 'path',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'SSO permission-set role with its reserved path and region',
      snapshot: build({
        principal: session('AWSReservedSSO_AdministratorAccess_0123456789abcdef', 'jane@example.com'),
        mapRoles: withPath(
          role(
            'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
            '/aws-reserved/sso.amazonaws.com/ap-northeast-2/',
          ),
        ),
      }),
      messageId: 'path',
      severity: 'error',
      first: true,
    },
  ],
});
