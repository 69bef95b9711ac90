/** Draws the app on the terminal until the user quits (loaded by run.ts once React's mode is settled). */
import { render } from 'ink';
import { seedSamplePath } from '../cli/paths.js';
import { loadSnapshotFile } from '../model/load.js';
import App, { type AppStart } from './App.js';
import { readKubeDefaults } from './kubeconfig.js';
import type { RunOptions } from './run.js';
import { defaultServices } from './services.js';
import { enterAppScreen } from './terminal.js';
import { colorEnabled, ThemeContext } from './theme.js';

export async function mountApp({ demo, env }: RunOptions): Promise<number> {
  const services = defaultServices({
    env,
    cwd: process.cwd(),
    writeTerminal: (data) => void process.stdout.write(data),
  });
  let start: AppStart;
  if (demo) {
    const snapshot = await loadSnapshotFile(seedSamplePath());
    start = {
      kind: 'report',
      report: await services.diagnose(snapshot, {}),
      title: 'eksdoctor --demo · bundled seed sample',
    };
  } else {
    start = { kind: 'form', kube: readKubeDefaults(env) };
  }

  let code = 0;
  const session = enterAppScreen(process.stdout);
  // Raw mode at once: keys typed before Ink starts reading wait in the input buffer instead of being echoed.
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  try {
    const instance = render(
      <ThemeContext.Provider value={{ color: colorEnabled(env) }}>
        <App start={start} services={services} env={env} onExit={(c) => (code = c)} />
      </ThemeContext.Provider>,
      // Ctrl-C is the app's: it aborts collection first. Ink's incrementalRendering (6.8) misplaced rows of the
      // start form in a real terminal, so each frame is redrawn whole, inside a synchronized update where the
      // terminal supports one; frames only change on a key, a progress event or the collection spinner.
      { exitOnCtrlC: false },
    );
    await instance.waitUntilExit();
  } finally {
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    session.restore();
  }
  return code;
}
