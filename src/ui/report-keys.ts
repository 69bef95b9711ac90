/** Keys every report screen shares: t timeline, j/m save, ? help. */
import type { Key } from 'ink';
import type { ReportFormat } from './save-report.js';

export interface ReportActions {
  onTimeline: () => void;
  onHelp: () => void;
  onSave: (format: ReportFormat) => void;
}

export const REPORT_HINTS = 't timeline · j json · m markdown · ? help';

/** Handles a shared key; false when the key is the screen's own business. */
export function handleReportKey(input: string, key: Key, actions: ReportActions): boolean {
  if (key.ctrl || key.meta) return false;
  switch (input) {
    case 't':
      actions.onTimeline();
      return true;
    case 'j':
      actions.onSave('json');
      return true;
    case 'm':
      actions.onSave('markdown');
      return true;
    case '?':
      actions.onHelp();
      return true;
    default:
      return false;
  }
}
