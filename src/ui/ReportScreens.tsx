import { useState } from 'react';
import type { Report } from '../model/report.js';
import FindingDetail from './FindingDetail.js';
import HelpView from './HelpView.js';
import type { ReportActions } from './report-keys.js';
import type { ReportFormat } from './save-report.js';
import type { AppServices } from './services.js';
import { useStatus } from './status.js';
import { truncate } from './text.js';
import TimelineView from './TimelineView.js';
import VerdictView from './VerdictView.js';

type Props = {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly report: Report;
  readonly services: Pick<AppServices, 'copy' | 'save'>;
  /** q on the verdict. */
  readonly onQuit: () => void;
  /** Esc on the verdict: back to the form, or quit when the app opened on the report (--demo). */
  readonly onBack: () => void;
};

type Screen = 'verdict' | 'finding' | 'timeline' | 'help';

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A finished report: the verdict with its findings, a finding's detail, the timeline and help on top. */
export default function ReportScreens({ width, height, title, report, services, onQuit, onBack }: Props) {
  const status = useStatus();
  const [screen, setScreen] = useState<Screen>('verdict');
  const [under, setUnder] = useState<Screen>('verdict');
  const [selected, setSelected] = useState(0);

  const overlay = (next: Screen) => {
    // Help over the timeline returns to what was under the timeline.
    if (screen === 'verdict' || screen === 'finding') setUnder(screen);
    setScreen(next);
  };
  const actions: ReportActions = {
    onTimeline: () => overlay('timeline'),
    onHelp: () => overlay('help'),
    onSave: (format: ReportFormat) => {
      services.save(report, format).then(
        (path) => status.say(`Wrote the ${format === 'json' ? 'JSON' : 'Markdown'} report to ${path}`),
        (error: unknown) => status.say(`Could not write the report: ${reason(error)}`),
      );
    },
  };
  const copy = (text: string) => {
    services.copy(text).then(
      (how) => status.say(`${how}: ${truncate(text, 60)}`),
      (error: unknown) => status.say(`Could not copy: ${reason(error)}`),
    );
  };

  const common = { width, height, title, report };
  switch (screen) {
    case 'verdict':
      return (
        <VerdictView
          {...common}
          {...actions}
          selected={selected}
          onSelect={setSelected}
          onOpen={() => setScreen('finding')}
          onQuit={onQuit}
          onBack={onBack}
        />
      );
    case 'finding':
      return (
        <FindingDetail
          key={selected}
          {...common}
          {...actions}
          index={selected}
          onSwitch={setSelected}
          onCopy={copy}
          onBack={() => setScreen('verdict')}
        />
      );
    case 'timeline':
      return <TimelineView {...common} {...actions} onBack={() => setScreen(under)} />;
    case 'help':
      return <HelpView width={width} height={height} onBack={() => setScreen(under)} />;
  }
}
