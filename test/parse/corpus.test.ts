import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Incident } from '../../src/model/incident.js';
import { parseLogLines } from '../../src/parse/index.js';

interface Entry {
  url: string;
  text: string;
  expect: Partial<Incident> & { facts?: string[] };
}

const corpusPath = fileURLToPath(new URL('../fixtures/corpus/lines.yaml', import.meta.url));
const corpus = parseYaml(readFileSync(corpusPath, 'utf8')) as Entry[];
/** A fixed "now" so token checks in the corpus never depend on the clock. */
const NOW = new Date('2026-01-01T00:00:00Z');

/** Compares one expected field; every expected fact counts as its own field. */
function score(entry: Entry): { total: number; right: number; misses: string[] } {
  const got = parseLogLines(entry.text, { now: NOW });
  let total = 0;
  let right = 0;
  const misses: string[] = [];
  for (const [key, want] of Object.entries(entry.expect)) {
    if (key === 'facts') {
      for (const fact of want as string[]) {
        total++;
        if (got.facts?.includes(fact)) right++;
        else misses.push(`fact ${fact} (got ${JSON.stringify(got.facts ?? [])})`);
      }
      continue;
    }
    total++;
    const actual = (got as Record<string, unknown>)[key];
    if (JSON.stringify(actual) === JSON.stringify(want)) right++;
    else misses.push(`${key}: want ${JSON.stringify(want)}, got ${JSON.stringify(actual)}`);
  }
  return { total, right, misses };
}

describe('corpus of real pasted lines', () => {
  it('has at least 80 sourced lines, each with expectations', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(80);
    for (const entry of corpus) {
      expect(entry.url).toMatch(/^(https:\/\/|seed:)/);
      expect(Object.keys(entry.expect).length).toBeGreaterThan(0);
    }
  });

  it('reads at least 95% of the expected fields right', () => {
    let total = 0;
    let right = 0;
    const report: string[] = [];
    for (const entry of corpus) {
      const s = score(entry);
      total += s.total;
      right += s.right;
      if (s.misses.length > 0) {
        report.push(
          `${entry.url}\n  ${entry.text.split('\n')[0]?.slice(0, 120)}\n  ${s.misses.join('\n  ')}`,
        );
      }
    }
    const accuracy = right / total;
    // The accuracy and every miss are printed so a regression is easy to locate.
    console.log(
      `corpus: ${corpus.length} lines, ${right}/${total} fields right (${(accuracy * 100).toFixed(1)}%)`,
    );
    if (report.length > 0) console.log(report.join('\n'));
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('never crashes on any corpus line, alone or all together', () => {
    for (const entry of corpus) expect(() => parseLogLines(entry.text, { now: NOW })).not.toThrow();
    const all = parseLogLines(
      corpus.map((e) => e.text),
      { now: NOW },
    );
    expect(all.source).toBeDefined();
  });
});
