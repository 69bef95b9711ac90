/**
 * The benchmark's large snapshot (scripts/bench-generate.mjs): it holds what it says, deterministically, keeps the
 * seed's evidence where it was, validates, and leaves the seed's diagnosis unchanged. Scaled down here; `npm run
 * bench` checks the full-size file's diagnosis the same way.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script, typed by use
import * as generator from '../../scripts/bench-generate.mjs';
import { diagnose } from '../../src/engine/diagnose.js';
import { validateSnapshot } from '../../src/model/load.js';
import type { Report } from '../../src/model/report.js';

type Counts = {
  accessEntries: number;
  awsAuthMappings: number;
  rbacBindings: number;
  cloudTrailEvents: number;
};
type Json = Record<string, unknown> & {
  accessEntries: { data: unknown[] };
  awsAuth: { data: { data: { mapRoles: string; mapUsers: string } } };
  rbac: { data: Record<'clusterRoles' | 'clusterRoleBindings' | 'roles' | 'roleBindings', unknown[]> };
  cloudTrail: { data: unknown[] };
};
const { FULL_COUNTS, SEED_FILE, countAdded, generateLargeSnapshot, scaledCounts } = generator as {
  FULL_COUNTS: Counts;
  SEED_FILE: string;
  countAdded: (seed: Json, snapshot: Json) => Counts;
  generateLargeSnapshot: (seed: Json, counts: Counts) => Json;
  scaledCounts: (scale: number) => Counts;
};

const seed = JSON.parse(readFileSync(SEED_FILE, 'utf8')) as Json;

function diagnosisOf(report: Report) {
  return {
    verdict: report.verdict,
    trace: report.trace.map((s) => [s.stage, s.result, s.detail]),
    findings: report.findings.map((f) => [f.ruleId, f.severity, f.title]),
  };
}

describe('large snapshot generator', () => {
  it('targets the sizes DESIGN §7 names', () => {
    expect(FULL_COUNTS).toEqual({
      accessEntries: 3000,
      awsAuthMappings: 3000,
      rbacBindings: 20000,
      cloudTrailEvents: 100000,
    });
  });

  it.each([0.01, 0.05])('adds exactly the scaled counts (scale %s), deterministically', (scale) => {
    const counts = scaledCounts(scale);
    const first = generateLargeSnapshot(seed, counts);
    expect(countAdded(seed, first)).toEqual(counts);
    expect(JSON.stringify(generateLargeSnapshot(seed, counts))).toBe(JSON.stringify(first));
  });

  it("keeps the seed's evidence first and unchanged, and does not touch the seed file's object", () => {
    const before = JSON.stringify(seed);
    const big = generateLargeSnapshot(seed, scaledCounts(0.02));
    expect(JSON.stringify(seed)).toBe(before);
    expect(big.accessEntries.data.slice(0, seed.accessEntries.data.length)).toEqual(seed.accessEntries.data);
    expect(big.cloudTrail.data.slice(0, seed.cloudTrail.data.length)).toEqual(seed.cloudTrail.data);
    for (const key of ['clusterRoles', 'clusterRoleBindings', 'roles', 'roleBindings'] as const) {
      expect(big.rbac.data[key].slice(0, seed.rbac.data[key].length)).toEqual(seed.rbac.data[key]);
    }
    expect(big.awsAuth.data.data.mapRoles.startsWith(seed.awsAuth.data.data.mapRoles)).toBe(true);
    expect(big.awsAuth.data.data.mapUsers.startsWith(seed.awsAuth.data.data.mapUsers)).toBe(true);
  });

  it('is a valid snapshot with the same diagnosis as the seed', () => {
    const small = diagnose(validateSnapshot(JSON.parse(JSON.stringify(seed)), 'seed'));
    const big = diagnose(validateSnapshot(generateLargeSnapshot(seed, scaledCounts(0.05)), 'large'));
    expect(small.findings.length).toBeGreaterThan(0);
    expect(diagnosisOf(big)).toEqual(diagnosisOf(small));
  });

  it('mentions neither the failing principal nor its groups in what it adds', () => {
    const big = generateLargeSnapshot(seed, scaledCounts(0.02));
    const added = JSON.stringify([
      big.accessEntries.data.slice(seed.accessEntries.data.length),
      big.rbac.data.clusterRoleBindings.slice(seed.rbac.data.clusterRoleBindings.length),
      big.rbac.data.roleBindings.slice(seed.rbac.data.roleBindings.length),
      big.cloudTrail.data.slice(seed.cloudTrail.data.length),
      big.awsAuth.data.data.mapUsers.slice(seed.awsAuth.data.data.mapUsers.length),
    ]);
    expect(added).not.toContain('honggildong');
    expect(added).not.toContain('system:masters');
  });
});
