/**
 * The clusters the form can pick from: eks:ListClusters in the form's region with the form's profile. Credentials
 * and region resolve as for collection (src/collect/aws/context.ts); the SDK loads only when the list is asked for.
 */
import type { ClusterQuery, ClusterList } from './services.js';

const MAX_CLUSTERS = 1000;

export async function listClusters(query: ClusterQuery, env: NodeJS.ProcessEnv): Promise<ClusterList> {
  const { createAwsContext } = await import('../collect/aws/context.js');
  const { failureFor } = await import('../collect/failure.js');
  const ctx = await createAwsContext({
    region: query.region || undefined,
    profile: query.profile || undefined,
    timeoutMs: 10_000,
    env,
  });
  try {
    const loaded = await import('@aws-sdk/client-eks');
    // A code-split bundle hands a CommonJS package over as its default export only.
    const { EKSClient, ListClustersCommand } =
      'EKSClient' in loaded ? loaded : (loaded as unknown as { default: typeof loaded }).default;
    const client = ctx.track(new EKSClient(ctx.clientConfig()));
    const clusters: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const out = await client.send(new ListClustersCommand({ maxResults: 100, nextToken }), {
          abortSignal: query.signal,
        });
        clusters.push(...(out.clusters ?? []));
        nextToken = out.nextToken;
      } while (nextToken && clusters.length < MAX_CLUSTERS);
    } catch (error) {
      if (query.signal.aborted) throw error;
      const failure = failureFor('eks:ListClusters', error);
      throw new Error(
        failure.status === 'denied'
          ? `denied: listing clusters needs eks:ListClusters in ${ctx.region}; type the cluster name instead`
          : failure.message,
        { cause: error },
      );
    }
    return { region: ctx.region, clusters: clusters.sort((a, b) => a.localeCompare(b)) };
  } finally {
    ctx.close();
  }
}
