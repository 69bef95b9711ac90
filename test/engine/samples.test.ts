/** Every sample gives its expected outcome and names its rules first; negative controls are clean. */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/diagnose.js';
import { applyPlan } from '../../src/fix/actions.js';
import { diagnoseDetailed } from '../../src/engine/diagnose.js';
import { loadSamples } from '../helpers/samples.js';

describe.each(loadSamples())('sample $name', ({ snapshot, meta }) => {
  const report = diagnose(snapshot);
  it(`has outcome ${meta.expectOutcome}`, () => {
    expect(report.verdict.outcome).toBe(meta.expectOutcome);
  });
  if (meta.expectRules.length === 0) {
    it('has no error finding', () => {
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    });
  } else {
    it(`names ${meta.expectRules[0]} first`, () => {
      expect(report.findings[0]?.ruleId).toBe(meta.expectRules[0]);
      expect(report.findings[0]?.severity).toBe('error');
    });
    it('produces every expected rule', () => {
      const ids = report.findings.map((f) => f.ruleId);
      for (const id of meta.expectRules) expect(ids).toContain(id);
    });
    it('renders every fix with the real cluster, region and no placeholder', () => {
      for (const fix of report.findings[0]?.fixes ?? []) {
        for (const c of fix.commands) {
          expect(c.text).not.toMatch(/<[A-Z_]+>|\bCLUSTER_NAME\b|\bACCT\b/);
          if (c.tool === 'aws' || c.tool === 'eksctl') {
            expect(c.argv).toContain('platform-prod');
            expect(c.argv).toContain('ap-northeast-2');
          }
        }
      }
    });
    it('every fix of the primary finding, applied, makes the request pass', () => {
      const now = new Date(Date.parse(snapshot.collectedAt ?? '') + 60_000);
      const { simulation } = diagnoseDetailed(snapshot);
      expect(simulation.outcome).not.toBe('allowed');
      // Re-run the primary rule to get its typed plans.
      const primary = report.findings[0];
      expect(primary?.fixes.length).toBeGreaterThan(0);
      const plans = primaryPlans(snapshot, primary?.ruleId ?? '');
      for (const plan of plans) {
        const after = diagnose(applyPlan(snapshot, plan, now), { now });
        expect(after.verdict.outcome, plan.title).toBe('allowed');
      }
    });
  }
});

import { rules } from '../../rules/index.js';
import type { FixPlan } from '../../src/fix/actions.js';
import type { Snapshot } from '../../src/model/snapshot.js';

function primaryPlans(snapshot: Snapshot, ruleId: string): FixPlan[] {
  const rule = rules.find((r) => r.id === ruleId);
  if (!rule) return [];
  const plans: FixPlan[] = [];
  diagnoseDetailed(snapshot, {
    rules: [
      {
        ...rule,
        check: (ctx, report) =>
          rule.check(ctx, (r) => {
            plans.push(...(r.fixes ?? []));
            report(r);
          }),
      },
    ],
  });
  return plans.filter((p) => p.actions.some((a) => a.kind !== 'run'));
}
