import { describe, expect, it } from 'vitest';
import { diagnoseDetailed, explainsFailure } from '../../src/engine/diagnose.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { build, CA, entry, METRICS, role, session } from '../helpers/build.js';

const OPS = session('ops', 'x');
const simOf = (snapshot: Snapshot) => diagnoseDetailed(snapshot).simulation;

describe('explainsFailure: which stages a finding may explain', () => {
  it('the failing stage, when it was evaluated and failed', () => {
    const sim = simOf(build({ principal: OPS, path: METRICS, status: 401 }));
    expect(sim.trace.find((s) => s.stage === 'mapping')?.result).toBe('fail');
    expect(explainsFailure(sim, 'mapping')).toBe(true);
    // A decided mapping failure leaves no room for a later stage.
    expect(explainsFailure(sim, 'aggregation')).toBe(false);
  });

  it('nothing when the request would be allowed', () => {
    const allowed = simOf(
      build({ principal: OPS, entries: [entry(role('ops'), { policies: [[CA, { type: 'cluster' }]] })] }),
    );
    expect(allowed.outcome).toBe('allowed');
    expect(explainsFailure(allowed, 'mapping')).toBe(false);
  });

  it('an observed 401 behind an unreadable mapping: the mapping and the later stages that answer 401', () => {
    const sim = simOf(
      build({ principal: OPS, path: METRICS, status: 401, entries: 'denied', awsAuth: 'absent' }),
    );
    expect([sim.outcome, sim.failingStage]).toEqual(['unauthenticated', 'mapping']);
    expect(explainsFailure(sim, 'mapping')).toBe(true);
    expect(explainsFailure(sim, 'identity')).toBe(true);
    expect(explainsFailure(sim, 'aggregation')).toBe(true);
    expect(explainsFailure(sim, 'sts')).toBe(false);
    expect(explainsFailure(sim, 'authorization')).toBe(false);
  });

  it('an observed 403 behind an unreadable mapping: authorization only', () => {
    const sim = simOf(build({ principal: OPS, status: 403, entries: 'denied', awsAuth: 'absent' }));
    expect([sim.outcome, sim.failingStage]).toEqual(['forbidden', 'authorization']);
    expect(explainsFailure(sim, 'authorization')).toBe(true);
    expect(explainsFailure(sim, 'mapping')).toBe(false);
    expect(explainsFailure(sim, 'aggregation')).toBe(false);
  });
});

describe('ranking with partial evidence', () => {
  it('a 401 on an aggregated API behind unreadable aws-auth: the specific cause leads, both undecided', () => {
    const snapshot: Snapshot = {
      ...build({ mode: 'CONFIG_MAP', principal: OPS, path: METRICS, status: 401 }),
      awsAuth: { status: 'denied', permission: 'get configmaps/aws-auth' },
    };
    const findings = diagnoseDetailed(snapshot).report.findings.map((f) => [f.ruleId, f.severity]);
    expect(findings.slice(0, 2)).toEqual([
      ['empty-username-aggregated-api-401', 'info'],
      ['principal-not-mapped', 'info'],
    ]);
  });
});
