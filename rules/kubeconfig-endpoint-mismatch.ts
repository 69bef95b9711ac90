import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { clientEvidence } from '../src/evidence/client.js';
import { clusterEntrySnippet, updateKubeconfigText } from '../src/fix/kubeconfig.js';
import { commandText } from '../src/fix/quote.js';
import { okData } from '../src/model/snapshot.js';
import { findEksEndpoint } from '../src/parse/text.js';

/** FM-08: the kubeconfig sends requests to another endpoint than this cluster's, so this cluster never sees them. */
export default defineRule({
  id: 'kubeconfig-endpoint-mismatch',
  stage: 'mapping',
  precedence: 90,
  summary:
    "The kubeconfig's server is not this cluster's endpoint (a recreated cluster, a same-named cluster elsewhere, a stale context), so another cluster answers.",
  requires: ['kubeconfig', 'cluster'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/create-kubeconfig.html',
    'https://docs.aws.amazon.com/cli/latest/reference/eks/update-kubeconfig.html',
  ],
  messages: {
    mismatch: 'The kubeconfig sends requests to {{server}}, not to {{cluster}} ({{endpoint}})',
  },
  check({ sim, clusterName, region }, report) {
    const client = clientEvidence(sim.input.snapshot);
    const mismatch = client.endpointMismatch;
    if (!mismatch) return;
    const cluster = okData(sim.input.snapshot, 'cluster');
    const name = clusterName ?? cluster?.name ?? 'this cluster';
    const serverRegion = findEksEndpoint(mismatch.server)?.region;
    const why =
      serverRegion && region && serverRegion !== region
        ? `That endpoint is in ${serverRegion}, not ${region}: a cluster of the same name in another region.`
        : 'Usually the cluster was deleted and re-created under the same name (a new endpoint), a same-named cluster in ' +
          'another account is meant, or the context is stale.';
    const caData = (cluster?.certificateAuthority as { data?: unknown } | undefined)?.data;
    const alias = region ? `${name}-${region}` : name;
    report({
      messageId: 'mismatch',
      data: { server: mismatch.server, endpoint: mismatch.endpoint, cluster: name },
      explanation:
        `The current context's server is ${mismatch.server}, but ${name}'s endpoint is ${mismatch.endpoint}. The request ` +
        `(and the token signed for "${name}") goes to whatever cluster answers there, and ${name}'s access entries and ` +
        `aws-auth play no part: that cluster does not know the principal (401) or does not grant it (403). ${why}`,
      evidence: compact([
        client.kubeconfig?.serverPointer !== undefined && {
          source: 'kubeconfig',
          pointer: client.kubeconfig.serverPointer ?? '/kubeconfig/data',
          note: `server ${mismatch.server}`,
        },
        {
          source: 'cluster',
          pointer: '/cluster/data/endpoint',
          note: `${name} endpoint ${mismatch.endpoint}`,
        },
      ]),
      fixes: [
        {
          title: `Point the context at ${name}'s endpoint`,
          actions: [],
          snippet: clusterEntrySnippet({
            name: client.kubeconfig?.clusterEntry ?? cluster?.arn ?? name,
            server: mismatch.endpoint,
            caData: typeof caData === 'string' ? caData : undefined,
          }),
          notes:
            `Regenerate it: \`${updateKubeconfigText({ clusterName: name, region, alias })}\`, then \`kubectl config use-context ${alias}\`. ` +
            'A unique alias keeps same-named clusters in other regions or accounts apart.' +
            (typeof caData === 'string'
              ? ''
              : ` Set certificate-authority-data too (a re-created cluster has a new CA): \`${commandText(['aws', 'eks', 'describe-cluster', '--name', name, ...(region ? ['--region', region] : []), '--query', 'cluster.certificateAuthority.data', '--output', 'text'])}\` prints it.`),
        },
      ],
    });
  },
});
