/**
 * Every source degrades alone: each injected fault leaves the right status on its own source and a diagnosis
 * that still runs (DESIGN §7 Robust).
 */
import { describe, expect, it } from 'vitest';
import { collectSnapshot, type ProgressEvent } from '../../src/collect/index.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { loadSample } from '../helpers/samples.js';
import type { Fault } from '../support/fake-aws.js';
import type { KubeFault } from '../support/fake-kube.js';
import { analyzeRequestLog } from '../support/request-log.js';
import { COLLECTOR, startFakes, type Fakes, incidentCollectOptions } from '../support/scenario.js';
import { withEnv } from '../support/env.js';

interface Case {
  name: string;
  aws?: Fault[];
  kube?: KubeFault[];
  cloudTrail?: boolean;
  timeoutMs?: number;
  expect: Record<string, { status: string; permission?: string; message?: RegExp }>;
  check?: (snapshot: Snapshot, progress: ProgressEvent[], fakes: Fakes) => void;
}

const SAMPLE = loadSample('access-entry-without-policy');
const PRINCIPAL = SAMPLE.snapshot.incident?.principalArn ?? '';

const cases: Case[] = [
  {
    name: 'DescribeCluster denied',
    aws: [{ operation: 'DescribeCluster', kind: 'accessDenied' }],
    expect: {
      cluster: { status: 'denied', permission: 'eks:DescribeCluster' },
      awsAuth: { status: 'error', message: /--context/ },
      accessEntries: { status: 'ok' },
    },
  },
  {
    name: 'DescribeAccessEntry denied',
    aws: [{ operation: 'DescribeAccessEntry', kind: 'accessDenied' }],
    expect: {
      accessEntries: { status: 'denied', permission: 'eks:DescribeAccessEntry' },
      cluster: { status: 'ok' },
    },
  },
  {
    name: 'ListAssociatedAccessPolicies denied',
    aws: [{ operation: 'ListAssociatedAccessPolicies', kind: 'accessDenied' }],
    expect: { accessEntries: { status: 'ok' } },
    check: (snapshot, progress) => {
      const entries = (snapshot.accessEntries as { data: Array<Record<string, unknown>> }).data;
      expect(entries[0]).not.toHaveProperty('associatedPolicies');
      expect(progress.find((e) => e.source === 'accessEntries' && e.state === 'ok')?.detail).toMatch(
        /eks:ListAssociatedAccessPolicies/,
      );
    },
  },
  {
    name: 'GetRole denied',
    aws: [{ operation: 'GetRole', kind: 'accessDenied' }],
    expect: {
      iamPrincipals: { status: 'denied', permission: 'iam:GetRole' },
      accessEntries: { status: 'ok' },
    },
  },
  {
    name: 'GetCallerIdentity 5xx on every attempt',
    aws: [{ operation: 'GetCallerIdentity', kind: 'serverError' }],
    expect: { callerIdentity: { status: 'error', message: /server error \(HTTP 503/ } },
  },
  {
    name: 'GetCallerIdentity 5xx once (retried)',
    aws: [{ operation: 'GetCallerIdentity', kind: 'serverError', times: 1 }],
    expect: { callerIdentity: { status: 'ok' } },
  },
  {
    name: 'DescribeCluster behind a proxy answering an HTML 502',
    aws: [{ operation: 'DescribeCluster', kind: 'html' }],
    expect: {
      cluster: { status: 'error', message: /^eks:DescribeCluster: unexpected response \(HTTP 502\)/ },
    },
  },
  {
    name: 'DescribeCluster answered 200 with an HTML page',
    aws: [{ operation: 'DescribeCluster', kind: 'htmlOk' }],
    expect: { cluster: { status: 'error', message: /^eks:DescribeCluster: / } },
  },
  {
    name: 'IAM and STS answered 200 with an HTML page (parses as XML, but is not an answer)',
    aws: [
      { operation: 'GetRole', kind: 'htmlOk' },
      { operation: 'GetCallerIdentity', kind: 'htmlOk' },
    ],
    expect: {
      iamPrincipals: { status: 'error', message: /unexpected response/ },
      callerIdentity: { status: 'error', message: /unexpected response/ },
    },
  },
  {
    name: 'STS behind a proxy answering an HTML 502',
    aws: [{ operation: 'GetCallerIdentity', kind: 'html' }],
    expect: { callerIdentity: { status: 'error', message: /HTTP 502.*HTML/ } },
  },
  {
    name: 'GetRole never answers',
    aws: [{ operation: 'GetRole', kind: 'hang' }],
    timeoutMs: 800,
    expect: { iamPrincipals: { status: 'error', message: /no answer in time/ }, cluster: { status: 'ok' } },
  },
  {
    name: 'DescribeAccessEntry throttled twice (backs off and retries)',
    aws: [{ operation: 'DescribeAccessEntry', kind: 'throttle', times: 2 }],
    expect: { accessEntries: { status: 'ok' } },
    check: (_s, _p, fakes) => {
      expect(fakes.aws.log.filter((r) => r.operation === 'DescribeAccessEntry')).toHaveLength(3);
    },
  },
  {
    name: 'DescribeAccessEntry throttled on every attempt (bounded)',
    aws: [{ operation: 'DescribeAccessEntry', kind: 'throttle' }],
    expect: { accessEntries: { status: 'error', message: /throttled/ } },
    check: (_s, _p, fakes) => {
      expect(fakes.aws.log.filter((r) => r.operation === 'DescribeAccessEntry')).toHaveLength(4);
    },
  },
  {
    name: 'LookupEvents denied',
    cloudTrail: true,
    aws: [{ operation: 'LookupEvents', kind: 'accessDenied' }],
    expect: {
      cloudTrail: { status: 'denied', permission: 'cloudtrail:LookupEvents' },
      cluster: { status: 'ok' },
    },
  },
  {
    name: 'LookupEvents throttled three times (retries stay within 2 per second)',
    cloudTrail: true,
    aws: [{ operation: 'LookupEvents', kind: 'throttle', times: 3 }],
    expect: { cloudTrail: { status: 'ok' } },
    check: (_s, _p, fakes) => {
      expect(analyzeRequestLog(fakes.aws.log).cloudTrail.maxPerSecond).toBeLessThanOrEqual(2);
    },
  },
  {
    name: 'FilterLogEvents denied',
    aws: [{ operation: 'FilterLogEvents', kind: 'accessDenied' }],
    expect: {
      authenticatorLogs: { status: 'denied', permission: 'logs:FilterLogEvents' },
      auditEvents: { status: 'denied', permission: 'logs:FilterLogEvents' },
    },
  },
  {
    name: 'aws-auth forbidden',
    kube: [{ route: 'configmaps', kind: 'forbidden' }],
    expect: {
      awsAuth: { status: 'denied', permission: 'get configmaps/aws-auth -n kube-system' },
      rbac: { status: 'ok' },
    },
  },
  {
    name: 'ClusterRoleBindings forbidden',
    kube: [{ route: 'clusterrolebindings', kind: 'forbidden' }],
    expect: {
      rbac: { status: 'denied', permission: 'list clusterrolebindings.rbac.authorization.k8s.io' },
      awsAuth: { status: 'ok' },
    },
  },
  {
    name: 'APIServices behind an HTML error page',
    kube: [{ route: 'apiservices', kind: 'html' }],
    expect: { apiServices: { status: 'error', message: /HTML/ } },
  },
  {
    name: 'Kubernetes API rejects the collector (401)',
    kube: [{ route: '*', kind: 'unauthorized' }],
    expect: {
      awsAuth: { status: 'error', message: /401/ },
      rbac: { status: 'error', message: /401/ },
      whoami: { status: 'error', message: /401/ },
      cluster: { status: 'ok' },
    },
  },
  {
    name: 'SelfSubjectReview v1 missing (Kubernetes 1.27): falls back to v1beta1',
    kube: [{ route: 'selfsubjectreviews', kind: 'notFound', times: 1 }],
    expect: { whoami: { status: 'ok' } },
  },
  {
    name: 'RBAC list throttled once, then served',
    kube: [{ route: 'roles', kind: 'throttle', times: 1 }],
    expect: { rbac: { status: 'ok' } },
  },
  {
    name: 'Kubernetes API 503 on every attempt',
    kube: [{ route: 'apiservices', kind: 'serverError' }],
    expect: { apiServices: { status: 'error', message: /503/ } },
  },
];

describe.each(cases)('fault: $name', (c) => {
  it('records the source status and still diagnoses', async () => {
    const fakes = await startFakes(SAMPLE.snapshot);
    // Collect as the failing principal itself, so that every request counted below is about that principal.
    fakes.aws.state.identities[COLLECTOR.accessKeyId] = {
      Arn: PRINCIPAL,
      UserId: 'AROARJ2VQ7MXQAREADER:seoyeon',
      Account: '111122223333',
    };
    fakes.kube.state.users[COLLECTOR.accessKeyId] = { username: PRINCIPAL, groups: ['system:authenticated'] };
    fakes.aws.faults.push(...(c.aws ?? []));
    fakes.kube.faults.push(...(c.kube ?? []));
    const progress: ProgressEvent[] = [];
    try {
      const snapshot = await withEnv(fakes.env, () =>
        collectSnapshot(
          {
            ...incidentCollectOptions(fakes, SAMPLE.snapshot),
            now: new Date(SAMPLE.snapshot.collectedAt ?? Date.now()),
            cloudTrail: c.cloudTrail ?? false,
            timeoutMs: c.timeoutMs ?? 5000,
          },
          (e) => progress.push(e),
        ),
      );
      for (const [source, want] of Object.entries(c.expect)) {
        const got = snapshot[source as keyof Snapshot] as
          { status: string; permission?: string; message?: string } | undefined;
        expect(got?.status, source).toBe(want.status);
        if (want.permission) expect(got?.permission, source).toBe(want.permission);
        if (want.message) expect(got?.message, source).toMatch(want.message);
        if (got?.message) expect(got.message, 'one line').not.toMatch(/\n/);
      }
      const report = diagnose({
        ...snapshot,
        incident: { ...snapshot.incident, status: SAMPLE.snapshot.incident?.status },
      });
      for (const [source, want] of Object.entries(c.expect)) {
        expect(report.sources[source]?.status ?? 'absent', `report.sources.${source}`).toBe(want.status);
      }
      expect(report.verdict.outcome).not.toBe('unknown');
      c.check?.(snapshot, progress, fakes);
    } finally {
      await fakes.close();
    }
  });
});
