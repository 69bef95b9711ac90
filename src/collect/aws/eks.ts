/**
 * EKS evidence (FM §5.1): DescribeCluster, and the failing principal's access entry with its associated policies.
 * ListAccessEntries runs only when the principal has no entry, to find near misses (same name under another path,
 * case or account, or the same SSO permission set), and only those candidates are described.
 */
import { parseArn } from '../../eks/arn.js';
import { mapLimit } from '../concurrency.js';
import { SourceFailure, errorCode, failureFor, unexpectedAnswer } from '../failure.js';
import { toPlain } from '../plain.js';
import type { AwsClients } from './clients.js';

export type Call = <T>(fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

export async function describeCluster(
  aws: AwsClients,
  call: Call,
  name: string,
): Promise<Record<string, unknown>> {
  const { sdk, client } = await aws.eks();
  try {
    const out = await call((abortSignal) =>
      client.send(new sdk.DescribeClusterCommand({ name }), { abortSignal }),
    );
    if (!out.cluster?.name) throw unexpectedAnswer('eks:DescribeCluster', 'a cluster');
    return toPlain<Record<string, unknown>>(out.cluster);
  } catch (error) {
    if (error instanceof SourceFailure) throw error;
    if (errorCode(error) === 'ResourceNotFoundException') {
      throw new SourceFailure({
        status: 'error',
        message: `no cluster named "${name}" in ${aws.ctx.region} (ResourceNotFoundException)`,
      });
    }
    throw new SourceFailure(failureFor('eks:DescribeCluster', error));
  }
}

export type EntryWithPolicies = Record<string, unknown> & {
  principalArn: string;
  associatedPolicies?: unknown[];
};

export interface EntryLookup {
  entry?: EntryWithPolicies;
  /** Set when the entry was found but its policies could not be listed. */
  policiesFailure?: ReturnType<typeof failureFor>;
}

/** The entry for exactly `principalArn` with its policies (both calls at once); `entry` undefined when absent. */
export async function describeEntry(
  aws: AwsClients,
  call: Call,
  clusterName: string,
  principalArn: string,
): Promise<EntryLookup> {
  const { sdk, client } = await aws.eks();
  const describe = call((abortSignal) =>
    client.send(new sdk.DescribeAccessEntryCommand({ clusterName, principalArn }), { abortSignal }),
  );
  const policies = (async () => {
    const all: unknown[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const out = await call((abortSignal) =>
        client.send(
          new sdk.ListAssociatedAccessPoliciesCommand({
            clusterName,
            principalArn,
            maxResults: 100,
            nextToken,
          }),
          { abortSignal },
        ),
      );
      all.push(...(out.associatedAccessPolicies ?? []));
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    return toPlain<unknown[]>(all);
  })();
  const [entry, listed] = await Promise.allSettled([describe, policies]);
  if (entry.status === 'rejected') {
    if (errorCode(entry.reason) === 'ResourceNotFoundException') return {};
    throw entry.reason;
  }
  if (!entry.value.accessEntry?.principalArn) {
    throw unexpectedAnswer('eks:DescribeAccessEntry', 'an accessEntry');
  }
  const plain = toPlain<EntryWithPolicies>(entry.value.accessEntry);
  if (listed.status === 'fulfilled') return { entry: { ...plain, associatedPolicies: listed.value } };
  if (errorCode(listed.reason) === 'ResourceNotFoundException') {
    return { entry: { ...plain, associatedPolicies: [] } };
  }
  return { entry: plain, policiesFailure: failureFor('eks:ListAssociatedAccessPolicies', listed.reason) };
}

/** Every principal ARN with an access entry (at most 3,000 per cluster, FM §5.2). */
export async function listAccessEntries(aws: AwsClients, call: Call, clusterName: string): Promise<string[]> {
  const { sdk, client } = await aws.eks();
  const arns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 40; page++) {
    const out = await call((abortSignal) =>
      client.send(new sdk.ListAccessEntriesCommand({ clusterName, maxResults: 100, nextToken }), {
        abortSignal,
      }),
    );
    arns.push(...(out.accessEntries ?? []));
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  return arns;
}

const SSO_ROLE = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/i;

/**
 * Entries that a human would mistake for the principal's: the same name (another path, case or account), the
 * same SSO permission set, or a name the principal had before a rename (`formerNames`).
 */
export function nearMissCandidates(
  principalArn: string,
  listed: readonly string[],
  options: { formerNames?: readonly string[]; max?: number } = {},
): string[] {
  let name: string;
  try {
    name = parseArn(principalArn).name;
  } catch {
    return [];
  }
  const names = new Set([name, ...(options.formerNames ?? [])].map((n) => n.toLowerCase()));
  const permissionSet = SSO_ROLE.exec(name)?.[1]?.toLowerCase();
  const matches = listed.filter((arn) => {
    if (arn === principalArn) return false;
    const tail = arn.slice(arn.lastIndexOf('/') + 1);
    if (names.has(tail.toLowerCase())) return true;
    const otherSet = SSO_ROLE.exec(tail)?.[1]?.toLowerCase();
    return permissionSet !== undefined && otherSet === permissionSet;
  });
  return matches.slice(0, options.max ?? 20);
}

/** Describes near-miss candidates, at most 8 at a time; a candidate that vanished meanwhile is skipped. */
export async function describeCandidates(
  aws: AwsClients,
  call: Call,
  clusterName: string,
  candidates: readonly string[],
): Promise<EntryWithPolicies[]> {
  const found = await mapLimit(
    candidates,
    8,
    async (arn) => (await describeEntry(aws, call, clusterName, arn)).entry,
  );
  return found.filter((e): e is EntryWithPolicies => e !== undefined);
}
