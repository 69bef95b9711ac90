/**
 * The Kubernetes sources of one collection: the connection (kubeconfig context, or the EKS endpoint and CA with a
 * presigned token), then aws-auth, RBAC, APIServices, SelfSubjectReview and the kubeconfig evidence, concurrently.
 */
import { NotCollected, SourceFailure } from '../failure.js';
import type { CollectRun, Evidence } from '../run.js';
import type { ProgressSource } from '../types.js';
import { kubeFromEndpoint, kubeFromKubeconfig, type KubeConnection } from './connect.js';
import { eksToken } from './presign.js';
import { getApiServices, getAwsAuth, getRbac, selfSubjectReview } from './sources.js';

export function connectKubernetes(
  run: CollectRun,
  cluster: Promise<Evidence<Record<string, unknown>>>,
): Promise<KubeConnection> {
  const { options, aws } = run;
  const connection = (async () => {
    if (options.kubernetes === false) throw new NotCollected('not requested');
    if (options.context || options.kubeconfig) {
      return kubeFromKubeconfig({ context: options.context, kubeconfig: options.kubeconfig });
    }
    const ev = await cluster;
    const endpoint = ev.status === 'ok' ? (ev.data.endpoint as string | undefined) : undefined;
    if (ev.status !== 'ok' || !endpoint) {
      throw new SourceFailure({
        status: 'error',
        message: 'no Kubernetes endpoint (DescribeCluster gave none); pass --context to use a kubeconfig',
      });
    }
    // EKS local clusters on Outposts sign their id, not their name, into x-k8s-aws-id (FM-07).
    const outpost = ev.data.outpostConfig && typeof ev.data.id === 'string' ? ev.data.id : undefined;
    return kubeFromEndpoint({
      endpoint,
      caData: (ev.data.certificateAuthority as { data?: string } | undefined)?.data,
      token: async () =>
        eksToken({
          clusterId: outpost ?? options.cluster,
          region: aws.region,
          credentials: await aws.credentials(),
        }),
    });
  })();
  connection.catch(() => undefined);
  return connection;
}

export function kubernetesSources(run: CollectRun, connection: Promise<KubeConnection>) {
  const { call, track } = run;
  const withKube = <T>(
    source: ProgressSource,
    work: (conn: KubeConnection) => Promise<{ data: T; detail?: string }>,
  ) => track<T>(source, async () => work(await connection));
  return {
    awsAuth: withKube('awsAuth', async (conn) => {
      const data = await getAwsAuth(conn, call);
      return { data, detail: data ? undefined : 'no aws-auth ConfigMap' };
    }),
    rbac: withKube('rbac', async (conn) => {
      const data = await getRbac(conn, call);
      return { data, detail: `${data.clusterRoleBindings.length + data.roleBindings.length} bindings` };
    }),
    apiServices: withKube('apiServices', async (conn) => {
      const data = await getApiServices(conn, call);
      return { data, detail: `${data.length} APIServices` };
    }),
    whoami: withKube('whoami', async (conn) => {
      const data = await selfSubjectReview(conn, call);
      return { data, detail: data.username || '(empty username)' };
    }),
    kubeconfig: track('kubeconfig', async () => {
      const conn = await connection.catch(() => undefined);
      if (!conn?.kubeconfigEvidence) throw new NotCollected('no kubeconfig context used');
      return { data: conn.kubeconfigEvidence };
    }),
  };
}
