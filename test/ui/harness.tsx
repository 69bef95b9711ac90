/** Renders the app with ink-testing-library at a fixed size, colour off, with injected services. */
import { render } from 'ink-testing-library';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';
import { diagnose } from '../../src/engine/diagnose.js';
import { parseSnapshotText } from '../../src/model/load.js';
import type { Report } from '../../src/model/report.js';
import App, { type AppStart } from '../../src/ui/App.js';
import type { AppServices } from '../../src/ui/services.js';
import { ThemeContext } from '../../src/ui/theme.js';
import type { ScreenSize } from '../../src/ui/use-screen-size.js';

export const KEYS = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  pageDown: '\x1b[6~',
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  backspace: '\x7f',
  ctrlC: '\x03',
  ctrlL: '\x0c',
  ctrlU: '\x15',
} as const;

export function seedReport(): Report {
  const file = join(import.meta.dirname, '..', '..', 'samples', 'seed-metrics-api-empty-username.json');
  return diagnose(parseSnapshotText(readFileSync(file, 'utf8'), file));
}

export function fakeServices(overrides: Partial<AppServices> = {}): AppServices {
  return {
    parse: vi.fn(async () => ({})),
    collect: vi.fn(async () => ({ schemaVersion: 1 as const })),
    diagnose: vi.fn(async () => seedReport()),
    listClusters: vi.fn(async () => ({ region: 'us-east-1', clusters: [] })),
    copy: vi.fn(async () => 'Copied with OSC 52'),
    save: vi.fn(async (_report, format) => `/tmp/eksdoctor-report.${format === 'json' ? 'json' : 'md'}`),
    ...overrides,
  };
}

export interface Harness {
  frame: () => string;
  press: (...keys: string[]) => Promise<void>;
  type: (text: string) => Promise<void>;
  /** Waits until the frame satisfies `predicate` (Ink renders input on the next tick). */
  until: (predicate: (frame: string) => boolean, what?: string) => Promise<string>;
  onExit: ReturnType<typeof vi.fn>;
  unmount: () => void;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

export async function renderApp(
  start: AppStart,
  services: AppServices,
  size: ScreenSize = { columns: 100, rows: 32 },
  env: NodeJS.ProcessEnv = {},
): Promise<Harness> {
  const onExit = vi.fn();
  const instance = render(
    <ThemeContext.Provider value={{ color: false }}>
      <App start={start} services={services} env={env} onExit={onExit} size={size} />
    </ThemeContext.Provider>,
  );
  const frame = () => instance.lastFrame() ?? '';
  const until = async (predicate: (f: string) => boolean, what = 'the expected frame') => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (predicate(frame())) return frame();
      await tick();
    }
    if (predicate(frame())) return frame();
    throw new Error(`timed out waiting for ${what}; last frame:\n${frame()}`);
  };
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      instance.stdin.write(key);
      // A lone Esc is held back a tick by Ink (it may start a sequence); wait for it to be delivered.
      await tick();
    }
  };
  // Ink starts reading keys once its input hook has run (a passive effect, some time after the first frame).
  const ready = Date.now() + 5000;
  while (instance.stdin.listenerCount('readable') === 0 && Date.now() < ready) await tick();
  return { frame, press, type: (text) => press(text), until, onExit, unmount: instance.unmount };
}

/** Every row of a frame fits the width and the frame leaves the terminal's last row free. */
export function fits(frame: string, size: ScreenSize): boolean {
  const rows = frame.split('\n');
  return rows.length <= size.rows - 1 && rows.every((r) => [...r].length <= size.columns);
}
