/**
 * Grant plans for node roles (FM-51..FM-53) and aws-auth role paths (FM-19): a node role never gets a STANDARD
 * entry with an access policy (it would block the node entry: one entry per principal, type fixed at creation), and
 * aws-auth role entries are written without a path.
 */
import { describe, expect, it } from 'vitest';
import { diagnoseDetailed } from '../../src/engine/diagnose.js';
import { nodeCallerEvidence, nodeEntryType, nodeRoleOf } from '../../src/eks/node-identity.js';
import { applyPlan, renderAction, renderFix, type FixAction } from '../../src/fix/actions.js';
import { accessEntryPlan, awsAuthMappingPlan, intendedPolicy } from '../../src/fix/plans.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import {
  build,
  CA,
  CLUSTER,
  REGION,
  role,
  session,
  entry,
  trail,
  type BuildInput,
} from '../helpers/build.js';

const NODE = role('platform-prod-node-role');
const HYBRID = role('hybrid-edge-nodes');
const ctx = { clusterName: CLUSTER, region: REGION };

function simOf(input: BuildInput) {
  return diagnoseDetailed(build(input)).simulation;
}

function kinds(actions: FixAction[]): string[] {
  return actions.map((a) => (a.kind === 'create-access-entry' ? `create ${a.type ?? 'STANDARD'}` : a.kind));
}

describe('accessEntryPlan for node roles', () => {
  const cases: Array<{ name: string; input: BuildInput; type: string }> = [
    {
      name: 'an EC2 instance session, API mode, only in aws-auth',
      input: { mode: 'API', principal: session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718') },
      type: 'EC2_LINUX',
    },
    {
      name: 'a Windows node role (eks:kube-proxy-windows in aws-auth)',
      input: {
        mode: 'API',
        principal: session('win-nodes', 'i-0a1b2c3d4e5f60718'),
        mapRoles: `- rolearn: ${role('win-nodes')}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - eks:kube-proxy-windows\n  - system:bootstrappers\n  - system:nodes\n`,
      },
      type: 'EC2_WINDOWS',
    },
    {
      name: 'a hybrid node (SSM managed-instance session)',
      input: { mode: 'API', principal: session('hybrid-edge-nodes', 'mi-0123456789abcdef0'), mapRoles: '' },
      type: 'HYBRID_LINUX',
    },
    {
      name: 'a role mapped with system:nodes, given without a session',
      input: { mode: 'API', principal: NODE },
      type: 'EC2_LINUX',
    },
    {
      name: 'a Fargate pod execution role named by CloudTrail CreateFargateProfile',
      input: {
        mode: 'API',
        principal: role('fargate-pods'),
        mapRoles: '',
        cloudTrail: [
          trail('CreateFargateProfile', '2026-01-10T00:00:00Z', {
            params: { name: CLUSTER, podExecutionRoleArn: role('fargate-pods') },
          }),
        ],
      },
      type: 'FARGATE_LINUX',
    },
    {
      name: 'a kubelet registering its Node (create nodes)',
      input: {
        mode: 'API',
        principal: role('edge-nodes'),
        mapRoles: '',
        path: '/api/v1/nodes',
        verb: 'POST',
      },
      type: 'EC2_LINUX',
    },
  ];
  for (const c of cases) {
    it(`gives ${c.type}, never STANDARD or a policy: ${c.name}`, () => {
      const plan = accessEntryPlan(simOf(c.input));
      expect(plan).toBeDefined();
      expect(kinds(plan?.actions ?? [])).toEqual([`create ${c.type}`]);
      expect(plan?.title).toContain(`${c.type} access entry for node role`);
    });
  }

  it('deletes a STANDARD entry first (its type cannot be changed)', () => {
    const sim = simOf({
      mode: 'API',
      principal: session('hybrid-edge-nodes', 'mi-0123456789abcdef0'),
      path: '/api/v1/nodes',
      verb: 'POST',
      entries: [entry(HYBRID)],
    });
    const plan = accessEntryPlan(sim);
    expect(kinds(plan?.actions ?? [])).toEqual(['delete-access-entry', 'create HYBRID_LINUX']);
    expect(plan?.title).toBe(`Re-create the access entry of node role ${HYBRID} with type HYBRID_LINUX`);
  });

  it('offers nothing when the node entry already exists', () => {
    const sim = simOf({
      mode: 'API',
      principal: session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718'),
      entries: [entry(NODE, { type: 'EC2_LINUX' })],
    });
    expect(accessEntryPlan(sim)).toBeUndefined();
  });

  it('switches a CONFIG_MAP cluster first, then creates the node entry', () => {
    const sim = simOf({
      mode: 'CONFIG_MAP',
      principal: session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718'),
      mapRoles: '',
    });
    expect(kinds(accessEntryPlan(sim)?.actions ?? [])).toEqual([
      'update-authentication-mode',
      'create EC2_LINUX',
    ]);
  });

  it('applied, lets the kubelet list services', () => {
    const snapshot = build({
      mode: 'API',
      principal: session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718'),
      path: '/api/v1/services',
      verb: 'list',
    });
    const plan = accessEntryPlan(diagnoseDetailed(snapshot).simulation);
    const fixed = applyPlan(snapshot, plan ?? { title: '', actions: [] }, new Date('2026-11-20T09:31:00Z'));
    expect(diagnoseDetailed(fixed).report.verdict.outcome).toBe('allowed');
  });

  it('a person keeps the STANDARD entry with a policy', () => {
    const plan = accessEntryPlan(simOf({ mode: 'API', principal: session('ops', 'kim'), mapRoles: '' }));
    expect(kinds(plan?.actions ?? [])).toEqual(['create STANDARD', 'associate-access-policy']);
  });
});

describe('node identity', () => {
  it('recognises a hybrid node by its mi- session', () => {
    const sim = simOf({ principal: session('hybrid-edge-nodes', 'mi-0123456789abcdef0'), mapRoles: '' });
    expect(nodeCallerEvidence(sim, {})).toMatch(/managed-instance id/);
    expect(nodeRoleOf(sim)?.type).toBe('HYBRID_LINUX');
  });

  it('does not take a person for a node', () => {
    expect(nodeRoleOf(simOf({ principal: session('ops', 'kim'), mapRoles: '' }))).toBeUndefined();
  });

  it('reads the entry type from a node mapping', () => {
    expect(nodeEntryType(['system:bootstrappers', 'system:nodes'])).toBe('EC2_LINUX');
    expect(nodeEntryType(['system:bootstrappers - system:nodes - eks:kube-proxy-windows'])).toBe(
      'EC2_WINDOWS',
    );
    expect(nodeEntryType(['system:bootstrappers', 'system:nodes', 'system:node-proxier'])).toBe(
      'FARGATE_LINUX',
    );
    expect(
      nodeEntryType(['system:bootstrappers', 'system:nodes'], { username: 'system:node:{{SessionName}}' }),
    ).toBe('HYBRID_LINUX');
    expect(
      nodeEntryType(['system:bootstrappers', 'system:nodes'], {
        username: 'system:node:{{SessionName}}',
        sessionName: 'i-0a1b2c3d4e5f60718',
      }),
    ).toBe('EC2_LINUX');
  });
});

describe('aws-auth role entries are written without a path (FM-19)', () => {
  const put: FixAction = {
    kind: 'aws-auth-put-mapping',
    section: 'mapRoles',
    arn: role('ledger-deployer', '/ci/'),
    username: 'ledger-deployer:{{SessionName}}',
    groups: ['system:masters'],
    replacesExisting: false,
  };

  it('renders the create command and the snippet with the path-less ARN', () => {
    const text = renderAction(put, ctx).map((c) => c.text);
    expect(text).toHaveLength(1);
    expect(text[0]).toContain(`--arn ${role('ledger-deployer')} `);
    const fix = renderFix({ title: 't', actions: [put], yamlSnippet: true }, ctx);
    expect(fix.snippet?.content).toContain(`rolearn: ${role('ledger-deployer')}\n`);
  });

  it('deletes the entry written with the path when it replaces it', () => {
    const text = renderAction({ ...put, replacesExisting: true }, ctx).map((c) => c.text);
    expect(text[0]).toContain(`delete iamidentitymapping`);
    expect(text[0]).toContain(`--arn ${role('ledger-deployer', '/ci/')} --all`);
    expect(text[1]).toContain(`--arn ${role('ledger-deployer')} `);
  });

  it('applied, maps the assumed role', () => {
    const snapshot: Snapshot = build({
      mode: 'CONFIG_MAP',
      principal: session('ledger-deployer', 'ci-7'),
      mapRoles: `- rolearn: ${role('ledger-deployer', '/ci/')}\n  username: x\n  groups:\n  - system:masters\n`,
    });
    const fixed = applyPlan(
      snapshot,
      { title: 't', actions: [{ ...put, replacesExisting: true }] },
      new Date('2026-11-20T09:31:00Z'),
    );
    expect(diagnoseDetailed(fixed).report.verdict.outcome).toBe('allowed');
  });

  it('keeps user paths (the authenticator keeps them)', () => {
    const userPut: FixAction = {
      ...put,
      section: 'mapUsers',
      arn: 'arn:aws:iam::111122223333:user/ops/jane',
    };
    expect(renderAction(userPut, ctx)[0]?.text).toContain('--arn arn:aws:iam::111122223333:user/ops/jane ');
  });

  it('awsAuthMappingPlan maps a node role as a node, others with a neutral name', () => {
    const node = awsAuthMappingPlan(
      simOf({
        mode: 'CONFIG_MAP',
        principal: session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718'),
        mapRoles: '',
      }),
      { title: 't', groups: ['system:masters'] },
    );
    expect(node?.actions[0]).toMatchObject({
      username: 'system:node:{{EC2PrivateDNSName}}',
      groups: ['system:bootstrappers', 'system:nodes'],
    });
    const person = awsAuthMappingPlan(
      simOf({ mode: 'CONFIG_MAP', principal: role('ledger-deployer', '/ci/') }),
      {
        title: 't',
        groups: ['system:masters'],
      },
    );
    expect(person?.actions[0]).toMatchObject({
      arn: role('ledger-deployer'),
      username: 'ledger-deployer:{{SessionName}}',
      groups: ['system:masters'],
    });
  });
});

describe('intendedPolicy', () => {
  it('is cluster admin for a system:masters mapping that API mode ignores', () => {
    const sim = simOf({
      mode: 'API',
      principal: 'arn:aws:iam::111122223333:user/ana',
      path: '/api/v1/namespaces/reports/pods',
      mapUsers:
        '- userarn: arn:aws:iam::111122223333:user/ana\n  username: ana\n  groups:\n  - system:masters\n',
    });
    expect(intendedPolicy(sim)).toEqual({ policyArn: CA, scope: { type: 'cluster' } });
  });
});
