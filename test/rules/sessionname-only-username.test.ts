import rule from '../../rules/sessionname-only-username.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, METRICS, user, role, session } from '../helpers/build.js';

const ALICE = user('alice');
const sessionOnly = (arn: string, kind: 'userarn' | 'rolearn', template = '"{{SessionName}}"') =>
  `- ${kind}: ${arn}\n  username: ${template}\n  groups:\n  - system:masters\n`;

runRuleTests(rule, {
  valid: [
    {
      name: 'prefixed template on a role',
      snapshot: build({
        principal: session('ops', 'kim'),
        path: METRICS,
        mapRoles: sessionOnly(role('ops'), 'rolearn', '"ops:{{SessionName}}"'),
      }),
    },
    {
      name: 'plain username on a user',
      snapshot: build({ principal: ALICE, path: METRICS, mapUsers: sessionOnly(ALICE, 'userarn', 'alice') }),
    },
    {
      name: 'no username at all (another rule)',
      snapshot: build({
        principal: ALICE,
        path: METRICS,
        mapUsers: `- userarn: ${ALICE}\n  groups:\n  - system:masters\n`,
      }),
    },
  ],
  invalid: [
    {
      name: 'IAM user with {{SessionName}} on the metrics API',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: ALICE,
        path: METRICS,
        status: 401,
        mapUsers: sessionOnly(ALICE, 'userarn'),
      }),
      messageId: 'emptyForUser',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapUsers'],
    },
    {
      name: 'IAM user with {{SessionNameRaw}} on kubectl top',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: ALICE,
        path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods',
        mapUsers: sessionOnly(ALICE, 'userarn', '"{{SessionNameRaw}}"'),
      }),
      messageId: 'emptyForUser',
      severity: 'error',
    },
    {
      name: 'role with a bare {{SessionName}} (warning only)',
      snapshot: build({
        principal: session('ops', 'kim'),
        path: METRICS,
        mapRoles: sessionOnly(role('ops'), 'rolearn'),
      }),
      messageId: 'roleWithoutPrefix',
      severity: 'warning',
    },
  ],
});
