import rule from '../../rules/node-role-wrong-entry-type-or-groups.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry } from '../helpers/build.js';

const NODE = role('platform-prod-node-role');
const kubelet = session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718');
const SERVICES = '/api/v1/services';

runRuleTests(rule, {
  valid: [
    {
      name: 'EC2_LINUX entry',
      snapshot: build({
        mode: 'API',
        principal: kubelet,
        path: SERVICES,
        verb: 'list',
        entries: [entry(NODE, { type: 'EC2_LINUX' })],
      }),
    },
    {
      name: 'proper aws-auth node mapping',
      snapshot: build({ principal: kubelet, path: SERVICES, verb: 'list' }),
    },
    {
      name: 'a STANDARD entry of a human role',
      snapshot: build({ principal: session('ops', 'kim'), entries: [entry(role('ops'))] }),
    },
  ],
  invalid: [
    {
      name: 'node role registered as STANDARD',
      snapshot: build({
        mode: 'API',
        principal: kubelet,
        path: SERVICES,
        verb: 'list',
        status: 403,
        entries: [entry(NODE)],
      }),
      messageId: 'standardEntry',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data/0'],
    },
    {
      name: 'aws-auth node mapping with only system:bootstrappers',
      snapshot: build({
        principal: kubelet,
        path: SERVICES,
        verb: 'list',
        mapRoles: `- rolearn: ${NODE}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:bootstrappers\n`,
      }),
      messageId: 'awsAuth',
      severity: 'error',
      first: true,
    },
    {
      name: 'aws-auth node mapping without a username',
      snapshot: build({
        principal: kubelet,
        path: SERVICES,
        verb: 'list',
        mapRoles: `- rolearn: ${NODE}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n`,
      }),
      messageId: 'awsAuth',
      severity: 'error',
      first: true,
    },
  ],
});
