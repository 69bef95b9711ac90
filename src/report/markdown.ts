/** Markdown for pasting into an incident ticket. */
import type { Report } from '../model/report.js';
import { markerSummary } from '../timeline/timeline.js';

function code(text: string): string {
  return '`' + text.replace(/`/g, "'") + '`';
}

export function renderMarkdown(report: Report): string {
  const r = report.request;
  const out: string[] = [];
  out.push(`## eksdoctor: ${report.verdict.outcome} (${report.verdict.expectedStatus ?? 'no status'})`, '');
  out.push(report.verdict.summary, '');
  out.push(
    `- **Principal:** ${r.principalArn ? code(r.principalArn) : 'unknown'}${r.canonicalArn && r.canonicalArn !== r.principalArn ? ` (canonical ${code(r.canonicalArn)})` : ''}`,
  );
  out.push(
    `- **Request:** ${code(`${(r.verb ?? 'get').toUpperCase()} ${r.path ?? '/api'}`)}${r.aggregated ? ' (aggregated API)' : ''}`,
  );
  if (r.observedStatus) out.push(`- **Observed status:** ${r.observedStatus}`);
  out.push('', '### Pipeline', '', '| stage | result | detail |', '|---|---|---|');
  for (const s of report.trace) out.push(`| ${s.stage} | ${s.result} | ${s.detail.replace(/\|/g, '\\|')} |`);
  out.push('', '### Findings', '');
  if (report.findings.length === 0) out.push('None.');
  report.findings.forEach((f, i) => {
    out.push(
      `#### ${i + 1}. ${f.title}`,
      '',
      `*${f.severity}* · rule ${code(f.ruleId)}`,
      '',
      f.explanation,
      '',
    );
    if (f.evidence.length) {
      out.push('**Evidence**', '');
      for (const e of f.evidence) out.push(`- ${e.note ?? e.source} (${code(`${e.source} ${e.pointer}`)})`);
      out.push('');
    }
    f.fixes.forEach((fix, j) => {
      out.push(`**Fix ${String.fromCharCode(65 + j)}: ${fix.title}**`, '');
      if (fix.commands.length) out.push('```sh', ...fix.commands.map((c) => c.text), '```', '');
      if (fix.snippet) out.push('```' + fix.snippet.language, fix.snippet.content, '```', '');
      if (fix.notes) out.push(fix.notes, '');
    });
    if (f.references.length) out.push('References: ' + f.references.map((u) => `<${u}>`).join(', '), '');
  });
  if (report.timeline?.length) {
    out.push('### Timeline', '');
    const summary = markerSummary(report.timeline);
    if (summary) out.push(summary, '');
    for (const t of report.timeline) {
      const mark = t.marker ? ` **← ${t.marker.replace('-', ' ')}**` : '';
      out.push(`- ${t.time} — ${t.detail}${t.actor ? ` (by ${code(t.actor)})` : ''}${mark}`);
    }
    out.push('');
  }
  out.push('### Evidence sources', '');
  for (const [name, s] of Object.entries(report.sources)) {
    out.push(
      `- ${name}: ${s.status}${s.permission ? ` (needs ${code(s.permission)})` : ''}${s.message ? ` — ${s.message}` : ''}`,
    );
  }
  for (const note of report.notes ?? []) out.push(`- note: ${note}`);
  out.push('', `_${report.tool.name} ${report.tool.version}_`, '');
  return out.join('\n');
}
