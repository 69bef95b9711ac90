import rule from '../../rules/node-role-not-mapped-or-wrong-arn.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { ACCT, build, role, session, entry } from '../helpers/build.js';

const NODE = role('platform-prod-node-role');
const kubelet = session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718');
const SERVICES = '/api/v1/services';
const profile = `- rolearn: arn:aws:iam::${ACCT}:instance-profile/platform-prod-node-role\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n`;
const KUBELET_LOG =
  'Nov 20 09:14:02 ip-10-0-1-23 kubelet[2211]: E1120 09:14:02.311522    2211 kubelet_node_status.go:96] "Unable to register node with API server" err="Unauthorized" node="ip-10-0-1-23.ap-northeast-2.compute.internal"';

runRuleTests(rule, {
  valid: [
    {
      name: 'node role mapped in aws-auth',
      snapshot: build({ principal: kubelet, path: SERVICES, verb: 'list' }),
    },
    {
      name: 'a human who is not mapped (principal-not-mapped)',
      snapshot: build({ principal: session('data-analysts', 'bob'), mapRoles: profile }),
    },
    {
      name: 'node role with a path in aws-auth (role-path-in-aws-auth)',
      snapshot: build({
        principal: kubelet,
        path: SERVICES,
        verb: 'list',
        mapRoles: `- rolearn: arn:aws:iam::${ACCT}:role/nodes/platform-prod-node-role\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:nodes\n`,
      }),
    },
  ],
  invalid: [
    {
      name: 'aws-auth names the instance profile',
      snapshot: build({ principal: kubelet, path: SERVICES, verb: 'list', mapRoles: profile, status: 401 }),
      messageId: 'instanceProfile',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'node role missing in a CONFIG_MAP cluster (kubelet log, role given without session)',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: NODE,
        path: '/api/v1/nodes',
        verb: 'POST',
        mapRoles: '',
        logLines: [KUBELET_LOG],
      }),
      messageId: 'missing',
      severity: 'error',
      first: true,
    },
    {
      name: 'API mode, nothing for the node role',
      snapshot: build({
        mode: 'API',
        principal: kubelet,
        path: SERVICES,
        verb: 'list',
        mapRoles: '',
        entries: [entry(role('other'))],
      }),
      messageId: 'missing',
      severity: 'error',
      first: true,
    },
  ],
});
