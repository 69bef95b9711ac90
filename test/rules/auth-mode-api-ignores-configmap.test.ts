import rule from '../../rules/auth-mode-api-ignores-configmap.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, CA } from '../helpers/build.js';

const OPS = role('ops-oncall');
const mapped = `- rolearn: ${OPS}\n  username: ops:{{SessionName}}\n  groups:\n  - system:masters\n`;

runRuleTests(rule, {
  valid: [
    {
      name: 'both modes: aws-auth is read',
      snapshot: build({ principal: session('ops-oncall', 'h'), mapRoles: mapped }),
    },
    {
      name: 'API mode with an access entry',
      snapshot: build({
        mode: 'API',
        principal: session('ops-oncall', 'h'),
        mapRoles: mapped,
        entries: [entry(OPS, { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'API mode, principal not in aws-auth either',
      snapshot: build({ mode: 'API', principal: session('other', 'h'), mapRoles: mapped }),
    },
  ],
  invalid: [
    {
      name: 'API mode, role only in aws-auth',
      snapshot: build({
        mode: 'API',
        principal: session('ops-oncall', 'hyunwoo'),
        path: '/api/v1/nodes',
        status: 401,
        mapRoles: mapped,
      }),
      messageId: 'ignored',
      severity: 'error',
      first: true,
      evidence: ['/cluster/data/accessConfig/authenticationMode', '/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'API mode, user only in mapUsers',
      snapshot: build({
        mode: 'API',
        principal: 'arn:aws:iam::111122223333:user/erin',
        mapUsers:
          '- userarn: arn:aws:iam::111122223333:user/erin\n  username: erin\n  groups:\n  - system:masters\n',
      }),
      messageId: 'ignored',
      severity: 'error',
      first: true,
    },
  ],
});
