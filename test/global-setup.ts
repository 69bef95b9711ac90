import { execFileSync } from 'node:child_process';

/** The CLI and library tests run the real build (bundle and compiled library); build once per run. */
export default function setup(): void {
  if (process.env.EKSDOCTOR_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
