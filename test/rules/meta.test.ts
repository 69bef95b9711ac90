/** Keeps rules, docs, tests, the registry and samples in step (the ESLint checkRuleFiles idea). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { stages } from '../../src/model/report.js';
import { sourceNames } from '../../src/model/snapshot.js';
import { loadSamples } from '../helpers/samples.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ruleFiles = readdirSync(join(ROOT, 'rules'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const samples = loadSamples();
const produced = new Map<string, Set<string>>();
for (const s of samples) {
  for (const f of diagnose(s.snapshot).findings) {
    produced.set(f.ruleId, new Set([...(produced.get(f.ruleId) ?? []), s.name]));
  }
}

describe('rules registry', () => {
  it('lists every rule file exactly once, sorted by id', () => {
    expect(rules.map((r) => r.id)).toEqual(ruleFiles);
  });

  for (const rule of rules) {
    describe(rule.id, () => {
      it('has kebab-case id equal to its file name, a stage and known sources', () => {
        expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(stages).toContain(rule.stage);
        for (const s of rule.requires) expect(sourceNames).toContain(s);
        expect(rule.references.length).toBeGreaterThan(0);
      });
      it('has its documentation beside it with the standard sections', () => {
        const doc = join(ROOT, 'rules', `${rule.id}.md`);
        expect(existsSync(doc)).toBe(true);
        const text = readFileSync(doc, 'utf8');
        expect(text.startsWith(`# ${rule.id}\n`)).toBe(true);
        const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
        expect(headings).toEqual(['Summary', 'How EKS decides', 'Evidence', 'Fix', 'References']);
      });
      it('has a table-driven test', () => {
        expect(existsSync(join(ROOT, 'test', 'rules', `${rule.id}.test.ts`))).toBe(true);
      });
      it('is produced by at least one sample', () => {
        expect([...(produced.get(rule.id) ?? [])].length, `no sample triggers ${rule.id}`).toBeGreaterThan(0);
      });
    });
  }
});
