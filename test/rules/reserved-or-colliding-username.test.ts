import rule from '../../rules/reserved-or-colliding-username.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session } from '../helpers/build.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { describe, expect, it } from 'vitest';

const mapping = (username: string, group = 'system:masters') =>
  `- rolearn: ${role('ops')}\n  username: ${username}\n  groups:\n  - ${group}\n`;
const caller = session('ops', 'jane');
const RESERVED_LOG = `time="2026-11-20T09:12:00Z" level=warning msg="access denied" arn="${role('ops')}" client="127.0.0.1:4242" error="invalid username 'system:ops' for mapper EKSConfigMap: username must not begin with with the following prefixes: [aws: iam: amazon: system: eks:]" method=POST path=/authenticate`;
const kubelet = session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718');
// FM-41: the second group is indented one level deeper, so YAML reads one scalar "system:bootstrappers - system:nodes".
const RUN_TOGETHER = `- rolearn: ${role('platform-prod-node-role')}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n    - system:bootstrappers\n      - system:nodes\n`;
const HYBRID_RUN_TOGETHER = `- rolearn: ${role('hybrid-edge-nodes')}\n  username: system:node:{{SessionName}}\n  groups:\n    - system:bootstrappers\n      - system:nodes\n`;
const NODE_RESERVED_LOG = `time="2026-11-20T09:12:00Z" level=warning msg="access denied" arn="${role('platform-prod-node-role')}" client="127.0.0.1:4242" error="invalid username 'system:node:ip-10-0-1-23.ap-northeast-2.compute.internal' for mapper EKSConfigMap: username must not begin with with the following prefixes: [aws: iam: amazon: system: eks:]" method=POST path=/authenticate`;
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
    {
      name: 'a node role whose groups YAML ran together keeps its system:node name (FM-41 is the fault)',
      snapshot: build({ principal: kubelet, path: '/api/v1/nodes/ip-10-0-1-23', mapRoles: RUN_TOGETHER }),
    },
    {
      name: 'a hybrid node (mi- session) named system:node:{{SessionName}}',
      snapshot: build({
        principal: session('hybrid-edge-nodes', 'mi-0123456789abcdef0'),
        path: '/api/v1/nodes/mi-0123456789abcdef0',
        mapRoles: HYBRID_RUN_TOGETHER,
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
      name: 'the reserve list refuses a node mapping: the fix is a node entry, not a rename',
      snapshot: build({
        principal: kubelet,
        path: '/api/v1/services',
        verb: 'list',
        logLines: [NODE_RESERVED_LOG],
      }),
      messageId: 'reserved',
      severity: 'error',
    },
    {
      name: 'EKS refused an access-entry username',
      snapshot: build({ principal: caller, logLines: [CREATE_REJECTED] }),
      messageId: 'rejected',
      severity: 'info',
    },
  ],
});

describe('reserved-or-colliding-username fixes for node roles', () => {
  it('never renames a node: it offers the EC2_LINUX entry', () => {
    const report = diagnose(
      build({ principal: kubelet, path: '/api/v1/services', verb: 'list', logLines: [NODE_RESERVED_LOG] }),
    );
    const finding = report.findings.find((f) => f.ruleId === 'reserved-or-colliding-username');
    const commands = finding?.fixes.flatMap((f) => f.commands.map((c) => c.text)) ?? [];
    expect(commands.some((c) => c.includes('--type EC2_LINUX'))).toBe(true);
    expect(commands.some((c) => c.includes('iamidentitymapping'))).toBe(false);
  });
});
