import { describe, expect, it } from 'vitest';
import type { Report, TraceStep } from '../../src/model/report.js';
import { applyProgress, collectLines, sourceRow, type SourceLine } from '../../src/ui/collect-lines.js';
import { detailDocument } from '../../src/ui/detail-lines.js';
import { clampOffset, lineText, scrollTo } from '../../src/ui/lines.js';
import { cellWidth } from '../../src/ui/text.js';
import { colorEnabled, textProps } from '../../src/ui/theme.js';
import { outcomeLabel, traceLines } from '../../src/ui/verdict-lines.js';
import { seedReport } from './harness.js';

const report = seedReport();

function withTrace(results: Array<TraceStep['result']>): Report {
  return { ...report, trace: report.trace.map((s, i) => ({ ...s, result: results[i] ?? 'skip' })) };
}

describe('traceLines', () => {
  it.each([
    ['the failing stage', ['pass', 'pass', 'pass', 'fail', 'skip', 'skip', 'skip'], 'mapping'],
    [
      'the first unknown stage when nothing failed',
      ['pass', 'unknown', 'skip', 'skip', 'skip', 'skip', 'skip'],
      'token',
    ],
    ['no stage when everything passes', ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass'], undefined],
  ] as const)('marks %s with ▶', (_name, results, stage) => {
    const lines = traceLines(withTrace([...results])).map(lineText);
    const marked = lines.filter((l) => l.startsWith(' ▶'));
    expect(marked.map((l) => l.split(/\s+/)[4])).toEqual(stage ? [stage] : []);
    expect(lines).toHaveLength(7);
  });
});

describe('outcomeLabel', () => {
  it.each([
    ['unauthenticated', 401, '401 UNAUTHORIZED'],
    ['forbidden', 403, '403 FORBIDDEN'],
    ['allowed', null, 'ALLOWED'],
    ['client-error', null, 'CLIENT ERROR'],
    ['unknown', null, 'UNKNOWN'],
  ] as const)('%s', (outcome, expectedStatus, text) => {
    expect(outcomeLabel({ ...report, verdict: { outcome, expectedStatus, summary: '' } }).text).toBe(text);
  });
});

describe('detailDocument', () => {
  const finding = report.findings[0]!;
  // What `c` can copy, in screen order: each fix's commands and corrected snippet, then the checks' commands.
  const expected = [
    ...finding.fixes.flatMap((f) => [
      ...f.commands.map((c) => c.text),
      ...(f.snippet ? [f.snippet.content] : []),
    ]),
    ...(finding.checks ?? []).flatMap((c) => c.commands.map((cmd) => cmd.text)),
  ];

  it.each([40, 80, 100])('lists every command and snippet and fits %i columns', (width) => {
    const doc = detailDocument(finding, 0, 1, width);
    expect(doc.commands.map((c) => c.text)).toEqual(expected);
    for (const l of doc.lines) expect(cellWidth(lineText(l))).toBeLessThanOrEqual(width);
    doc.rows.forEach((r, i) => {
      const rows = doc.lines.slice(r.first, r.last + 1).map((l) => lineText(l).slice(7));
      const text = expected[i]!;
      // Snippets are cut by cells and keep their indentation; commands wrap between words (or inside a long one).
      if (text.includes('\n')) expect(rows.join('')).toBe(text.replace(/\n/g, ''));
      else expect(rows.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
    });
  });

  it('marks only the selected command', () => {
    const doc = detailDocument(finding, 0, 1, 100);
    const marked = doc.lines.map(lineText).filter((l) => l.startsWith('   › '));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toContain(expected[1]!.split(' ').slice(0, 3).join(' '));
  });
});

describe('collection rows', () => {
  it('keeps one row per source, in the order they started', () => {
    let lines: SourceLine[] = [];
    lines = applyProgress(lines, { source: 'cluster', state: 'start' });
    lines = applyProgress(lines, { source: 'cloudTrail', state: 'start' });
    lines = applyProgress(lines, { source: 'cluster', state: 'ok', detail: 'ACTIVE 1.31' });
    expect(lines).toEqual([
      { source: 'cluster', state: 'ok', detail: 'ACTIVE 1.31' },
      { source: 'cloudTrail', state: 'start', detail: undefined },
    ]);
  });

  it.each<[SourceLine, RegExp]>([
    [{ source: 'cluster', state: 'start' }, /^ {2}⠋ EKS cluster +collecting…$/],
    [{ source: 'cluster', state: 'ok', detail: 'ACTIVE 1.31' }, /^ {2}✓ EKS cluster +ACTIVE 1\.31$/],
    [
      { source: 'cloudTrail', state: 'denied', detail: 'needs cloudtrail:LookupEvents' },
      /✗ CloudTrail events +denied: needs cloudtrail:LookupEvents$/,
    ],
    [{ source: 'rbac', state: 'error', detail: 'timed out' }, /! Kubernetes RBAC +error: timed out$/],
    [
      { source: 'auditEvents', state: 'absent', detail: 'audit logging is off' },
      /- audit logs +skipped: audit logging is off$/,
    ],
  ])('%o', (source, pattern) => {
    expect(lineText(sourceRow(source, 0))).toMatch(pattern);
  });
});

describe('collection screen', () => {
  it.each([40, 80])('wraps the reason of a failed source under its row at %i columns', (width) => {
    const reason =
      'kube-system/aws-auth: the server has asked for the client to provide credentials (Unauthorized)';
    const lines = collectLines(
      'prod',
      [{ source: 'awsAuth', state: 'error', detail: reason }],
      0,
      undefined,
      width,
    ).map(lineText);
    const rows = lines.slice(2);
    expect(rows[0]).toMatch(/^ {2}! aws-auth ConfigMap +error:/);
    // Words too long for the column are broken, so compare without the breaks.
    expect(rows.join('').replace(/\s+/g, '')).toContain(reason.replace(/\s+/g, ''));
    for (const l of lines) expect(cellWidth(l)).toBeLessThanOrEqual(width);
  });

  it('shows why the whole collection failed, wrapped', () => {
    const lines = collectLines(
      'prod',
      [],
      0,
      'no AWS region: pass --region, set AWS_REGION, or set region in the profile',
      40,
    );
    expect(lines.map(lineText).slice(2)).toEqual([
      '',
      ' Collection failed:',
      ' no AWS region: pass --region, set',
      ' AWS_REGION, or set region in the',
      ' profile',
    ]);
  });
});

describe('scrolling', () => {
  it.each([
    ['already visible', 0, 3, 3, 10, 0],
    ['below the window', 0, 12, 12, 10, 3],
    ['above the window', 8, 2, 2, 10, 2],
    ['a block taller than the window shows its start', 0, 5, 20, 10, 5],
  ])('%s', (_name, current, first, last, height, offset) => {
    expect(scrollTo(current, first, last, height, 30)).toBe(offset);
  });

  it('clamps to the content', () => {
    expect(clampOffset(50, 10, 30)).toBe(20);
    expect(clampOffset(-3, 10, 30)).toBe(0);
    expect(clampOffset(4, 10, 5)).toBe(0);
  });
});

describe('colour', () => {
  it.each<[string, NodeJS.ProcessEnv, string[], boolean]>([
    ['a plain terminal', { TERM: 'xterm-256color' }, [], true],
    ['NO_COLOR', { NO_COLOR: '1', FORCE_COLOR: '1' }, [], false],
    ['--no-color', {}, ['node', 'eksdoctor', '--no-color'], false],
    ['FORCE_COLOR=0', { FORCE_COLOR: '0' }, [], false],
    ['TERM=dumb', { TERM: 'dumb' }, [], false],
  ])('%s', (_name, env, argv, enabled) => {
    expect(colorEnabled(env, argv)).toBe(enabled);
  });

  it('drops colours but keeps bold, dim and reverse video without colour', () => {
    const styled = { text: 'x', tone: 'fail' as const, bold: true, inverse: true };
    expect(textProps(styled, { color: true })).toEqual({ color: 'red', bold: true, inverse: true });
    expect(textProps(styled, { color: false })).toEqual({ bold: true, inverse: true });
    expect(textProps({ text: 'x', tone: 'muted' }, { color: false })).toEqual({ dimColor: true });
  });
});
