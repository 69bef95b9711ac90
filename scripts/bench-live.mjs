// The live-collection part of `npm run bench` (DESIGN §7 Fast): collects the seed scenario from the local fake
// AWS and Kubernetes endpoints (test/support) with a fixed latency on every call, then prints one JSON line with
// the sequential AWS round trips, the wall time of the collection and the CloudTrail request rate.
// It imports TypeScript, so scripts/bench.mjs bundles it with esbuild first (Node 20 cannot strip types);
// run it through `npm run bench`, not directly.
import { readFileSync } from 'node:fs';
import { collectSnapshot } from '../src/collect/index.ts';
import { parseSnapshotText } from '../src/model/load.ts';
import { withEnv } from '../test/support/env.ts';
import { analyzeRequestLog } from '../test/support/request-log.ts';
import { startFakes } from '../test/support/scenario.ts';

const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 100);
const cloudTrail = process.env.BENCH_CLOUDTRAIL !== '0';
// A busy account: read-only calls (DescribeCluster, GetRole) in the last hour fill the event-source page, so the
// collector reads the rest of the window by event name.
const busy = process.env.BENCH_BUSY === '1';
const seedFile = process.env.BENCH_SEED ?? 'samples/seed-metrics-api-empty-username.json';
const seed = parseSnapshotText(readFileSync(seedFile, 'utf8'), seedFile);

/** 150 read-only events per service within the hour before collection. */
function addReadOnlyNoise(fakes) {
  const end = Date.parse(seed.collectedAt ?? new Date().toISOString());
  const noise = (source, name, params) =>
    Array.from({ length: 150 }, (_, i) => ({
      EventId: `noise-${name}-${i}`,
      EventName: name,
      EventSource: source,
      ReadOnly: 'true',
      EventTime: new Date(end - (i + 1) * 20_000).toISOString(),
      CloudTrailEvent: JSON.stringify({ eventName: name, requestParameters: params }),
    }));
  const state = fakes.aws.state.cloudTrail;
  (state[fakes.region] ??= []).push(
    ...noise('eks.amazonaws.com', 'DescribeCluster', { name: fakes.clusterName }),
  );
  (state['us-east-1'] ??= []).push(...noise('iam.amazonaws.com', 'GetRole', { roleName: 'any' }));
}

/** One collection against fresh fakes; returns its figures. */
async function collectOnce() {
  const fakes = await startFakes(seed, { aws: { latencyMs } });
  fakes.kube.faults.push({ route: '*', kind: 'latency', ms: latencyMs });
  if (busy) addReadOnlyNoise(fakes);
  try {
    const started = performance.now();
    const snapshot = await withEnv(fakes.env, () =>
      collectSnapshot({
        cluster: fakes.clusterName,
        region: fakes.region,
        principalArn: seed.incident?.principalArn,
        path: seed.incident?.path,
        now: new Date(seed.collectedAt ?? Date.now()),
        since: '24h',
        cloudTrail,
      }),
    );
    const wallMs = performance.now() - started;
    const figures = analyzeRequestLog([...fakes.aws.log, ...fakes.kube.log]);
    return {
      wallMs: Math.round(wallMs),
      sequentialRoundTrips: figures.sequentialRoundTrips,
      awsRequests: figures.awsRequests,
      kubernetesRequests: figures.kubernetesRequests,
      cloudTrailRequests: figures.cloudTrail.requests,
      cloudTrailMaxPerSecond: figures.cloudTrail.maxPerSecond,
      sources: Object.fromEntries(
        Object.entries(snapshot)
          .filter(([, v]) => typeof v === 'object' && v !== null && 'status' in v)
          .map(([k, v]) => [k, v.status]),
      ),
    };
  } finally {
    await fakes.close();
  }
}

// The first collection also loads the AWS SDK clients and the Kubernetes client (as the CLI does); the second
// shows the cost of the calls alone.
const cold = await collectOnce();
const warm = await collectOnce();
console.log(JSON.stringify({ latencyMs, cloudTrail, busy, coldWallMs: cold.wallMs, ...warm }));
