/**
 * Table-driven rule tests (the ESLint RuleTester idea): each case is a snapshot plus the request, and says whether the
 * rule must report, with which message id and severity. The tester also checks the cases themselves: every rule
 * needs at least two triggering and two non-triggering cases, and message ids must exist.
 */
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/engine/define-rule.js';
import { diagnoseDetailed, type DiagnoseOptions } from '../../src/engine/diagnose.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { Severity } from '../../src/model/report.js';
import { applyPlan } from '../../src/fix/actions.js';
import type { FixPlan } from '../../src/fix/actions.js';

export interface RuleCase {
  name: string;
  snapshot: Snapshot;
  options?: DiagnoseOptions;
}
export interface InvalidCase extends RuleCase {
  messageId: string;
  severity?: Severity;
  /** Expect this rule's finding to be the first one of the report. */
  first?: boolean;
  /** Pointers that must be among the finding's evidence. */
  evidence?: string[];
  /** Apply each fix and check the simulated request then passes (default true for error findings). */
  fixesPass?: boolean;
}

export function findingsOf(rule: Rule, c: RuleCase) {
  const collected: Array<{ messageId: string; plans: FixPlan[] }> = [];
  const wrapped: Rule = {
    ...rule,
    check: (ctx, report) =>
      rule.check(ctx, (r) => {
        collected.push({ messageId: r.messageId, plans: r.fixes ?? [] });
        report(r);
      }),
  };
  const all = diagnoseDetailed(c.snapshot, c.options ?? {});
  const only = diagnoseDetailed(c.snapshot, { ...(c.options ?? {}), rules: [wrapped] });
  return { report: all.report, mine: only.report.findings, collected };
}

export function runRuleTests(rule: Rule, cases: { valid: RuleCase[]; invalid: InvalidCase[] }): void {
  describe(`rule ${rule.id}`, () => {
    it('has at least two triggering and two non-triggering cases with unique names', () => {
      expect(cases.invalid.length).toBeGreaterThanOrEqual(2);
      expect(cases.valid.length).toBeGreaterThanOrEqual(2);
      const names = [...cases.valid, ...cases.invalid].map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
    });
    for (const c of cases.valid) {
      it(`does not report: ${c.name}`, () => {
        expect(findingsOf(rule, c).mine).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`reports ${c.messageId}: ${c.name}`, () => {
        expect(Object.keys(rule.messages)).toContain(c.messageId);
        const { report, mine, collected } = findingsOf(rule, c);
        expect(collected.map((x) => x.messageId)).toEqual([c.messageId]);
        const finding = mine[0];
        expect(finding?.ruleId).toBe(rule.id);
        if (c.severity) expect(finding?.severity).toBe(c.severity);
        if (c.first) expect(report.findings[0]?.ruleId).toBe(rule.id);
        for (const pointer of c.evidence ?? []) {
          expect(finding?.evidence.map((e) => e.pointer)).toContain(pointer);
        }
        const mustPass = c.fixesPass ?? finding?.severity === 'error';
        if (mustPass) {
          const plans = collected[0]?.plans ?? [];
          expect(plans.length).toBeGreaterThan(0);
          const now = new Date(Date.parse(c.snapshot.collectedAt ?? '2026-01-01T00:00:00Z') + 60_000);
          for (const plan of plans) {
            if (plan.actions.every((a) => a.kind === 'run')) continue;
            const fixed = applyPlan(c.snapshot, plan, now);
            const after = diagnoseDetailed(fixed, { ...(c.options ?? {}), now }).report;
            expect(after.verdict.outcome, `fix "${plan.title}" should make the request pass`).toBe('allowed');
          }
        }
      });
    }
  });
}
