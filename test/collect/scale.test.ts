/**
 * Round trips, pagination and near misses: the happy path needs at most 4 sequential AWS round trips whatever the
 * number of access entries, CloudTrail stays within 2 requests per second, and lists are read to the end.
 */
import { describe, expect, it } from 'vitest';
import { collectSnapshot, type ProgressEvent } from '../../src/collect/index.js';
import { nearMissCandidates } from '../../src/collect/aws/eks.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { loadSample } from '../helpers/samples.js';
import { analyzeRequestLog, longestChain, maxInWindow, type RequestRecord } from '../support/request-log.js';
import { COLLECTOR, startFakes, type Fakes } from '../support/scenario.js';
import { withEnv } from '../support/env.js';

const BASE = loadSample('access-entry-without-policy');
const ACCOUNT = '111122223333';

function record(start: number, end: number, operation = 'X', service = 'eks', region = 'r'): RequestRecord {
  return { start, end, operation, service, region, status: 200 };
}

describe('request log figures', () => {
  it.each([
    { name: 'all concurrent', log: [record(0, 10), record(1, 11), record(2, 12)], chain: 1 },
    { name: 'a chain of three', log: [record(0, 10), record(10, 20), record(25, 30)], chain: 3 },
    { name: 'two branches', log: [record(0, 10), record(11, 20), record(0, 50), record(51, 60)], chain: 3 },
    {
      name: 'the longer branch wins',
      log: [record(0, 10), record(11, 20), record(0, 50), record(51, 60), record(61, 70)],
      chain: 4,
    },
    { name: 'empty', log: [], chain: 0 },
  ])('longest chain: $name', ({ log, chain }) => {
    expect(longestChain(log)).toBe(chain);
  });

  it.each([
    { starts: [0, 10, 999], max: 3 },
    { starts: [0, 10, 1000, 1010], max: 2 },
    { starts: [0, 500, 1000, 1500], max: 2 },
    { starts: [], max: 0 },
  ])('max per 1000 ms window of $starts is $max', ({ starts, max }) => {
    expect(maxInWindow(starts)).toBe(max);
  });

  it('leaves CloudTrail lookups out of the round-trip chain and counts their rate per Region', () => {
    const figures = analyzeRequestLog([
      record(0, 10, 'DescribeCluster'),
      record(11, 20, 'FilterLogEvents', 'logs'),
      record(0, 5, 'LookupEvents', 'cloudtrail', 'a'),
      record(1, 6, 'LookupEvents', 'cloudtrail', 'a'),
      record(600, 605, 'LookupEvents', 'cloudtrail', 'a'),
      record(0, 5, 'LookupEvents', 'cloudtrail', 'b'),
      record(30, 40, 'configmaps', 'kubernetes'),
    ]);
    expect(figures).toEqual({
      awsRequests: 6,
      sequentialRoundTrips: 2,
      cloudTrail: { requests: 4, maxPerSecondByRegion: { a: 3, b: 1 }, maxPerSecond: 3 },
      kubernetesRequests: 1,
    });
  });
});

async function collect(
  fakes: Fakes,
  options: Partial<Parameters<typeof collectSnapshot>[0]> = {},
  progress: ProgressEvent[] = [],
): Promise<Snapshot> {
  return withEnv(fakes.env, () =>
    collectSnapshot(
      {
        cluster: fakes.clusterName,
        region: fakes.region,
        now: new Date(BASE.snapshot.collectedAt ?? Date.now()),
        since: '90d',
        ...options,
      },
      (e) => progress.push(e),
    ),
  );
}

function manyEntries(
  count: number,
): Array<{ principalArn: string; createdAt: string; kubernetesGroups: string[] }> {
  return Array.from({ length: count }, (_, i) => ({
    principalArn: `arn:aws:iam::${ACCOUNT}:role/team-${String(i).padStart(4, '0')}`,
    createdAt: '2024-01-01T00:00:00Z',
    kubernetesGroups: ['readers'],
  }));
}

describe('live collection at scale', () => {
  it.each([
    { name: 'assumed-role principal among 3,000 entries', principal: BASE.snapshot.incident?.principalArn },
    { name: 'IAM role principal among 3,000 entries', principal: `arn:aws:iam::${ACCOUNT}:role/qa-readers` },
    { name: 'no principal given (the caller is assumed)', principal: undefined },
  ])('$name: at most 4 sequential round trips, CloudTrail at most 2/s', async ({ principal }) => {
    const fakes = await startFakes(BASE.snapshot, { aws: { latencyMs: 60 } });
    try {
      const cluster = fakes.aws.state.clusters[fakes.clusterName];
      cluster?.accessEntries.push(...manyEntries(2998));
      // The caller has an entry too: with no --principal, it is the principal (the happy path).
      cluster?.accessEntries.push({
        principalArn: COLLECTOR.arn,
        createdAt: '2024-01-01T00:00:00Z',
        kubernetesGroups: ['readers'],
      });
      const snapshot = await collect(fakes, { principalArn: principal, cloudTrail: true });
      const figures = analyzeRequestLog(fakes.aws.log);
      expect(figures.sequentialRoundTrips).toBeGreaterThanOrEqual(2);
      expect(figures.sequentialRoundTrips).toBeLessThanOrEqual(4);
      expect(figures.cloudTrail.requests).toBeGreaterThan(0);
      expect(figures.cloudTrail.maxPerSecond).toBeLessThanOrEqual(2);
      expect(fakes.aws.log.some((r) => r.operation === 'ListAccessEntries')).toBe(false);
      expect(snapshot.accessEntries?.status).toBe('ok');
      if (!principal) {
        // The caller's entry was collected, but the incident does not claim the caller is the failing principal.
        expect(
          (snapshot.accessEntries as { data: Array<{ principalArn: string }> }).data[0]?.principalArn,
        ).toBe(COLLECTOR.arn);
        expect(snapshot.incident?.principalArn).toBeUndefined();
      }
    } finally {
      await fakes.close();
    }
  });

  it('pages through ListAccessEntries and describes only near misses, at most 8 at a time', async () => {
    const fakes = await startFakes(BASE.snapshot, {
      aws: { latencyMs: 25, pageSize: { ListAccessEntries: 7 } },
    });
    try {
      const cluster = fakes.aws.state.clusters[fakes.clusterName];
      if (!cluster) throw new Error('no cluster');
      cluster.accessEntries = [
        ...manyEntries(120),
        {
          principalArn: `arn:aws:iam::${ACCOUNT}:role/teams/qa/data-analysts`,
          createdAt: '2024-01-01T00:00:00Z',
        },
        { principalArn: `arn:aws:iam::${ACCOUNT}:role/Data-Analysts`, createdAt: '2024-01-01T00:00:00Z' },
        { principalArn: `arn:aws:iam::444455556666:role/data-analysts`, createdAt: '2024-01-01T00:00:00Z' },
        ...Array.from({ length: 30 }, (_, i) => ({
          principalArn: `arn:aws:iam::${ACCOUNT}:role/x${i}/data-analysts`,
          createdAt: '2024-01-01T00:00:00Z',
        })),
      ];
      fakes.aws.state.iam.roles.push({
        Arn: `arn:aws:iam::${ACCOUNT}:role/data-analysts`,
        Id: 'AROADATAANALYSTS0001',
        Name: 'data-analysts',
        Path: '/',
        CreateDate: '2024-01-01T00:00:00Z',
      });
      const progress: ProgressEvent[] = [];
      const snapshot = await collect(
        fakes,
        { principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/data-analysts/bob`, cloudTrail: false },
        progress,
      );
      const pages = fakes.aws.log.filter((r) => r.operation === 'ListAccessEntries');
      expect(pages).toHaveLength(Math.ceil(153 / 7));
      const entries = (snapshot.accessEntries as { data: Array<{ principalArn: string }> }).data.map(
        (e) => e.principalArn,
      );
      expect(entries).toHaveLength(20);
      expect(entries).toContain(`arn:aws:iam::${ACCOUNT}:role/teams/qa/data-analysts`);
      expect(entries).toContain(`arn:aws:iam::${ACCOUNT}:role/Data-Analysts`);
      expect(entries.some((a) => a.includes('team-'))).toBe(false);
      const describes = fakes.aws.log.filter((r) => r.operation === 'DescribeAccessEntry');
      const inFlight = Math.max(
        ...describes.map((d) => describes.filter((o) => o.start <= d.start && o.end > d.start).length),
      );
      expect(inFlight).toBeLessThanOrEqual(8);
      expect(progress.find((e) => e.source === 'accessEntries' && e.state === 'ok')?.detail).toMatch(
        /no entry for the principal among 153; 20 near misses/,
      );
    } finally {
      await fakes.close();
    }
  });

  it('reads CloudTrail pages up to the cap and says so; logs and RBAC lists to the end', async () => {
    const fakes = await startFakes(BASE.snapshot, {
      aws: { pageSize: { LookupEvents: 2, FilterLogEvents: 3 } },
    });
    fakes.kube.pageSize = 2;
    try {
      const region = fakes.region;
      fakes.aws.state.cloudTrail[region] = Array.from({ length: 9 }, (_, i) => ({
        EventId: `e${i}`,
        EventName: 'CreateAccessEntry',
        EventSource: 'eks.amazonaws.com',
        EventTime: new Date(Date.parse(BASE.snapshot.collectedAt ?? '') - (i + 1) * 3600_000).toISOString(),
        CloudTrailEvent: JSON.stringify({
          requestParameters: { name: fakes.clusterName, principalArn: `arn:aws:iam::${ACCOUNT}:role/r${i}` },
        }),
      }));
      const group = `/aws/eks/${fakes.clusterName}/cluster`;
      const at = Date.parse(BASE.snapshot.collectedAt ?? '') - 60_000;
      fakes.aws.state.logs[group] = Array.from({ length: 8 }, (_, i) => ({
        logStreamName: 'authenticator-abc',
        timestamp: at + i,
        message: `level=warning msg="access denied" arn="arn:aws:iam::${ACCOUNT}:role/qa-readers" n=${i}`,
      }));
      fakes.kube.state.clusterRoleBindings = Array.from({ length: 7 }, (_, i) => ({
        metadata: { name: `b${i}` },
        roleRef: { kind: 'ClusterRole', name: 'view', apiGroup: 'rbac.authorization.k8s.io' },
        subjects: [],
      }));
      const progress: ProgressEvent[] = [];
      const snapshot = await collect(
        fakes,
        { principalArn: BASE.snapshot.incident?.principalArn, cloudTrail: true },
        progress,
      );
      expect((snapshot.cloudTrail as { data: unknown[] }).data).toHaveLength(6);
      expect(progress.find((e) => e.source === 'cloudTrail' && e.state === 'ok')?.detail).toMatch(
        /page cap reached/,
      );
      expect((snapshot.authenticatorLogs as { data: unknown[] }).data).toHaveLength(8);
      expect(
        (snapshot.rbac as { data: { clusterRoleBindings: unknown[] } }).data.clusterRoleBindings,
      ).toHaveLength(7);
      expect(analyzeRequestLog(fakes.aws.log).cloudTrail.maxPerSecond).toBeLessThanOrEqual(2);
    } finally {
      await fakes.close();
    }
  });
});

describe('near-miss candidates', () => {
  const listed = [
    `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_Admin_2222222222222222`,
    `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_3333333333333333`,
    `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_ReadOnly_4444444444444444`,
    `arn:aws:iam::${ACCOUNT}:role/deployer`,
    `arn:aws:iam::${ACCOUNT}:role/ci/Deployer`,
    `arn:aws:iam::${ACCOUNT}:user/deployer`,
    `arn:aws:iam::${ACCOUNT}:role/deployer-old`,
  ];
  it.each([
    {
      principal: `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_Admin_1111111111111111`,
      want: [listed[0], listed[1]],
    },
    { principal: `arn:aws:iam::${ACCOUNT}:role/other/deployer`, want: [listed[3], listed[4], listed[5]] },
    { principal: `arn:aws:iam::${ACCOUNT}:role/deployer`, want: [listed[4], listed[5]] },
    { principal: 'not an arn', want: [] },
  ])('$principal', ({ principal, want }) => {
    expect(nearMissCandidates(principal, listed)).toEqual(want);
  });
});
