import { describe, expect, it } from 'vitest';
import { simulate, type Simulation } from '../../src/simulate/simulate.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { build, entry, role, session, user, CA, METRICS } from '../helpers/build.js';

const NOW = new Date('2026-11-20T09:30:00Z');
function run(snapshot: Snapshot, extra: { facts?: string[]; observedStatus?: number } = {}): Simulation {
  return simulate({
    snapshot,
    principalArn: snapshot.incident?.principalArn,
    path: snapshot.incident?.path,
    verb: snapshot.incident?.verb,
    observedStatus: extra.observedStatus,
    incident: { facts: extra.facts ?? [] },
    now: NOW,
  });
}
const stage = (sim: Simulation, name: string) => sim.trace.find((s) => s.stage === name);

describe('simulate: verdicts follow the first failing stage', () => {
  const admins = `- rolearn: ${role('admins')}\n  username: admin:{{SessionName}}\n  groups:\n  - system:masters\n`;
  const cases: Array<
    [string, Snapshot, Partial<Record<'outcome' | 'failingStage', string>> & { status?: number | null }]
  > = [
    [
      'aws-auth admin in both modes',
      build({ principal: session('admins', 'kim'), mapRoles: admins }),
      { outcome: 'allowed', status: 200 },
    ],
    [
      'aws-auth ignored in API mode',
      build({ mode: 'API', principal: session('admins', 'kim'), mapRoles: admins }),
      { outcome: 'unauthenticated', failingStage: 'mapping', status: 401 },
    ],
    [
      'access entries ignored in CONFIG_MAP',
      build({
        mode: 'CONFIG_MAP',
        principal: session('ops', 'x'),
        entries: [entry(role('ops'), { policies: [[CA, { type: 'cluster' }]] })],
      }),
      { outcome: 'unauthenticated', failingStage: 'mapping' },
    ],
    [
      'missing accessConfig means CONFIG_MAP',
      build({ mode: 'none', principal: session('admins', 'kim'), mapRoles: admins }),
      { outcome: 'allowed' },
    ],
    [
      'malformed principal ARN fails at sts',
      build({ principal: 'arn:aws:iam::111122223333:group/devs' }),
      { outcome: 'unauthenticated', failingStage: 'sts' },
    ],
    [
      'mapAccounts authenticates with no groups: 403 on pods',
      build({ principal: session('anyone', 'x'), mapAccounts: '- "111122223333"\n' }),
      { outcome: 'forbidden', failingStage: 'authorization', status: 403 },
    ],
    [
      'empty username on the metrics API',
      build({
        mode: 'CONFIG_MAP',
        principal: user('hong'),
        path: METRICS,
        mapUsers: `- userarn: ${user('hong')}\n  groups:\n  - system:masters\n`,
      }),
      { outcome: 'unauthenticated', failingStage: 'aggregation', status: 401 },
    ],
    [
      'node role assumed by a human: template error',
      build({ principal: session('platform-prod-node-role', 'alice') }),
      { outcome: 'unauthenticated', failingStage: 'identity' },
    ],
  ];
  it.each(cases)('%s', (_name, snapshot, expected) => {
    const sim = run(snapshot);
    if (expected.outcome) expect(sim.outcome).toBe(expected.outcome);
    if (expected.failingStage) expect(sim.failingStage).toBe(expected.failingStage);
    if (expected.status !== undefined) expect(sim.expectedStatus).toBe(expected.status);
    expect(sim.trace.map((s) => s.stage)).toEqual([
      'client',
      'token',
      'sts',
      'mapping',
      'identity',
      'authorization',
      'aggregation',
    ]);
  });

  it('IAM users keep their path: a path-ful userarn matches, a path-less one does not', () => {
    const jane = user('jane', '/ops/');
    const mapped = (arn: string) => `- userarn: ${arn}\n  username: jane\n  groups:\n  - system:masters\n`;
    expect(run(build({ principal: jane, mapUsers: mapped(jane) })).outcome).toBe('allowed');
    expect(run(build({ principal: jane, mapUsers: mapped(user('jane')) })).outcome).toBe('unauthenticated');
  });

  it('a role given without a session keeps {{SessionName}} as an unknown part', () => {
    const sim = run(
      build({
        principal: role('ops'),
        mapRoles: `- rolearn: ${role('ops')}\n  username: ops:{{SessionName}}\n  groups:\n  - system:masters\n`,
      }),
    );
    expect(sim.identity?.username).toBe('ops:{{SessionName}}');
    expect(sim.identity?.unknownParts).toEqual(['{{SessionName}}']);
    expect(sim.outcome).toBe('allowed');
  });

  it('an access entry wins over aws-auth in API_AND_CONFIG_MAP', () => {
    const sim = run(
      build({
        principal: session('ops', 'x'),
        mapRoles: `- rolearn: ${role('ops')}\n  username: ops\n  groups:\n  - system:masters\n`,
        entries: [entry(role('ops'))],
      }),
    );
    expect(sim.mapping?.source).toBe('access-entry');
    expect(sim.identity?.username).toBe('arn:aws:sts::111122223333:assumed-role/ops/x');
    expect(sim.outcome).toBe('forbidden');
  });

  it('a principal created after its access entry no longer matches it (unique id)', () => {
    const snapshot = build({
      mode: 'API',
      principal: session('ops', 'x'),
      entries: [
        entry(role('ops'), { policies: [[CA, { type: 'cluster' }]], createdAt: '2025-01-01T00:00:00Z' }),
      ],
      iam: [{ arn: role('ops'), id: 'AROANEWID', createDate: '2026-02-01T00:00:00Z' }],
    });
    const sim = run(snapshot);
    expect(sim.accessEntryStale?.principalCreated).toBe('2026-02-01T00:00:00Z');
    expect(sim.outcome).toBe('unauthenticated');
  });

  it('missing evidence leaves a stage unknown; the observed status settles the verdict', () => {
    const snapshot = build({ principal: session('ops', 'x'), entries: 'denied', awsAuth: 'absent' });
    expect(stage(run(snapshot), 'mapping')?.result).toBe('unknown');
    expect(run(snapshot).outcome).toBe('unknown');
    expect(run(snapshot, { observedStatus: 401 }).outcome).toBe('unauthenticated');
    const noRbac = build({
      principal: session('ops', 'x'),
      entries: [entry(role('ops'), { groups: ['ops'] })],
      rbac: 'absent',
    });
    expect(stage(run(noRbac), 'authorization')?.result).toBe('unknown');
    expect(run(noRbac, { observedStatus: 403 }).outcome).toBe('forbidden');
  });

  it('an unreadable source is named as such, not as "not collected"', () => {
    const denied: Snapshot = {
      ...build({ principal: session('ops', 'x') }),
      awsAuth: { status: 'denied', permission: 'get configmaps/aws-auth' },
    };
    expect(stage(run(denied), 'mapping')?.detail).toMatch(/aws-auth denied$/);
    const failed: Snapshot = { ...denied, awsAuth: { status: 'error', message: 'Unauthorized (401)' } };
    expect(stage(run(failed), 'mapping')?.detail).toMatch(/aws-auth unreadable$/);
  });

  it('aws-auth unreadable: the principal\'s "access granted" line in the authenticator log is the mapping', () => {
    const snapshot: Snapshot = {
      ...build({ mode: 'CONFIG_MAP', principal: user('park'), path: METRICS }),
      awsAuth: { status: 'denied', permission: 'get configmaps/aws-auth' },
      authenticatorLogs: {
        status: 'ok',
        data: [
          {
            timestamp: '2026-11-20T09:20:00Z',
            message: `time="2026-11-20T09:20:00Z" level=info msg="access granted" arn="${user('park')}" client="127.0.0.1:51514" groups="[system:masters]" method=POST path=/authenticate uid="aws-iam-authenticator:111122223333:AIDAEXAMPLE" username=`,
          },
        ],
      },
    };
    const sim = run(snapshot, { observedStatus: 401 });
    expect(sim.mapping).toMatchObject({ source: 'authenticator-log', pointer: '/authenticatorLogs/data/0' });
    expect(stage(sim, 'mapping')).toMatchObject({ result: 'pass' });
    expect(sim.identity?.username).toBe('');
    expect([sim.outcome, sim.failingStage]).toEqual(['unauthenticated', 'aggregation']);
  });

  it('the path is still classified when the mapping could not be read', () => {
    const snapshot = build({
      principal: session('ops', 'x'),
      path: METRICS,
      entries: 'denied',
      awsAuth: 'absent',
    });
    const sim = run(snapshot, { observedStatus: 401 });
    expect(stage(sim, 'mapping')?.result).toBe('unknown');
    expect(sim.aggregation).toMatchObject({ aggregated: true, groupVersion: 'metrics.eks.amazonaws.com/v1' });
  });

  it('IAM unreadable: a CreateRole in CloudTrail after the entry makes the entry stale (FM-22)', () => {
    const created = {
      EventName: 'CreateRole',
      EventTime: '2026-03-03T20:00:30Z',
      CloudTrailEvent: JSON.stringify({
        eventName: 'CreateRole',
        eventTime: '2026-03-03T20:00:30Z',
        requestParameters: { roleName: 'ops' },
        responseElements: { role: { roleName: 'ops', roleId: 'AROANEWID1', arn: role('ops') } },
        recipientAccountId: '111122223333',
      }),
    };
    const base = build({
      mode: 'API',
      principal: session('ops', 'x'),
      entries: [
        entry(role('ops'), { policies: [[CA, { type: 'cluster' }]], createdAt: '2025-01-01T00:00:00Z' }),
      ],
    });
    const snapshot: Snapshot = {
      ...base,
      iamPrincipals: { status: 'denied', permission: 'iam:GetRole' },
      cloudTrail: { status: 'ok', data: [created] },
    };
    const sim = run(snapshot);
    expect(sim.accessEntryStale).toMatchObject({
      provenBy: 'cloudTrail',
      principalCreated: '2026-03-03T20:00:30.000Z',
      pointer: '/cloudTrail/data/0',
      principalId: 'AROANEWID1',
    });
    expect([sim.outcome, sim.failingStage]).toEqual(['unauthenticated', 'mapping']);
    // Another account's role of the same name, or a creation before the entry, proves nothing.
    const otherAccount = {
      ...created,
      CloudTrailEvent: created.CloudTrailEvent.replaceAll('111122223333', '999988887777'),
    };
    expect(run({ ...snapshot, cloudTrail: { status: 'ok', data: [otherAccount] } }).outcome).toBe('allowed');
    const before = { ...created, EventTime: '2024-06-01T00:00:00Z' };
    expect(run({ ...snapshot, cloudTrail: { status: 'ok', data: [before] } }).outcome).toBe('allowed');
  });

  it('facts from pasted text fail the client and token stages', () => {
    expect(run(build({ principal: user('a') }), { facts: ['exec-plugin-failed'] }).outcome).toBe(
      'client-error',
    );
    const anon = run(build({ principal: user('a') }), { facts: ['anonymous'] });
    expect([anon.outcome, anon.expectedStatus, anon.failingStage]).toEqual(['forbidden', 403, 'token']);
    expect(run(build({ principal: user('a') }), { facts: ['token-expired'] }).failingStage).toBe('token');
  });

  it('a HYBRID_LINUX entry names the node by its session (system:node:{{SessionName}})', () => {
    const hybrid = role('hybrid-edge-nodes');
    const sim = run(
      build({
        mode: 'API',
        principal: session('hybrid-edge-nodes', 'mi-0123456789abcdef0'),
        path: '/api/v1/nodes/mi-0123456789abcdef0',
        entries: [entry(hybrid, { type: 'HYBRID_LINUX' })],
      }),
    );
    expect(sim.mapping?.usernameTemplate).toBe('system:node:{{SessionName}}');
    expect(sim.identity?.renderError).toBeUndefined();
    expect(sim.identity?.username).toBe('system:node:mi-0123456789abcdef0');
    expect(sim.identity?.groups).toContain('system:nodes');
  });

  describe('the reserve list applies to the mapper the authenticator log names', () => {
    const nodeRole = role('platform-prod-node-role');
    const kubelet = session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718');
    const refused = (mapper: string, name: string) =>
      `time="2026-11-20T09:12:00Z" level=warning msg="access denied" arn="${nodeRole}" client="127.0.0.1:4242" error="invalid username '${name}' for mapper ${mapper}: username must not begin with with the following prefixes: [aws: iam: amazon: system: eks:]" method=POST path=/authenticate`;
    const opsMapping = `- rolearn: ${role('ops')}\n  username: system:ops\n  groups:\n  - system:masters\n`;
    const nodeEntry = [entry(nodeRole, { type: 'EC2_LINUX' })];
    const identityStage = (sim: Simulation) => stage(sim, 'identity')?.result;
    // Pasted lines: their facts come from the parser (as diagnose passes them), their text from the snapshot.
    const pasted = { facts: ['unauthorized', 'reserved-username-prefix'] };

    it('EKSConfigMap: not to the EKS-generated name of a node access entry', () => {
      const sim = run(
        build({
          mode: 'API',
          principal: kubelet,
          path: '/api/v1/nodes/ip-10-0-1-23',
          entries: nodeEntry,
          logLines: [refused('EKSConfigMap', 'system:node:ip-10-0-1-23.ap-northeast-2.compute.internal')],
        }),
        pasted,
      );
      expect(sim.facts.has('reserved-username-prefix')).toBe(true);
      expect(identityStage(sim)).toBe('pass');
    });

    it('EKSConfigMap: to an aws-auth mapping', () => {
      const sim = run(
        build({
          principal: session('ops', 'jane'),
          mapRoles: opsMapping,
          logLines: [refused('EKSConfigMap', 'system:ops').replace(nodeRole, role('ops'))],
        }),
        pasted,
      );
      expect(identityStage(sim)).toBe('fail');
      expect(sim.identity?.renderError).toMatch(/reserved prefix "system:"/);
    });

    it('DynamicFile (the access-entry mapper): to access entries', () => {
      const sim = run(
        build({
          mode: 'API',
          principal: kubelet,
          path: '/api/v1/nodes/ip-10-0-1-23',
          entries: nodeEntry,
          logLines: [refused('DynamicFile', 'system:node:ip-10-0-1-23.ap-northeast-2.compute.internal')],
        }),
        pasted,
      );
      expect(identityStage(sim)).toBe('fail');
    });

    it('no mapper named: aws-auth only', () => {
      const fact = { facts: ['reserved-username-prefix'] };
      const entrySim = run(
        build({ mode: 'API', principal: kubelet, path: '/api/v1/nodes/ip-10-0-1-23', entries: nodeEntry }),
        fact,
      );
      expect(identityStage(entrySim)).toBe('pass');
      const mapped = run(build({ principal: session('ops', 'jane'), mapRoles: opsMapping }), fact);
      expect(identityStage(mapped)).toBe('fail');
    });
  });

  it('without a path it evaluates GET /api and says so', () => {
    const snapshot = build({
      principal: user('a'),
      mapUsers: `- userarn: ${user('a')}\n  username: a\n  groups: []\n`,
    });
    delete snapshot.incident?.path;
    const sim = simulate({ snapshot, principalArn: user('a'), incident: {}, now: NOW });
    expect(sim.pathGiven).toBe(false);
    expect(sim.request.path).toBe('/api');
    expect(sim.outcome).toBe('allowed');
  });
});
