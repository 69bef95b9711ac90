import rule from '../../rules/api-mode-without-node-or-fargate-entries.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry } from '../helpers/build.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { describe, expect, it } from 'vitest';

const NODE = role('platform-prod-node-role');
const kubelet = session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718');
const SERVICES = '/api/v1/services';
const WIN = role('platform-prod-windows-nodes');
const HYBRID = role('hybrid-edge-nodes');
const hybridRoles = `- rolearn: ${HYBRID}\n  username: system:node:{{SessionName}}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n`;
const windowsRoles = `- rolearn: ${WIN}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n  - eks:kube-proxy-windows\n`;

runRuleTests(rule, {
  valid: [
    {
      name: 'API_AND_CONFIG_MAP still reads aws-auth',
      snapshot: build({ principal: kubelet, path: SERVICES, verb: 'list' }),
    },
    {
      name: 'API mode with an EC2_LINUX entry',
      snapshot: build({
        mode: 'API',
        principal: kubelet,
        path: SERVICES,
        verb: 'list',
        entries: [entry(NODE, { type: 'EC2_LINUX' })],
      }),
    },
    {
      name: 'a human only in aws-auth (auth-mode-api-ignores-configmap)',
      snapshot: build({
        mode: 'API',
        principal: session('ops-admins', 'kim'),
        mapRoles: `- rolearn: ${role('ops-admins')}\n  username: admin:{{SessionName}}\n  groups:\n  - system:masters\n`,
      }),
    },
  ],
  invalid: [
    {
      name: 'self-managed Linux nodes after the switch to API',
      snapshot: build({ mode: 'API', principal: kubelet, path: SERVICES, verb: 'list', status: 401 }),
      messageId: 'nodeRole',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles', '/cluster/data/accessConfig/authenticationMode'],
    },
    {
      name: 'Windows nodes need an EC2_WINDOWS entry',
      snapshot: build({
        mode: 'API',
        principal: session('platform-prod-windows-nodes', 'i-0f1e2d3c4b5a69788'),
        path: '/api/v1/nodes',
        verb: 'list',
        mapRoles: windowsRoles,
      }),
      messageId: 'nodeRole',
      severity: 'error',
      first: true,
    },
    {
      name: 'hybrid nodes (mi- session, system:node:{{SessionName}}) need a HYBRID_LINUX entry',
      snapshot: build({
        mode: 'API',
        principal: session('hybrid-edge-nodes', 'mi-0123456789abcdef0'),
        path: SERVICES,
        verb: 'list',
        mapRoles: hybridRoles,
      }),
      messageId: 'nodeRole',
      severity: 'error',
      first: true,
    },
    {
      name: 'hybrid nodes under Roles Anywhere (session = node name) need a HYBRID_LINUX entry',
      snapshot: build({
        mode: 'API',
        principal: session('hybrid-edge-nodes', 'edge-node-01'),
        path: SERVICES,
        verb: 'list',
        mapRoles: hybridRoles,
      }),
      messageId: 'nodeRole',
      severity: 'error',
    },
  ],
});

describe('api-mode-without-node-or-fargate-entries: the entry type', () => {
  const typesOf = (snapshot: ReturnType<typeof build>) => {
    const finding = diagnose(snapshot).findings.find((f) => f.ruleId === rule.id);
    return finding?.fixes.flatMap((f) => f.commands.map((c) => c.text)).join('\n') ?? '';
  };
  it('a system:node:{{SessionName}} mapping gives HYBRID_LINUX, not EC2_LINUX', () => {
    const text = typesOf(
      build({
        mode: 'API',
        principal: session('hybrid-edge-nodes', 'edge-node-01'),
        path: SERVICES,
        verb: 'list',
        mapRoles: hybridRoles,
      }),
    );
    expect(text).toContain('--type HYBRID_LINUX');
    expect(text).not.toContain('EC2_LINUX');
  });
  it('other hybrid node roles listed for migration get HYBRID_LINUX too', () => {
    const text = typesOf(
      build({
        mode: 'API',
        principal: kubelet,
        path: SERVICES,
        verb: 'list',
        mapRoles: `- rolearn: ${NODE}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n${hybridRoles}`,
      }),
    );
    expect(text).toMatch(/hybrid-edge-nodes --type HYBRID_LINUX/);
  });
});
