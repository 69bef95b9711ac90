import rule from '../../rules/template-render-failure.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry } from '../helpers/build.js';

const NODE_ROLE = role('platform-prod-node-role');
const custom = (username: string) =>
  `- rolearn: ${role('ops')}\n  username: ${username}\n  groups:\n  - system:masters\n`;
const DENIED =
  'time="2026-11-20T09:12:00Z" level=warning msg="access denied" client="127.0.0.1:40112" error="mapper EKSConfigMap renderTemplates error: error rendering username template \\"system:node:{{EC2PrivateDNSName}}\\": SessionName did not contain an instance id" method=POST path=/authenticate';

runRuleTests(rule, {
  valid: [
    {
      name: 'a node signs with its instance id',
      snapshot: build({
        principal: session('platform-prod-node-role', 'i-0a1b2c3d4e5f67890'),
        path: '/api/v1/nodes',
      }),
    },
    {
      name: 'a person with a SessionName username',
      snapshot: build({ principal: session('ops', 'jane'), mapRoles: custom('"ops:{{SessionName}}"') }),
    },
    {
      name: 'the node role given without a session: nothing says it failed',
      snapshot: build({ principal: NODE_ROLE }),
    },
  ],
  invalid: [
    {
      name: 'a person assumed the node instance role',
      snapshot: build({ principal: session('platform-prod-node-role', 'jane'), status: 401 }),
      messageId: 'nodeRole',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'a mapping for people borrows the node template',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: session('ops', 'jane'),
        mapRoles: custom('"ops-{{EC2PrivateDNSName}}"'),
      }),
      messageId: 'template',
      severity: 'error',
      first: true,
    },
    {
      name: 'an EC2 access entry assumed by CI in API mode',
      snapshot: build({
        mode: 'API',
        awsAuth: 'absent',
        principal: session('platform-prod-node-role', 'github-actions'),
        entries: [entry(NODE_ROLE, { type: 'EC2_LINUX' })],
      }),
      messageId: 'nodeRole',
      severity: 'error',
      first: true,
    },
    {
      name: 'the log shows the failure for the role given without a session',
      snapshot: build({ principal: NODE_ROLE, logLines: [DENIED] }),
      messageId: 'nodeRole',
      severity: 'info',
    },
  ],
});
