/**
 * The sources about the failing principal: IAM (unique id, path, creation date), its access entry and near misses,
 * and CloudTrail. Without --principal, the caller stands in for collection. When the caller is another identity,
 * its entry is collected too: "you have access, the identity your kubeconfig uses does not" is FM-03.
 */
import { canonicalArn } from '../eks/arn.js';
import {
  describeCandidates,
  describeEntry,
  listAccessEntries,
  nearMissCandidates,
  type EntryWithPolicies,
} from './aws/eks.js';
import { hasIamEntity, lookupPrincipal, type IamPrincipalEvidence } from './aws/iam.js';
import type { CallerIdentity } from './aws/sts.js';
import { formerUserNames, lookupCloudTrail, plannedLookups } from './aws/cloudtrail.js';
import { NotCollected, SourceFailure, errorCode, failureFor } from './failure.js';
import { plural, safeParse, settle, type CollectRun, type Evidence, type Principal } from './run.js';

export interface PrincipalSources {
  principal: Promise<Principal | undefined>;
  iamPrincipals: Promise<Evidence<IamPrincipalEvidence[]>>;
  accessEntries: Promise<Evidence<EntryWithPolicies[]>>;
  cloudTrail: Promise<Evidence<Array<Record<string, unknown>>>>;
}

export function principalSources(
  run: CollectRun,
  given: Principal | undefined,
  cluster: Promise<Evidence<Record<string, unknown>>>,
  caller: Promise<Evidence<CallerIdentity>>,
): PrincipalSources {
  const { clients, call, options, track } = run;
  const callerParsed = caller.then((ev) => (ev.status === 'ok' ? safeParse(ev.data.Arn) : undefined));
  const principal = given ? Promise.resolve(given) : callerParsed;
  const other: Promise<Principal | undefined> = given
    ? callerParsed.then((c) =>
        c && hasIamEntity(c) && canonicalArn(c.arn).toLowerCase() !== canonicalArn(given.arn).toLowerCase()
          ? c
          : undefined,
      )
    : Promise.resolve(undefined);
  const iamOf = (who: Promise<Principal | undefined>) =>
    who.then((p) => (p && hasIamEntity(p) ? settle(lookupPrincipal(clients, call, p)) : undefined));
  const principalIam = iamOf(principal);
  // Only an assumed role needs GetRole, for its path; the caller is not the principal, so not IAM evidence.
  const otherIam = iamOf(other.then((p) => (p?.kind === 'assumed-role' ? p : undefined)));

  const iamPrincipals = track<IamPrincipalEvidence[]>('iamPrincipals', async () => {
    const parsed = await principal;
    if (!parsed) throw new NotCollected('no principal to look up (pass --principal)');
    if (!hasIamEntity(parsed)) throw new NotCollected(`${parsed.kind} principals have no IAM user or role`);
    const found = await principalIam;
    if (!found?.ok) throw found?.error;
    const { value } = found;
    return {
      data: [value],
      detail: value.exists ? `${value.type} ${value.id ?? ''}`.trim() : `${value.type} does not exist`,
    };
  });

  /** The ARN an entry is stored under: for an assumed role, the role's full ARN from GetRole (FM §5.4). */
  const entryArn = async (parsed: Principal, iam: typeof principalIam) => {
    if (parsed.kind !== 'assumed-role') return parsed.arn;
    const role = await iam;
    return role?.ok && role.value.exists ? role.value.arn : canonicalArn(parsed.arn);
  };
  const otherEntry = other.then(async (parsed) =>
    parsed
      ? (await describeEntry(clients, call, options.cluster, await entryArn(parsed, otherIam))).entry
      : undefined,
  );
  otherEntry.catch(() => undefined); // extra evidence: its failure is not the source's

  const cloudTrail = track<Array<Record<string, unknown>>>('cloudTrail', async () => {
    if (options.cloudTrail === false) throw new NotCollected('not requested');
    const parsed = await principal;
    const who: { name: string; type: 'user' | 'role' } | undefined =
      parsed && hasIamEntity(parsed)
        ? { name: parsed.name, type: parsed.kind === 'user' ? 'user' : 'role' }
        : undefined;
    const lookups = plannedLookups(run.aws.region, options.cluster, who);
    const result = await lookupCloudTrail(clients, run.policy, lookups, run.window, run.pacers);
    const count = `${plural(result.events.length, 'event')} from ${plural(result.calls, 'lookup')}`;
    return { data: result.events, detail: result.truncated ? `${count} (page cap reached)` : count };
  });

  const accessEntries = track<EntryWithPolicies[]>('accessEntries', async () => {
    const parsed = await principal;
    if (!parsed) throw new NotCollected('no principal to look up (pass --principal)');
    const lookupArn = await entryArn(parsed, principalIam);
    let lookup;
    try {
      lookup = await describeEntry(clients, call, options.cluster, lookupArn);
    } catch (error) {
      if (errorCode(error) === 'InvalidRequestException' && (await configMapOnly(cluster))) {
        return { data: [], detail: 'CONFIG_MAP mode: the cluster uses no access entries' };
      }
      throw new SourceFailure(failureFor('eks:DescribeAccessEntry', error));
    }
    const withOther = async (entries: EntryWithPolicies[]) => {
      const extra = await otherEntry.catch(() => undefined);
      return extra && !entries.some((e) => e.principalArn === extra.principalArn)
        ? [...entries, extra]
        : entries;
    };
    if (lookup.entry) {
      const failed = lookup.policiesFailure;
      const detail = failed
        ? `entry found; policies unknown (${failed.status === 'denied' ? `needs ${failed.permission}` : failed.message})`
        : `entry found, ${plural(lookup.entry.associatedPolicies?.length ?? 0, 'access policy', 'access policies')}`;
      return { data: await withOther([lookup.entry]), detail };
    }
    let listed: string[];
    try {
      listed = await listAccessEntries(clients, call, options.cluster);
    } catch (error) {
      const failure = failureFor('eks:ListAccessEntries', error);
      const why = failure.status === 'denied' ? `needs ${failure.permission}` : failure.message;
      return {
        data: await withOther([]),
        detail: `no entry for the principal; near misses not checked (${why})`,
      };
    }
    // A renamed IAM user keeps its unique id, and its entry its old ARN (FM-23): CloudTrail gives the old name.
    const trail = parsed.kind === 'user' ? await cloudTrail : undefined;
    const formerNames = trail?.status === 'ok' ? formerUserNames(trail.data, parsed.name) : [];
    const candidates = nearMissCandidates(lookupArn, listed, { formerNames });
    const near = await describeCandidates(clients, call, options.cluster, candidates);
    return {
      data: await withOther(near),
      detail: `no entry for the principal among ${listed.length}; ${plural(near.length, 'near miss', 'near misses')}`,
    };
  });

  return { principal, iamPrincipals, accessEntries, cloudTrail };
}

/** Access-entry calls fail with InvalidRequestException in CONFIG_MAP mode (or before access entries existed). */
async function configMapOnly(cluster: Promise<Evidence<Record<string, unknown>>>): Promise<boolean> {
  const ev = await cluster;
  if (ev.status !== 'ok') return false;
  const mode = (ev.data.accessConfig as { authenticationMode?: string } | undefined)?.authenticationMode;
  return mode === undefined || mode === 'CONFIG_MAP';
}
