// `npm run bench`: the figures of DESIGN §7 (Fast), each against its bar, as a table and then one JSON line.
// It measures; it does not gate: it exits 0 whatever the figures, and says plainly which missed their bar.
//
//   cold start     `--version` and `explain --snapshot <seed>` against `node -e 0`: wall time of fresh processes,
//                  interleaved rounds (the order rotates), median of the per-round ratios
//   large snapshot 3,000 access entries, 3,000 aws-auth mappings, 20,000 RBAC bindings, 100,000 CloudTrail events
//                  (scripts/bench-generate.mjs, ~75 MB, into .bench/): `explain` against a bare `JSON.parse` of the
//                  same file, each in a fresh process; peak RSS of both; the diagnosis must equal the seed's
//   live           collection of the seed scenario from the local fakes in test/support with 100 ms per call:
//                  sequential AWS round trips, wall time, CloudTrail requests per second (scripts/bench-live.mjs)
//   package        `npm pack` holds only what runs; publint --strict; the packed CLI runs on this Node
//
// Options: --runs N (cold-start rounds, default 31), --large-runs N (default 5), --only cold,large,live,package,
// --dist DIR (measure an existing build instead of building a private copy into .bench/dist).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FULL_COUNTS, writeLargeSnapshot } from './bench-generate.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, '.bench');
const SEED = 'samples/seed-metrics-api-empty-username.json';
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const runs = Math.max(15, Number(option('--runs', 31)));
const largeRuns = Math.max(3, Number(option('--large-runs', 5)));
const only = new Set(option('--only', 'cold,large,live,package').split(','));
mkdirSync(BENCH, { recursive: true });
process.chdir(ROOT);

const rows = [];
const figures = {};
const failures = [];
const log = (text) => process.stderr.write(`${text}\n`);

/** One table row; `pass` undefined means an informational figure without a bar. */
function row(section, name, value, bar, pass) {
  rows.push({
    section,
    name,
    value,
    bar: bar ?? '',
    verdict: pass === undefined ? '' : pass ? 'PASS' : 'FAIL',
  });
  if (pass === false) failures.push(`${section}: ${name} = ${value} (bar ${bar})`);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => `${Math.round(value)} ms`;
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;

/** Runs a fresh Node process and times it from spawn to exit (what a user waits for). */
function timed(argv, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw result.error;
  return { wallMs, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI under test: a private build (so a test run rebuilding dist/ meanwhile cannot disturb it), or --dist.
let dist = option('--dist', undefined);
if (!dist && (only.has('cold') || only.has('large'))) {
  dist = join(BENCH, 'dist');
  log('building a private copy of the CLI bundle into .bench/dist ...');
  execFileSync(
    process.execPath,
    ['scripts/build.mjs', '--bundle-only', '--outdir', dist, '--metafile', join(BENCH, 'meta.json')],
    { stdio: 'inherit' },
  );
}
const cli = dist ? join(dist, 'cli.mjs') : undefined;

// ---------------------------------------------------------------------------------------------------------------
function coldStart() {
  const commands = {
    node: ['-e', '0'],
    version: [cli, '--version'],
    explain: [cli, 'explain', '--snapshot', SEED],
    // The same without the compile cache: what the very first run after an install or upgrade costs.
    firstRun: [cli, 'explain', '--snapshot', SEED],
  };
  const envOf = (name) =>
    name === 'firstRun' ? { env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' } } : {};
  // Correctness first: a fast wrong answer is no answer.
  const version = timed(commands.version);
  const explain = timed(commands.explain);
  const versionOk = version.status === 0 && /^\d+\.\d+\.\d+/.test(version.stdout.trim());
  const explainOk = explain.status === 1 && explain.stdout.includes('empty-username-aggregated-api-401');
  log(`cold start: ${runs} interleaved rounds ...`);
  for (let i = 0; i < 3; i++) for (const [name, argv] of Object.entries(commands)) timed(argv, envOf(name)); // caches
  const names = Object.keys(commands);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      times[name].push(timed(commands[name], envOf(name)).wallMs);
    }
  }
  const ratios = (name) => times[name].map((t, i) => t / times.node[i]);
  const result = {
    rounds: runs,
    nodeMs: median(times.node),
    versionMs: median(times.version),
    explainMs: median(times.explain),
    versionRatio: median(ratios('version')),
    explainRatio: median(ratios('explain')),
    firstRunMs: median(times.firstRun),
    firstRunRatio: median(ratios('firstRun')),
    outputsOk: versionOk && explainOk,
  };
  figures.coldStart = result;
  row('cold start', '`node -e 0` (median)', ms(result.nodeMs));
  row('cold start', '`--version` (median)', ms(result.versionMs));
  row('cold start', '`explain --snapshot` seed (median)', ms(result.explainMs));
  row(
    'cold start',
    '`--version` / `node -e 0`',
    `${result.versionRatio.toFixed(2)}×`,
    '≤ 2×',
    result.versionRatio <= 2,
  );
  row(
    'cold start',
    '`explain` / `node -e 0`',
    `${result.explainRatio.toFixed(2)}×`,
    '≤ 2×',
    result.explainRatio <= 2,
  );
  row(
    'cold start',
    '`explain`, compile cache off (first run) / `node -e 0`',
    `${result.firstRunRatio.toFixed(2)}×`,
  );
  row(
    'cold start',
    'outputs (version, exit 1 + rule id)',
    result.outputsOk ? 'as expected' : 'WRONG',
    'correct',
    result.outputsOk,
  );
  const explainPath = explainPathSize();
  if (explainPath) {
    figures.coldStart.explainPath = explainPath;
    row(
      'cold start',
      'code read at every start (bin + core)',
      `${(explainPath.bytes / 1024).toFixed(0)} KB in ${explainPath.files} files`,
    );
  }
}

/** What every start reads: the bin and the CLI core (the ESM side loads only for live collection and the app). */
function explainPathSize() {
  const metaFile = join(BENCH, 'meta.json');
  if (!existsSync(metaFile) || option('--dist', undefined)) return undefined;
  const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  const core = Object.values(meta.core?.outputs ?? {})[0];
  if (!core) return undefined;
  return { files: 2, bytes: core.bytes + readFileSync(cli).length };
}

// ---------------------------------------------------------------------------------------------------------------
/** Writes peak RSS and CPU time of the process it is preloaded into (node -r). */
const HOOK = join(BENCH, 'usage-hook.cjs');
writeFileSync(
  HOOK,
  "process.on('exit', () => { const f = process.env.EKSDOCTOR_BENCH_USAGE; if (!f) return;\n" +
    "  const u = process.resourceUsage(); require('node:fs').writeFileSync(f, JSON.stringify({ maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 })); });\n",
);

function withUsage(argv) {
  const file = join(BENCH, `usage-${process.pid}.json`);
  rmSync(file, { force: true });
  const run = timed(['-r', HOOK, ...argv], { env: { ...process.env, EKSDOCTOR_BENCH_USAGE: file } });
  const usage = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { maxRssKb: NaN, cpuMs: NaN };
  rmSync(file, { force: true });
  return { ...run, ...usage };
}

/** Regenerates the large snapshot when it is missing or the generator changed. */
function largeSnapshot() {
  const file = join(BENCH, 'large-snapshot.json');
  const stamp = join(BENCH, 'large-snapshot.stamp');
  const version = createHash('sha256')
    .update(readFileSync('scripts/bench-generate.mjs'))
    .update(readFileSync(SEED))
    .digest('hex');
  if (!existsSync(file) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== version) {
    log('generating .bench/large-snapshot.json ...');
    writeLargeSnapshot(file, FULL_COUNTS);
    writeFileSync(stamp, version);
  }
  return file;
}

/** What must not change between the seed and the large snapshot: verdict, trace and findings. */
function diagnosisOf(reportJson) {
  const report = JSON.parse(reportJson);
  return {
    verdict: report.verdict,
    trace: report.trace.map((s) => [s.stage, s.result, s.detail]),
    findings: report.findings.map((f) => [f.ruleId, f.severity, f.title]),
  };
}

function large() {
  const file = largeSnapshot();
  const bytes = readFileSync(file).length; // also warms the file cache
  const parse = ['-e', `JSON.parse(require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`];
  const explain = [cli, 'explain', '--snapshot', file, '-o', 'json'];
  log(`large snapshot: ${largeRuns} paired runs of ${(bytes / 1e6).toFixed(0)} MB ...`);
  const seedReport = timed([cli, 'explain', '--snapshot', SEED, '-o', 'json']).stdout;
  const pairs = [];
  let sameDiagnosis = true;
  for (let i = 0; i < largeRuns; i++) {
    const order = i % 2 ? ['explain', 'parse'] : ['parse', 'explain'];
    const pair = {};
    for (const which of order) pair[which] = withUsage(which === 'parse' ? parse : explain);
    if (pair.explain.status !== 1) sameDiagnosis = false;
    else if (i === 0) {
      sameDiagnosis =
        JSON.stringify(diagnosisOf(pair.explain.stdout)) === JSON.stringify(diagnosisOf(seedReport));
    }
    pairs.push(pair);
  }
  const result = {
    bytes,
    counts: FULL_COUNTS,
    runs: largeRuns,
    parseMs: median(pairs.map((p) => p.parse.wallMs)),
    explainMs: median(pairs.map((p) => p.explain.wallMs)),
    ratio: median(pairs.map((p) => p.explain.wallMs / p.parse.wallMs)),
    parseCpuMs: median(pairs.map((p) => p.parse.cpuMs)),
    explainCpuMs: median(pairs.map((p) => p.explain.cpuMs)),
    parsePeakRssKb: median(pairs.map((p) => p.parse.maxRssKb)),
    explainPeakRssKb: median(pairs.map((p) => p.explain.maxRssKb)),
    sameDiagnosis,
  };
  result.rssRatio = result.explainPeakRssKb / result.parsePeakRssKb;
  figures.largeSnapshot = result;
  row('large snapshot', `bare JSON.parse of ${(bytes / 1e6).toFixed(0)} MB (median)`, ms(result.parseMs));
  row('large snapshot', '`explain --snapshot` (median)', ms(result.explainMs));
  row('large snapshot', '`explain` / bare parse', `${result.ratio.toFixed(2)}×`, '≤ 2×', result.ratio <= 2);
  row(
    'large snapshot',
    'CPU time, explain / parse',
    `${(result.explainCpuMs / result.parseCpuMs).toFixed(2)}×`,
  );
  row('large snapshot', 'peak RSS, bare parse', mb(result.parsePeakRssKb));
  row(
    'large snapshot',
    'peak RSS, explain (vs parse)',
    `${mb(result.explainPeakRssKb)} (${result.rssRatio.toFixed(2)}×)`,
    '≤ 2× parse',
    result.rssRatio <= 2,
  );
  row('large snapshot', 'same diagnosis as the seed', sameDiagnosis ? 'yes' : 'NO', 'yes', sameDiagnosis);
}

// ---------------------------------------------------------------------------------------------------------------
async function live() {
  const needed = ['test/support/scenario.ts', 'test/support/request-log.ts', 'src/collect/index.ts'];
  const missing = needed.filter((f) => !existsSync(f));
  if (missing.length) {
    row('live', 'collection against the local fakes', `not measured (missing ${missing.join(', ')})`);
    return;
  }
  const harness = join(BENCH, 'live.mjs');
  const { build } = await import('esbuild');
  await build({
    entryPoints: ['scripts/bench-live.mjs'],
    outfile: harness,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    alias: { 'react-devtools-core': './scripts/react-devtools-stub.mjs' },
    banner: { js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);" },
  });
  const env = {
    ...process.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    BENCH_LATENCY_MS: '100',
  };
  const collect = (cloudTrail, busy = false) => {
    const what = busy ? 'busy account' : `CloudTrail ${cloudTrail ? 'on' : 'off'}`;
    log(`live: collecting the seed scenario (100 ms per call, ${what}) ...`);
    const run = timed([harness], {
      env: { ...env, BENCH_CLOUDTRAIL: cloudTrail ? '1' : '0', BENCH_BUSY: busy ? '1' : '0' },
      cwd: ROOT,
    });
    const line = run.stdout.trim().split('\n').pop() ?? '';
    if (run.status !== 0 || !line.startsWith('{'))
      throw new Error(`live harness failed: ${run.stderr.slice(-800)}`);
    return JSON.parse(line);
  };
  let full;
  let withoutTrail;
  let busy;
  try {
    full = collect(true);
    withoutTrail = collect(false);
    busy = collect(true, true);
  } catch (error) {
    row(
      'live',
      'collection against the local fakes',
      `not measured: ${String(error.message).split('\n')[0]}`,
      'runs',
      false,
    );
    return;
  }
  figures.live = { default: full, withoutCloudTrail: withoutTrail, busyAccount: busy };
  row(
    'live',
    'sequential AWS round trips',
    String(full.sequentialRoundTrips),
    '≤ 4',
    full.sequentialRoundTrips <= 4,
  );
  row(
    'live',
    `wall time, default collection (${full.cloudTrailRequests} LookupEvents)`,
    ms(full.wallMs),
    '< 1000 ms',
    full.wallMs < 1000,
  );
  const maxRate = Math.max(full.cloudTrailMaxPerSecond, busy.cloudTrailMaxPerSecond);
  row(
    'live',
    'CloudTrail requests per second (max, per Region, both runs)',
    String(maxRate),
    '≤ 2',
    maxRate <= 2,
  );
  row(
    'live',
    `wall time, busy account (${busy.cloudTrailRequests} LookupEvents: by source, then by name)`,
    ms(busy.wallMs),
  );
  row('live', 'wall time without CloudTrail', ms(withoutTrail.wallMs));
  row('live', 'first collection in a fresh process (loads SDK + k8s client)', ms(full.coldWallMs));
  row('live', 'AWS / Kubernetes requests', `${full.awsRequests} / ${full.kubernetesRequests}`);
}

// ---------------------------------------------------------------------------------------------------------------
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^dist\/cli\.mjs$/,
  /^dist\/bin\/core\.cjs$/,
  /^dist\/bin\/esm\/.+\.mjs$/,
  /^dist\/lib\/.+\.(js|d\.ts)$/,
  /^rules\/[^/]+\.md$/,
  /^samples\/[^/]+\.json$/,
];

function npm(argv, options = {}) {
  return spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', argv, {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    ...options,
  });
}

function packageChecks() {
  log('package: npm pack (runs the full build through `prepare`) ...');
  const dir = mkdtempSync(join(tmpdir(), 'eksdoctor-pack-'));
  try {
    const packed = npm(['pack', '--json', '--pack-destination', dir], { cwd: ROOT });
    if (packed.status !== 0) {
      row('package', 'npm pack', `failed: ${packed.stderr.trim().split('\n').pop()}`, 'succeeds', false);
      return;
    }
    // `prepare` (the build) prints on the same stdout as npm's JSON.
    const info = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[\s*\{/m)))[0];
    const files = info.files.map((f) => f.path);
    const unexpected = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
    const required = ['dist/cli.mjs', 'dist/bin/core.cjs', 'README.md', 'LICENSE', SEED];
    const absent = required.filter((f) => !files.includes(f));
    figures.package = {
      files: files.length,
      unpackedBytes: info.unpackedSize,
      tarballBytes: info.size,
      unexpected,
      absent,
    };
    row('package', 'files in the tarball', `${files.length} (${(info.size / 1e6).toFixed(1)} MB packed)`);
    row(
      'package',
      'only what runs (bundle, lib, rules docs, samples, README, LICENSE)',
      unexpected.length || absent.length
        ? `unexpected: ${unexpected.slice(0, 5).join(', ') || '-'}; missing: ${absent.join(', ') || '-'}`
        : 'yes',
      'yes',
      unexpected.length === 0 && absent.length === 0,
    );

    const publint = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'publint', 'src', 'cli.js'), '--strict'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    const publintOk = publint.status === 0;
    figures.package.publint = publintOk;
    row(
      'package',
      'publint --strict',
      publintOk ? 'clean' : (publint.stdout + publint.stderr).trim().split('\n').slice(-1)[0],
      'clean',
      publintOk,
    );

    // The packed CLI on this Node, offline: extract the tarball and run it with no node_modules at all (the
    // bundle carries its dependencies), then try `npm install --offline` + `npx` from the npm cache.
    const tarball = join(dir, info.filename);
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    const extracted = join(dir, 'package');
    const ver = spawnSync(process.execPath, [join(extracted, 'dist', 'cli.mjs'), '--version'], {
      encoding: 'utf8',
      cwd: dir,
    });
    const exp = spawnSync(
      process.execPath,
      [join(extracted, 'dist', 'cli.mjs'), 'explain', '--snapshot', join(extracted, SEED)],
      {
        encoding: 'utf8',
        cwd: dir,
      },
    );
    const runsOk =
      ver.status === 0 &&
      ver.stdout.trim() === info.version &&
      exp.status === 1 &&
      exp.stdout.includes('empty-username-aggregated-api-401');
    figures.package.extractedRuns = runsOk;
    row(
      'package',
      `packed CLI runs on Node ${process.versions.node} (extracted, no node_modules)`,
      runsOk ? 'yes' : `no: ${(ver.stderr || exp.stderr).trim().split('\n')[0]}`,
      'yes',
      runsOk,
    );

    const prefix = join(dir, 'npx-home');
    mkdirSync(prefix);
    writeFileSync(join(prefix, 'package.json'), '{"private":true}\n');
    const install = npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
      cwd: prefix,
    });
    if (install.status === 0) {
      const npx = spawnSync(
        process.platform === 'win32' ? 'npx.cmd' : 'npx',
        ['--offline', '--no-install', 'eksdoctor', '--version'],
        {
          cwd: prefix,
          encoding: 'utf8',
        },
      );
      const npxOk = npx.status === 0 && npx.stdout.trim() === info.version;
      figures.package.npx = npxOk ? 'ok' : 'failed';
      row(
        'package',
        '`npx eksdoctor --version` after an offline install',
        npxOk ? 'yes' : `no: ${npx.stderr.trim().split('\n')[0]}`,
        'yes',
        npxOk,
      );
    } else {
      figures.package.npx = 'not measured (offline install needs packages missing from the npm cache)';
      row(
        'package',
        '`npx eksdoctor` after an offline install',
        'not measured: the npm cache lacks some dependencies (no network here)',
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
const machine = {
  cpu: cpus()[0]?.model?.trim() ?? 'unknown',
  cores: cpus().length,
  memoryGb: +(totalmem() / 2 ** 30).toFixed(1),
  freeMemoryGb: +(freemem() / 2 ** 30).toFixed(1),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  loadAverageAtStart: loadavg().map((l) => +l.toFixed(2)),
};
const steps = [
  ['cold', coldStart],
  ['large', large],
  ['live', live],
  ['package', packageChecks],
];
for (const [name, step] of steps) {
  if (!only.has(name)) continue;
  try {
    await step();
  } catch (error) {
    row(name, 'measurement', `error: ${String(error?.message ?? error).split('\n')[0]}`, 'runs', false);
  }
}
machine.loadAverageAtEnd = loadavg().map((l) => +l.toFixed(2));

// ---------------------------------------------------------------------------------------------------------------
const headers = ['section', 'figure', 'value', 'bar', ''];
const table = rows.map((r) => [r.section, r.name, r.value, r.bar, r.verdict]);
const widths = headers.map((h, i) => Math.max(h.length, ...table.map((r) => String(r[i]).length)));
const line = (cells) =>
  cells
    .map((c, i) => String(c).padEnd(widths[i]))
    .join('  ')
    .trimEnd();
console.log(
  `eksdoctor bench — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`,
);
console.log(line(headers));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of table) console.log(line(r));
console.log(
  failures.length
    ? `\n${failures.length} figure(s) missed the bar:\n  - ${failures.join('\n  - ')}`
    : '\nEvery figure meets its bar.',
);
console.log(JSON.stringify({ machine, ...figures, failures }));
