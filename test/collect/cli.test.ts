/**
 * `collect` and `redact` as commands: the snapshot (and nothing else) on stdout, progress on stderr, usage errors
 * as InputError; and the bundled CLI collecting live from the local endpoints, its outputs scanned for tokens,
 * secret keys and session tokens (DESIGN §7 Safe).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/errors.js';
import type { CliIo } from '../../src/cli/io.js';
import { collectCommand } from '../../src/cli/commands/collect.js';
import { redactCommand } from '../../src/cli/commands/redact.js';
import { parseSnapshotText } from '../../src/model/load.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { loadSample } from '../helpers/samples.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { COLLECTOR, selfSignedCert, startFakes, type Fakes } from '../support/scenario.js';
import { withEnv } from '../support/env.js';

function captureIo(tty = false): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stderrIsTTY: tty,
    stdoutIsTTY: false,
    env: {},
    readStdin: async () => '',
  };
}

const SAMPLE = loadSample('access-entry-without-policy');
const SESSION_TOKEN = 'FAKE-SESSION-TOKEN/never+to=be+printed';
const tmp = mkdtempSync(join(tmpdir(), 'eksdoctor-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('collect and redact commands', () => {
  let fakes: Fakes;
  beforeAll(async () => {
    fakes = await startFakes(SAMPLE.snapshot);
  });
  afterAll(async () => fakes?.close());

  it('prints the snapshot on stdout and progress lines on stderr', async () => {
    const io = captureIo();
    const code = await withEnv(fakes.env, () =>
      collectCommand(
        {
          cluster: fakes.clusterName,
          region: fakes.region,
          principal: SAMPLE.snapshot.incident?.principalArn,
          since: '1h',
        },
        io,
      ),
    );
    expect(code).toBe(0);
    const snapshot = parseSnapshotText(io.out.join(''), 'stdout');
    expect(snapshot.cluster?.status).toBe('ok');
    const progress = io.err.join('');
    expect(progress).toMatch(/^collecting cluster…$/m);
    expect(progress).toMatch(/^✓ accessEntries: ok \(entry found, 0 access policies\)$/m);
    expect(progress.includes('\u001b[')).toBe(false);
  });

  it('skips CloudTrail with --no-cloudtrail and says so', async () => {
    const io = captureIo();
    const before = fakes.aws.log.length;
    const code = await withEnv(fakes.env, () =>
      collectCommand(
        {
          cluster: fakes.clusterName,
          region: fakes.region,
          principal: SAMPLE.snapshot.incident?.principalArn,
          cloudtrail: false,
        },
        io,
      ),
    );
    expect(code).toBe(0);
    const snapshot = parseSnapshotText(io.out.join(''), 'stdout');
    expect(snapshot.cloudTrail?.status ?? 'absent').toBe('absent');
    expect(snapshot.accessEntries?.status).toBe('ok');
    expect(fakes.aws.log.slice(before).filter((r) => r.operation === 'LookupEvents')).toEqual([]);
    expect(io.err.join('')).toMatch(/cloudTrail: .*not requested/);
  });

  it('writes a redacted snapshot with --out --redact', async () => {
    const io = captureIo();
    const out = join(tmp, 'redacted.json');
    await withEnv(fakes.env, () =>
      collectCommand(
        {
          cluster: fakes.clusterName,
          region: fakes.region,
          principal: SAMPLE.snapshot.incident?.principalArn,
          out,
          redact: true,
        },
        io,
      ),
    );
    expect(io.out).toEqual([]);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toMatch(/111122223333|qa-readers|seoyeon|platform-prod/);
    expect(io.err.join('')).toContain(`snapshot written to ${out} (redacted)`);
  });

  it('prints the evidence script with --script, without collecting', async () => {
    const io = captureIo();
    const before = fakes.aws.log.length;
    expect(
      await collectCommand(
        { script: true, cluster: 'prod', principal: 'arn:aws:iam::111122223333:role/Admin' },
        io,
      ),
    ).toBe(0);
    expect(io.out.join('')).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(fakes.aws.log.length).toBe(before);
  });

  it.each([
    { name: 'no --cluster', opts: {}, message: /collect needs --cluster NAME/ },
    { name: 'a bad --since', opts: { cluster: 'prod', since: '24' }, message: /invalid duration "24"/ },
    {
      name: 'a bad --principal',
      opts: { cluster: 'prod', region: 'us-east-1', principal: 'arn:aws:s3:::bucket' },
      message: /--principal: /,
    },
  ])('rejects $name with one line', async ({ opts, message }) => {
    await expect(withEnv(fakes.env, () => collectCommand(opts, captureIo()))).rejects.toThrow(InputError);
    await expect(withEnv(fakes.env, () => collectCommand(opts, captureIo()))).rejects.toThrow(message);
  });

  it('redacts a snapshot file to stdout, with the same diagnosis', async () => {
    const io = captureIo();
    expect(await redactCommand(SAMPLE.file, {}, io)).toBe(0);
    const redacted = parseSnapshotText(io.out.join(''), 'stdout');
    expect(diagnose(redacted).findings.map((f) => f.ruleId)).toEqual(
      diagnose(SAMPLE.snapshot).findings.map((f) => f.ruleId),
    );
    await expect(redactCommand(join(tmp, 'missing.json'), {}, captureIo())).rejects.toThrow(/no such file/);
  });
});

/** Runs the bundled CLI without blocking this process (the fake endpoints answer from it). */
function runBundled(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...env, NO_COLOR: '1', CI: 'true' },
        timeout: 90_000,
        maxBuffer: 64 << 20,
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('the bundled CLI collecting live', () => {
  const tls = selfSignedCert();
  let fakes: Fakes;
  let env: Record<string, string>;
  const outputs: string[] = [];

  beforeAll(async () => {
    expect(existsSync(BIN), `${BIN} is built by the test global setup`).toBe(true);
    fakes = await startFakes(SAMPLE.snapshot, tls ? { tls } : {});
    env = { ...fakes.env, AWS_SESSION_TOKEN: SESSION_TOKEN, AWS_REGION: fakes.region };
  });
  afterAll(async () => fakes?.close());

  const principal = SAMPLE.snapshot.incident?.principalArn ?? '';
  const runs: Array<{ name: string; args: () => string[]; faults?: () => void; code: number | number[] }> = [
    {
      name: 'collect',
      args: () => ['collect', '--cluster', fakes.clusterName, '--principal', principal],
      code: 0,
    },
    {
      name: 'collect --redact --out',
      args: () => ['collect', '--cluster', fakes.clusterName, '--redact', '--out', join(tmp, 'bundled.json')],
      code: 0,
    },
    {
      name: 'explain live, -o json',
      args: () => [
        'explain',
        '--cluster',
        fakes.clusterName,
        '--principal',
        principal,
        '--path',
        '/api/v1/namespaces/qa/pods',
        '-o',
        'json',
        '--save-snapshot',
        join(tmp, 'saved.json'),
      ],
      code: 1,
    },
    {
      name: 'explain live with faults everywhere, --debug',
      args: () => [
        'explain',
        '--cluster',
        fakes.clusterName,
        '--principal',
        principal,
        '--path',
        '/api/v1/namespaces/qa/pods',
        '--debug',
      ],
      faults: () => {
        fakes.aws.faults.push(
          { operation: 'DescribeAccessEntry', kind: 'accessDenied' },
          { operation: 'GetRole', kind: 'html' },
          { operation: 'LookupEvents', kind: 'serverError' },
        );
        fakes.kube.faults.push({ route: '*', kind: 'unauthorized' });
      },
      // explained (1) or not enough evidence (3): either way a diagnosis, not a crash
      code: [1, 3],
    },
  ];

  it.each(runs)('$name', async ({ args, faults, code }) => {
    faults?.();
    const result = await runBundled(args(), env);
    outputs.push(result.stdout, result.stderr);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning|internal error/);
    expect([code].flat(), result.stderr).toContain(result.code);
    if (args()[0] === 'collect' && !args().includes('--out')) {
      expect(() => parseSnapshotText(result.stdout, 'stdout')).not.toThrow();
    }
    if (args().includes('json')) expect(JSON.parse(result.stdout)).toMatchObject({ schemaVersion: 1 });
  });

  it('passes --no-cloudtrail through: no LookupEvents', async () => {
    const before = fakes.aws.log.length;
    const result = await runBundled(
      ['collect', '--cluster', fakes.clusterName, '--principal', principal, '--no-cloudtrail'],
      env,
    );
    outputs.push(result.stdout, result.stderr);
    expect(result.code, result.stderr).toBe(0);
    expect(fakes.aws.log.slice(before).some((r) => r.operation === 'DescribeCluster')).toBe(true);
    expect(fakes.aws.log.slice(before).some((r) => r.operation === 'LookupEvents')).toBe(false);
  });

  it('never prints or writes a token, a secret key or a session token', () => {
    for (const file of ['bundled.json', 'saved.json']) outputs.push(readFileSync(join(tmp, file), 'utf8'));
    expect(fakes.kube.tokens.length).toBeGreaterThan(0);
    const secrets = [
      COLLECTOR.secretAccessKey,
      SESSION_TOKEN,
      encodeURIComponent(SESSION_TOKEN),
      ...fakes.kube.tokens,
      ...fakes.kube.tokens.map((t) => t.slice(11, 80)),
    ];
    for (const text of outputs) {
      for (const secret of secrets) expect(text.includes(secret), secret.slice(0, 24)).toBe(false);
      expect(text).not.toMatch(
        /k8s-aws-v1\.[A-Za-z0-9_-]{20,}|X-Amz-Signature=[0-9a-f]{16}|X-Amz-Security-Token=|aws_secret_access_key/i,
      );
    }
  });
});

describe('writing the script to a file', () => {
  it('is executable', async () => {
    const out = join(tmp, 'kit.sh');
    await collectCommand({ script: true, cluster: 'prod', out }, captureIo());
    expect(statSync(out).mode & 0o111).not.toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('CLUSTER=${EKSDOCTOR_CLUSTER:-prod}');
  });
});
