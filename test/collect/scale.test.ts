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

  it('reads logs and RBAC lists to the end', async () => {
    const fakes = await startFakes(BASE.snapshot, { aws: { pageSize: { FilterLogEvents: 3 } } });
    fakes.kube.pageSize = 2;
    try {
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
      const snapshot = await collect(fakes, { principalArn: BASE.snapshot.incident?.principalArn });
      expect((snapshot.authenticatorLogs as { data: unknown[] }).data).toHaveLength(8);
      expect(
        (snapshot.rbac as { data: { clusterRoleBindings: unknown[] } }).data.clusterRoleBindings,
      ).toHaveLength(7);
    } finally {
      await fakes.close();
    }
  });
});

describe('CloudTrail lookups', () => {
  const collectedAt = Date.parse(BASE.snapshot.collectedAt ?? '');
  const principal = `arn:aws:iam::${ACCOUNT}:role/qa-readers`;

  /** An event `hoursAgo` before collection, as LookupEvents stores it. */
  function event(
    id: string,
    source: 'eks' | 'iam',
    name: string,
    hoursAgo: number,
    requestParameters: Record<string, unknown>,
  ): Record<string, unknown> {
    return {
      EventId: id,
      EventName: name,
      EventSource: `${source}.amazonaws.com`,
      ReadOnly: String(/^(Describe|List|Get)/.test(name)),
      EventTime: new Date(collectedAt - hoursAgo * 3600_000).toISOString(),
      CloudTrailEvent: JSON.stringify({ eventName: name, requestParameters }),
    };
  }
  const eksEvent = (id: string, name: string, hoursAgo: number, cluster: string) =>
    event(id, 'eks', name, hoursAgo, { name: cluster, principalArn: `arn:aws:iam::${ACCOUNT}:role/r-${id}` });
  const iamEvent = (id: string, name: string, hoursAgo: number, roleName: string) =>
    event(id, 'iam', name, hoursAgo, { roleName });

  async function lookups(
    fakes: Fakes,
  ): Promise<{ snapshot: Snapshot; ids: string[]; detail: string | undefined; byAttribute: string[] }> {
    const progress: ProgressEvent[] = [];
    const snapshot = await collect(fakes, { principalArn: principal, cloudTrail: true }, progress);
    const data = (snapshot.cloudTrail as { data: Array<{ EventId: string }> }).data;
    const byAttribute = fakes.aws.log
      .filter((r) => r.operation === 'LookupEvents')
      .map((r) => {
        const body = JSON.parse(r.body ?? '{}') as {
          LookupAttributes?: Array<{ AttributeKey: string; AttributeValue: string }>;
        };
        const [attribute] = body.LookupAttributes ?? [];
        return `${r.region} ${attribute?.AttributeKey}=${attribute?.AttributeValue}`;
      })
      .sort();
    expect(analyzeRequestLog(fakes.aws.log).cloudTrail.maxPerSecond).toBeLessThanOrEqual(2);
    return {
      snapshot,
      ids: data.map((e) => e.EventId),
      detail: progress.find((e) => e.source === 'cloudTrail' && e.state === 'ok')?.detail,
      byAttribute,
    };
  }

  it('a quiet account: one lookup by event source per Region finds every relevant event', async () => {
    const fakes = await startFakes(BASE.snapshot);
    try {
      const region = fakes.region;
      fakes.aws.state.cloudTrail[region] = [
        eksEvent('a1', 'CreateAccessEntry', 3, fakes.clusterName),
        eksEvent('noise-other-cluster', 'CreateAccessEntry', 2, 'other'),
        eksEvent('noise-read', 'DescribeCluster', 1, fakes.clusterName),
        eksEvent('a2', 'DisassociateAccessPolicy', 5, fakes.clusterName),
      ];
      fakes.aws.state.cloudTrail['us-east-1'] = [
        iamEvent('i1', 'CreateRole', 4, 'qa-readers'),
        iamEvent('noise-get', 'GetRole', 1, 'qa-readers'),
        iamEvent('noise-other-role', 'DeleteRole', 2, 'someone-else'),
      ];
      const { ids, detail, byAttribute } = await lookups(fakes);
      expect(ids).toEqual(['a1', 'i1', 'a2']);
      expect(byAttribute).toEqual([
        `${region} EventSource=eks.amazonaws.com`,
        'us-east-1 EventSource=iam.amazonaws.com',
      ]);
      expect(detail).toBe('3 events from 2 lookups');
    } finally {
      await fakes.close();
    }
  });

  it('a busy account: the part of the window the source page misses is read by event name', async () => {
    const fakes = await startFakes(BASE.snapshot, { aws: { pageSize: { LookupEvents: 5 } } });
    try {
      const region = fakes.region;
      // 20 reads in the last hour fill the source page four times over; the changes are older.
      const reads = Array.from({ length: 20 }, (_, i) =>
        eksEvent(`read-${i}`, 'DescribeCluster', (i + 1) / 60, fakes.clusterName),
      );
      fakes.aws.state.cloudTrail[region] = [
        ...reads,
        eksEvent('recent', 'UpdateAccessEntry', 0.05, fakes.clusterName),
        eksEvent('old-1', 'DeleteAccessEntry', 10, fakes.clusterName),
        eksEvent('old-2', 'AssociateAccessPolicy', 30, fakes.clusterName),
        eksEvent('old-other', 'DeleteAccessEntry', 11, 'other'),
      ];
      const { ids, detail, byAttribute } = await lookups(fakes);
      expect(ids).toEqual(['recent', 'old-1', 'old-2']);
      const sourceLookups = byAttribute.filter((a) => a.startsWith(`${region} EventSource=`));
      const nameLookups = byAttribute.filter((a) => a.startsWith(`${region} EventName=`));
      expect(sourceLookups).toHaveLength(1);
      expect(nameLookups).toHaveLength(8);
      expect(detail).not.toMatch(/page cap/);
    } finally {
      await fakes.close();
    }
  });

  it('stops each event-name lookup at its page cap and says so', async () => {
    const fakes = await startFakes(BASE.snapshot, { aws: { pageSize: { LookupEvents: 2 } } });
    try {
      fakes.aws.state.cloudTrail[fakes.region] = Array.from({ length: 13 }, (_, i) =>
        eksEvent(`e${i}`, 'CreateAccessEntry', i + 1, fakes.clusterName),
      );
      const { ids, detail } = await lookups(fakes);
      // One source page (e0, e1), then three pages by name from e1 back (e1–e6): e7–e12 stay unread.
      expect(ids).toEqual(Array.from({ length: 7 }, (_, i) => `e${i}`));
      expect(detail).toMatch(/^7 events from \d+ lookups \(page cap reached\)$/);
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
