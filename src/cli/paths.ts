/** Locates files shipped with the package (samples, rule docs) from the bundle or the compiled library alike. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'eksdoctor') {
          return (cached = dir);
        }
      } catch {
        // keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the eksdoctor package root');
    dir = parent;
  }
}

export const SEED_SAMPLE = 'samples/seed-metrics-api-empty-username.json';

export function seedSamplePath(): string {
  return join(packageRoot(), SEED_SAMPLE);
}
