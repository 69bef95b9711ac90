/**
 * Copying a command: first the OSC 52 escape (the terminal itself sets the clipboard; works over SSH and in tmux
 * with set-clipboard on), then a clipboard tool when one is installed. Neither is required; the message says what
 * was tried so the user knows whether to paste.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ClipboardDeps {
  /** Writes raw bytes to the terminal (outside Ink's frame: OSC 52 moves no cursor). */
  writeTerminal: (data: string) => void;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Runs a tool with `text` on its standard input; resolves true when it exited 0. */
  runTool?: (command: string, args: string[], text: string) => Promise<boolean>;
  /** Finds an executable on PATH. */
  which?: (command: string, env: NodeJS.ProcessEnv) => string | undefined;
}

export function osc52(text: string): string {
  return `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
}

/** Clipboard tools in the order worth trying on this platform and session. */
export function clipboardTools(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Array<[string, string[]]> {
  if (platform === 'darwin') return [['pbcopy', []]];
  if (platform === 'win32') return [['clip', []]];
  const tools: Array<[string, string[]]> = [];
  if (env.WAYLAND_DISPLAY) tools.push(['wl-copy', []]);
  if (env.DISPLAY) tools.push(['xclip', ['-selection', 'clipboard']], ['xsel', ['--clipboard', '--input']]);
  return tools;
}

export function whichOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Feeds `text` to a clipboard tool. xclip and wl-copy keep a child serving the selection, so do not wait long. */
export function runClipboardTool(command: string, args: string[], text: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    const timer = setTimeout(() => {
      child.unref();
      resolve(true);
    }, 1500);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(text);
  });
}

/** Copies `text`; returns the message to show, e.g. "Copied with OSC 52 and wl-copy". */
export async function copyText(text: string, deps: ClipboardDeps): Promise<string> {
  deps.writeTerminal(osc52(text));
  const which = deps.which ?? whichOnPath;
  const run = deps.runTool ?? runClipboardTool;
  for (const [tool, args] of clipboardTools(deps.platform, deps.env)) {
    const path = which(tool, deps.env);
    if (path && (await run(path, args, text))) return `Copied with OSC 52 and ${tool}`;
  }
  return 'Copied with OSC 52 (the terminal clipboard; no clipboard tool found)';
}
