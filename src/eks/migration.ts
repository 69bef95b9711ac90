/**
 * The access entries that would replace aws-auth mappings (FM-49, FM-51): before a cluster moves to API mode,
 * every principal still mapped only in aws-auth needs an entry — node roles with a node type, system:masters
 * users with AmazonEKSClusterAdminPolicy (system: groups are rejected on entries), others with their groups.
 */
import type { AwsAuthMapping } from './aws-auth.js';
import { canonicalArn } from './arn.js';
import { looksLikeNodeMapping, nodeEntryType } from './node-identity.js';
import type { FixAction } from '../fix/actions.js';
import { CLUSTER_ADMIN_POLICY } from '../fix/plans.js';
import { matchKey, type SnapshotIndex } from '../simulate/context.js';

const RESERVED_PREFIXES = ['aws:', 'amazon:', 'eks:', 'iam:', 'system:'];

/** aws-auth role and user mappings with no access entry for the same principal (list order, at most `limit`). */
export function awsAuthOnlyMappings(index: SnapshotIndex, limit = Infinity): AwsAuthMapping[] {
  const out: AwsAuthMapping[] = [];
  for (const m of [...(index.awsAuth?.roles ?? []), ...(index.awsAuth?.users ?? [])]) {
    if (out.length >= limit) break;
    let key: string;
    try {
      key = matchKey(canonicalArn(m.arn));
    } catch {
      continue; // the authenticator never matches it either
    }
    if (!index.entriesByKey.has(key)) out.push(m);
  }
  return out;
}

/** A username an access entry accepts: no reserved prefix, {{SessionName}} only after a colon. */
export function entryUsernameAllowed(username: string | undefined): boolean {
  if (!username) return false;
  if (RESERVED_PREFIXES.some((p) => username.startsWith(p))) return false;
  if (username.includes('{{EC2PrivateDNSName}}')) return false;
  return !/(^|[^:])\{\{SessionName(Raw)?\}\}/.test(username);
}

/** The EKS calls that give one aws-auth mapping the same access as an access entry. */
export function entryActionsForMapping(m: AwsAuthMapping): FixAction[] {
  const principalArn = m.arn;
  if (m.section === 'mapRoles' && looksLikeNodeMapping(m)) {
    // The username tells hybrid nodes (system:node:{{SessionName}}) from EC2 ones.
    const type = nodeEntryType(m.groups, { username: m.username });
    return [{ kind: 'create-access-entry', principalArn, type }];
  }
  const groups = m.groups.filter((g) => g !== '' && !g.startsWith('system:'));
  const actions: FixAction[] = [
    {
      kind: 'create-access-entry',
      principalArn,
      type: 'STANDARD',
      ...(groups.length ? { kubernetesGroups: groups } : {}),
      ...(entryUsernameAllowed(m.username) && m.username ? { username: m.username } : {}),
    },
  ];
  if (m.groups.includes('system:masters')) {
    actions.push({
      kind: 'associate-access-policy',
      principalArn,
      policyArn: CLUSTER_ADMIN_POLICY,
      scope: { type: 'cluster' },
    });
  }
  return actions;
}
