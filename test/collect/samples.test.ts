/**
 * Collecting from the local endpoints seeded with each sample scenario gives the sample's evidence and the same
 * diagnosis, over real HTTP with the real SDK clients and the real Kubernetes client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot, type ProgressEvent } from '../../src/collect/index.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { canonicalArn, stripPath } from '../../src/eks/arn.js';
import { validateSnapshot } from '../../src/model/load.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { loadSamples, type Sample } from '../helpers/samples.js';
import { analyzeRequestLog } from '../support/request-log.js';
import { startFakes, type Fakes } from '../support/scenario.js';
import { applyEnv } from '../support/env.js';

/**
 * What the user saw and supplied, not collected: the incident (flags and --log), a pasted token (--token) and the
 * failing kubeconfig context, which live collection only records with --context.
 */
function withUserInput(collected: Snapshot, sample: Snapshot): Snapshot {
  // The local endpoint necessarily serves the cluster at another address than the sample's.
  const cluster = ok<Record<string, unknown>>(collected.cluster);
  const sampleCluster = ok<Record<string, unknown>>(sample.cluster);
  const merged: Snapshot = { ...collected, incident: { ...collected.incident, ...sample.incident } };
  if (cluster && sampleCluster) {
    merged.cluster = { status: 'ok', data: { ...cluster, endpoint: String(sampleCluster.endpoint ?? '') } };
  }
  if (sample.token) merged.token = sample.token;
  if (sample.kubeconfig) merged.kubeconfig = sample.kubeconfig;
  return merged;
}

function ok<T>(ev: unknown): T | undefined {
  const e = ev as { status?: string; data?: T } | undefined;
  return e?.status === 'ok' ? e.data : undefined;
}

const samples = loadSamples();
const withCloudTrail = new Set(samples.filter((s) => s.snapshot.cloudTrail).map((s) => s.name));
const timed = new Set([
  'seed-metrics-api-empty-username',
  'access-entry-shadows-configmap',
  'principal-not-mapped',
  'iam-user-renamed-or-moved',
]);

describe.each(samples)('sample $name collected live', (sample: Sample) => {
  let fakes: Fakes;
  let restore: () => void;
  let collected: Snapshot;
  const progress: ProgressEvent[] = [];

  beforeAll(async () => {
    // For the round-trip figures, latency well above the client's own CPU time per request (test/collect/scale.test.ts
    // measures more shapes); the other samples run without it.
    fakes = await startFakes(sample.snapshot, { aws: { latencyMs: timed.has(sample.name) ? 100 : 0 } });
    restore = applyEnv(fakes.env);
    const incident = sample.snapshot.incident ?? {};
    collected = await collectSnapshot(
      {
        cluster: fakes.clusterName,
        region: fakes.region,
        principalArn: incident.principalArn,
        path: incident.path,
        verb: incident.verb,
        since: '90d',
        now: new Date(sample.snapshot.collectedAt ?? Date.now()),
        cloudTrail: withCloudTrail.has(sample.name),
      },
      (e) => progress.push(e),
    );
  }, 60_000);
  afterAll(async () => {
    restore?.();
    await fakes?.close();
  });

  it('is a valid snapshot', () => {
    expect(() => validateSnapshot(JSON.parse(JSON.stringify(collected)), 'collected')).not.toThrow();
  });

  it('reproduces the cluster, aws-auth, RBAC, APIServices and IAM evidence', () => {
    const { endpoint: _e, ...cluster } = ok<Record<string, unknown>>(collected.cluster) ?? {};
    const { endpoint: _s, ...expected } = ok<Record<string, unknown>>(sample.snapshot.cluster) ?? {};
    expect(cluster.name).toBe(expected.name);
    expect(cluster.accessConfig).toEqual(expected.accessConfig);
    expect(Date.parse(String(cluster.createdAt))).toBe(Date.parse(String(expected.createdAt)));
    expect(collected.awsAuth).toEqual(sample.snapshot.awsAuth ?? { status: 'ok', data: null });
    const rbac = ok<Record<string, unknown[]>>(collected.rbac);
    const sampleRbac = ok<Record<string, unknown[]>>(sample.snapshot.rbac);
    for (const key of ['clusterRoles', 'clusterRoleBindings', 'roles', 'roleBindings']) {
      expect(rbac?.[key]?.length, key).toBe(sampleRbac?.[key]?.length ?? 0);
    }
    expect(ok<unknown[]>(collected.apiServices)?.length).toBe(
      ok<unknown[]>(sample.snapshot.apiServices)?.length ?? 0,
    );
    const principal = sample.snapshot.incident?.principalArn;
    if (!principal) return;
    const iam = ok<Array<{ arn: string; exists: boolean }>>(collected.iamPrincipals)?.[0];
    const expectedIam = ok<Array<{ arn: string; exists: boolean }>>(sample.snapshot.iamPrincipals)?.find(
      (p) => stripPath(p.arn).toLowerCase() === canonicalArn(principal).toLowerCase(),
    );
    // A sample without IAM evidence of the principal is seeded with an existing one (see scenario.ts).
    expect(iam?.exists ?? false).toBe(expectedIam ? expectedIam.exists : true);
    if (expectedIam?.exists) expect(iam?.arn).toBe(expectedIam.arn);
  });

  it.skipIf(!sample.snapshot.incident?.principalArn)(
    "collects the principal's access entry with its policies",
    () => {
      const principal = canonicalArn(sample.snapshot.incident?.principalArn ?? '').toLowerCase();
      const mine = (entries: unknown) =>
        (
          ok<Array<{ principalArn: string; associatedPolicies?: Array<{ policyArn: string }> }>>(entries) ??
          []
        ).find((e) => stripPath(e.principalArn).toLowerCase() === principal);
      const expected = mine(sample.snapshot.accessEntries);
      const got = mine(collected.accessEntries);
      expect(got?.principalArn).toBe(expected?.principalArn);
      expect((got?.associatedPolicies ?? []).map((p) => p.policyArn).sort()).toEqual(
        (expected?.associatedPolicies ?? []).map((p) => p.policyArn).sort(),
      );
    },
  );

  it('gives the same diagnosis as the sample', () => {
    const now = new Date(sample.snapshot.collectedAt ?? Date.now());
    // CloudTrail's event history keeps 90 days: older events in a sample are not collectable.
    const trail = ok<Array<{ EventTime?: string }>>(sample.snapshot.cloudTrail);
    const collectable = trail
      ? ({
          ...sample.snapshot,
          cloudTrail: {
            status: 'ok',
            data: trail.filter((e) => now.getTime() - Date.parse(e.EventTime ?? '') <= 90 * 86_400_000),
          },
        } as Snapshot)
      : sample.snapshot;
    const expected = diagnose(collectable, { now });
    const report = diagnose(withUserInput(collected, sample.snapshot), { now });
    expect(report.verdict.outcome).toBe(expected.verdict.outcome);
    expect(report.findings[0]?.ruleId).toBe(expected.findings[0]?.ruleId);
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId)).toEqual(
      expected.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId),
    );
  });

  it.runIf(timed.has(sample.name))(
    'stays within 4 sequential AWS round trips on the happy path and 2 CloudTrail requests per second',
    () => {
      const figures = analyzeRequestLog(fakes.aws.log);
      expect(figures.sequentialRoundTrips).toBeGreaterThan(0);
      // Without an entry for the principal, each ListAccessEntries page and the near-miss descriptions add one.
      const pages = fakes.aws.log.filter((r) => r.operation === 'ListAccessEntries').length;
      expect(figures.sequentialRoundTrips).toBeLessThanOrEqual(4 + (pages > 0 ? pages + 1 : 0));
      expect(figures.cloudTrail.maxPerSecond).toBeLessThanOrEqual(2);
    },
  );

  it('reports every source once it is done', () => {
    const finished = progress.filter((e) => e.state !== 'start').map((e) => e.source);
    const started = progress.filter((e) => e.state === 'start').map((e) => e.source);
    expect([...finished].sort()).toEqual([...started].sort());
  });
});
