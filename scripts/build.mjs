// Builds the library (tsc: JS + .d.ts for `import ... from 'eksdoctor'`) and the CLI bundle (esbuild, split so
// that the AWS SDK, the Kubernetes client and Ink are only parsed on the paths that use them).
import { execFileSync } from 'node:child_process';
import { rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const onlyBundle = process.argv.includes('--bundle-only');

rmSync('dist/bin', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });

if (!onlyBundle) {
  rmSync('dist/lib', { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}

await build({
  entryPoints: { eksdoctor: 'src/cli/bin.ts' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  legalComments: 'none',
  // Bundled CommonJS dependencies (commander, yaml, the AWS SDK) call require(); give ESM one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  // Ink imports react-devtools-core only when DEV is set; it is not installed, so stub it.
  alias: { 'react-devtools-core': './scripts/react-devtools-stub.mjs' },
  logLevel: 'warning',
});
writeFileSync('dist/cli.mjs', "#!/usr/bin/env node\nimport './bin/eksdoctor.mjs';\n", { mode: 0o755 });
