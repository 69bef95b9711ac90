/**
 * Live collection (DESIGN §1 collect): every source runs as soon as what it needs is known, concurrently, and
 * records its own status. The happy path takes at most 4 sequential AWS round trips whatever the cluster size:
 *   1. DescribeCluster · GetCallerIdentity · GetRole/GetUser of the principal · DescribeAccessEntry +
 *      ListAssociatedAccessPolicies for an IAM user or role ARN · CloudTrail LookupEvents (independent of each
 *      other; the pacer spaces them to 2 per second, a rate limit, not a dependency)
 *   2. the entry of an assumed role (needs GetRole's path) · FilterLogEvents (needs the log settings) · without
 *      --principal, the caller's GetRole; when the caller is not the principal, its GetRole or entry
 *   3. the caller's entry when it is an assumed role
 * ListAccessEntries runs only when the principal has no entry (near misses). Kubernetes calls start once the
 * endpoint is known (or at once with a kubeconfig context) and are not AWS round trips.
 */
import { InputError } from '../cli/errors.js';
import { ArnError, parseArn } from '../eks/arn.js';
import { sourceNames, type Snapshot } from '../model/snapshot.js';
import { AwsClients } from './aws/clients.js';
import { createAwsContext } from './aws/context.js';
import { describeCluster } from './aws/eks.js';
import { getCallerIdentity, type CallerIdentity } from './aws/sts.js';
import { IAM_EVENTS_REGION } from './aws/cloudtrail.js';
import type { Pacer } from './concurrency.js';
import { parseDuration } from './duration.js';
import { NotCollected } from './failure.js';
import { crossCheck } from './kube/cross-check.js';
import type { KubeConnection } from './kube/connect.js';
import { connectKubernetes, kubernetesSources } from './kube/kube-sources.js';
import { logSources } from './log-sources.js';
import { principalSources } from './principal-sources.js';
import { callWithRetry, type CallPolicy } from './retry.js';
import { tracker, type CollectRun, type Evidence, type Principal } from './run.js';
import type { CollectOptions, ProgressListener } from './types.js';

const CLOUDTRAIL_RETENTION_MS = 90 * 86_400_000;
const DEFAULT_TIMEOUT_MS = 10_000;

function principalOf(arn: string): Principal {
  try {
    return { ...parseArn(arn), arn: arn.trim() };
  } catch (error) {
    if (error instanceof ArnError) throw new InputError(`--principal: ${error.message}`);
    throw error;
  }
}

export async function collectSnapshot(
  options: CollectOptions,
  onProgress?: ProgressListener,
): Promise<Snapshot> {
  if (!options.cluster) throw new InputError('collecting needs the cluster name: pass --cluster NAME');
  const now = options.now ?? new Date();
  const sinceMs = Math.min(parseDuration(options.since ?? '24h'), CLOUDTRAIL_RETENTION_MS);
  const given = options.principalArn ? principalOf(options.principalArn) : undefined;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const aws = await createAwsContext({ region: options.region, profile: options.profile, timeoutMs });
  const clients = new AwsClients(aws);
  const policy: CallPolicy = { timeoutMs, signal: options.signal };
  const run: CollectRun = {
    options,
    aws,
    clients,
    policy,
    call: (fn) => callWithRetry(fn, policy),
    window: { start: new Date(now.getTime() - sinceMs), end: now },
    pacers: new Map<string, Pacer>(),
    track: tracker(options, onProgress),
  };
  const { track } = run;

  // Load every SDK module and build the clients before the first request: otherwise one client's import time
  // delays its first call behind another's answer, and independent calls turn sequential. The Kubernetes client
  // too: evaluating it blocks the event loop for a few hundred ms, better before than mid-flight.
  await Promise.all([
    options.kubernetes === false ? undefined : import('@kubernetes/client-node').catch(() => undefined),
    clients.eks(),
    clients.sts(),
    clients.iam(),
    options.cloudTrail === false ? undefined : clients.cloudTrail(aws.region),
    options.cloudTrail === false ? undefined : clients.cloudTrail(IAM_EVENTS_REGION),
    options.logs === false ? undefined : clients.logs(),
  ]);

  let kube: KubeConnection | undefined;
  try {
    const cluster = track('cluster', async () => {
      const data = await describeCluster(clients, run.call, options.cluster);
      return { data, detail: `${String(data.status ?? '')} ${String(data.version ?? '')}`.trim() };
    });
    const callerIdentity = track<CallerIdentity>('callerIdentity', async () => {
      const data = await getCallerIdentity(clients, run.call);
      return { data, detail: data.Arn };
    });
    const principal = principalSources(run, given, cluster, callerIdentity);
    const logs = logSources(run, cluster, principal.principal);
    const kubeConnection = connectKubernetes(run, cluster);
    kubeConnection.then(
      (conn) => (kube = conn),
      () => undefined,
    );
    const kubernetes = kubernetesSources(run, kubeConnection);

    const pending: Record<string, Promise<Evidence<unknown>>> = {
      cluster,
      callerIdentity,
      iamPrincipals: principal.iamPrincipals,
      accessEntries: principal.accessEntries,
      cloudTrail: principal.cloudTrail,
      ...logs,
      ...kubernetes,
    };
    const settled = Object.fromEntries(
      await Promise.all(Object.entries(pending).map(async ([name, ev]) => [name, await ev] as const)),
    );

    // The caller stands in for a principal nobody named, for collection only: the incident says what the user
    // reported, and "no principal given" must stay distinguishable (an anonymous request has none).
    const incident = {
      ...(given ? { principalArn: given.arn } : {}),
      ...(options.path ? { path: options.path } : {}),
      ...(options.verb ? { verb: options.verb } : {}),
      ...(options.namespace ? { namespace: options.namespace } : {}),
      clusterName: options.cluster,
      region: aws.region,
    };
    const snapshot: Record<string, unknown> = { schemaVersion: 1, collectedAt: now.toISOString(), incident };
    for (const name of sourceNames) {
      const ev = settled[name];
      if (ev && ev.status !== 'absent') snapshot[name] = ev;
    }
    const review = await track('subjectAccessReview', async () => {
      const conn = await kubeConnection.catch(() => undefined);
      if (!conn) throw new NotCollected('no Kubernetes connection');
      return crossCheck(conn, run.call, snapshot as Snapshot, {
        ...incident,
        principalArn: (await principal.principal)?.arn,
        now,
      });
    });
    if (review.status !== 'absent') snapshot.subjectAccessReview = review;
    return snapshot as Snapshot;
  } finally {
    aws.close();
    kube?.close();
  }
}
