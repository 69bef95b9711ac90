import Frame, { bodyHeight } from './Frame.js';
import StyledLines from './StyledLines.js';
import { BLANK, line, span, type Line } from './lines.js';
import { useKeys } from './keys.js';
import { useStatus } from './status.js';

type Props = {
  readonly width: number;
  readonly height: number;
  readonly onBack: () => void;
};

const KEYS: Array<[string, Array<[string, string]>]> = [
  [
    'Verdict',
    [
      ['↑ ↓', 'select a finding'],
      ['enter', 'open the finding: why, evidence, fix commands'],
      ['q', 'quit'],
      ['esc', 'back to the form (quit in --demo)'],
    ],
  ],
  [
    'Finding',
    [
      ['↑ ↓', 'select a command'],
      ['c', 'copy the selected command (OSC 52, then pbcopy, wl-copy, xclip or xsel)'],
      ['← →', 'previous or next finding'],
      ['pgup pgdn', 'scroll'],
      ['q esc', 'back to the verdict'],
    ],
  ],
  [
    'Anywhere in a report',
    [
      ['t', 'timeline of access changes (CloudTrail, logs)'],
      ['j', 'write the report as JSON (eksdoctor-report.json here)'],
      ['m', 'write the report as Markdown (eksdoctor-report.md here)'],
      ['?', 'this help'],
      ['ctrl+c', 'cancel and quit'],
    ],
  ],
];

export function helpLines(): Line[] {
  const lines: Line[] = [];
  for (const [title, keys] of KEYS) {
    lines.push(line(` ${title}`, { bold: true }));
    for (const [k, what] of keys) {
      lines.push([span(`   ${k.padEnd(11)}`, { tone: 'accent', bold: true }), span(what)]);
    }
    lines.push(BLANK);
  }
  lines.push(
    line(' Scripts and CI: use `eksdoctor explain` (text, JSON or Markdown, verdict exit codes).', {
      tone: 'muted',
    }),
  );
  return lines;
}

export default function HelpView({ width, height, onBack }: Props) {
  const status = useStatus();
  useKeys((input, key) => {
    if (input === 'q' || input === '?' || key.escape || key.return) onBack();
  });
  return (
    <Frame
      width={width}
      height={height}
      title="eksdoctor · keys"
      hints="any of q esc ? back"
      message={status.message}
    >
      <StyledLines lines={helpLines().slice(0, bodyHeight(height))} />
    </Frame>
  );
}
