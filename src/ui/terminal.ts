/**
 * The app draws on the terminal's alternate screen, so quitting (q, Esc, Ctrl-C, even a crash) gives back the
 * shell exactly as it was, with the cursor visible.
 */
export const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
export const LEAVE_ALT_SCREEN = '\x1b[?1049l';
export const SHOW_CURSOR = '\x1b[?25h';

export interface TerminalSession {
  /** Leaves the alternate screen and shows the cursor; safe to call more than once. */
  restore: () => void;
}

export function enterAppScreen(stream: NodeJS.WriteStream): TerminalSession {
  stream.write(ENTER_ALT_SCREEN);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.off('exit', restore);
    stream.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
  // Last line of defence: an uncaught error or process.exit elsewhere must not leave the screen switched.
  process.on('exit', restore);
  return { restore };
}
