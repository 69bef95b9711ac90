import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { Report } from '../../src/model/report.js';

const ANSI = new RegExp(String.fromCharCode(27) + '\\[');

const SEED = 'samples/seed-metrics-api-empty-username.json';

describe('eksdoctor explain --snapshot (seed)', () => {
  it('prints the seed diagnosis in text with the rule id, evidence and both fixes; exits 1', () => {
    const r = runCli(['explain', '--snapshot', SEED]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out).toMatch(/^401 UNAUTHORIZED/);
    expect(out.indexOf('[empty-username-aggregated-api-401]')).toBeGreaterThan(0);
    expect(out).toContain('✗ aggregation');
    expect(out).toContain('/awsAuth/data/data/mapUsers');
    expect(out).toContain('eks-extension-metrics-api');
    expect(out).toContain('no access entry for arn:aws:iam::111122223333:user/honggildong');
    expect(out).toContain('authentication mode CONFIG_MAP');
    expect(out).toContain(
      '$ aws eks update-cluster-config --name platform-prod --region ap-northeast-2 --access-config authenticationMode=API_AND_CONFIG_MAP',
    );
    expect(out).toContain(
      '$ aws eks create-access-entry --cluster-name platform-prod --region ap-northeast-2 --principal-arn arn:aws:iam::111122223333:user/honggildong --type STANDARD',
    );
    expect(out).toContain(
      '--policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy --access-scope type=cluster',
    );
    expect(out).toContain(
      '$ eksctl create iamidentitymapping --cluster platform-prod --region ap-northeast-2 --arn arn:aws:iam::111122223333:user/honggildong --username honggildong --group system:masters --no-duplicate-arns',
    );
    expect(out).toContain('username: honggildong');
    expect(out).not.toMatch(ANSI); // NO_COLOR
  });

  it('-o json is a DESIGN §4 report and exits 1', () => {
    const r = runCli(['explain', '--snapshot', SEED, '-o', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.schemaVersion).toBe(1);
    expect(report.tool.name).toBe('eksdoctor');
    expect(report.verdict).toMatchObject({ outcome: 'unauthenticated', expectedStatus: 401 });
    expect(report.request).toMatchObject({
      principalArn: 'arn:aws:iam::111122223333:user/honggildong',
      path: '/apis/metrics.eks.amazonaws.com/v1',
      nonResourceUrl: true,
      aggregated: true,
      observedStatus: 401,
    });
    expect(report.trace.map((s) => s.stage)).toEqual([
      'client',
      'token',
      'sts',
      'mapping',
      'identity',
      'authorization',
      'aggregation',
    ]);
    expect(report.trace.find((s) => s.stage === 'aggregation')?.result).toBe('fail');
    expect(report.findings[0]?.ruleId).toBe('empty-username-aggregated-api-401');
    for (const f of report.findings) {
      for (const fix of f.fixes) for (const c of fix.commands) expect(c.argv[0]).toBe(c.tool);
    }
    expect(report.sources.cluster).toEqual({ status: 'ok' });
    expect(report.sources.whoami).toEqual({ status: 'absent' });
  });

  it('-o markdown renders a ticket-ready report', () => {
    const r = runCli(['explain', '--snapshot', SEED, '-o', 'markdown']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('## eksdoctor: unauthenticated (401)');
    expect(r.stdout).toContain('| aggregation | fail |');
    expect(r.stdout).toContain('```sh');
  });

  it('flags win over the snapshot incident: a core API path is allowed (exit 0) with a latent warning', () => {
    const r = runCli(['explain', '--snapshot', SEED, '--path', '/api/v1/namespaces', '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict.outcome).toBe('allowed');
    expect(report.findings[0]).toMatchObject({
      ruleId: 'empty-username-aggregated-api-401',
      severity: 'warning',
    });
  });

  it('colour only when asked: FORCE_COLOR gives ANSI, --no-color removes it', () => {
    expect(
      runCli(['explain', '--snapshot', SEED], { env: { NO_COLOR: '', FORCE_COLOR: '1' } }).stdout,
    ).toMatch(ANSI);
    expect(
      runCli(['explain', '--snapshot', SEED, '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } })
        .stdout,
    ).not.toMatch(ANSI);
  });
});

describe('bad input: one line on stderr, exit 2, no stack trace', () => {
  const cases: Array<[string, string[], RegExp, string?]> = [
    ['missing snapshot file', ['explain', '--snapshot', 'nope.json'], /nope\.json: no such file/],
    [
      'malformed principal ARN',
      ['explain', '--snapshot', SEED, '--principal', 'arn:aws:iam::12:user/x'],
      /--principal: account id must be 12 digits/,
    ],
    [
      'unknown output',
      ['explain', '--snapshot', SEED, '-o', 'yaml'],
      /argument 'yaml' is invalid|must be one of/,
    ],
    ['unknown option', ['explain', '--frobnicate'], /unknown option '--frobnicate'/],
    ['nothing to diagnose', ['explain'], /nothing to diagnose/],
    ['unknown rule', ['rules', 'no-such-rule'], /no rule "no-such-rule"/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const r = runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(r.stdout).toBe('');
    });
  }

  it('truncated snapshot', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'eksdoctor-'));
    const file = join(dir, 'cut.json');
    writeFileSync(file, '{"schemaVersion": 1, "cluster": {"status": "ok", "da');
    const r = runCli(['explain', '--snapshot', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not valid JSON .*truncated/);
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 1,
        cluster: { status: 'ok', data: { accessConfig: { authenticationMode: 7 } } },
      }),
    );
    const bad = runCli(['explain', '--snapshot', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid snapshot at /cluster/data/accessConfig/authenticationMode');
  });
});

describe('eksdoctor rules', () => {
  it('lists the rules and prints one rule document', () => {
    const list = runCli(['rules']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('empty-username-aggregated-api-401');
    const doc = runCli(['rules', 'principal-not-mapped']);
    expect(doc.code).toBe(0);
    expect(doc.stdout).toMatch(/^# principal-not-mapped/);
  });
  it('--version and --help exit 0', () => {
    expect(runCli(['--version']).code).toBe(0);
    const help = runCli(['explain', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--principal <arn>');
  });
});

describe('bad input stays one harmless line with exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eksdoctor-bad-input-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const oneLine = (stderr: string) => {
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    // No control character but the final newline reaches the terminal.
    expect([...stderr.trimEnd()].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)).toBe(false);
  };

  it.each([
    {
      name: 'an empty --principal',
      args: ['explain', '--snapshot', SEED, '--principal', ''],
      message: /--principal: empty ARN/,
    },
    {
      name: 'a --principal with escape codes and a newline',
      args: [
        'explain',
        '--snapshot',
        SEED,
        '--principal',
        'arn:aws:iam::111122223333:user/a\u001b]0;PWNED\u0007\nb',
      ],
      message: /--principal: the ARN contains whitespace or control characters/,
    },
    {
      name: 'an unwritable --save-snapshot',
      args: ['explain', '--snapshot', SEED, '--save-snapshot', '/nonexistent-dir/x.json'],
      message: /--save-snapshot \/nonexistent-dir\/x\.json: cannot write \(ENOENT\)/,
    },
    {
      name: 'a --kubeconfig that does not exist',
      args: [
        'explain',
        '--cluster',
        'prod',
        '--region',
        'eu-west-1',
        '--kubeconfig',
        '/nonexistent/kubeconfig',
      ],
      message: /--kubeconfig \/nonexistent\/kubeconfig: no such file/,
    },
    {
      name: 'a token error with its hint',
      args: ['explain', '--token', 'k8s-aws-v1.not-base64!!'],
      message: /; hint: /,
    },
  ])('$name', ({ args, message }) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    oneLine(r.stderr);
  });

  it.each([
    { args: ['frobnicate'], message: /^eksdoctor: unknown command "frobnicate": use explain, collect/ },
    { args: ['expain', '--snapshot', SEED], message: /^eksdoctor: unknown command "expain"/ },
    { args: ['--bogus'], message: /^eksdoctor: unknown option "--bogus"/ },
  ])('$args: names the unknown command or option', ({ args, message }) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    oneLine(r.stderr);
  });

  it('a binary snapshot does not reach the terminal raw', () => {
    const file = join(dir, 'binary.json');
    writeFileSync(file, Buffer.from('\u001b]0;PWNED\u0007\u001b[2J\u0000\u0001garbage', 'latin1'));
    const r = runCli(['explain', '--snapshot', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not valid JSON/);
    oneLine(r.stderr);
  });
});
