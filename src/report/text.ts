/** The text report: verdict, the pipeline as a chain of stages, then findings with evidence and fix commands. */
import type { ChalkInstance } from 'chalk';
import type { Finding, Report, TraceStep } from '../model/report.js';
import { markerSummary } from '../timeline/timeline.js';

const MARK: Record<TraceStep['result'], string> = { pass: '✓', fail: '✗', skip: '·', unknown: '?' };

function markOf(step: TraceStep, c: ChalkInstance): string {
  const m = MARK[step.result];
  switch (step.result) {
    case 'pass':
      return c.green(m);
    case 'fail':
      return c.red.bold(m);
    case 'unknown':
      return c.yellow(m);
    case 'skip':
      return c.dim(m);
  }
}

function verdictLine(report: Report, c: ChalkInstance): string {
  const { outcome, expectedStatus } = report.verdict;
  const label =
    outcome === 'allowed'
      ? c.green.bold('ALLOWED')
      : outcome === 'unknown'
        ? c.yellow.bold('UNKNOWN')
        : outcome === 'client-error'
          ? c.red.bold('CLIENT ERROR')
          : c.red.bold(
              `${expectedStatus ?? ''} ${outcome === 'forbidden' ? 'FORBIDDEN' : 'UNAUTHORIZED'}`.trim(),
            );
  return `${label}  ${report.verdict.summary}`;
}

function requestLine(report: Report): string {
  const r = report.request;
  const who = r.principalArn ?? '(principal unknown)';
  const canon = r.canonicalArn && r.canonicalArn !== r.principalArn ? ` (canonical ${r.canonicalArn})` : '';
  const seen = r.observedStatus ? `, observed ${r.observedStatus}` : '';
  return `${who}${canon}\n  ${(r.verb ?? 'get').toUpperCase()} ${r.path ?? '/api'}${r.aggregated ? ' [aggregated API]' : ''}${seen}`;
}

function findingBlock(f: Finding, n: number, c: ChalkInstance): string[] {
  const sev =
    f.severity === 'error' ? c.red('error') : f.severity === 'warning' ? c.yellow('warning') : c.cyan('info');
  const lines = [`${n}. ${c.bold(f.title)}`, `   ${sev} ${c.dim(`[${f.ruleId}]`)}`];
  lines.push(...wrap(f.explanation, 100).map((l) => `   ${l}`));
  if (f.evidence.length) {
    lines.push(`   ${c.bold('Evidence')}`);
    for (const e of f.evidence) {
      lines.push(`   - ${e.note ?? e.source} ${c.dim(`(${e.source} ${e.pointer})`)}`);
    }
  }
  f.fixes.forEach((fix, i) => {
    lines.push(`   ${c.bold(`Fix ${String.fromCharCode(65 + i)}`)}: ${fix.title}`);
    for (const cmd of fix.commands) lines.push(`     ${c.cyan('$')} ${cmd.text}`);
    if (fix.snippet) {
      lines.push(`     ${c.dim(`# corrected ${fix.snippet.language}:`)}`);
      for (const l of fix.snippet.content.split('\n')) lines.push(`     ${l}`);
    }
    if (fix.notes) lines.push(...wrap(fix.notes, 96).map((l) => `     ${c.dim(l)}`));
  });
  for (const check of f.checks ?? []) {
    lines.push(`   ${c.bold('Check')}: ${check.title}`);
    for (const cmd of check.commands) lines.push(`     ${c.cyan('$')} ${cmd.text}`);
  }
  return lines;
}

export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out;
}

export function renderText(report: Report, c: ChalkInstance): string {
  const lines: string[] = [];
  lines.push(verdictLine(report, c), '', requestLine(report), '');
  lines.push(c.bold('Pipeline'));
  for (const s of report.trace) {
    const stage = s.result === 'fail' ? c.red.bold(s.stage.padEnd(13)) : s.stage.padEnd(13);
    lines.push(`  ${markOf(s, c)} ${stage} ${s.result === 'skip' ? c.dim(s.detail) : s.detail}`);
  }
  lines.push('');
  if (report.findings.length === 0) {
    lines.push(
      report.verdict.outcome === 'allowed'
        ? 'No problems found.'
        : 'No rule explains this outcome with the evidence at hand.',
    );
  } else {
    lines.push(c.bold('Findings'));
    report.findings.forEach((f, i) => lines.push(...findingBlock(f, i + 1, c), ''));
  }
  if (report.timeline?.length) {
    lines.push(c.bold('Timeline'));
    const summary = markerSummary(report.timeline);
    if (summary) lines.push(`  ${summary}`);
    for (const t of report.timeline) {
      const mark = t.marker ? `  ${c.bold(`← ${t.marker.replace('-', ' ')}`)}` : '';
      lines.push(`  ${t.time}  ${t.detail}${t.actor ? c.dim(` by ${t.actor}`) : ''}${mark}`);
    }
    lines.push('');
  }
  const seen = Object.entries(report.sources).filter(([, s]) => s.status !== 'absent');
  const notSeen = Object.entries(report.sources).filter(([, s]) => s.status !== 'ok');
  lines.push(
    `${c.bold('Evidence sources')}: ${seen.map(([k, s]) => (s.status === 'ok' ? k : `${k} (${s.status})`)).join(', ') || 'none'}`,
  );
  for (const note of report.notes ?? []) lines.push(c.dim(`  note: ${note}`));
  if (notSeen.length && !(report.notes ?? []).length) {
    lines.push(c.dim(`  not collected: ${notSeen.map(([k]) => k).join(', ')}`));
  }
  return lines.join('\n') + '\n';
}
