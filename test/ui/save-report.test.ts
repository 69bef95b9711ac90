import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveReport } from '../../src/ui/save-report.js';
import { seedReport } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'eksdoctor-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('saveReport', () => {
  const report = seedReport();

  it('writes the JSON contract and never overwrites an earlier file', async () => {
    const first = await saveReport(report, 'json', dir);
    const second = await saveReport(report, 'json', dir);
    expect([basename(first), basename(second)]).toEqual(['eksdoctor-report.json', 'eksdoctor-report-2.json']);
    expect(JSON.parse(readFileSync(first, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('writes Markdown beside it', async () => {
    const path = await saveReport(report, 'markdown', dir);
    expect(basename(path)).toBe('eksdoctor-report.md');
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(report.findings[0]!.fixes[0]!.commands[0]!.text);
  });

  it('fails when the directory cannot be written', async () => {
    await expect(saveReport(report, 'json', join(dir, 'missing', 'dir'))).rejects.toThrow(/ENOENT/);
  });
});
