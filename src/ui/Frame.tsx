import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { truncate } from './text.js';
import { useTheme } from './theme.js';

type Props = {
  readonly width: number;
  readonly height: number;
  /** Left side of the title bar, e.g. "eksdoctor · platform-prod (ap-northeast-2)". */
  readonly title: string;
  /** Key hints on the bottom row. */
  readonly hints: string;
  /** A one-line message about the last action ("Copied …", "Wrote …"); replaces the hints while shown. */
  readonly message?: string | undefined;
  readonly children: ReactNode;
};

/** The fixed frame of every screen: a title row, the body, and a row of key hints or the last message. */
export default function Frame({ width, height, title, hints, message, children }: Props) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold inverse wrap="truncate-end">
        {truncate(` ${title}`, width).padEnd(width)}
      </Text>
      <Box flexDirection="column" height={Math.max(0, height - 2)} overflow="hidden">
        {children}
      </Box>
      {message ? (
        <Text wrap="truncate-end" bold {...(theme.color ? { color: 'cyan' } : {})}>
          {truncate(message, width)}
        </Text>
      ) : (
        <Text wrap="truncate-end" dimColor>
          {truncate(hints, width)}
        </Text>
      )}
    </Box>
  );
}

/** Rows available to a screen's body inside the frame. */
export function bodyHeight(height: number): number {
  return Math.max(0, height - 2);
}
