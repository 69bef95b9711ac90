import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/fix/actions.js';
import { diagnoseDetailed } from '../../src/engine/diagnose.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import {
  findNearMisses,
  nearMissFix,
  rebuildSection,
  recoverEntries,
  shownArn,
  type NearMissKind,
} from '../../src/simulate/near-miss.js';
import { build, role, session, user, entry, trail, CA, EDIT, type BuildInput } from '../helpers/build.js';
import { findingsOf } from '../helpers/rule-tester.js';
import droppedSectionRule from '../../rules/aws-auth-section-dropped-by-parse-error.js';

const NODE = `- rolearn: ${role('platform-prod-node-role')}
  username: system:node:{{EC2PrivateDNSName}}
  groups:
  - system:bootstrappers
  - system:nodes
`;
const mapRole = (arn: string, username = 'deployer') =>
  `${NODE}- rolearn: ${arn}\n  username: ${username}\n  groups:\n  - system:masters\n`;
const mapUser = (arn: string) => `- userarn: ${arn}\n  username: jdoe\n  groups:\n  - system:masters\n`;
const SSO_NEW = 'AWSReservedSSO_PowerUser_9f8e7d6c5b4a3210';
const SSO_OLD = 'AWSReservedSSO_PowerUser_0123456789abcdef';
const SSO_PATH = '/aws-reserved/sso.amazonaws.com/';
const admin = (arn: string, createdAt?: string) =>
  entry(arn, { policies: [[CA, { type: 'cluster' }]], ...(createdAt ? { createdAt } : {}) });

function simulationOf(snapshot: Snapshot) {
  return diagnoseDetailed(snapshot).simulation;
}

interface KindCase {
  name: string;
  input: BuildInput;
  kind: NearMissKind;
  source: 'access-entry' | 'aws-auth';
  written: string;
  intended: string;
}

const kindCases: KindCase[] = [
  {
    name: 'the access entry of a re-created role',
    input: {
      principal: session('deployer', 'ci'),
      entries: [admin(role('deployer'), '2025-01-01T00:00:00Z')],
      iam: [{ arn: role('deployer'), createDate: '2026-02-01T00:00:00Z' }],
    },
    kind: 'recreated',
    source: 'access-entry',
    written: role('deployer'),
    intended: role('deployer'),
  },
  {
    name: 'a trailing space in a quoted rolearn',
    input: {
      mode: 'CONFIG_MAP',
      principal: session('deployer', 'ci'),
      mapRoles: mapRole(`"${role('deployer')} "`),
    },
    kind: 'spelling',
    source: 'aws-auth',
    written: `${role('deployer')} `,
    intended: role('deployer'),
  },
  {
    name: 'a non-breaking space inside the rolearn',
    input: {
      mode: 'CONFIG_MAP',
      principal: session('deployer', 'ci'),
      mapRoles: mapRole(`${role('deploy')}\u00a0er`),
    },
    kind: 'spelling',
    source: 'aws-auth',
    written: `${role('deploy')}\u00a0er`,
    intended: role('deployer'),
  },
  {
    name: 'a rolearn with an IAM path',
    input: { principal: session('deployer', 'ci'), mapRoles: mapRole(role('deployer', '/teams/platform/')) },
    kind: 'role-path',
    source: 'aws-auth',
    written: role('deployer', '/teams/platform/'),
    intended: role('deployer'),
  },
  {
    name: 'an STS session ARN as rolearn',
    input: { principal: session('deployer', 'ci'), mapRoles: mapRole(session('deployer', 'old-session')) },
    kind: 'sts-session-arn',
    source: 'aws-auth',
    written: session('deployer', 'old-session'),
    intended: role('deployer'),
  },
  {
    name: 'a user moved to another path (access entry)',
    input: { principal: user('jdoe', '/contractors/'), entries: [admin(user('jdoe'))] },
    kind: 'user-path',
    source: 'access-entry',
    written: user('jdoe'),
    intended: user('jdoe', '/contractors/'),
  },
  {
    name: 'a renamed user (CloudTrail UpdateUser)',
    input: {
      mode: 'CONFIG_MAP',
      principal: user('john.doe'),
      mapUsers: mapUser(user('jdoe')),
      cloudTrail: [
        trail('UpdateUser', '2026-11-12T01:00:00Z', {
          params: { userName: 'jdoe', newUserName: 'john.doe' },
        }),
      ],
    },
    kind: 'user-renamed',
    source: 'aws-auth',
    written: user('jdoe'),
    intended: user('john.doe'),
  },
  {
    name: 'an SSO role with the previous suffix keeps its path in the new entry',
    input: { principal: session(SSO_NEW, 'jane@example.com'), entries: [admin(role(SSO_OLD, SSO_PATH))] },
    kind: 'sso-suffix',
    source: 'access-entry',
    written: role(SSO_OLD, SSO_PATH),
    intended: role(SSO_NEW, SSO_PATH),
  },
  {
    name: 'user/<name> written for a role',
    input: { principal: session('deployer', 'ci'), mapUsers: mapUser(user('deployer')) },
    kind: 'user-vs-role',
    source: 'aws-auth',
    written: user('deployer'),
    intended: role('deployer'),
  },
  {
    name: 'the same role in another account',
    input: {
      principal: 'arn:aws:sts::444455556666:assumed-role/deployer/ci',
      entries: [admin(role('deployer'))],
    },
    kind: 'other-account',
    source: 'access-entry',
    written: role('deployer'),
    intended: 'arn:aws:iam::444455556666:role/deployer',
  },
];

describe('findNearMisses', () => {
  it.each(kindCases)('$name → $kind', ({ input, kind, source, written, intended }) => {
    const misses = findNearMisses(simulationOf(build(input)));
    expect(misses[0]).toMatchObject({ kind, source, written, intended });
  });

  it.each(kindCases.filter((c) => c.kind !== 'other-account'))(
    'its fix, applied, makes the request pass: $name',
    ({ input }) => {
      const snapshot = build(input);
      const sim = simulationOf(snapshot);
      const miss = findNearMisses(sim)[0];
      expect(miss).toBeDefined();
      const plan = miss && nearMissFix(sim, miss);
      expect(plan?.actions.length).toBeGreaterThan(0);
      const now = new Date(Date.parse(snapshot.collectedAt ?? '') + 60_000);
      const after = diagnoseDetailed(applyPlan(snapshot, plan ?? { title: '', actions: [] }, now), { now });
      expect(after.simulation.outcome).toBe('allowed');
    },
  );

  it('copies the grant for another account instead of taking it away', () => {
    const snapshot = build(kindCases.find((c) => c.kind === 'other-account')?.input ?? {});
    const sim = simulationOf(snapshot);
    const miss = findNearMisses(sim)[0];
    const plan = miss && nearMissFix(sim, miss);
    expect(plan?.actions.map((a) => a.kind)).toEqual(['create-access-entry', 'associate-access-policy']);
    const now = new Date(Date.parse(snapshot.collectedAt ?? '') + 60_000);
    const fixed = applyPlan(snapshot, plan ?? { title: '', actions: [] }, now);
    expect(
      fixed.accessEntries?.status === 'ok' && fixed.accessEntries.data.map((e) => e.principalArn),
    ).toEqual([role('deployer'), 'arn:aws:iam::444455556666:role/deployer']);
  });

  it('re-creates an entry with its namespace scope and groups', () => {
    const old = entry(user('jdoe'), {
      groups: ['web-editors'],
      policies: [[EDIT, { type: 'namespace', namespaces: ['web', 'api'] }]],
    });
    const sim = simulationOf(build({ principal: user('jdoe', '/contractors/'), entries: [old] }));
    const miss = findNearMisses(sim)[0];
    const plan = miss && nearMissFix(sim, miss);
    expect(plan?.actions).toEqual([
      { kind: 'delete-access-entry', principalArn: user('jdoe') },
      {
        kind: 'create-access-entry',
        principalArn: user('jdoe', '/contractors/'),
        type: 'STANDARD',
        kubernetesGroups: ['web-editors'],
      },
      {
        kind: 'associate-access-policy',
        principalArn: user('jdoe', '/contractors/'),
        policyArn: EDIT,
        scope: { type: 'namespace', namespaces: ['web', 'api'] },
      },
    ]);
  });

  it('re-creates a node entry without the username and groups EKS sets itself', () => {
    const node = role('platform-prod-node-role');
    const sim = simulationOf(
      build({
        mode: 'API',
        awsAuth: 'absent',
        principal: session('platform-prod-node-role', 'i-0123456789abcdef0'),
        entries: [
          entry(node, {
            type: 'EC2_LINUX',
            groups: ['system:nodes'],
            username: 'system:node:{{EC2PrivateDNSName}}',
            createdAt: '2025-01-01T00:00:00Z',
          }),
        ],
        iam: [{ arn: node, createDate: '2026-02-01T00:00:00Z' }],
      }),
    );
    const miss = findNearMisses(sim)[0];
    expect(miss?.kind).toBe('recreated');
    expect(miss && nearMissFix(sim, miss)?.actions).toEqual([
      { kind: 'delete-access-entry', principalArn: node },
      { kind: 'create-access-entry', principalArn: node, type: 'EC2_LINUX' },
    ]);
  });

  it('finds nothing when the caller is mapped', () => {
    const sim = simulationOf(
      build({
        principal: session('deployer', 'ci'),
        mapRoles: mapRole(role('deployer')) + mapRole(role('deployer', '/x/')),
      }),
    );
    expect(findNearMisses(sim)).toEqual([]);
  });

  it('searches only what the authentication mode consults', () => {
    const both = { principal: session('deployer', 'ci'), mapRoles: mapRole(role('deployer', '/teams/')) };
    expect(findNearMisses(simulationOf(build({ ...both, mode: 'API' })))).toEqual([]);
    const entries = { principal: user('jdoe', '/contractors/'), entries: [admin(user('jdoe'))] };
    expect(findNearMisses(simulationOf(build({ ...entries, mode: 'CONFIG_MAP' })))).toEqual([]);
  });

  it('ranks an exact-but-for-formatting match before a same-name guess', () => {
    const sim = simulationOf(
      build({
        principal: session('deployer', 'ci'),
        entries: [admin('arn:aws:iam::444455556666:role/deployer')],
        mapRoles: mapRole(role('deployer', '/teams/')),
      }),
    );
    expect(findNearMisses(sim).map((m) => m.kind)).toEqual(['role-path', 'other-account']);
  });

  it('answers from the memo on the second call', () => {
    const sim = simulationOf(
      build({ principal: session('deployer', 'ci'), mapRoles: mapRole(role('deployer', '/t/')) }),
    );
    expect(findNearMisses(sim)).toBe(findNearMisses(sim));
  });

  it('stays fast with 3,000 mappings and 3,000 entries (indexed, no scan per lookup)', () => {
    const mapRoles = Array.from(
      { length: 3000 },
      (_, i) => `- rolearn: ${role(`team-${i}`, '/t/')}\n  username: u${i}\n  groups:\n  - g\n`,
    ).join('');
    const entries = Array.from({ length: 3000 }, (_, i) => admin(role(`svc-${i}`)));
    const snapshot = build({ principal: session('team-2999', 'ci'), mapRoles, entries });
    const sim = simulationOf(snapshot);
    const misses = findNearMisses(sim);
    expect(misses[0]).toMatchObject({ kind: 'role-path', written: role('team-2999', '/t/') });
  });
});

describe('recoverEntries and rebuildSection', () => {
  const broken = `${NODE}- rolearn: ${role('ops')}\n  username: {{SessionName}}\n  groups:\n\t- system:masters\n  - ops\n`;

  it('reads entries the YAML parser rejects', () => {
    expect(
      recoverEntries(broken).map((e) => ({
        line: e.line,
        arns: e.arns,
        username: e.username,
        groups: e.groups,
      })),
    ).toEqual([
      {
        line: 1,
        arns: [role('platform-prod-node-role')],
        username: 'system:node:{{EC2PrivateDNSName}}',
        groups: ['system:bootstrappers', 'system:nodes'],
      },
      { line: 6, arns: [role('ops')], username: '{{SessionName}}', groups: ['system:masters', 'ops'] },
    ]);
  });

  it('reads flow lists and quoted values', () => {
    const text = `- rolearn: "${role('a')}"\n  username: 'a:{{SessionName}}'\n  groups: [x, "y"]\n`;
    expect(recoverEntries(text)[0]).toMatchObject({
      arns: [role('a')],
      username: 'a:{{SessionName}}',
      groups: ['x', 'y'],
    });
  });

  it('keeps the groups of a flow list whose closing bracket is missing (the YAML error itself)', () => {
    const text = `${NODE}- rolearn: ${role('sre')}\n  username: sre:{{SessionName}}\n  groups: [system:masters\n- rolearn: ${role('viewer')}\n  username: viewer\n  groups: [viewers]\n`;
    expect(recoverEntries(text).map((e) => e.groups)).toEqual([
      ['system:bootstrappers', 'system:nodes'],
      ['system:masters'],
      ['viewers'],
    ]);
  });

  it('reads a flow list that goes on over several lines', () => {
    const text = `- rolearn: ${role('a')}\n  username: a\n  groups: [x,\n    "y",\n    z]\n`;
    expect(recoverEntries(text)[0]?.groups).toEqual(['x', 'y', 'z']);
  });

  it('repairs a dropped section so the caller keeps its unterminated groups and is allowed', () => {
    const snapshot = build({
      principal: session('sre', 'kim'),
      path: '/api/v1/nodes',
      status: 401,
      mapRoles: `${NODE}- rolearn: ${role('sre')}\n  username: sre:{{SessionName}}\n  groups: [system:masters\n`,
    });
    const { mine, collected } = findingsOf(droppedSectionRule, { name: 'fm24-2', snapshot });
    const repair = mine[0]?.fixes[0]?.snippet?.content ?? '';
    expect(repair).toContain('- system:masters');
    expect(repair).not.toContain('groups: []');
    const plan = collected[0]?.plans[0];
    expect(plan?.actions[0]?.kind).toBe('aws-auth-set-data');
    const now = new Date(Date.parse(snapshot.collectedAt ?? '') + 60_000);
    const after = diagnoseDetailed(applyPlan(snapshot, plan ?? { title: '', actions: [] }, now), { now });
    expect(after.simulation.outcome).toBe('allowed');
  });

  it('rebuilds a section that loads every entry, the caller corrected', () => {
    const rebuilt = rebuildSection(broken, 'mapRoles', {
      arn: role('ops'),
      username: 'ops:{{SessionName}}',
      groups: ['system:masters', 'ops'],
    });
    expect(rebuilt).toContain('username: "ops:{{SessionName}}"');
    expect(rebuilt).toContain('username: "system:node:{{EC2PrivateDNSName}}"');
  });

  it('refuses to rebuild when an entry cannot be read back', () => {
    const text = `${broken}- username: orphan\n  groups:\n  - x\n`;
    expect(
      rebuildSection(text, 'mapRoles', { arn: role('ops'), username: 'ops', groups: [] }),
    ).toBeUndefined();
  });
});

describe('shownArn', () => {
  it('quotes an ARN whose whitespace would not show', () => {
    expect(shownArn(`${role('ops')} `)).toBe(`"${role('ops')} "`);
    expect(shownArn(role('ops'))).toBe(role('ops'));
  });

  it('shows the trailing space in the title of the corrective fix', () => {
    const sim = simulationOf(
      build({
        mode: 'CONFIG_MAP',
        principal: session('deployer', 'ci'),
        mapRoles: mapRole(`"${role('deployer')} "`),
      }),
    );
    const miss = findNearMisses(sim)[0];
    expect(miss && nearMissFix(sim, miss)?.title).toBe(
      `Correct the aws-auth entry "${role('deployer')} " to ${role('deployer')}`,
    );
  });
});
