import rule from '../../rules/node-role-wrong-entry-type-or-groups.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry } from '../helpers/build.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { describe, expect, it } from 'vitest';

const NODE = role('platform-prod-node-role');
const kubelet = session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718');
const SERVICES = '/api/v1/services';
const HYBRID = role('hybrid-edge-nodes');
// A hybrid node registering itself: SSM hybrid activations name the session after the managed instance (mi-...).
const hybridStandard = build({
  mode: 'API',
  principal: session('hybrid-edge-nodes', 'mi-0123456789abcdef0'),
  path: '/api/v1/nodes',
  verb: 'POST',
  status: 403,
  entries: [entry(HYBRID)],
});

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
      name: 'hybrid node role registered as STANDARD (mi- session, create nodes)',
      snapshot: hybridStandard,
      messageId: 'standardEntry',
      severity: 'error',
      first: true,
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

describe('node-role-wrong-entry-type-or-groups fix type', () => {
  it('re-creates a hybrid node role as HYBRID_LINUX, and no rule grants it a policy', () => {
    const report = diagnose(hybridStandard);
    const finding = report.findings.find((f) => f.ruleId === rule.id);
    const commands = finding?.fixes.flatMap((f) => f.commands.map((c) => c.text)) ?? [];
    expect(commands).toHaveLength(2);
    expect(commands[0]).toContain('aws eks delete-access-entry');
    expect(commands[1]).toContain('--type HYBRID_LINUX');
    const all = report.findings.flatMap((f) => f.fixes.flatMap((x) => x.commands.map((c) => c.text)));
    expect(all.filter((c) => c.includes('associate-access-policy') || c.includes('--type STANDARD'))).toEqual(
      [],
    );
  });
});
