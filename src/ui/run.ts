/**
 * `eksdoctor` and `eksdoctor --demo` on a terminal (DESIGN §2). The CLI calls this only when stdin and stdout are
 * TTYs and CI is unset (Ink draws only the last frame under CI, anchors §5.2).
 */

export interface RunOptions {
  demo: boolean;
  env: NodeJS.ProcessEnv;
}

/** Runs the app until the user quits; resolves to the exit code (0 on a normal quit, 130 after Ctrl-C). */
export async function runApp(options: RunOptions): Promise<number> {
  // React picks its build when first loaded. The development build records every render in the Performance
  // timeline (React 19), which made each keypress take 0.3–1 s to show in a real terminal; so React and Ink load
  // only after this, from mount.tsx.
  process.env.NODE_ENV ??= 'production';
  const { mountApp } = await import('./mount.js');
  return mountApp(options);
}
