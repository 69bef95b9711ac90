/** The collection screen's rows: one per evidence source, in the order they started. */
import type { ProgressEvent } from '../collect/types.js';
import { line, lineText, span, type Line, type Tone } from './lines.js';
import { truncate, wrap } from './text.js';

export interface SourceLine {
  source: string;
  state: ProgressEvent['state'];
  detail?: string | undefined;
}

const LABEL_WIDTH = 24;
/** Mark column (4) and label column: where a source's detail starts. */
const ROW_INDENT = 4 + LABEL_WIDTH;

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const LABEL: Record<string, string> = {
  cluster: 'EKS cluster',
  accessEntries: 'EKS access entries',
  awsAuth: 'aws-auth ConfigMap',
  iamPrincipals: 'IAM principal',
  callerIdentity: 'caller identity (STS)',
  rbac: 'Kubernetes RBAC',
  apiServices: 'APIServices',
  whoami: 'SelfSubjectReview',
  cloudTrail: 'CloudTrail events',
  authenticatorLogs: 'authenticator logs',
  auditEvents: 'audit logs',
  token: 'token',
  kubeconfig: 'kubeconfig',
  subjectAccessReview: 'SubjectAccessReview',
};

const DONE: Record<Exclude<SourceLine['state'], 'start'>, { mark: string; word: string; tone: Tone }> = {
  ok: { mark: '✓', word: '', tone: 'pass' },
  denied: { mark: '✗', word: 'denied', tone: 'fail' },
  error: { mark: '!', word: 'error', tone: 'warn' },
  absent: { mark: '-', word: 'skipped', tone: 'muted' },
};

/** Folds one progress event into the list (a source keeps its row when it finishes). */
export function applyProgress(lines: readonly SourceLine[], event: ProgressEvent): SourceLine[] {
  const next = { source: event.source, state: event.state, detail: event.detail };
  const at = lines.findIndex((l) => l.source === event.source);
  if (at < 0) return [...lines, next];
  return lines.map((l, i) => (i === at ? next : l));
}

export function sourceRow(l: SourceLine, frame: number): Line {
  const label = (LABEL[l.source] ?? l.source).padEnd(LABEL_WIDTH);
  if (l.state === 'start') {
    return [
      span(`  ${SPINNER[frame % SPINNER.length]} `, { tone: 'info' }),
      span(label),
      span('collecting…', { tone: 'muted' }),
    ];
  }
  const done = DONE[l.state];
  const detail = [done.word, l.detail].filter(Boolean).join(': ');
  return [
    span(`  ${done.mark} `, { tone: done.tone, bold: true }),
    span(label),
    span(detail, l.state === 'ok' || l.state === 'absent' ? { tone: 'muted' } : { tone: done.tone }),
  ];
}

/** Denied and failed sources keep their whole reason: it is wrapped under the row, not cut at the edge. */
function sourceRows(l: SourceLine, frame: number, width: number): Line[] {
  const row = sourceRow(l, frame);
  if ((l.state !== 'denied' && l.state !== 'error') || lineText(row).length <= width) return [row];
  const indent = ' '.repeat(ROW_INDENT);
  const detail = wrap(lineText(row).slice(ROW_INDENT), width - ROW_INDENT);
  const tone = DONE[l.state].tone;
  return [
    [...row.slice(0, 2), span(detail[0] ?? '', { tone })],
    ...detail.slice(1).map((t) => [span(indent), span(t, { tone })]),
  ];
}

export function collectLines(
  target: string,
  sources: readonly SourceLine[],
  frame: number,
  failure?: string,
  width = 80,
): Line[] {
  const lines: Line[] = [
    line(truncate(` Collecting evidence from ${target} (read-only)`, width), { bold: true }),
    [],
  ];
  if (!sources.length && !failure) {
    lines.push([
      span(`  ${SPINNER[frame % SPINNER.length]} `, { tone: 'info' }),
      span('resolving AWS credentials…'),
    ]);
  }
  lines.push(...sources.flatMap((s) => sourceRows(s, frame, width)));
  if (failure) {
    lines.push([], line(' Collection failed:', { tone: 'fail', bold: true }));
    lines.push(...wrap(failure, width - 1).map((t) => line(` ${t}`)));
  }
  return lines;
}
