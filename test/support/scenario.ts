/**
 * Fake AWS and Kubernetes endpoints seeded from a snapshot (a sample scenario), the environment that points the
 * real SDK clients at them, and a throwaway TLS certificate for the Kubernetes endpoint.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../../src/model/snapshot.js';
import {
  startFakeAws,
  type FakeAws,
  type FakeAwsOptions,
  type FakeAwsState,
  type FakeAccessEntry,
} from './fake-aws.js';
import { startFakeKube, type FakeKube, type FakeKubeState } from './fake-kube.js';

/** The identity the tests collect as (static keys in the environment). */
export const COLLECTOR = {
  accessKeyId: 'AKIAFAKECOLLECTOR001',
  secretAccessKey: 'fakeSecretKeyForTests/0123456789abcdefXYZ',
  arn: 'arn:aws:iam::111122223333:user/eksdoctor-collector',
  userId: 'AIDAFAKECOLLECTOR0001',
  account: '111122223333',
};

function ok<T>(ev: { status: string; data?: unknown } | undefined): T | undefined {
  return ev?.status === 'ok' ? (ev.data as T) : undefined;
}

export function fakeStatesFromSnapshot(snapshot: Snapshot): {
  aws: FakeAwsState;
  kube: FakeKubeState;
  clusterName: string;
  region: string;
} {
  const cluster = ok<Record<string, unknown>>(snapshot.cluster) ?? {};
  const clusterName = String(cluster.name ?? snapshot.incident?.clusterName ?? 'test-cluster');
  const arnRegion = /^arn:[^:]+:eks:([^:]+):/.exec(String(cluster.arn ?? ''))?.[1];
  const region = snapshot.incident?.region ?? arnRegion ?? 'us-west-2';
  const entries = (ok<FakeAccessEntry[]>(snapshot.accessEntries) ?? []).map((e) => ({ ...e }));
  const principals =
    ok<
      Array<{
        arn: string;
        exists: boolean;
        id?: string;
        createDate?: string;
        path?: string;
        name?: string;
        type?: string;
      }>
    >(snapshot.iamPrincipals) ?? [];
  const iam = { roles: [] as FakeAwsState['iam']['roles'], users: [] as FakeAwsState['iam']['users'] };
  for (const p of principals.filter((x) => x.exists)) {
    const name = p.name ?? p.arn.split('/').pop() ?? '';
    const entity = {
      Arn: p.arn,
      Id: p.id ?? 'AROAFAKEID0000000001',
      Name: name,
      Path: p.path ?? '/',
      CreateDate: p.createDate ?? '2020-01-01T00:00:00Z',
    };
    (p.type === 'user' || p.arn.includes(':user/') ? iam.users : iam.roles).push(entity);
  }
  // A sample that says nothing about the principal in IAM describes a principal that exists (and long has).
  const incidentArn = snapshot.incident?.principalArn;
  const kind = incidentArn
    ? /:(user|role|assumed-role)\/(?:.*\/)?([^/]+?)(?:\/[^/]+)?$/.exec(incidentArn)
    : null;
  const named = (arn: string) => arn.split('/').pop()?.toLowerCase();
  const roleName = incidentArn
    ? /(?:role|assumed-role)\/([^/]+)/.exec(incidentArn)?.[1]?.toLowerCase()
    : undefined;
  const described = principals.some(
    (p) => named(p.arn) === (kind?.[1] === 'user' ? named(incidentArn ?? '') : roleName),
  );
  if (incidentArn && kind?.[1] && !described) {
    const isUser = kind[1] === 'user';
    const name = isUser
      ? (incidentArn.split('/').pop() ?? '')
      : (/(?:role|assumed-role)\/([^/]+)/.exec(incidentArn)?.[1] ?? '');
    const account = incidentArn.split(':')[4] ?? '';
    const entity = {
      Arn: isUser ? incidentArn : `arn:aws:iam::${account}:role/${name}`,
      Id: isUser ? 'AIDAFAKEPRINCIPAL0001' : 'AROAFAKEPRINCIPAL0001',
      Name: name,
      Path: '/',
      CreateDate: '2020-01-01T00:00:00Z',
    };
    (isUser ? iam.users : iam.roles).push(entity);
  }
  const cloudTrail: FakeAwsState['cloudTrail'] = {};
  for (const event of ok<Array<Record<string, unknown>>>(snapshot.cloudTrail) ?? []) {
    const where = event.EventSource === 'iam.amazonaws.com' ? 'us-east-1' : region;
    const detail =
      typeof event.CloudTrailEvent === 'string'
        ? event.CloudTrailEvent
        : JSON.stringify(event.CloudTrailEvent ?? {});
    (cloudTrail[where] ??= []).push({ ...event, CloudTrailEvent: detail });
  }
  const group = `/aws/eks/${clusterName}/cluster`;
  const logs: FakeAwsState['logs'] = {};
  for (const line of ok<Array<{ timestamp: string; message: string; logStream?: string }>>(
    snapshot.authenticatorLogs,
  ) ?? []) {
    (logs[group] ??= []).push({
      logStreamName: line.logStream ?? 'authenticator-0123456789abcdef',
      timestamp: Date.parse(line.timestamp),
      message: line.message,
    });
  }
  for (const event of ok<Array<Record<string, unknown>>>(snapshot.auditEvents) ?? []) {
    const stamp = Date.parse(
      String(event.stageTimestamp ?? event.requestReceivedTimestamp ?? '2020-01-01T00:00:00Z'),
    );
    (logs[group] ??= []).push({
      logStreamName: 'kube-apiserver-audit-0123456789abcdef',
      timestamp: stamp,
      message: JSON.stringify(event),
    });
  }
  const caller = ok<{ Arn: string; UserId: string; Account: string }>(snapshot.callerIdentity);
  const rbac = ok<Record<string, Array<Record<string, unknown>>>>(snapshot.rbac);
  const awsAuth =
    snapshot.awsAuth?.status === 'ok' ? (snapshot.awsAuth.data as Record<string, unknown> | null) : null;
  return {
    clusterName,
    region,
    aws: {
      identities: {
        [COLLECTOR.accessKeyId]: caller ?? {
          Arn: COLLECTOR.arn,
          UserId: COLLECTOR.userId,
          Account: COLLECTOR.account,
        },
      },
      clusters: { [clusterName]: { cluster: { ...cluster }, accessEntries: entries } },
      iam,
      cloudTrail,
      logs,
    },
    kube: {
      clusterName,
      awsAuth,
      clusterRoles: rbac?.clusterRoles ?? [],
      clusterRoleBindings: rbac?.clusterRoleBindings ?? [],
      roles: rbac?.roles ?? [],
      roleBindings: rbac?.roleBindings ?? [],
      apiServices: ok<Array<Record<string, unknown>>>(snapshot.apiServices) ?? [],
      users: {
        [COLLECTOR.accessKeyId]: ok<{ username: string; groups?: string[] }>(snapshot.whoami) ?? {
          username: 'eksdoctor-collector',
          groups: ['eks-readers', 'system:authenticated'],
        },
      },
    },
  };
}

/** A self-signed certificate for 127.0.0.1, or undefined when openssl is not installed. */
export function selfSignedCert(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'eksdoctor-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Fakes {
  aws: FakeAws;
  kube: FakeKube;
  clusterName: string;
  region: string;
  /** Environment pointing the SDK at the fake, with static test keys and no shared files or IMDS. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Collection options that replay `snapshot`'s incident against the fakes (cluster, Region, principal, request). */
export function incidentCollectOptions(fakes: Fakes, snapshot: Snapshot) {
  return {
    cluster: fakes.clusterName,
    region: fakes.region,
    principalArn: snapshot.incident?.principalArn,
    path: snapshot.incident?.path,
    verb: snapshot.incident?.verb,
  };
}

export async function startFakes(
  snapshot: Snapshot,
  options: { tls?: { key: string; cert: string }; aws?: FakeAwsOptions } = {},
): Promise<Fakes> {
  const states = fakeStatesFromSnapshot(snapshot);
  const kube = await startFakeKube(states.kube, options.tls);
  const cluster = states.aws.clusters[states.clusterName]?.cluster ?? {};
  cluster.endpoint = kube.url;
  if (options.tls) cluster.certificateAuthority = { data: Buffer.from(options.tls.cert).toString('base64') };
  cluster.name ??= states.clusterName;
  const aws = await startFakeAws(states.aws, options.aws);
  const home = mkdtempSync(join(tmpdir(), 'eksdoctor-home-'));
  return {
    aws,
    kube,
    clusterName: states.clusterName,
    region: states.region,
    env: {
      AWS_ENDPOINT_URL: aws.url,
      AWS_ACCESS_KEY_ID: COLLECTOR.accessKeyId,
      AWS_SECRET_ACCESS_KEY: COLLECTOR.secretAccessKey,
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      KUBECONFIG: join(home, 'kubeconfig'),
      HOME: home,
    },
    close: async () => {
      await Promise.all([aws.close(), kube.close()]);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
