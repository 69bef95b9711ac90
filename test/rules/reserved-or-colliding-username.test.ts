import rule from '../../rules/reserved-or-colliding-username.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session } from '../helpers/build.js';

const mapping = (username: string, group = 'system:masters') =>
  `- rolearn: ${role('ops')}\n  username: ${username}\n  groups:\n  - ${group}\n`;
const caller = session('ops', 'jane');
const RESERVED_LOG = `time="2026-11-20T09:12:00Z" level=warning msg="access denied" arn="${role('ops')}" client="127.0.0.1:4242" error="invalid username 'system:ops' for mapper EKSConfigMap: username must not begin with with the following prefixes: [aws: iam: amazon: system: eks:]" method=POST path=/authenticate`;
const CREATE_REJECTED =
  'An error occurred (InvalidParameterException) when calling the CreateAccessEntry operation: The username system:ops is invalid: usernames must not begin with system:';

runRuleTests(rule, {
  valid: [
    {
      name: 'a neutral username',
      snapshot: build({ principal: caller, mapRoles: mapping('"ops:{{SessionName}}"') }),
    },
    {
      name: 'a system: username without the reserve list in the logs is allowed (and not a system identity)',
      snapshot: build({ principal: caller, mapRoles: mapping('system:ops') }),
    },
    {
      name: 'the node role keeps its system:node name',
      snapshot: build({
        principal: session('platform-prod-node-role', 'i-0a1b2c3d4e5f67890'),
        path: '/api/v1/nodes',
      }),
    },
  ],
  invalid: [
    {
      name: 'the authenticator rejects a reserved prefix (log)',
      snapshot: build({ principal: caller, mapRoles: mapping('system:ops'), logLines: [RESERVED_LOG] }),
      messageId: 'reserved',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'a person mapped as a controller',
      snapshot: build({ principal: caller, mapRoles: mapping('system:kube-controller-manager') }),
      messageId: 'colliding',
      severity: 'warning',
    },
    {
      name: 'a person mapped as a node without the nodes group',
      snapshot: build({ principal: caller, mapRoles: mapping('system:node:jane') }),
      messageId: 'colliding',
      severity: 'warning',
    },
    {
      name: 'EKS refused an access-entry username',
      snapshot: build({ principal: caller, logLines: [CREATE_REJECTED] }),
      messageId: 'rejected',
      severity: 'info',
    },
  ],
});
