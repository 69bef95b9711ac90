import { useEffect, useState } from 'react';
import { collectLines, type SourceLine } from './collect-lines.js';
import Frame, { bodyHeight } from './Frame.js';
import StyledLines from './StyledLines.js';
import { useKeys } from './keys.js';
import { useStatus } from './status.js';

type Props = {
  readonly width: number;
  readonly height: number;
  readonly target: string;
  readonly sources: readonly SourceLine[];
  /** Set when collection itself failed (no credentials, no region…); sources that failed alone are rows. */
  readonly failure?: string | undefined;
  /** Esc: stop collecting and go back to the form. */
  readonly onCancel: () => void;
};

const SPIN_MS = 120;

/** Live collection: a spinner per pending source, then ✓, denied (with the permission) or error. */
export default function CollectView({ width, height, target, sources, failure, onCancel }: Props) {
  const status = useStatus();
  const [frame, setFrame] = useState(0);
  const busy = !failure && (sources.length === 0 || sources.some((s) => s.state === 'start'));
  useEffect(() => {
    // The only timer in the app, and only while something is pending: idle screens never redraw.
    if (!busy) return;
    const timer = setInterval(() => setFrame((f) => f + 1), SPIN_MS);
    return () => clearInterval(timer);
  }, [busy]);
  useKeys((input, key) => {
    if (key.escape || (failure && (input === 'q' || key.return))) onCancel();
  });
  const all = collectLines(target, sources, frame, failure, width);
  const rows = bodyHeight(height);
  // Too many rows: keep the heading and show the newest sources.
  const lines =
    all.length <= rows ? all : [...all.slice(0, 2), ...all.slice(all.length - Math.max(0, rows - 2))];
  return (
    <Frame
      width={width}
      height={height}
      title={`eksdoctor · ${target}`}
      hints={failure ? 'esc back to the form' : 'esc cancel · ctrl+c quit'}
      message={status.message}
    >
      <StyledLines lines={lines} />
    </Frame>
  );
}
