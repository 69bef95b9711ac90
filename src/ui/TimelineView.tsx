import { useState } from 'react';
import type { Report } from '../model/report.js';
import Frame, { bodyHeight } from './Frame.js';
import StyledLines from './StyledLines.js';
import { clampOffset, line, span, windowOf, type Line } from './lines.js';
import { handleReportKey, REPORT_HINTS, type ReportActions } from './report-keys.js';
import { useKeys } from './keys.js';
import { useStatus } from './status.js';
import { wrap } from './text.js';

type Props = ReportActions & {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly report: Report;
  readonly onBack: () => void;
};

/** Auth-relevant changes around the incident (CloudTrail, logs), oldest first, wrapped under their time. */
export function timelineLines(report: Report, width: number): Line[] {
  const events = report.timeline ?? [];
  if (!events.length) {
    const trail = report.sources.cloudTrail;
    const why =
      trail?.status === 'denied'
        ? ` CloudTrail was not readable (needs ${trail.permission ?? 'cloudtrail:LookupEvents'}).`
        : trail?.status === 'ok'
          ? ' CloudTrail shows no access-related change in the window.'
          : ' No CloudTrail events or logs were collected.';
    return [line(' No timeline events.', { bold: true }), line(why, { tone: 'muted' })];
  }
  const lines: Line[] = [];
  for (const e of events) {
    lines.push([
      span(` ${e.time}  `, { tone: 'muted' }),
      span(e.event, { bold: true }),
      span(e.actor ? `  by ${e.actor}` : '', { tone: 'muted' }),
    ]);
    for (const t of wrap(e.detail, width - 4)) lines.push(line(`    ${t}`));
  }
  return lines;
}

export default function TimelineView(props: Props) {
  const { width, height, title, report, onBack } = props;
  const status = useStatus();
  const rows = bodyHeight(height);
  const lines = timelineLines(report, width);
  const [offset, setOffset] = useState(0);
  const shown = clampOffset(offset, rows, lines.length);
  useKeys((input, key) => {
    if (handleReportKey(input, key, { ...props, onTimeline: onBack })) return;
    if (input === 'q' || key.escape) return onBack();
    const step =
      key.pageDown || input === ' '
        ? rows - 1
        : key.pageUp
          ? -(rows - 1)
          : key.downArrow
            ? 1
            : key.upArrow
              ? -1
              : 0;
    if (step) setOffset((o) => clampOffset(clampOffset(o, rows, lines.length) + step, rows, lines.length));
  });
  return (
    <Frame
      width={width}
      height={height}
      title={`${title} · timeline`}
      hints={`↑↓ scroll · ${REPORT_HINTS} · esc back`}
      message={status.message}
    >
      <StyledLines lines={windowOf(lines, shown, rows)} />
    </Frame>
  );
}
