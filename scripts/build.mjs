// Builds the library (tsc: JS + .d.ts for `import ... from 'eksdoctor'`) and the CLI (esbuild).
//
// The CLI is two bundles (DESIGN §7 Fast, research/anchors.md §5):
// - dist/bin/core.cjs: everything `explain`, `parse`, `rules` and the start of every other command need, in one
//   CommonJS file. One file means one read and no ESM linking; CommonJS means Node 20 can keep its compiled code
//   between runs (V8 code cache, see ENTRY below).
// - dist/bin/esm/: the heavy parts (AWS SDK, Kubernetes client, Ink and React), as ESM split into chunks, loaded by
//   `import()` only by the commands that use them. Which modules go there is computed, not listed: every target of
//   a dynamic `import()` whose static imports reach a dependency other than LIGHT_PACKAGES.
// dist/cli.mjs (the bin) loads core.cjs and lends it `import()` for the ESM side.
//
// Flags: --bundle-only (skip tsc), --outdir DIR (default dist; the benchmark builds a private copy),
// --metafile FILE (esbuild metafiles of both bundles, for the benchmark's size figures), --no-minify (to profile).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { basename, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const outdir = flag('--outdir') ?? 'dist';
const metafilePath = flag('--metafile');

/** Dependencies cheap enough to load on every start; anything else is loaded on demand from the ESM side. */
const LIGHT_PACKAGES = new Set(['commander', 'yaml', 'chalk']);
const BIN_SOURCE = 'src/cli/bin.ts';

mkdirSync(outdir, { recursive: true });
if (!argv.includes('--bundle-only')) {
  rmSync(join(outdir, 'lib'), { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(outdir, 'lib')],
    { stdio: 'inherit' },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The core's entry is src/cli/bin.ts run inside an async function (CommonJS has no top-level await).
const binSource = readFileSync(BIN_SOURCE, 'utf8');
if (/^\s*(import|export)\s/m.test(binSource)) {
  throw new Error(
    `${BIN_SOURCE} has static imports or exports; scripts/build.mjs wraps it in a function and cannot`,
  );
}
const coreEntry = {
  contents: `void (async () => {\n${binSource}\n})();\n`,
  resolveDir: resolve('src/cli'),
  sourcefile: 'bin.ts',
  loader: 'ts',
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: !argv.includes('--no-minify'),
  legalComments: 'none',
  logLevel: 'warning',
  // Ink imports react-devtools-core only when DEV is set; it is not installed, so stub it.
  alias: { 'react-devtools-core': './scripts/react-devtools-stub.mjs' },
};

const builtins = new Set(builtinModules);
const packageOf = (file) =>
  /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file)?.[1]?.replace('\\', '/');

/** Commander's child_process serves only executable subcommands (eksdoctor has none): load it on first use. */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      packageOf(args.importer) === 'commander'
        ? { path: 'child_process', namespace: 'lazy-builtin' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents:
        `let loaded;\nconst load = () => (loaded ??= require(${JSON.stringify(`node:${args.path}`)}));\n` +
        'module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });',
      loader: 'js',
    }));
  },
};

/** In ESM output, take built-ins with `process.getBuiltinModule` (Node ≥ 20.16): an ESM import of a built-in
 *  builds a facade that reads every export, and reading `process.report` or `fs.promises` loads more of Node. */
const builtinsWithoutFacades = {
  name: 'builtins-without-facades',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      return builtins.has(name) && args.kind === 'import-statement'
        ? { path: name, namespace: 'builtin' }
        : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Which dynamic imports lead to heavy code: a quick bundle of the project's own files (packages left external),
// then its import graph.
const trial = await build({
  ...common,
  stdin: coreEntry,
  format: 'esm',
  packages: 'external',
  write: false,
  metafile: true,
  minify: false,
  logLevel: 'error',
  outfile: 'trial.mjs',
});
const inputs = trial.metafile.inputs;
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const isHeavyPackage = (specifier) => {
  const name = packageName(specifier.replace(/^node:/, ''));
  return !builtins.has(name) && !specifier.startsWith('node:') && !LIGHT_PACKAGES.has(name);
};
/** Project files reached by static imports from `start`, and the packages they import statically. */
const staticClosure = (start) => {
  const files = new Set();
  const packages = new Set();
  const pending = [start];
  while (pending.length) {
    const file = pending.pop();
    if (files.has(file) || !inputs[file]) continue;
    files.add(file);
    for (const i of inputs[file].imports) {
      if (i.kind === 'dynamic-import') continue;
      if (i.external) packages.add(i.path);
      else pending.push(i.path);
    }
  }
  return { files, packages };
};
/** A dynamic import is heavy when it is a heavy package, or when its static imports reach one. */
const isHeavyTarget = (i) =>
  i.external ? isHeavyPackage(i.path) : [...staticClosure(i.path).packages].some(isHeavyPackage);
// What the core keeps: the entry's static closure, plus the dynamic targets that are not heavy, transitively.
const coreFiles = new Set();
const corePackages = new Set();
const esmEntries = new Map(); // project file or package specifier → entry name on the ESM side
const visitCore = (start) => {
  const { files, packages } = staticClosure(start);
  packages.forEach((p) => corePackages.add(p));
  for (const file of files) {
    if (coreFiles.has(file)) continue;
    coreFiles.add(file);
    for (const i of inputs[file].imports) {
      if (i.kind !== 'dynamic-import') continue;
      if (isHeavyTarget(i)) {
        const name = (i.external ? i.path : i.path.replace(/^src\//, '').replace(/\.[jt]sx?$/, ''))
          .replace(/[^a-zA-Z0-9]+/g, '-')
          .replace(/^-|-$/g, '');
        esmEntries.set(i.path, name);
      } else if (!i.external) {
        visitCore(i.path);
      }
    }
  }
};
visitCore(Object.keys(inputs).find((f) => f.endsWith('bin.ts') && !f.includes('node_modules')) ?? '<stdin>');
const strayHeavy = [...corePackages].filter(isHeavyPackage).map(packageName);
if (strayHeavy.length) {
  console.warn(
    `build: the CLI core loads ${[...new Set(strayHeavy)].join(', ')} on every start (statically imported); ` +
      'import it with `await import()` where it is used, or add it to LIGHT_PACKAGES in scripts/build.mjs.',
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Build both into a staging folder and swap it in at the end, so a test run reading dist/bin never sees it
// half-written.
const binDir = join(outdir, 'bin');
const staging = join(outdir, `.bin-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
const BRIDGE = '__eksdoctorImport';

const esm = await build({
  ...common,
  entryPoints: Object.fromEntries([...esmEntries].map(([file, name]) => [name, file])),
  outdir: join(staging, 'esm'),
  splitting: true,
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  // Bundled CommonJS dependencies (the AWS SDK, parts of Ink) call require(); give ESM one.
  banner: { js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);" },
  plugins: [builtinsWithoutFacades],
});

const core = await build({
  ...common,
  stdin: coreEntry,
  outfile: join(staging, 'core.cjs'),
  format: 'cjs',
  metafile: true,
  define: { 'import.meta.url': '__eksdoctorUrl' },
  banner: { js: "const __eksdoctorUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [
    lazyChildProcess,
    {
      name: 'heavy-to-esm',
      setup(b) {
        b.onResolve({ filter: /.*/ }, async (args) => {
          if (args.kind !== 'dynamic-import' || args.pluginData?.inner) return undefined;
          if (esmEntries.has(args.path))
            return { path: `./esm/${esmEntries.get(args.path)}.mjs`, external: true };
          const resolved = await b.resolve(args.path, {
            kind: args.kind,
            importer: args.importer,
            resolveDir: args.resolveDir,
            pluginData: { inner: true },
          });
          const name = esmEntries.get(relative(process.cwd(), resolved.path).split('\\').join('/'));
          return name ? { path: `./esm/${name}.mjs`, external: true } : undefined;
        });
      },
    },
  ],
});

// The core runs as a vm.Script on Node 20 (for the code cache), where `import()` would need an experimental
// loader option; it calls the bin's `import()` instead (ENTRY defines it).
const corePath = join(staging, 'core.cjs');
let coreText = readFileSync(corePath, 'utf8');
const bridged = new Set();
coreText = coreText.replace(/\bimport\((["'])(\.\/esm\/[\w-]+\.mjs)\1\)/g, (_, quote, spec) => {
  bridged.add(spec);
  return `globalThis[Symbol.for(${JSON.stringify(BRIDGE)})](${quote}${spec}${quote})`;
});
// `await import('node:http')` of a built-in: the same module, with the `default` an ESM import would add.
coreText = coreText.replace(/\bimport\((["'])(node:[a-z_/]+)\1\)/g, (_, quote, spec) => {
  return `Promise.resolve().then(()=>{const m=require(${quote}${spec}${quote});return{...m,default:m}})`;
});
// Pure ASCII (esbuild leaves non-ASCII in regular expression literals): one such character would make V8 hold
// the whole source as a two-byte string, slower to read and to scan; the bin reads the file as latin1.
coreText = coreText.replace(
  /[^\t\n\r\x20-\x7e]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
);
const unbridged = coreText.match(/(?<![\w$.])import\(\s*[^)\s]{0,60}/g);
if (bridged.size !== esmEntries.size || unbridged) {
  throw new Error(
    `build: core.cjs reaches ${bridged.size} of ${esmEntries.size} ESM entries, unbridged: ${unbridged?.join(' | ')}`,
  );
}
writeFileSync(corePath, coreText);

rmSync(binDir, { recursive: true, force: true });
renameSync(staging, binDir);
if (metafilePath) {
  const rename = (metafile) =>
    Object.fromEntries(
      Object.entries(metafile.outputs).map(([file, output]) => [
        file.replace(staging, binDir),
        { ...output, imports: output.imports.map((i) => ({ ...i, path: i.path.replace(staging, binDir) })) },
      ]),
    );
  writeFileSync(
    metafilePath,
    JSON.stringify({ core: { outputs: rename(core.metafile) }, esm: { outputs: rename(esm.metafile) } }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The bin. On Node >= 22.1, Node's own compile cache keeps compiled code between runs. On Node 20 the same is done
// here with a V8 code cache of core.cjs: a per-user folder in the temp directory (mode 0700, used only when it is
// ours and private), one file per command and V8 version, written once after a run, rejected by V8 itself if the
// bundle changed. NODE_DISABLE_COMPILE_CACHE=1 turns both off.
const ENTRY = `#!/usr/bin/env node
// eksdoctor's executable: loads bin/core.cjs (see scripts/build.mjs, which writes this file).
if (typeof process.getBuiltinModule !== 'function') {
  process.stderr.write(\`eksdoctor: needs Node.js ^20.19, ^22.12 or >= 24 (this is \${process.version})\\n\`);
  process.exit(4);
}
const Module = process.getBuiltinModule('node:module');
const { fileURLToPath } = process.getBuiltinModule('node:url');
const coreUrl = new URL('./bin/core.cjs', import.meta.url);
const core = fileURLToPath(coreUrl);
globalThis[Symbol.for('${BRIDGE}')] = (specifier) => import(new URL(specifier, coreUrl).href);
const cacheOff = Boolean(process.env.NODE_DISABLE_COMPILE_CACHE);
if (typeof Module.enableCompileCache === 'function' || cacheOff) {
  if (!cacheOff) Module.enableCompileCache();
  Module.createRequire(core)(core);
} else {
  runWithCodeCache(core);
}

function runWithCodeCache(file) {
  const fs = process.getBuiltinModule('node:fs');
  const path = process.getBuiltinModule('node:path');
  const vm = process.getBuiltinModule('node:vm');
  const source = fs.readFileSync(file, 'latin1'); // the build makes it ASCII (faster than utf8 decoding)
  let cacheFile;
  let cachedData;
  try {
    const dir = path.join(process.getBuiltinModule('node:os').tmpdir(), \`eksdoctor-code-cache-\${process.getuid?.() ?? 'user'}\`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir); // a symlink planted in the shared temp folder is not ours
    const ours = stat.isDirectory() && (process.getuid === undefined || (stat.uid === process.getuid() && (stat.mode & 0o077) === 0));
    if (ours) {
      let key = 0x811c9dc5; // FNV-1a of the bundle's path: one cache per installation
      for (let i = 0; i < file.length; i++) key = Math.imul(key ^ file.charCodeAt(i), 0x01000193) >>> 0;
      const word = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? '';
      const command = ['explain', 'parse', 'rules', 'collect', 'redact'].includes(word) ? word : 'other';
      cacheFile = path.join(dir, \`\${key.toString(16)}-\${process.versions.v8}-\${command}.bin\`);
      if (fs.existsSync(cacheFile)) cachedData = fs.readFileSync(cacheFile);
    }
  } catch {
    cacheFile = undefined; // no cache today; the command runs all the same
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        const temporary = \`\${cacheFile}.\${process.pid}\`;
        fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(temporary, cacheFile);
      } catch {
        // a cache that cannot be written is only a slower next start
      }
    });
  }
}
`;
writeFileSync(join(outdir, 'cli.mjs'), ENTRY, { mode: 0o755 });
if (!existsSync(join(binDir, 'core.cjs'))) throw new Error('build produced no bin/core.cjs');
console.log(
  `build: ${outdir}/cli.mjs → bin/core.cjs (${(coreText.length / 1024).toFixed(0)} KB); ` +
    `on demand: ${[...esmEntries.values()].map((n) => basename(n)).join(', ')}`,
);
