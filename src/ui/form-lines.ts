/** The start form's content as lines: one row per field (three for the pasted error) and what the paste says. */
import type { Incident } from '../model/incident.js';
import { FIELDS, fieldValue, type FieldId, type FormContext, type Origin, type Typed } from './form-model.js';
import { BLANK, line, span, type Line } from './lines.js';
import { displayPaste, truncate, wrap } from './text.js';

const LABEL_WIDTH = 12;
const ORIGIN_TEXT: Record<Origin, string> = {
  typed: '',
  error: 'from the error',
  kubeconfig: 'from kubeconfig',
  environment: 'from the environment',
};
const ERROR_ROWS = 3;

function fieldRows(id: FieldId, text: string, placeholder: string, focused: boolean, width: number): Line[] {
  const shown = id === 'error' ? displayPaste(text) : text;
  if (!shown) {
    // The cursor sits on the placeholder's first letter, so focused and unfocused rows stay aligned.
    const hint = truncate(placeholder, width);
    if (!focused) return [[span(hint, { tone: 'muted' })]];
    return [[span(hint.slice(0, 1), { inverse: true }), span(hint.slice(1), { tone: 'muted' })]];
  }
  const cursor = focused ? [span(' ', { inverse: true })] : [];
  if (id !== 'error') {
    // Long values show their end while being edited, their start otherwise.
    const room = width - (focused ? 1 : 0);
    const visible =
      shown.length <= room
        ? shown
        : focused
          ? '…' + shown.slice(shown.length - room + 1)
          : truncate(shown, room);
    return [[span(visible), ...cursor]];
  }
  const rows = wrap(shown, width - 1);
  const picked = focused ? rows.slice(-ERROR_ROWS) : rows.slice(0, ERROR_ROWS);
  if (!focused && rows.length > ERROR_ROWS) {
    picked[ERROR_ROWS - 1] = truncate(`${picked[ERROR_ROWS - 1] ?? ''} …`, width - 1);
  }
  return picked.map((r, i) => [span(r), ...(i === picked.length - 1 ? cursor : [])]);
}

export function formLines(typed: Typed, ctx: FormContext, focus: number, width: number): Line[] {
  const lines: Line[] = [
    line(' Paste the error you saw (or give a principal), check the cluster, and press Enter.', {
      bold: true,
    }),
    BLANK,
  ];
  const originWidth = width >= 90 ? 22 : 0;
  const valueWidth = Math.max(10, width - 3 - LABEL_WIDTH - originWidth);
  FIELDS.forEach((field, i) => {
    const focused = i === focus;
    const value = field.id === 'error' ? { value: typed.error ?? '' } : fieldValue(field.id, typed, ctx);
    const rows = fieldRows(field.id, value.value, field.placeholder, focused, valueWidth);
    rows.forEach((row, r) => {
      const origin = r === 0 && originWidth && value.origin ? ORIGIN_TEXT[value.origin] : '';
      lines.push([
        span(focused && r === 0 ? ' › ' : '   ', { bold: true }),
        span(r === 0 ? field.label.padEnd(LABEL_WIDTH) : ' '.repeat(LABEL_WIDTH), { bold: focused }),
        ...row,
        span(origin ? `  ${origin}` : '', { tone: 'muted' }),
      ]);
    });
  });
  lines.push(BLANK, ...incidentLines(ctx.incident, typed.error ?? '', width));
  if (ctx.kube.context) {
    lines.push(line(truncate(` kubeconfig context: ${ctx.kube.context}`, width), { tone: 'muted' }));
  }
  return lines;
}

/** What the parser read from the paste, so the user sees it understood before anything is collected. */
export function incidentLines(incident: Incident, pasted: string, width: number): Line[] {
  if (!pasted.trim()) return [];
  const parts = [
    incident.status ? String(incident.status) : '',
    incident.source && incident.source !== 'unknown' ? incident.source : '',
    incident.principalArn
      ? `principal ${incident.principalArn}`
      : incident.username
        ? `user ${incident.username}`
        : '',
    incident.path
      ? `${(incident.verb ?? 'get').toUpperCase()} ${incident.path}`
      : incident.resource
        ? `${incident.verb ?? 'get'} ${[incident.apiGroup, incident.resource].filter(Boolean).join('/')}${incident.namespace ? ` in ${incident.namespace}` : ''}`
        : '',
    incident.clusterName ? `cluster ${incident.clusterName}` : '',
    ...(incident.facts ?? []),
  ].filter(Boolean);
  if (!parts.length) {
    return wrap(
      incident.hint ?? 'Nothing recognised in the paste yet; it is still passed to the diagnosis.',
      width - 1,
    ).map((t) => line(` ${t}`, { tone: 'muted' }));
  }
  return wrap(`Read from the error: ${parts.join(' · ')}`, width - 1, '  ').map((t) =>
    line(` ${t}`, { tone: 'info' }),
  );
}
