/**
 * The bin written by scripts/build.mjs: on Node 20 it keeps a V8 code cache of the CLI core in a private per-user
 * folder of the temp directory. The cache must never change what the CLI prints, must live only where nobody else
 * can write, and must be off with NODE_DISABLE_COMPILE_CACHE. (Node >= 22.1 uses its own cache instead.)
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

const SEED = 'samples/seed-metrics-api-empty-username.json';
const ownCache = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache !== 'function';
const uid = process.getuid?.() ?? 'user';
const temps: string[] = [];

function freshTmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eksdoctor-cache-test-'));
  temps.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const explain = (tmp: string, env: NodeJS.ProcessEnv = {}) =>
  runCli(['explain', '--snapshot', SEED], { env: { TMPDIR: tmp, TMP: tmp, TEMP: tmp, ...env } });

describe('the bin', () => {
  it('lends the core import() only for files that exist on the ESM side', () => {
    const core = readFileSync(join(ROOT, 'dist', 'bin', 'core.cjs'), 'utf8');
    const targets = [
      ...core.matchAll(/Symbol\.for\("__eksdoctorImport"\)\]\("(\.\/esm\/[\w-]+\.mjs)"\)/g),
    ].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of new Set(targets)) {
      expect(existsSync(join(ROOT, 'dist', 'bin', target as string)), target).toBe(true);
    }
    expect(core).not.toMatch(/\bimport\(/);
    // The bin reads core.cjs as latin1 for speed: any byte outside ASCII would be read wrong.
    expect(core).toMatch(/^[\t\n\r\x20-\x7e]*$/);
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.skipIf(!ownCache)(
    'writes one private cache file per command and prints the same with or without it',
    () => {
      const tmp = freshTmp();
      const first = explain(tmp);
      const dir = join(tmp, `eksdoctor-code-cache-${uid}`);
      expect(existsSync(dir)).toBe(true);
      const files = readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/-explain\.bin$/);
      if (process.platform !== 'win32') {
        expect(statSync(dir).mode & 0o777).toBe(0o700);
        expect(statSync(join(dir, files[0] as string)).mode & 0o777).toBe(0o600);
      }
      const second = explain(tmp);
      expect(first.code).toBe(1);
      expect(second).toEqual(first);
      expect(readdirSync(dir)).toEqual(files);
    },
  );

  it.skipIf(!ownCache)('survives a damaged cache file by rewriting it', () => {
    const tmp = freshTmp();
    const clean = explain(tmp);
    const dir = join(tmp, `eksdoctor-code-cache-${uid}`);
    const file = join(dir, readdirSync(dir)[0] as string);
    writeFileSync(file, 'not a code cache');
    expect(explain(tmp)).toEqual(clean);
    expect(statSync(file).size).toBeGreaterThan(1000);
  });

  it('writes nothing with NODE_DISABLE_COMPILE_CACHE=1', () => {
    const tmp = freshTmp();
    const result = explain(tmp, { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(result.code).toBe(1);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it.skipIf(!ownCache || process.platform === 'win32')(
    'ignores a cache folder that others can write to',
    () => {
      const tmp = freshTmp();
      const dir = join(tmp, `eksdoctor-code-cache-${uid}`);
      mkdirSync(dir);
      chmodSync(dir, 0o777);
      const result = explain(tmp);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('empty-username-aggregated-api-401');
      expect(readdirSync(dir)).toEqual([]);
    },
  );
});
