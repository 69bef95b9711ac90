import type { Report } from '../model/report.js';
import { detailDocument } from './detail-lines.js';
import Frame, { bodyHeight } from './Frame.js';
import { clampOffset, scrollTo, windowOf } from './lines.js';
import { handleReportKey, REPORT_HINTS, type ReportActions } from './report-keys.js';
import { useKeys } from './keys.js';
import { useStatus } from './status.js';
import StyledLines from './StyledLines.js';
import { useLatestState } from './use-latest-state.js';

type Props = ReportActions & {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly report: Report;
  readonly index: number;
  /** ←/→: the previous or next finding (an update of the index, like the verdict's selection). */
  readonly onSwitch: (update: (index: number) => number) => void;
  readonly onCopy: (text: string) => void;
  /** q or Esc: back to the verdict. */
  readonly onBack: () => void;
};

interface View {
  /** The selected command or snippet. */
  selected: number;
  /** First row shown. */
  offset: number;
}

/**
 * One finding: why, the evidence, and the fix and check commands. ↑↓ select a command (the view follows it),
 * c copies it; PgUp/PgDn scroll. Updates are functional: keys can arrive faster than the screen redraws.
 */
export default function FindingDetail(props: Props) {
  const { width, height, title, report, index, onSwitch, onCopy, onBack } = props;
  const status = useStatus();
  const finding = report.findings[index];
  const rows = bodyHeight(height);
  // Row positions do not depend on the selection (only the highlight does).
  const layout = finding ? detailDocument(finding, index, -1, width) : { lines: [], commands: [], rows: [] };
  const total = layout.lines.length;
  const count = layout.commands.length;
  const reveal = (n: number, from: number) => {
    const at = layout.rows[n];
    // Show the fix title above the first row of a command when there is room for it.
    return at ? scrollTo(from, Math.max(0, at.first - 1), at.last, rows, total) : from;
  };
  const [view, setView, latest] = useLatestState<View>(() => ({ selected: 0, offset: reveal(0, 0) }));
  const offset = clampOffset(view.offset, rows, total);
  const doc = finding ? detailDocument(finding, index, view.selected, width) : layout;

  const scroll = (delta: number) =>
    setView((v) => ({ ...v, offset: clampOffset(clampOffset(v.offset, rows, total) + delta, rows, total) }));
  const move = (delta: number) =>
    setView((v) => {
      const next = v.selected + delta;
      if (!count || next < 0 || next >= count) {
        return { ...v, offset: clampOffset(v.offset + delta, rows, total) };
      }
      return { selected: next, offset: reveal(next, clampOffset(v.offset, rows, total)) };
    });

  useKeys((input, key) => {
    if (handleReportKey(input, key, props)) return;
    if (input === 'q' || key.escape) return onBack();
    if (input === 'c') {
      const item = layout.commands[latest.current.selected];
      if (item) onCopy(item.text);
      else status.say('This finding has no command to copy.');
      return;
    }
    const last = report.findings.length - 1;
    if (key.leftArrow) return onSwitch((i) => Math.max(0, i - 1));
    if (key.rightArrow) return onSwitch((i) => Math.min(last, i + 1));
    const page = Math.max(1, rows - 2);
    if (key.pageDown || input === ' ') scroll(page);
    if (key.pageUp) scroll(-page);
    if (key.downArrow) move(1);
    if (key.upArrow) move(-1);
  });

  const more = offset + rows < total;
  const where = total > rows ? ` · ${Math.min(100, Math.round(((offset + rows) / total) * 100))}%` : '';
  return (
    <Frame
      width={width}
      height={height}
      title={`${title} · finding ${index + 1} of ${report.findings.length}${where}`}
      hints={`↑↓ command · c copy · ←→ finding · pgup/pgdn${more ? ' (more below)' : ''} · ${REPORT_HINTS} · esc back`}
      message={status.message}
    >
      <StyledLines lines={windowOf(doc.lines, offset, rows)} />
    </Frame>
  );
}
