/** The verdict screen's content as lines: outcome, request, the pipeline chain and one row per finding. */
import type { Finding, Report, Severity, TraceStep } from '../model/report.js';
import { line, span, type Line, type Tone } from './lines.js';
import { truncate, wrap } from './text.js';

const MARK: Record<TraceStep['result'], string> = { pass: '✓', fail: '✗', skip: '·', unknown: '?' };
const MARK_TONE: Record<TraceStep['result'], Tone> = {
  pass: 'pass',
  fail: 'fail',
  skip: 'muted',
  unknown: 'warn',
};
const STAGE_LABEL: Record<TraceStep['stage'], string> = {
  client: 'client',
  token: 'token',
  sts: 'STS',
  mapping: 'mapping',
  identity: 'identity',
  authorization: 'authorization',
  aggregation: 'aggregation',
};
const SEVERITY_TONE: Record<Severity, Tone> = { error: 'fail', warning: 'warn', info: 'info' };

export function outcomeLabel(report: Report): { text: string; tone: Tone } {
  const { outcome, expectedStatus } = report.verdict;
  switch (outcome) {
    case 'allowed':
      return { text: 'ALLOWED', tone: 'pass' };
    case 'unknown':
      return { text: 'UNKNOWN', tone: 'warn' };
    case 'client-error':
      return { text: 'CLIENT ERROR', tone: 'fail' };
    case 'forbidden':
      return { text: `${expectedStatus ?? 403} FORBIDDEN`, tone: 'fail' };
    case 'unauthenticated':
      return { text: `${expectedStatus ?? 401} UNAUTHORIZED`, tone: 'fail' };
  }
}

/** Outcome and summary (at most three rows), then who asked for what. */
export function verdictHeader(report: Report, width: number): Line[] {
  const label = outcomeLabel(report);
  const r = report.request;
  const observed = r.observedStatus ? `  (you saw ${r.observedStatus})` : '';
  const lines: Line[] = [
    [
      span(` ${label.text} `, { tone: label.tone, bold: true, inverse: true }),
      span(observed, { tone: 'muted' }),
    ],
  ];
  const summary = wrap(report.verdict.summary, width - 1);
  for (const [i, text] of summary.slice(0, 3).entries()) {
    lines.push(line(` ${i === 2 && summary.length > 3 ? truncate(text + ' …', width - 1) : text}`));
  }
  lines.push([span(' principal  ', { tone: 'muted' }), span(r.principalArn ?? '(unknown)')]);
  if (r.canonicalArn && r.canonicalArn !== r.principalArn) {
    lines.push([span(' canonical  ', { tone: 'muted' }), span(r.canonicalArn)]);
  }
  const tags = [r.aggregated ? 'aggregated API' : '', r.nonResourceUrl ? 'non-resource URL' : ''].filter(
    Boolean,
  );
  lines.push([
    span(' request    ', { tone: 'muted' }),
    span(`${(r.verb ?? 'get').toUpperCase()} ${r.path ?? '/api'}`, { bold: true }),
    span(tags.length ? `  [${tags.join(', ')}]` : '', { tone: 'muted' }),
  ]);
  return lines;
}

/** The pipeline as a vertical chain; the first failing stage is marked with ▶ and shown in reverse video. */
export function traceLines(report: Report): Line[] {
  const failing =
    report.trace.find((s) => s.result === 'fail') ?? report.trace.find((s) => s.result === 'unknown');
  return report.trace.map((step, i) => {
    const isFailing = step === failing;
    const joint = report.trace.length === 1 ? '─' : i === 0 ? '┌' : i === report.trace.length - 1 ? '└' : '├';
    return [
      span(isFailing ? ' ▶ ' : '   ', { tone: 'fail', bold: true }),
      span(`${joint} `, { tone: 'muted' }),
      span(MARK[step.result], { tone: MARK_TONE[step.result], bold: step.result === 'fail' }),
      span(' '),
      span(
        STAGE_LABEL[step.stage].padEnd(13),
        isFailing ? { tone: MARK_TONE[step.result], bold: true, inverse: true } : {},
      ),
      span(' '),
      span(step.detail, step.result === 'skip' ? { tone: 'muted' } : {}),
    ];
  });
}

/** One row of the findings list. */
export function findingRow(finding: Finding, index: number, selected: boolean, count = 1): Line {
  return [
    span(selected ? ' › ' : '   ', { bold: true }),
    span(`${String(index + 1).padStart(String(count).length)}. `, { inverse: selected }),
    span(finding.severity.padEnd(8), { tone: SEVERITY_TONE[finding.severity], inverse: selected }),
    span(finding.title, { bold: selected, inverse: selected }),
    span(`  [${finding.ruleId}]`, { tone: 'muted' }),
  ];
}

export function severityTone(severity: Severity): Tone {
  return SEVERITY_TONE[severity];
}
