/**
 * End to end: the built CLI (`node dist/cli.mjs --demo`) in a real pseudo-terminal. tmux gives the terminal
 * (100×32, then resized), sends the keys and reads the screen; its clipboard buffer receives the OSC 52 copy.
 * A private tmux server (its own socket, no config file) never touches the user's sessions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whichOnPath } from '../../src/ui/clipboard.js';
import { seedReport } from './harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli.mjs');
const TMUX = whichOnPath('tmux', process.env) ?? (existsSync('/usr/bin/tmux') ? '/usr/bin/tmux' : undefined);
const MISSING = TMUX ? undefined : 'tmux is not installed (not on PATH, not /usr/bin/tmux)';
if (MISSING && process.env.CI) throw new Error(`the end-to-end test needs tmux in CI: ${MISSING}`);
if (MISSING) console.warn(`skipping the terminal end-to-end test: ${MISSING}`);

/** The app's working directory (where `j` writes) and the home of the private tmux socket. */
let work = '';
let socket = '';
const seed = seedReport();
const firstCommand = seed.findings[0]!.fixes[0]!.commands[0]!.text;

function tmux(...args: string[]): string {
  return execFileSync(TMUX!, ['-S', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
}

/** The visible rows of a pane, one string per row. */
function screen(target: string, escapes = false): string {
  return tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', target).replace(/\n$/, '');
}

async function waitForScreen(
  target: string,
  predicate: (text: string) => boolean,
  what: string,
): Promise<string> {
  const deadline = Date.now() + 15_000;
  let last = '';
  while (Date.now() < deadline) {
    last = screen(target);
    if (predicate(last)) return last;
    // The app ended early (a crash prints its error above the exit code): no point in waiting.
    if (last.includes('EXIT:')) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${what} on the screen, which was:\n${last}`);
}

/** Starts the demo in a new tmux session; the shell prints the exit code when the app ends. */
function startDemo(name: string, env: string[] = []): void {
  const command = [
    'env -u CI -u DISPLAY -u WAYLAND_DISPLAY -u NO_COLOR -u FORCE_COLOR TERM=xterm-256color',
    ...env,
    `'${process.execPath}' '${BIN}' --demo; echo "EXIT:$?"; sleep 600`,
  ].join(' ');
  tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '32', '-c', work, command);
}

describe.skipIf(Boolean(MISSING))(
  `eksdoctor --demo in a real terminal${MISSING ? ` (skipped: ${MISSING})` : ''}`,
  () => {
    beforeAll(() => {
      work = mkdtempSync(join(tmpdir(), 'eksdoctor-e2e-'));
      socket = join(work, 'tmux.sock');
      // vitest's globalSetup builds the bundle unless EKSDOCTOR_SKIP_BUILD=1; make sure it exists either way.
      if (!existsSync(BIN)) {
        execFileSync(process.execPath, ['scripts/build.mjs', '--bundle-only'], {
          cwd: ROOT,
          stdio: 'inherit',
        });
      }
      tmux(
        'start-server',
        ';',
        'set-option',
        '-g',
        'set-clipboard',
        'on',
        ';',
        'set-option',
        '-g',
        'exit-empty',
        'off',
      );
    });
    afterAll(() => {
      spawnSync(TMUX!, ['-S', socket, 'kill-server']);
      rmSync(work, { recursive: true, force: true });
    });

    it(
      'shows the verdict, opens a finding, copies its fix, writes a report and quits cleanly',
      { timeout: 90_000 },
      async () => {
        startDemo('demo');
        const verdict = await waitForScreen(
          'demo',
          (s) => s.includes('401 UNAUTHORIZED') && s.includes('q quit'),
          'the verdict',
        );
        for (const stage of [
          'client',
          'token',
          'STS',
          'mapping',
          'identity',
          'authorization',
          'aggregation',
        ]) {
          expect(verdict).toMatch(new RegExp(`[┌├└] [✓✗·?] ${stage}`));
        }
        expect(verdict).toMatch(/▶ └ ✗ aggregation/);

        tmux('send-keys', '-t', 'demo', 'Down');
        tmux('send-keys', '-t', 'demo', 'Enter');
        const detail = await waitForScreen('demo', (s) => s.includes('finding 1 of 1'), 'the finding');
        expect(detail).toContain('Fix A: ');
        expect(detail).toContain(`› $ ${firstCommand.slice(0, 60)}`);

        tmux('send-keys', '-t', 'demo', 'c');
        await waitForScreen('demo', (s) => s.includes('Copied with OSC 52'), 'the copy message');
        // tmux (set-clipboard on) keeps what the OSC 52 sequence carried in its paste buffer.
        expect(tmux('show-buffer')).toBe(firstCommand);

        tmux('send-keys', '-t', 'demo', 'j');
        await waitForScreen('demo', (s) => s.includes('Wrote the JSON report to'), 'the saved message');
        expect(JSON.parse(readFileSync(join(work, 'eksdoctor-report.json'), 'utf8'))).toMatchObject({
          schemaVersion: 1,
          verdict: { outcome: 'unauthenticated' },
        });

        tmux('send-keys', '-t', 'demo', 'q');
        await waitForScreen(
          'demo',
          (s) => s.includes('401 UNAUTHORIZED') && s.includes('q quit'),
          'the verdict again',
        );
        tmux('send-keys', '-t', 'demo', 'q');
        const after = await waitForScreen('demo', (s) => s.includes('EXIT:'), 'the exit code');
        expect(after.trim()).toBe('EXIT:0');
        // Off the alternate screen, cursor visible: the terminal is as it was.
        expect(tmux('display-message', '-p', '-t', 'demo', '#{alternate_on} #{cursor_flag}').trim()).toBe(
          '0 1',
        );
        expect(readdirSync(work).filter((f) => f.startsWith('eksdoctor-report'))).toEqual([
          'eksdoctor-report.json',
        ]);
      },
    );

    it('follows a resize to 80×24 and honours NO_COLOR', { timeout: 90_000 }, async () => {
      startDemo('small', ['NO_COLOR=1']);
      await waitForScreen('small', (s) => s.includes('401 UNAUTHORIZED'), 'the verdict');
      const colourless = screen('small', true);
      // An SGR sequence (ESC [ p;p;… m) with one parameter matching `param`.
      const sgr = (param: string) =>
        new RegExp(`${String.fromCharCode(27)}\\[(?:[0-9]*;)*(?:${param})(?:;[0-9]*)*m`);
      expect(colourless).not.toMatch(sgr('(3[0-7]|9[0-7]|38;[25])'));
      // Reverse video (not a colour) still marks the title bar, the failing stage and the selection.
      expect(colourless).toMatch(sgr('7'));

      tmux('resize-window', '-t', 'small', '-x', '80', '-y', '24');
      const small = await waitForScreen(
        'small',
        (s) => s.split('\n').length <= 24 && /› 1\. error/.test(s) && /^ eksdoctor --demo/.test(s),
        'the verdict redrawn at 80×24',
      );
      const rows = small.split('\n');
      expect(rows.every((r) => [...r].length <= 80)).toBe(true);
      expect(rows.findIndex((r) => r.includes('q quit'))).toBe(22);

      tmux('send-keys', '-t', 'small', 'C-c');
      const after = await waitForScreen('small', (s) => s.includes('EXIT:'), 'the exit code');
      expect(after.trim()).toBe('EXIT:130');
      expect(tmux('display-message', '-p', '-t', 'small', '#{alternate_on} #{cursor_flag}').trim()).toBe(
        '0 1',
      );
    });
  },
);
