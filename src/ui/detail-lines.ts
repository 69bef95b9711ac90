/** A finding's detail screen as lines, with the rows each command or snippet occupies (for selection and copy). */
import type { Finding } from '../model/report.js';
import { BLANK, line, span, type Line } from './lines.js';
import { hardBreak, truncate, wrap } from './text.js';
import { severityTone } from './verdict-lines.js';

/** Something `c` copies: a command line (quoted for a POSIX shell) or a corrected snippet. */
export interface CommandRef {
  text: string;
  /** "Fix A", "Fix B yaml" or "Check 1": where it comes from. */
  label: string;
}

export interface DetailDocument {
  lines: Line[];
  commands: CommandRef[];
  /** First and last row of each command in `lines`, in the order of `commands`. */
  rows: Array<{ first: number; last: number }>;
}

function heading(text: string): Line {
  return line(` ${text}`, { bold: true });
}

export function detailDocument(
  finding: Finding,
  index: number,
  selected: number,
  width: number,
): DetailDocument {
  const lines: Line[] = [];
  const commands: CommandRef[] = [];
  const rows: DetailDocument['rows'] = [];
  const push = (...more: Line[]) => lines.push(...more);
  const prose = (text: string, indent = '   ', style: Parameters<typeof line>[1] = {}) =>
    push(...wrap(text, width - indent.length).map((t) => line(indent + t, style)));

  const title = wrap(`${index + 1}. ${finding.title}`, width - 1, '   ');
  push(...title.map((t) => line(` ${t}`, { bold: true })));
  push([
    span('    '),
    span(finding.severity, { tone: severityTone(finding.severity), bold: true }),
    span(truncate(` · rule ${finding.ruleId}`, width - 4 - finding.severity.length), { tone: 'muted' }),
  ]);
  push(BLANK, heading('Why'));
  prose(finding.explanation);

  if (finding.evidence.length) {
    push(BLANK, heading('Evidence'));
    for (const e of finding.evidence) {
      const where = `${e.source} ${e.pointer}`;
      const text = e.note ? `${e.note}  (${where})` : where;
      push(...wrap(text, width - 5, '  ').map((t, i) => line(`   ${i === 0 ? '• ' : ''}${t}`)));
    }
  }

  /** A copyable item: a command (word-wrapped) or a snippet (cut by cells, so YAML keeps its indentation). */
  const addItem = (text: string, label: string, kind: 'command' | 'snippet') => {
    const isSelected = commands.length === selected;
    const wrapped =
      kind === 'command'
        ? wrap(text, width - 7, '    ')
        : text.split('\n').flatMap((l) => (l ? hardBreak(l, Math.max(1, width - 7)) : ['']));
    rows.push({ first: lines.length, last: lines.length + wrapped.length - 1 });
    commands.push({ text, label });
    wrapped.forEach((t, i) =>
      push([
        span(isSelected && i === 0 ? '   › ' : '     ', { bold: true }),
        span(kind === 'command' && i === 0 ? '$ ' : '  ', { tone: 'info' }),
        span(t, isSelected ? { inverse: true, bold: true } : {}),
      ]),
    );
  };

  finding.fixes.forEach((fix, i) => {
    const label = `Fix ${String.fromCharCode(65 + i)}`;
    push(BLANK, ...wrap(`${label}: ${fix.title}`, width - 1, '  ').map((t) => line(` ${t}`, { bold: true })));
    for (const command of fix.commands) addItem(command.text, label, 'command');
    if (fix.snippet) {
      push(line(`     # corrected ${fix.snippet.language} (c copies it):`, { tone: 'muted' }));
      addItem(fix.snippet.content, `${label} ${fix.snippet.language}`, 'snippet');
    }
    if (fix.notes) prose(fix.notes, '     ', { tone: 'muted' });
  });
  (finding.checks ?? []).forEach((check, i) => {
    const label = `Check ${i + 1}`;
    push(
      BLANK,
      ...wrap(`${label}: ${check.title}`, width - 1, '  ').map((t) => line(` ${t}`, { bold: true })),
    );
    for (const command of check.commands) addItem(command.text, label, 'command');
  });
  if (finding.references.length) {
    push(BLANK, heading('References'));
    for (const ref of finding.references) {
      push(...hardBreak(ref, width - 3).map((t) => line(`   ${t}`, { tone: 'muted' })));
    }
  }
  return { lines, commands, rows };
}
