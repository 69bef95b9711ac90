/**
 * Builders for client-side evidence (FM-01 … FM-14): token URLs as the snapshot stores them (no signature, session
 * token masked), kubeconfig contexts as `kubectl config view --minify -o json` prints them, authenticator log lines
 * in the exact text format of FM §0.2 (AGD/AGG/AGS), and audit events.
 */
import type { Snapshot } from '../../src/model/snapshot.js';
import { ACCT, CLUSTER, REGION } from './build.js';

/** Temporary access key ids that encode their account (keys issued since 2019). */
export const KEY_ID = 'ASIARTX3GSDSVJEXMPL6'; // 111122223333
export const OTHER_ACCOUNT_KEY_ID = 'ASIAWO645SY5FJEXMPL6'; // 444455556666
export const ENDPOINT = 'https://0F3A9C1B7D2E4F5A6B8C9D0E1F2A3B4C.gr7.ap-northeast-2.eks.amazonaws.com';
export const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCT}:cluster/${CLUSTER}`;
/** build()'s collectedAt. */
export const NOW = '2026-11-20T09:30:00Z';

export function amzDate(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export interface TokenUrlOptions {
  /** ISO time of X-Amz-Date (default: one minute before NOW). */
  date?: string;
  host?: string;
  keyId?: string;
  region?: string;
  expires?: number;
  signedHeaders?: string;
  /** Appended to the query as is (e.g. a hoisted `x-k8s-aws-id=...`). */
  extra?: string;
  sessionToken?: boolean;
}

/** A pre-signed GetCallerIdentity URL as token evidence holds it: no X-Amz-Signature, session token `***`. */
export function tokenUrl(o: TokenUrlOptions = {}): string {
  const region = o.region ?? REGION;
  const date = amzDate(o.date ?? '2026-11-20T09:29:00Z');
  const keyId = o.keyId ?? KEY_ID;
  const credential = encodeURIComponent(`${keyId}/${date.slice(0, 8)}/${region}/sts/aws4_request`);
  const query = [
    'Action=GetCallerIdentity',
    'Version=2011-06-15',
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    `X-Amz-Credential=${credential}`,
    `X-Amz-Date=${date}`,
    `X-Amz-Expires=${o.expires ?? 60}`,
    `X-Amz-SignedHeaders=${encodeURIComponent(o.signedHeaders ?? 'host;x-k8s-aws-id')}`,
    ...((o.sessionToken ?? keyId.startsWith('ASIA')) ? ['X-Amz-Security-Token=***'] : []),
    ...(o.extra ? [o.extra] : []),
  ];
  return `https://${o.host ?? `sts.${region}.amazonaws.com`}/?${query.join('&')}`;
}

export interface KubeconfigOptions {
  /** The value the exec plugin signs as x-k8s-aws-id (default: the cluster name). */
  signsFor?: string;
  /** `--cluster-id` instead of `--cluster-name` (Outposts). */
  clusterIdFlag?: boolean;
  server?: string;
  apiVersion?: string;
  profile?: string;
  roleArn?: string;
  staticToken?: boolean;
  command?: string;
}

/** The failing context as `kubectl config view --minify -o json` prints it (credentials removed). */
export function kubeconfig(o: KubeconfigOptions = {}): Record<string, unknown> {
  const user = o.staticToken
    ? { token: 'REDACTED' }
    : {
        exec: {
          apiVersion: o.apiVersion ?? 'client.authentication.k8s.io/v1beta1',
          command: o.command ?? 'aws',
          args: [
            '--region',
            REGION,
            'eks',
            'get-token',
            o.clusterIdFlag ? '--cluster-id' : '--cluster-name',
            o.signsFor ?? CLUSTER,
            '--output',
            'json',
            ...(o.roleArn ? ['--role', o.roleArn] : []),
          ],
          ...(o.profile ? { env: [{ name: 'AWS_PROFILE', value: o.profile }] } : {}),
          interactiveMode: 'IfAvailable',
          provideClusterInfo: false,
        },
      };
  return {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': CLUSTER_ARN,
    contexts: [{ name: CLUSTER_ARN, context: { cluster: CLUSTER_ARN, user: CLUSTER_ARN } }],
    clusters: [
      {
        name: CLUSTER_ARN,
        cluster: { 'certificate-authority-data': 'DATA+OMITTED', server: o.server ?? ENDPOINT },
      },
    ],
    users: [{ name: CLUSTER_ARN, user }],
    preferences: {},
  };
}

/** One `authenticator-*` CloudWatch record: logrus text format, fields alphabetical (FM §0.2). */
export function authLine(
  time: string,
  fields: string,
): { timestamp: string; message: string; logStream: string } {
  return {
    timestamp: time,
    message: `time="${new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z')}" ${fields}`,
    logStream: 'authenticator-3c2f8b0e9d1a4c7e8f6a5b4c3d2e1f0a',
  };
}

const CLIENT = 'client="127.0.0.1:48232"';

/** AGD: `level=warning msg="access denied" [arn=...] client=... error="..." method=POST path=/authenticate`. */
export function deniedLine(time: string, error: string, arn?: string) {
  const escaped = error.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return authLine(
    time,
    `level=warning msg="access denied"${arn ? ` arn="${arn}"` : ''} ${CLIENT} error="${escaped}" method=POST path=/authenticate`,
  );
}

/** AGG: `level=info msg="access granted" arn=... groups="[...]" ... username=<u>` (empty prints as `username=`). */
export function grantedLine(
  time: string,
  arn: string,
  username: string,
  groups: string[],
  userId = 'AROARJ2VQ7MXEXAMPLE',
) {
  const name = username === '' ? '' : /[\s"{}]/.test(username) ? `"${username}"` : username;
  return authLine(
    time,
    `level=info msg="access granted" arn="${arn}" ${CLIENT} groups="[${groups.join(' ')}]" method=POST path=/authenticate ` +
      `stsendpoint=sts.${REGION}.amazonaws.com uid="aws-iam-authenticator:${ACCT}:${userId}" username=${name}`,
  );
}

/** AGS: `level=info msg="STS response" accesskeyid=... accountid=... arn=<sts arn> ... session=... userid=...`. */
export function stsLine(time: string, stsArn: string, session: string, userId: string, keyId = KEY_ID) {
  return authLine(
    time,
    `level=info msg="STS response" accesskeyid=${keyId} accountid=${ACCT} arn="${stsArn}" ${CLIENT} method=POST ` +
      `path=/authenticate session=${session} stsendpoint=sts.${REGION}.amazonaws.com userid=${userId}`,
  );
}

/** The STS error body the authenticator logs for a non-200 replay. */
export function stsFailure(code: string, message: string, status = 403): string {
  return (
    `sts getCallerIdentity failed: error from AWS (expected 200, got ${status}) on ${REGION} endpoint. Body: ` +
    JSON.stringify({
      Error: { Code: code, Message: message, Type: 'Sender' },
      RequestId: '6d7b8d2e-2f1c-4a57-9b2a-1f0e3c4d5a6b',
    })
  );
}

export function withEvidence(snapshot: Snapshot, extra: Partial<Snapshot>): Snapshot {
  return { ...snapshot, ...extra };
}

export function withClusterFields(snapshot: Snapshot, fields: Record<string, unknown>): Snapshot {
  if (snapshot.cluster?.status !== 'ok') return snapshot;
  return { ...snapshot, cluster: { status: 'ok', data: { ...snapshot.cluster.data, ...fields } } };
}

export function withIncident(snapshot: Snapshot, fields: NonNullable<Snapshot['incident']>): Snapshot {
  return { ...snapshot, incident: { ...snapshot.incident, ...fields } };
}
