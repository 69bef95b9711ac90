import { Box, Text } from 'ink';
import type { Line } from './lines.js';
import { textProps, useTheme } from './theme.js';

type Props = {
  /** Already windowed to fit; each line is cut at the right edge rather than wrapped. */
  readonly lines: readonly Line[];
  /** Pads with blank rows to this many, so the frame's height stays fixed. */
  readonly height?: number;
};

/** Renders styled lines one terminal row each. */
export default function StyledLines({ lines, height }: Props) {
  const theme = useTheme();
  const rows = height === undefined ? lines : lines.slice(0, height);
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      {rows.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {l.length === 0
            ? ' '
            : l.map((s, j) => (
                <Text key={j} {...textProps(s, theme)}>
                  {s.text}
                </Text>
              ))}
        </Text>
      ))}
    </Box>
  );
}
