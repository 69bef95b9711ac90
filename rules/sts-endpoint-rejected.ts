import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import {
  clientEvidence,
  clusterPartition,
  readStsHostRefusal,
  tokenEvidence,
} from '../src/evidence/client.js';
import { logCitation } from '../src/evidence/logs.js';
import type { FixPlan } from '../src/fix/actions.js';
import { regeneratedUser } from '../src/fix/kubeconfig.js';
import { okData } from '../src/model/snapshot.js';

/**
 * FM-11: the token's pre-signed URL points at a host the authenticator does not accept for the cluster's partition
 * (AUTH:pkg/token/token.go `verifySTSHostnameFormat`): a VPC endpoint or custom STS endpoint, the global endpoint
 * outside partition aws, or an endpoint of another partition.
 */
export default defineRule({
  id: 'sts-endpoint-rejected',
  stage: 'token',
  precedence: 40,
  summary:
    "The token was pre-signed for an STS host the cluster's authenticator refuses (VPC or custom STS endpoint, global endpoint in China/GovCloud, another partition).",
  requires: ['token', 'cluster', 'authenticatorLogs'],
  references: [
    'https://docs.aws.amazon.com/sdkref/latest/guide/feature-sts-regionalized-endpoints.html',
    'https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/blob/master/pkg/token/token.go',
  ],
  messages: {
    customHost:
      'The token is pre-signed for {{host}}, which is not a public STS endpoint the authenticator accepts',
    globalEndpoint:
      'The token is pre-signed for the global STS endpoint, which partition {{partition}} does not accept',
    otherPartition:
      'The token is pre-signed for {{host}}, an STS endpoint of another partition than the cluster ({{partition}})',
  },
  check({ sim, incident, clusterName, region }, report) {
    if (sim.failingStage !== 'token' || !sim.facts.has('sts-endpoint-rejected')) return;
    const snapshot = sim.input.snapshot;
    const rejected = clientEvidence(snapshot).stsHostRejected;
    const logged = logCitation(sim, 'sts-endpoint-rejected');
    const message =
      rejected?.message ??
      sim.token?.problems.find((p) => p.fact === 'sts-endpoint-rejected')?.message ??
      incident.reason ??
      logged?.note ??
      'unexpected hostname';
    // Without a token, the authenticator's own words name the host and its (the cluster's) partition.
    const said = readStsHostRefusal(message);
    const host = rejected?.host ?? sim.token?.host ?? said?.host ?? 'an unrecognised STS host';
    const messageId =
      said?.kind === 'global-endpoint' || /global endpoint/.test(message)
        ? 'globalEndpoint'
        : said?.kind === 'other-partition' || /does not support hostname/.test(message)
          ? 'otherPartition'
          : 'customHost';
    const partition =
      rejected?.clusterPartition ?? said?.clusterPartition ?? clusterPartition(snapshot, region) ?? 'aws';
    const hostPartition = sim.token?.partition ?? said?.hostPartition;
    const fixes: FixPlan[] = [];
    if (messageId === 'otherPartition') {
      // The exec plugin's region decides the STS host it signs for: the cluster's region is in the right partition.
      const user = regeneratedUser(sim, { clusterName, region });
      fixes.push({
        title: `Sign with credentials of the cluster's partition (${partition})${region ? ` and its region ${region}` : ''}`,
        actions: [],
        ...(user ? { snippet: user.snippet } : {}),
        notes:
          `${host} belongs to ${hostPartition ? `partition ${hostPartition}` : 'another partition'}; the cluster only accepts STS hosts of ${partition}. ` +
          `Run the exec plugin with a profile whose credentials come from an account in ${partition}` +
          (region ? ` and with --region ${region}, so it pre-signs for sts.${region}.<domain>` : '') +
          '. Credentials of one partition are not valid in another.' +
          (user ? ` \`${user.command}\` (add --profile <${partition} profile>) writes the entry shown.` : ''),
      });
    } else {
      const env = messageId === 'globalEndpoint' ? { AWS_STS_REGIONAL_ENDPOINTS: 'regional' } : undefined;
      const user = regeneratedUser(sim, { clusterName, region }, env ? { env } : {});
      fixes.push({
        title:
          messageId === 'globalEndpoint'
            ? 'Pre-sign with the regional STS endpoint'
            : 'Pre-sign with the public regional STS endpoint, not a custom one',
        actions:
          messageId === 'customHost'
            ? [{ kind: 'run', tool: 'shell', argv: ['unset', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL'] }]
            : [{ kind: 'run', tool: 'shell', argv: ['export', 'AWS_STS_REGIONAL_ENDPOINTS=regional'] }],
        ...(user ? { snippet: user.snippet } : {}),
        notes:
          messageId === 'customHost'
            ? 'The authenticator replays the URL itself and accepts only sts.<region>.<partition domain> hosts (FIPS and dual-stack included). Remove `endpoint_url` / `services` STS overrides from the profile the exec plugin uses; a VPC endpoint still works for other calls.'
            : `The exec plugin inherits kubectl's environment; the entry shown sets AWS_STS_REGIONAL_ENDPOINTS=regional for it so the token names sts.${region ?? '<region>'}.<domain>.`,
      });
    }
    report({
      messageId,
      data: { host, partition },
      explanation:
        `The authenticator refuses the token before calling STS: "${message}". It replays the pre-signed URL itself, so ` +
        'it only trusts STS hosts of its own partition: regional (sts.<region>.<domain>), FIPS and dual-stack names, and ' +
        'sts.amazonaws.com only in partition aws. VPC interface endpoint names and custom endpoints (AWS_ENDPOINT_URL_STS, ' +
        '`endpoint_url` in the profile) are refused, and so are hosts of another partition.',
      evidence: compact([
        logged,
        tokenEvidence(snapshot, `pre-signed for ${host}`),
        okData(snapshot, 'cluster')?.arn
          ? { source: 'cluster', pointer: '/cluster/data/arn', note: `cluster partition ${partition}` }
          : undefined,
      ]),
      fixes,
    });
  },
});
