/**
 * The Kubernetes side over real HTTP(S) with the real @kubernetes/client-node: from the EKS endpoint and CA with a
 * token eksdoctor presigns itself, and from a kubeconfig context (static token, exec plugin). The token is checked
 * like EKS checks it and never appears in the snapshot.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot } from '../../src/collect/index.js';
import { eksToken, presignedStsUrl, stsHost } from '../../src/collect/kube/presign.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { loadSample } from '../helpers/samples.js';
import { checkEksToken } from '../support/fake-kube.js';
import {
  COLLECTOR,
  selfSignedCert,
  startFakes,
  type Fakes,
  incidentCollectOptions,
} from '../support/scenario.js';
import { withEnv } from '../support/env.js';

const SAMPLE = loadSample('access-entry-without-policy');
const CREDS = {
  accessKeyId: 'AKIDEXAMPLE000000001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

describe('presigned EKS token', () => {
  it.each([
    { region: 'us-east-1', host: 'sts.us-east-1.amazonaws.com' },
    { region: 'ap-northeast-2', host: 'sts.ap-northeast-2.amazonaws.com' },
    { region: 'cn-north-1', host: 'sts.cn-north-1.amazonaws.com.cn' },
  ])('signs GetCallerIdentity on $host with x-k8s-aws-id for 60 s', async ({ region, host }) => {
    const now = new Date('2026-11-28T10:00:00Z');
    const token = await eksToken({ clusterId: 'platform-prod', region, credentials: CREDS, now });
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token).not.toMatch(/[=+/]/);
    const url = new URL(Buffer.from(token.slice(11), 'base64url').toString('utf8'));
    expect(stsHost(region)).toBe(host);
    expect(url.host).toBe(host);
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toBe(`${CREDS.accessKeyId}/20261128/${region}/sts/aws4_request`);
    expect(q.get('X-Amz-Date')).toBe('20261128T100000Z');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // Only the parameters the authenticator allows (FM §0 step 3).
    const allowed = [
      'Action',
      'Version',
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Expires',
      'X-Amz-Security-Token',
      'X-Amz-Signature',
      'X-Amz-SignedHeaders',
    ];
    for (const key of q.keys()) expect(allowed).toContain(key);
  });

  it('carries the session token of temporary credentials and changes with the cluster name', async () => {
    const now = new Date('2026-11-28T10:00:00Z');
    const url = new URL(
      await presignedStsUrl({
        clusterId: 'a',
        region: 'us-east-1',
        credentials: { ...CREDS, sessionToken: 'TOKEN/with+chars=' },
        now,
      }),
    );
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('TOKEN/with+chars=');
    const other = new URL(
      await presignedStsUrl({ clusterId: 'b', region: 'us-east-1', credentials: CREDS, now }),
    );
    const same = new URL(
      await presignedStsUrl({ clusterId: 'b', region: 'us-east-1', credentials: CREDS, now }),
    );
    expect(other.searchParams.get('X-Amz-Signature')).toBe(same.searchParams.get('X-Amz-Signature'));
    const first = new URL(
      await presignedStsUrl({ clusterId: 'a', region: 'us-east-1', credentials: CREDS, now }),
    );
    expect(first.searchParams.get('X-Amz-Signature')).not.toBe(other.searchParams.get('X-Amz-Signature'));
  });

  it('is accepted by the checks EKS runs before STS', async () => {
    const token = await eksToken({ clusterId: 'platform-prod', region: 'us-east-1', credentials: CREDS });
    expect(checkEksToken(token, 'platform-prod')).toMatchObject({ accessKeyId: CREDS.accessKeyId });
  });
});

describe('from the EKS endpoint and CA (TLS)', () => {
  const tls = selfSignedCert();
  let fakes: Fakes;
  let snapshot: Snapshot;

  beforeAll(async () => {
    if (!tls) return;
    fakes = await startFakes(SAMPLE.snapshot, { tls });
    snapshot = await withEnv(fakes.env, () =>
      collectSnapshot({
        ...incidentCollectOptions(fakes, SAMPLE.snapshot),
        cloudTrail: false,
      }),
    );
  });
  afterAll(async () => fakes?.close());

  it.skipIf(!tls && !process.env.CI)(
    'connects over HTTPS trusting only the cluster CA, with its own presigned token',
    () => {
      expect(tls, 'openssl is needed to make a test certificate').toBeDefined();
      expect(fakes.kube.url.startsWith('https://')).toBe(true);
      for (const source of ['awsAuth', 'rbac', 'apiServices', 'whoami'] as const) {
        expect(snapshot[source]?.status, source).toBe('ok');
      }
      expect(snapshot.whoami).toMatchObject({ status: 'ok', data: { username: 'eksdoctor-collector' } });
      expect(fakes.kube.presigned.length).toBeGreaterThan(0);
      for (const url of fakes.kube.presigned) {
        expect(url.searchParams.get('X-Amz-Credential')?.startsWith(`${COLLECTOR.accessKeyId}/`)).toBe(true);
        expect(url.host).toBe(`sts.${fakes.region}.amazonaws.com`);
      }
    },
  );

  it.skipIf(!tls && !process.env.CI)('keeps the token out of the snapshot', () => {
    const text = JSON.stringify(snapshot);
    for (const token of fakes.kube.tokens) expect(text).not.toContain(token.slice(11, 60));
    expect(text).not.toContain('k8s-aws-v1.');
    expect(text).not.toContain('X-Amz-Signature');
  });

  it.skipIf(!tls && !process.env.CI)(
    'cross-checks the failing identity with a SubjectAccessReview (evidence only)',
    () => {
      const review = snapshot as Snapshot & {
        subjectAccessReview?: {
          status: string;
          data?: { spec: Record<string, unknown>; status: { allowed: boolean } };
        };
      };
      expect(review.subjectAccessReview?.status).toBe('ok');
      expect(review.subjectAccessReview?.data?.spec).toMatchObject({
        user: 'arn:aws:sts::111122223333:assumed-role/qa-readers/seoyeon',
        resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'qa', version: 'v1' },
      });
      expect(review.subjectAccessReview?.data?.status.allowed).toBe(false);
    },
  );

  it('rejects a server certificate the cluster CA did not sign', async () => {
    const other = selfSignedCert();
    if (!tls || !other) return expect(process.env.CI, 'openssl missing in CI').toBeFalsy();
    const f = await startFakes(SAMPLE.snapshot, { tls });
    try {
      (f.aws.state.clusters[f.clusterName]?.cluster as Record<string, unknown>).certificateAuthority = {
        data: Buffer.from(other.cert).toString('base64'),
      };
      const s = await withEnv(f.env, () =>
        collectSnapshot({ cluster: f.clusterName, region: f.region, cloudTrail: false, logs: false }),
      );
      expect(s.awsAuth).toMatchObject({
        status: 'error',
        message: expect.stringMatching(/cannot reach the Kubernetes API/),
      });
      expect(f.kube.tokens).toEqual([]);
    } finally {
      await f.close();
    }
  });
});

describe('from a kubeconfig context', () => {
  let fakes: Fakes;
  beforeAll(async () => {
    fakes = await startFakes(SAMPLE.snapshot);
    fakes.kube.state.users['static-test-token-value'] = {
      username: 'kubeconfig-user',
      groups: ['system:authenticated'],
    };
    fakes.kube.state.users['exec-plugin-token-value'] = {
      username: 'exec-user',
      groups: ['system:authenticated'],
    };
    const home = fakes.env.HOME ?? '';
    const plugin = join(home, 'plugin.mjs');
    writeFileSync(
      plugin,
      `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'exec-plugin-token-value' } }));\n`,
    );
    writeFileSync(
      fakes.env.KUBECONFIG ?? '',
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: static',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: ${fakes.kube.url}`,
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: static-user',
        '  user:',
        '    token: static-test-token-value',
        '- name: exec-user',
        '  user:',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1beta1',
        `      command: ${process.execPath}`,
        `      args: ["${plugin}"]`,
        '      env:',
        '      - name: AWS_PROFILE',
        '        value: prod-admin',
        '      - name: AWS_SECRET_ACCESS_KEY',
        '        value: should-never-be-copied',
        'contexts:',
        '- name: static',
        '  context: { cluster: fake, user: static-user }',
        '- name: exec',
        '  context: { cluster: fake, user: exec-user, namespace: qa }',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => fakes?.close());

  const collect = (options: { context?: string; kubeconfig?: string }) =>
    withEnv(fakes.env, () =>
      collectSnapshot({
        cluster: fakes.clusterName,
        region: fakes.region,
        cloudTrail: false,
        logs: false,
        ...options,
      }),
    );

  it.each([
    {
      name: 'no flag: the EKS endpoint with a presigned token, not the current context',
      options: {},
      user: 'eksdoctor-collector',
    },
    { name: '--context with an exec plugin', options: { context: 'exec' }, user: 'exec-user' },
    {
      name: '--kubeconfig FILE --context static',
      options: { kubeconfig: 'FILE', context: 'static' },
      user: 'kubeconfig-user',
    },
  ])('$name', async ({ options, user }) => {
    const resolved = options.kubeconfig ? { ...options, kubeconfig: fakes.env.KUBECONFIG } : options;
    const snapshot = await collect(resolved);
    expect(snapshot.whoami).toMatchObject({ status: 'ok', data: { username: user } });
    expect(snapshot.rbac?.status).toBe('ok');
    const text = JSON.stringify(snapshot);
    expect(text).not.toContain('static-test-token-value');
    expect(text).not.toContain('exec-plugin-token-value');
    expect(text).not.toContain('should-never-be-copied');
    expect(snapshot.kubeconfig?.status ?? 'absent').toBe(options.context ? 'ok' : 'absent');
  });

  it('records the context like `kubectl config view --minify`, credentials removed', async () => {
    const snapshot = await collect({ context: 'exec' });
    expect(snapshot.kubeconfig).toEqual({
      status: 'ok',
      data: {
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'exec',
        contexts: [{ name: 'exec', context: { cluster: 'fake', user: 'exec-user', namespace: 'qa' } }],
        clusters: [{ name: 'fake', cluster: { server: fakes.kube.url, 'insecure-skip-tls-verify': true } }],
        users: [
          {
            name: 'exec-user',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1beta1',
                command: process.execPath,
                args: [join(fakes.env.HOME ?? '', 'plugin.mjs')],
                env: [
                  { name: 'AWS_PROFILE', value: 'prod-admin' },
                  { name: 'AWS_SECRET_ACCESS_KEY', value: 'REDACTED' },
                ],
              },
            },
          },
        ],
      },
    });
  });

  it('says so in one line when the context does not exist', async () => {
    const snapshot = await collect({ context: 'nope' });
    expect(snapshot.awsAuth).toEqual({ status: 'error', message: 'the kubeconfig has no context "nope"' });
    expect(snapshot.cluster?.status).toBe('ok');
  });
});
