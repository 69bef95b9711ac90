import { useEffect, useState } from 'react';
import Frame, { bodyHeight } from './Frame.js';
import StyledLines from './StyledLines.js';
import { BLANK, line, scrollTo, span, windowOf, type Line } from './lines.js';
import type { ClusterList, ClusterQuery } from './services.js';
import { useKeys } from './keys.js';
import { useStatus } from './status.js';
import { wrap } from './text.js';
import { useLatestState } from './use-latest-state.js';

type Props = {
  readonly width: number;
  readonly height: number;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly list: (query: ClusterQuery) => Promise<ClusterList>;
  readonly onPick: (cluster: string, region: string) => void;
  readonly onCancel: () => void;
};

type State = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready'; list: ClusterList };

/** eks:ListClusters in the form's region and profile; arrows and Enter pick one, Esc goes back. */
export default function ClusterPicker({ width, height, region, profile, list, onPick, onCancel }: Props) {
  const status = useStatus();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [view, setView, latest] = useLatestState({ selected: 0, offset: 0 });

  useEffect(() => {
    const controller = new AbortController();
    list({ region, profile, signal: controller.signal }).then(
      (result) => !controller.signal.aborted && setState({ kind: 'ready', list: result }),
      (error: unknown) =>
        !controller.signal.aborted &&
        setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => controller.abort();
  }, [list, region, profile]);

  const clusters = state.kind === 'ready' ? state.list.clusters : [];
  const rows = Math.max(1, bodyHeight(height) - 2);
  const move = (delta: number) =>
    setView((v) => {
      const n = Math.max(0, Math.min(clusters.length - 1, v.selected + delta));
      return { selected: n, offset: scrollTo(v.offset, n, n, rows, clusters.length) };
    });
  useKeys((input, key) => {
    if (key.escape || input === 'q') return onCancel();
    if (state.kind !== 'ready') return;
    if (key.upArrow) move(-1);
    if (key.downArrow) move(1);
    if (key.pageUp) move(-rows);
    if (key.pageDown) move(rows);
    const picked = clusters[latest.current.selected];
    if (key.return && picked) onPick(picked, state.list.region);
  });
  const { selected, offset } = view;

  const where = `${region || 'the default region'}${profile ? `, profile ${profile}` : ''}`;
  let lines: Line[];
  if (state.kind === 'loading') lines = [line(` Listing EKS clusters in ${where}…`)];
  else if (state.kind === 'failed') {
    lines = [
      line(' Could not list clusters:', { tone: 'fail', bold: true }),
      ...wrap(state.message, width - 1).map((t) => line(` ${t}`)),
    ];
  } else if (!clusters.length) lines = [line(` No EKS clusters in ${state.list.region}.`)];
  else {
    lines = [
      line(` ${clusters.length} cluster${clusters.length === 1 ? '' : 's'} in ${state.list.region}:`, {
        bold: true,
      }),
      BLANK,
      ...windowOf(clusters, offset, rows).map((name, i) => {
        const isSelected = offset + i === selected;
        return [span(isSelected ? ' › ' : '   ', { bold: true }), span(name, { inverse: isSelected })];
      }),
    ];
  }
  return (
    <Frame
      width={width}
      height={height}
      title="eksdoctor · pick a cluster"
      hints="↑↓ move · enter pick · esc back"
      message={status.message}
    >
      <StyledLines lines={lines} />
    </Frame>
  );
}
