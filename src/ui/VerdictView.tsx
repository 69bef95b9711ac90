import type { Report } from '../model/report.js';
import Frame, { bodyHeight } from './Frame.js';
import StyledLines from './StyledLines.js';
import { BLANK, line, scrollTo, windowOf, type Line } from './lines.js';
import { handleReportKey, REPORT_HINTS, type ReportActions } from './report-keys.js';
import { useKeys } from './keys.js';
import { useStatus } from './status.js';
import { wrap } from './text.js';
import { findingRow, traceLines, verdictHeader } from './verdict-lines.js';

type Props = ReportActions & {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly report: Report;
  readonly selected: number;
  /** Takes an update of the selection (keys may arrive faster than the screen redraws). */
  readonly onSelect: (update: (current: number) => number) => void;
  /** Enter: open the selected finding. */
  readonly onOpen: () => void;
  /** q: leave the app. */
  readonly onQuit: () => void;
  /** Esc: the previous screen (the form), or quit when there is none. */
  readonly onBack: () => void;
};

const MIN_LIST_ROWS = 3;

/** Lines of the verdict screen for a body of `rows`: the findings list always keeps at least three rows. */
export function verdictLines(report: Report, selected: number, width: number, rows: number): Line[] {
  const header = verdictHeader(report, width);
  const trace = traceLines(report);
  const count = report.findings.length;
  const listTitle = line(
    count
      ? ` Findings (${count}) · ↑↓ select · enter details`
      : ' Findings: none. No rule explains this outcome with the evidence at hand.',
    { bold: true },
  );
  let top = [...header, BLANK, line(' Pipeline', { bold: true }), ...trace, BLANK, listTitle];
  if (top.length + MIN_LIST_ROWS > rows) top = [...header, ...trace, listTitle];
  const listRows = Math.max(MIN_LIST_ROWS, rows - top.length);
  // Keep the selection in the middle of the window when the list scrolls.
  const offset = scrollTo(
    Math.max(0, selected - Math.floor(listRows / 2)),
    selected,
    selected,
    listRows,
    count,
  );
  const list = windowOf(report.findings, offset, listRows).map((f, i) =>
    findingRow(f, offset + i, offset + i === selected, count),
  );
  // Rows the list does not need say what evidence was missing (and which permission would reveal it).
  const spare = rows - top.length - list.length;
  const notes = (report.notes ?? []).flatMap((n) =>
    wrap(n, width - 3, '  ').map((t) => line(` · ${t}`, { tone: 'muted' })),
  );
  const missing =
    spare >= 3 && notes.length
      ? [BLANK, line(' Evidence', { bold: true }), ...notes.slice(0, spare - 2)]
      : [];
  return [...top, ...list, ...missing].slice(0, rows);
}

/** The outcome, the request, the pipeline chain with the failing stage marked, and the findings. */
export default function VerdictView(props: Props) {
  const { width, height, title, report, selected, onSelect, onOpen, onQuit, onBack } = props;
  const status = useStatus();
  const count = report.findings.length;
  useKeys((input, key) => {
    if (handleReportKey(input, key, props)) return;
    const clamp = (n: number) => Math.max(0, Math.min(count - 1, n));
    if (key.upArrow) onSelect((s) => clamp(s - 1));
    if (key.downArrow) onSelect((s) => clamp(s + 1));
    if (key.pageUp) onSelect(() => 0);
    if (key.pageDown) onSelect(() => clamp(count - 1));
    if (key.return && count) onOpen();
    if (input === 'q') onQuit();
    if (key.escape) onBack();
  });
  return (
    <Frame
      width={width}
      height={height}
      title={title}
      hints={`↑↓ select · enter details · ${REPORT_HINTS} · q quit`}
      message={status.message}
    >
      <StyledLines lines={verdictLines(report, selected, width, bodyHeight(height))} />
    </Frame>
  );
}
