import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  assumeRoleTarget,
  clientEvidence,
  execEvidence,
  isOptInRegion,
  sameEndpoint,
  saysStsRegionDisabled,
} from '../../src/evidence/client.js';
import { evidenceFacts } from '../../src/evidence/index.js';
import { accountFromAccessKeyId } from '../../src/parse/access-key.js';
import { userEntrySnippet } from '../../src/fix/kubeconfig.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { ACCT, build, CLUSTER, REGION } from '../helpers/build.js';
import {
  ENDPOINT,
  KEY_ID,
  kubeconfig,
  OTHER_ACCOUNT_KEY_ID,
  tokenUrl,
  withClusterFields,
  withEvidence,
  type KubeconfigOptions,
} from '../helpers/client.js';

function snapshotWith(
  k: KubeconfigOptions | undefined,
  cluster: Record<string, unknown> = {},
  url?: string,
): Snapshot {
  let s = withClusterFields(build(), { endpoint: ENDPOINT, ...cluster });
  if (k) s = withEvidence(s, { kubeconfig: { status: 'ok', data: kubeconfig(k) } });
  if (url) s = withEvidence(s, { token: { status: 'ok', data: { url } } });
  return s;
}

describe('test fixtures', () => {
  it('access key ids encode the accounts they claim', () => {
    expect(accountFromAccessKeyId(KEY_ID)).toBe(ACCT);
    expect(accountFromAccessKeyId(OTHER_ACCOUNT_KEY_ID)).toBe('444455556666');
  });
});

describe('the cluster id the token is signed for (FM-07)', () => {
  it.each([
    ['the exec plugin signs this cluster name', {}, {}, undefined],
    [
      'a typo in --cluster-name',
      { signsFor: 'platform-prd' },
      {},
      { signedFor: 'platform-prd', expected: CLUSTER },
    ],
    ['case matters', { signsFor: 'Platform-Prod' }, {}, { signedFor: 'Platform-Prod', expected: CLUSTER }],
    [
      '--cluster-name on an Outposts local cluster',
      {},
      { id: '8f4c2a10-5b7e-4d2c-9a61-3e0f1b2c4d5e', outpostConfig: { outpostArns: [] } },
      { signedFor: CLUSTER, expected: '8f4c2a10-5b7e-4d2c-9a61-3e0f1b2c4d5e' },
    ],
    [
      '--cluster-id with the Outposts cluster id',
      { signsFor: '8f4c2a10-5b7e-4d2c-9a61-3e0f1b2c4d5e', clusterIdFlag: true },
      { id: '8f4c2a10-5b7e-4d2c-9a61-3e0f1b2c4d5e', outpostConfig: { outpostArns: [] } },
      undefined,
    ],
  ])('%s', (_name, k, cluster, mismatch) => {
    const client = clientEvidence(snapshotWith(k, cluster));
    expect(client.clusterIdMismatch).toEqual(
      mismatch ? { ...mismatch, outposts: 'outpostConfig' in cluster } : undefined,
    );
    expect(client.facts.has('sts-signature-mismatch')).toBe(mismatch !== undefined);
  });

  it('decides nothing without a kubeconfig or without the cluster', () => {
    expect(clientEvidence(snapshotWith(undefined)).facts.size).toBe(0);
    const noCluster = withEvidence(build(), {
      cluster: { status: 'absent' },
      kubeconfig: { status: 'ok', data: kubeconfig({ signsFor: 'x' }) },
    });
    expect(clientEvidence(noCluster).facts.size).toBe(0);
  });
});

describe('the endpoint the kubeconfig sends requests to (FM-08)', () => {
  it.each([
    ['the same endpoint', ENDPOINT, false],
    ['different case, a trailing slash and :443', `${ENDPOINT.toLowerCase()}:443/`, false],
    [
      'a re-created cluster',
      'https://7D1E6A2B9C3F4E5D8A0B1C2D3E4F5A6B.gr7.ap-northeast-2.eks.amazonaws.com',
      true,
    ],
    [
      'the same name in another region',
      'https://5B2E9D1C0A3F4B6E7D8C9A0B1E2F3D4C.yl4.ap-southeast-1.eks.amazonaws.com',
      true,
    ],
  ])('%s', (_name, server, mismatch) => {
    const client = clientEvidence(snapshotWith({ server }));
    expect(client.facts.has('kubeconfig-endpoint-mismatch')).toBe(mismatch);
    expect(client.kubeconfig?.serverPointer).toBe('/kubeconfig/data/clusters/0/cluster/server');
  });

  it('sameEndpoint', () => {
    expect(sameEndpoint('https://A.example/', 'https://a.example:443')).toBe(true);
    expect(sameEndpoint('https://a.example', 'https://b.example')).toBe(false);
  });
});

describe("the token's STS host against the cluster's partition (FM-11)", () => {
  it.each([
    ['regional endpoint of the cluster region', 'sts.ap-northeast-2.amazonaws.com', REGION, undefined],
    ['regional endpoint of another aws region', 'sts.us-east-1.amazonaws.com', REGION, undefined],
    ['global endpoint in partition aws', 'sts.amazonaws.com', REGION, undefined],
    [
      'global endpoint in aws-cn',
      'sts.amazonaws.com',
      'cn-north-1',
      'global endpoint unsupported in partition aws-cn',
    ],
    [
      'a commercial endpoint for a China cluster',
      'sts.us-east-1.amazonaws.com',
      'cn-northwest-1',
      'partition {aws-cn} does not support hostname sts.us-east-1.amazonaws.com',
    ],
    ['GovCloud and aws share the domain', 'sts.us-gov-west-1.amazonaws.com', REGION, undefined],
    [
      'a China endpoint for an aws cluster',
      'sts.cn-north-1.amazonaws.com.cn',
      REGION,
      'partition {aws} does not support hostname sts.cn-north-1.amazonaws.com.cn',
    ],
    // Refused whatever the partition; the token analysis reports it, not the partition check.
    [
      'a VPC endpoint name',
      'vpce-0a1b2c3d4e5f6a7b8-abcdefgh.sts.ap-northeast-2.vpce.amazonaws.com',
      REGION,
      undefined,
    ],
  ])('%s', (_name, host, region, message) => {
    const s = withClusterFields(snapshotWith(undefined, {}, tokenUrl({ host })), {
      arn: `arn:${region.startsWith('cn-') ? 'aws-cn' : 'aws'}:eks:${region}:${ACCT}:cluster/${CLUSTER}`,
    });
    expect(clientEvidence(s).stsHostRejected?.message).toBe(message);
    expect(clientEvidence(s).facts.has('sts-endpoint-rejected')).toBe(message !== undefined);
  });
});

describe('facts for the simulator', () => {
  it('adds assume-role-denied for any STS error answering AssumeRole (it comes from the exec plugin)', () => {
    const input = (facts: string[], awsAction: string) => ({
      snapshot: build(),
      now: new Date(),
      incident: { facts, awsAction },
    });
    expect(evidenceFacts(input(['sts-expired-token'], 'sts:AssumeRole'))).toContain('assume-role-denied');
    expect(evidenceFacts(input(['aws-access-denied'], 'sts:AssumeRoleWithWebIdentity'))).toContain(
      'assume-role-denied',
    );
    expect(evidenceFacts(input(['aws-access-denied'], 'eks:DescribeCluster'))).not.toContain(
      'assume-role-denied',
    );
  });
});

describe('helpers', () => {
  it('assumeRoleTarget', () => {
    expect(
      assumeRoleTarget(
        'AccessDenied: User: arn:aws:sts::111122223333:assumed-role/developer/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/platform-admin',
      ),
    ).toBe('arn:aws:iam::111122223333:role/platform-admin');
    expect(assumeRoleTarget('AccessDenied: Access denied')).toBeUndefined();
  });
  it.each([
    ['RegionDisabledException', true],
    ['STS is not activated in this region for account:111122223333.', true],
    ['InvalidClientTokenId', false],
  ])('saysStsRegionDisabled(%s)', (text, expected) => {
    expect(saysStsRegionDisabled(text)).toBe(expected);
  });
  it.each([
    ['me-south-1', true],
    ['ap-east-1', true],
    ['ap-northeast-2', false],
    [undefined, false],
  ])('isOptInRegion(%s)', (region, expected) => {
    expect(isOptInRegion(region)).toBe(expected);
  });
  it('execEvidence describes the command and the AWS environment', () => {
    const ref = execEvidence(snapshotWith({ profile: 'ci-deployer' }));
    expect(ref).toMatchObject({ source: 'kubeconfig', pointer: '/kubeconfig/data/users/0/user/exec' });
    expect(ref?.note).toBe(
      `exec: aws --region ${REGION} eks get-token --cluster-name ${CLUSTER} --output json with AWS_PROFILE=ci-deployer`,
    );
  });
});

describe('kubeconfig user entry snippets', () => {
  it('are what aws eks update-kubeconfig writes', () => {
    const snippet = userEntrySnippet({
      name: 'arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod',
      clusterName: CLUSTER,
      region: REGION,
      roleArn: 'arn:aws:iam::111122223333:role/platform-admin',
      profile: 'ops',
    });
    expect(snippet.language).toBe('yaml');
    expect(parseYaml(snippet.content)).toEqual({
      users: [
        {
          name: 'arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1beta1',
              args: [
                '--region',
                REGION,
                'eks',
                'get-token',
                '--cluster-name',
                CLUSTER,
                '--output',
                'json',
                '--role',
                'arn:aws:iam::111122223333:role/platform-admin',
              ],
              command: 'aws',
              env: [{ name: 'AWS_PROFILE', value: 'ops' }],
            },
          },
        },
      ],
    });
  });
  it('use --cluster-id for Outposts local clusters', () => {
    const snippet = userEntrySnippet({ name: 'x', clusterName: CLUSTER, outpostsClusterId: 'abc-123' });
    expect(snippet.content).toContain('- --cluster-id\n');
    expect(snippet.content).not.toContain('--cluster-name');
  });
});
