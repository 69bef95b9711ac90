import rule from '../../rules/sts-endpoint-rejected.js';
import { describe, expect, it } from 'vitest';
import { readStsHostRefusal } from '../../src/evidence/client.js';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import { ACCT, build, CA, CLUSTER, entry, role, session } from '../helpers/build.js';
import { tokenUrl, withClusterFields, withEvidence } from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const withHost = (host: string, clusterRegion?: string) => {
  let s = withEvidence(
    build({
      principal: BOB,
      entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
    }),
    { token: { status: 'ok', data: { url: tokenUrl({ host }), length: 1290 } } },
  );
  if (clusterRegion) {
    s = withClusterFields(s, { arn: `arn:aws-cn:eks:${clusterRegion}:${ACCT}:cluster/${CLUSTER}` });
  }
  return s;
};

runRuleTests(rule, {
  valid: [
    { name: 'the regional endpoint', snapshot: withHost('sts.ap-northeast-2.amazonaws.com') },
    { name: 'the global endpoint in partition aws', snapshot: withHost('sts.amazonaws.com') },
    { name: 'a FIPS endpoint', snapshot: withHost('sts-fips.us-east-1.amazonaws.com') },
  ],
  invalid: [
    {
      name: 'an STS VPC interface endpoint name (AWS_ENDPOINT_URL_STS)',
      snapshot: withHost('vpce-0a1b2c3d4e5f6a7b8-k2lq3mzx.sts.ap-northeast-2.vpce.amazonaws.com'),
      messageId: 'customHost',
      severity: 'error',
      first: true,
      evidence: ['/token/data/url'],
    },
    {
      name: 'the global endpoint for a China cluster',
      snapshot: withHost('sts.amazonaws.com', 'cn-north-1'),
      messageId: 'globalEndpoint',
      severity: 'error',
      first: true,
      evidence: ['/cluster/data/arn'],
    },
    {
      name: 'a commercial endpoint for a China cluster',
      snapshot: withHost('sts.ap-northeast-2.amazonaws.com', 'cn-northwest-1'),
      messageId: 'otherPartition',
      severity: 'error',
      first: true,
    },
    {
      name: 'only the pasted GovCloud line: host and partition come from it (QA fm11-2)',
      snapshot: govCloudPasted(),
      messageId: 'otherPartition',
      severity: 'error',
      first: true,
      evidence: ['/incident/logLines/0', '/cluster/data/arn'],
    },
  ],
});

/** A GovCloud cluster and only the authenticator's line, pasted: no token evidence. */
function govCloudPasted() {
  return withClusterFields(
    build({
      status: 401,
      logLines: [
        'time="2026-11-20T09:20:00Z" level=warning msg="access denied" client="127.0.0.1:40100" error="input token was not properly formatted: partition {aws-us-gov} does not support hostname sts.us-east-1.amazonaws.com" method=POST path=/authenticate',
      ],
    }),
    { arn: `arn:aws-us-gov:eks:us-gov-west-1:${ACCT}:cluster/${CLUSTER}` },
  );
}

describe('sts-endpoint-rejected from the log line alone', () => {
  it("names the host and the cluster's partition, and signs for the cluster's region", () => {
    const { mine } = findingsOf(rule, { name: 'x', snapshot: govCloudPasted() });
    expect(mine[0]?.title).toBe(
      'The token is pre-signed for sts.us-east-1.amazonaws.com, an STS endpoint of another partition than the cluster (aws-us-gov)',
    );
    expect(mine[0]?.fixes[0]?.title).toContain('(aws-us-gov)');
    expect(mine[0]?.fixes[0]?.title).toContain('us-gov-west-1');
    expect(mine[0]?.fixes[0]?.notes).toContain('belongs to partition aws;');
    expect(mine[0]?.fixes[0]?.snippet?.content).toContain('- us-gov-west-1');
  });
});

describe('readStsHostRefusal', () => {
  it.each([
    [
      'partition {aws-us-gov} does not support hostname sts.us-east-1.amazonaws.com',
      {
        host: 'sts.us-east-1.amazonaws.com',
        clusterPartition: 'aws-us-gov',
        hostPartition: 'aws',
        kind: 'other-partition',
      },
    ],
    [
      'input token was not properly formatted: global endpoint unsupported in partition aws-cn',
      {
        host: 'sts.amazonaws.com',
        clusterPartition: 'aws-cn',
        hostPartition: 'aws',
        kind: 'global-endpoint',
      },
    ],
    [
      'unexpected hostname \\"vpce-1.sts.us-east-1.vpce.amazonaws.com\\" in pre-signed URL',
      { host: 'vpce-1.sts.us-east-1.vpce.amazonaws.com', kind: 'custom-host' },
    ],
    ['identity is not mapped', undefined],
  ])('%s', (text, expected) => {
    expect(readStsHostRefusal(text)).toEqual(expected);
  });
});
