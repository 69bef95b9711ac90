/** The terminal's size, updated on resize. Tests pass a fixed size instead. */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface ScreenSize {
  columns: number;
  rows: number;
}

export function useScreenSize(fixed?: ScreenSize): ScreenSize {
  const { stdout } = useStdout();
  const read = (): ScreenSize => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState<ScreenSize>(fixed ?? read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => {
      const next = read();
      setSize((prev) => (prev.columns === next.columns && prev.rows === next.rows ? prev : next));
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return fixed ?? size;
}
