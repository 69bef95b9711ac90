/**
 * The offline kit: `collect --script` prints a read-only bash script; `snapshotFromEvidenceDir` reads its folder
 * back. End to end, the real AWS CLI and kubectl run the script against the local endpoints, and the folder gives
 * the same evidence and diagnosis as live collection (skipped, visibly, where the tools are missing outside CI).
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/errors.js';
import {
  collectScript,
  collectSnapshot,
  EVIDENCE_FILES,
  snapshotFromEvidenceDir,
} from '../../src/collect/index.js';
import { classifyCliError } from '../../src/collect/evidence-dir.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { loadSample } from '../helpers/samples.js';
import { selfSignedCert, startFakes } from '../support/scenario.js';
import { withEnv } from '../support/env.js';

const dirs: string[] = [];
function folder(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'eksdoctor-evidence-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function has(tool: string, args: string[]): boolean {
  return spawnSync(tool, args, { stdio: 'ignore' }).status === 0;
}

describe('the evidence script', () => {
  const script = collectScript({
    cluster: "team's cluster",
    region: 'ap-northeast-2',
    principalArn: 'arn:aws:iam::111122223333:role/Admin',
    since: '2d',
  });

  it('is valid bash', () => {
    const result = spawnSync('bash', ['-n'], { input: script });
    expect(result.stderr.toString()).toBe('');
    expect(result.status).toBe(0);
  });

  it('documents every file it writes in its header', () => {
    const header = script.split('\nset -u')[0] ?? '';
    for (const file of Object.values(EVIDENCE_FILES)) {
      const shown = file.endsWith('-') ? file : file.replace(/\.json$/, '');
      expect(header, file).toContain(shown);
    }
  });

  it('only reads: every aws and kubectl command is one of a known set of reads', () => {
    const allowed = [
      'sts get-caller-identity',
      'eks describe-cluster',
      'iam get-role',
      'iam get-user',
      'eks describe-access-entry',
      'eks list-associated-access-policies',
      'eks list-access-entries',
      'cloudtrail lookup-events',
      'logs filter-log-events',
      'configure get region',
      'get configmap aws-auth',
      'get clusterroles',
      'get clusterrolebindings',
      'get roles',
      'get rolebindings',
      'get apiservices',
      'auth whoami',
      'config view --minify',
    ];
    const code = script.split('\n').filter((l) => !l.trim().startsWith('#'));
    const invocations = code.filter(
      (l) =>
        /(^|[\s($])aws\s|\$\{AWS\[@\]\}|\$\{KUBECTL\[@\]\}/.test(l) &&
        !/^\s*(AWS|KUBECTL)\+?=\(/.test(l) &&
        !/\[ -n "\$KUBE_CONTEXT" \]/.test(l),
    );
    expect(invocations.length).toBeGreaterThan(20);
    for (const line of invocations) {
      expect(
        allowed.some((a) => line.includes(a)),
        line,
      ).toBe(true);
    }
    expect(code.join('\n')).not.toMatch(
      /\b(create|delete|update|associate|disassociate|apply|patch|edit|put|tag|untag)-[a-z-]+/,
    );
  });

  it('quotes what it was given', () => {
    expect(script).toContain(`CLUSTER=\${EKSDOCTOR_CLUSTER:-'team'\\''s cluster'}`);
    expect(script).toContain('SINCE_SECONDS=172800');
  });
});

describe('classifying error output', () => {
  it.each([
    {
      text: 'An error occurred (AccessDeniedException) when calling the DescribeAccessEntry operation: User: arn:aws:iam::111122223333:user/x is not authorized to perform: eks:DescribeAccessEntry on resource: arn',
      kind: 'denied',
      action: 'eks:DescribeAccessEntry',
    },
    {
      text: 'An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name x cannot be found.',
      kind: 'not-found',
    },
    {
      text: 'An error occurred (ResourceNotFoundException) when calling the FilterLogEvents operation: The specified log group does not exist.',
      kind: 'not-found',
    },
    { text: 'Error from server (NotFound): configmaps "aws-auth" not found', kind: 'not-found' },
    {
      text: 'Error from server (Forbidden): clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "u" cannot list resource',
      kind: 'denied',
    },
    { text: 'error: You must be logged in to the server (Unauthorized)', kind: 'error' },
    {
      text: 'Unable to locate credentials. You can configure credentials by running "aws configure".',
      kind: 'error',
    },
  ])('$kind: $text', ({ text, kind, action }) => {
    const info = classifyCliError(text);
    expect(info.kind).toBe(kind);
    if (action) expect(info.action).toBe(action);
    expect(info.message).not.toMatch(/\n/);
  });
});

describe('reading an evidence folder', () => {
  const denied = (action: string) =>
    `\nAn error occurred (AccessDeniedException) when calling the X operation: User: arn:aws:iam::111122223333:user/x is not authorized to perform: ${action}\n`;

  it('turns each failed command into its source status', async () => {
    const dir = folder({
      [EVIDENCE_FILES.meta]: {
        cluster: 'prod',
        region: 'ap-northeast-2',
        principalArn: 'arn:aws:iam::111122223333:role/Admin',
        sinceSeconds: 86400,
        collectedAt: '2026-11-28T10:00:00Z',
      },
      [EVIDENCE_FILES.cluster]: {
        cluster: {
          name: 'prod',
          arn: 'arn:aws:eks:ap-northeast-2:111122223333:cluster/prod',
          accessConfig: { authenticationMode: 'API' },
          createdAt: '2024-01-01T00:00:00+00:00',
        },
      },
      'caller-identity.json': {
        UserId: 'AIDAX',
        Account: '111122223333',
        Arn: 'arn:aws:iam::111122223333:user/me',
      },
      'iam-principal.err':
        'An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name Admin cannot be found.',
      'access-entry.err': denied('eks:DescribeAccessEntry'),
      'cloudtrail-CreateAccessEntry.err': denied('cloudtrail:LookupEvents'),
      'logs-authenticator.err':
        'An error occurred (ResourceNotFoundException) when calling the FilterLogEvents operation: The specified log group does not exist.',
      'aws-auth.err': 'Error from server (NotFound): configmaps "aws-auth" not found',
      'clusterroles.json': {
        apiVersion: 'v1',
        kind: 'List',
        items: [{ kind: 'ClusterRole', metadata: { name: 'view' }, rules: [] }],
      },
      'clusterrolebindings.err':
        'Error from server (Forbidden): clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "me" cannot list resource "clusterrolebindings"',
      'roles.json': { items: [] },
      'rolebindings.json': { items: [] },
      'apiservices.json': '{ not json',
      'whoami.err': 'error: You must be logged in to the server (Unauthorized)',
    });
    const snapshot = await snapshotFromEvidenceDir(dir, { path: '/api/v1/pods', status: 401 });
    expect(snapshot.incident).toEqual({
      principalArn: 'arn:aws:iam::111122223333:role/Admin',
      clusterName: 'prod',
      region: 'ap-northeast-2',
      path: '/api/v1/pods',
      status: 401,
    });
    expect(snapshot.collectedAt).toBe('2026-11-28T10:00:00Z');
    expect(snapshot.cluster?.status).toBe('ok');
    expect(snapshot.callerIdentity?.status).toBe('ok');
    expect(snapshot.iamPrincipals).toEqual({
      status: 'ok',
      data: [{ arn: 'arn:aws:iam::111122223333:role/Admin', exists: false, name: 'Admin', type: 'role' }],
    });
    expect(snapshot.accessEntries).toMatchObject({ status: 'denied', permission: 'eks:DescribeAccessEntry' });
    expect(snapshot.cloudTrail).toMatchObject({ status: 'denied', permission: 'cloudtrail:LookupEvents' });
    expect(snapshot.authenticatorLogs).toBeUndefined();
    expect(snapshot.awsAuth).toEqual({ status: 'ok', data: null });
    expect(snapshot.rbac).toMatchObject({
      status: 'denied',
      permission: 'list clusterrolebindings.rbac.authorization.k8s.io',
    });
    expect(snapshot.apiServices).toEqual({ status: 'error', message: 'apiservices.json is not valid JSON' });
    expect(snapshot.whoami).toMatchObject({
      status: 'error',
      message: 'error: You must be logged in to the server (Unauthorized)',
    });
    expect(() => diagnose(snapshot)).not.toThrow();
  });

  it('rejects a folder that is not there, in one line', async () => {
    await expect(snapshotFromEvidenceDir('/nonexistent/eksdoctor')).rejects.toThrow(InputError);
  });
});

const tools =
  has('bash', ['--version']) &&
  has('aws', ['--version']) &&
  has('kubectl', ['version', '--client']) &&
  has('openssl', ['version']);
const why = 'needs bash, the AWS CLI, kubectl and openssl';

describe('the script run with the real AWS CLI and kubectl', () => {
  it.skipIf(!tools && !process.env.CI)(
    `gives the same evidence and diagnosis as live collection (${why})`,
    async () => {
      expect(tools, why).toBe(true);
      const sample = loadSample('access-entry-shadows-configmap');
      // kubectl sends no bearer token to a plain-HTTP server, so the Kubernetes endpoint speaks TLS here.
      const fakes = await startFakes(sample.snapshot, { tls: selfSignedCert() });
      // Move the sample's events to today: the script's window ends at the real clock.
      const shift = Date.now() - Date.parse(sample.snapshot.collectedAt ?? '');
      for (const events of Object.values(fakes.aws.state.cloudTrail)) {
        for (const e of events) e.EventTime = new Date(Date.parse(String(e.EventTime)) + shift).toISOString();
      }
      for (const lines of Object.values(fakes.aws.state.logs)) for (const l of lines) l.timestamp += shift;
      fakes.kube.state.users['kubectl-static-token'] = {
        username: 'kubectl-user',
        groups: ['system:authenticated'],
      };
      writeFileSync(
        fakes.env.KUBECONFIG ?? '',
        `apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n    server: ${fakes.kube.url}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: fake\n  context: {cluster: fake, user: u}\nusers:\n- name: u\n  user:\n    token: kubectl-static-token\n`,
      );
      const out = join(fakes.env.HOME ?? '', 'evidence');
      mkdirSync(join(fakes.env.HOME ?? '', '.kube'), { recursive: true });
      const incident = sample.snapshot.incident ?? {};
      try {
        const script = collectScript({
          cluster: fakes.clusterName,
          region: fakes.region,
          principalArn: incident.principalArn,
          since: '7d',
        });
        const file = join(fakes.env.HOME ?? '', 'evidence.sh');
        writeFileSync(file, script);
        // Asynchronously: the fake endpoints answer from this very process.
        await promisify(execFile)('bash', [file, out], {
          env: { ...process.env, ...fakes.env },
          timeout: 150_000,
        });
        expect(readdirSync(out)).toContain('cluster.json');
        const fromDir = await snapshotFromEvidenceDir(out);
        const live = await withEnv(fakes.env, () =>
          collectSnapshot({
            cluster: fakes.clusterName,
            region: fakes.region,
            principalArn: incident.principalArn,
            since: '7d',
          }),
        );

        for (const source of [
          'cluster',
          'callerIdentity',
          'iamPrincipals',
          'accessEntries',
          'awsAuth',
          'rbac',
          'apiServices',
          'whoami',
          'cloudTrail',
          'authenticatorLogs',
        ] as const) {
          expect(fromDir[source]?.status ?? 'absent', source).toBe(live[source]?.status ?? 'absent');
        }
        const data = (s: Snapshot, k: keyof Snapshot) => (s[k] as { data?: unknown } | undefined)?.data;
        expect((data(fromDir, 'awsAuth') as { data?: unknown } | null)?.data).toEqual(
          (data(live, 'awsAuth') as { data?: unknown } | null)?.data,
        );
        const arns = (s: Snapshot) =>
          (
            (data(s, 'accessEntries') as Array<{
              principalArn: string;
              associatedPolicies?: Array<{ policyArn: string }>;
            }>) ?? []
          ).map((e) => [e.principalArn, (e.associatedPolicies ?? []).map((p) => p.policyArn)]);
        expect(arns(fromDir)).toEqual(arns(live));
        const ids = (s: Snapshot) =>
          ((data(s, 'cloudTrail') as Array<{ EventId?: string }>) ?? []).map((e) => e.EventId).sort();
        expect(ids(fromDir)).toEqual(ids(live));
        const logs = (s: Snapshot) =>
          ((data(s, 'authenticatorLogs') as Array<{ message: string }>) ?? []).map((l) => l.message);
        expect(logs(fromDir)).toEqual(logs(live));
        const iam = (s: Snapshot) =>
          ((data(s, 'iamPrincipals') as Array<{ arn: string; id?: string; createDate?: string }>) ?? []).map(
            (p) => [p.arn, p.id, Date.parse(p.createDate ?? '')],
          );
        expect(iam(fromDir)).toEqual(iam(live));
        const rbacCounts = (s: Snapshot) =>
          Object.values((data(s, 'rbac') as Record<string, unknown[]>) ?? {}).map((l) => l.length);
        expect(rbacCounts(fromDir)).toEqual(rbacCounts(live));

        const withUser = (s: Snapshot) => ({ ...s, incident: { ...s.incident, ...incident } });
        const a = diagnose(withUser(fromDir));
        const b = diagnose(withUser(live));
        expect(a.verdict.outcome).toBe(b.verdict.outcome);
        expect(a.findings.map((f) => f.ruleId)).toEqual(b.findings.map((f) => f.ruleId));
        expect(fakes.aws.log.filter((r) => !/^(Describe|List|Get|Lookup|Filter)/.test(r.operation))).toEqual(
          [],
        );
      } finally {
        await fakes.close();
      }
    },
    180_000,
  );
});
