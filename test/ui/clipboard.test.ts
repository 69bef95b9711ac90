import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { clipboardTools, copyText, osc52, runClipboardTool, whichOnPath } from '../../src/ui/clipboard.js';

const dir = mkdtempSync(join(tmpdir(), 'eksdoctor-clip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('osc52', () => {
  it('carries the text base64-encoded for the clipboard selection', () => {
    const seq = osc52('aws eks list-clusters --region ap-northeast-2');
    expect(seq.startsWith('\x1b]52;c;')).toBe(true);
    expect(seq.endsWith('\x07')).toBe(true);
    expect(Buffer.from(seq.slice(7, -1), 'base64').toString('utf8')).toBe(
      'aws eks list-clusters --region ap-northeast-2',
    );
  });
});

describe('clipboardTools', () => {
  it.each<[string, NodeJS.Platform, NodeJS.ProcessEnv, string[]]>([
    ['macOS', 'darwin', {}, ['pbcopy']],
    [
      'Wayland first, then X11',
      'linux',
      { WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' },
      ['wl-copy', 'xclip', 'xsel'],
    ],
    ['X11', 'linux', { DISPLAY: ':0' }, ['xclip', 'xsel']],
    ['a headless box over SSH', 'linux', {}, []],
  ])('%s', (_name, platform, env, tools) => {
    expect(clipboardTools(platform, env).map(([tool]) => tool)).toEqual(tools);
  });
});

describe('copyText', () => {
  it.each([
    ['a working tool', true, 'Copied with OSC 52 and xclip'],
    ['a failing tool', false, 'Copied with OSC 52 (the terminal clipboard; no clipboard tool found)'],
  ])('always writes OSC 52, then tries the tool: %s', async (_name, toolWorks, message) => {
    const writeTerminal = vi.fn();
    const runTool = vi.fn(async () => toolWorks);
    const result = await copyText('kubectl auth whoami', {
      writeTerminal,
      env: { DISPLAY: ':0' },
      platform: 'linux',
      runTool,
      which: (tool) => (tool === 'xclip' ? '/usr/bin/xclip' : undefined),
    });
    expect(writeTerminal).toHaveBeenCalledWith(osc52('kubectl auth whoami'));
    expect(runTool).toHaveBeenCalledWith(
      '/usr/bin/xclip',
      ['-selection', 'clipboard'],
      'kubectl auth whoami',
    );
    expect(result).toBe(message);
  });
});

describe('clipboard tools on disk', () => {
  const tool = join(dir, 'fake-copy');
  const out = join(dir, 'copied.txt');
  writeFileSync(tool, `#!/bin/sh\ncat > '${out}'\n`);
  chmodSync(tool, 0o755);

  it('finds an executable on PATH and nothing that is missing', () => {
    expect(whichOnPath('fake-copy', { PATH: `/nonexistent:${dir}` })).toBe(tool);
    expect(whichOnPath('no-such-tool', { PATH: dir })).toBeUndefined();
  });

  it('feeds the text to the tool on its standard input', async () => {
    await expect(runClipboardTool(tool, [], 'aws eks describe-cluster --name prod')).resolves.toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('aws eks describe-cluster --name prod');
  });

  it('reports a tool that cannot start', async () => {
    await expect(runClipboardTool(join(dir, 'missing'), [], 'x')).resolves.toBe(false);
  });
});
