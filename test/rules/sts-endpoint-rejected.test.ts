import rule from '../../rules/sts-endpoint-rejected.js';
import { runRuleTests } from '../helpers/rule-tester.js';
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
  ],
});
