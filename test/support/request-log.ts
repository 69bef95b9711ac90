/**
 * The request log the fake endpoints keep, and the figures the benchmark prints from it (DESIGN §7 Fast):
 *  - sequential AWS round trips: the longest chain of AWS requests in which each starts after the previous one
 *    ended (a request that overlaps another cannot depend on it). CloudTrail LookupEvents requests are left out
 *    of this chain: they depend on nothing, and the spacing between them is the pacer honouring CloudTrail's rate
 *    limit, which is measured separately below, not a dependency.
 *  - CloudTrail rate: the most LookupEvents requests that arrived within any 1,000 ms window, per Region.
 */
export interface RequestRecord {
  /** Arrival and completion, in ms (performance.now() of the test process). */
  start: number;
  end: number;
  /** eks, sts, iam, cloudtrail, logs, or kubernetes. */
  service: string;
  operation: string;
  region?: string | undefined;
  status: number;
  accessKeyId?: string | undefined;
  fault?: string | undefined;
  /** The request body as sent (AWS only), for tests that check what was asked. */
  body?: string | undefined;
}

/** Longest chain of requests where each starts at or after the end of the one before. */
export function longestChain(records: readonly RequestRecord[]): number {
  const sorted = [...records].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  let best = 0;
  sorted.forEach((r, i) => {
    let d = 1;
    for (let j = 0; j < i; j++) {
      const before = sorted[j] as RequestRecord;
      if (before.end <= r.start) d = Math.max(d, (depth[j] ?? 0) + 1);
    }
    depth[i] = d;
    best = Math.max(best, d);
  });
  return best;
}

/** Most requests whose arrival falls within any window of `windowMs`. */
export function maxInWindow(starts: readonly number[], windowMs = 1000): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export interface RequestLogFigures {
  awsRequests: number;
  sequentialRoundTrips: number;
  cloudTrail: { requests: number; maxPerSecondByRegion: Record<string, number>; maxPerSecond: number };
  kubernetesRequests: number;
}

export function analyzeRequestLog(records: readonly RequestRecord[]): RequestLogFigures {
  const aws = records.filter((r) => r.service !== 'kubernetes');
  const lookups = aws.filter((r) => r.service === 'cloudtrail' && r.operation === 'LookupEvents');
  const byRegion: Record<string, number> = {};
  for (const region of new Set(lookups.map((r) => r.region ?? ''))) {
    byRegion[region] = maxInWindow(lookups.filter((r) => (r.region ?? '') === region).map((r) => r.start));
  }
  return {
    awsRequests: aws.length,
    sequentialRoundTrips: longestChain(aws.filter((r) => !lookups.includes(r))),
    cloudTrail: {
      requests: lookups.length,
      maxPerSecondByRegion: byRegion,
      maxPerSecond: Math.max(0, ...Object.values(byRegion)),
    },
    kubernetesRequests: records.length - aws.length,
  };
}
