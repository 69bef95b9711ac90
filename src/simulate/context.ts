/**
 * Everything the simulator and the rules need from a snapshot, indexed once (principal → entry, ARN → aws-auth
 * mapping, subject → bindings), so that no rule scans all entries, bindings or events.
 */
import { parseAwsAuth, type AwsAuthMapping, type ParsedAwsAuth } from '../eks/aws-auth.js';
import { RbacIndex } from '../k8s/rbac.js';
import { okData, type AccessEntry, type AuthenticationMode, type Snapshot } from '../model/snapshot.js';
import { canonicalArn, stripPath, isPrincipalArn, parseClusterArn } from '../eks/arn.js';

export interface IndexedEntry {
  entry: AccessEntry;
  index: number;
  pointer: string;
}

export interface SnapshotIndex {
  snapshot: Snapshot;
  authMode: { mode: AuthenticationMode | undefined; known: boolean; pointer: string; raw?: string };
  clusterName: string | undefined;
  region: string | undefined;
  awsAuth: ParsedAwsAuth | undefined;
  /**
   * aws-auth mappings keyed like callers (canonical, path-less, lower-cased), including the ones the authenticator
   * would never match (paths, STS ARNs): rules use it to find near misses without scanning.
   */
  awsAuthByKey: Map<string, AwsAuthMapping[]>;
  /** Access entries keyed by their ARN with the IAM path removed, lower-cased (how the authenticator compares them). */
  entriesByKey: Map<string, IndexedEntry[]>;
  entriesByName: Map<string, IndexedEntry[]>;
  rbac: RbacIndex;
  rbacCollected: boolean;
}

/** The key an access entry or caller is matched on: the path-less ARN, lower-cased. */
export function matchKey(arn: string): string {
  return (isPrincipalArn(arn) ? stripPath(arn) : arn.trim()).toLowerCase();
}

function principalName(arn: string): string {
  const slash = arn.lastIndexOf('/');
  return (slash >= 0 ? arn.slice(slash + 1) : arn).toLowerCase();
}

export function indexSnapshot(snapshot: Snapshot): SnapshotIndex {
  const cluster = okData(snapshot, 'cluster');
  const rawMode = cluster?.accessConfig?.authenticationMode;
  const mode: AuthenticationMode | undefined = cluster
    ? rawMode === 'API' || rawMode === 'API_AND_CONFIG_MAP'
      ? rawMode
      : 'CONFIG_MAP' // a cluster without accessConfig predates access entries (FM open question 7)
    : undefined;
  const clusterArn = cluster?.arn ? parseClusterArn(cluster.arn) : undefined;

  const entriesByKey = new Map<string, IndexedEntry[]>();
  const entriesByName = new Map<string, IndexedEntry[]>();
  (okData(snapshot, 'accessEntries') ?? []).forEach((entry, index) => {
    const item = { entry, index, pointer: `/accessEntries/data/${index}` };
    const key = matchKey(entry.principalArn);
    entriesByKey.set(key, [...(entriesByKey.get(key) ?? []), item]);
    const name = principalName(entry.principalArn);
    entriesByName.set(name, [...(entriesByName.get(name) ?? []), item]);
  });

  const awsAuthEvidence = snapshot.awsAuth;
  const rbacData = okData(snapshot, 'rbac');
  const awsAuth = awsAuthEvidence?.status === 'ok' ? parseAwsAuth(awsAuthEvidence.data) : undefined;
  const awsAuthByKey = new Map<string, AwsAuthMapping[]>();
  for (const m of [...(awsAuth?.roles ?? []), ...(awsAuth?.users ?? [])]) {
    let key: string;
    try {
      key = matchKey(canonicalArn(m.arn));
    } catch {
      key = m.arn.trim().toLowerCase();
    }
    awsAuthByKey.set(key, [...(awsAuthByKey.get(key) ?? []), m]);
  }
  return {
    snapshot,
    authMode: {
      mode,
      known: mode !== undefined,
      pointer: '/cluster/data/accessConfig/authenticationMode',
      raw: rawMode,
    },
    clusterName: cluster?.name ?? clusterArn?.name ?? snapshot.incident?.clusterName,
    region: clusterArn?.region ?? snapshot.incident?.region,
    awsAuth,
    awsAuthByKey,
    entriesByKey,
    entriesByName,
    rbac: new RbacIndex(rbacData),
    rbacCollected: rbacData !== undefined,
  };
}

export { principalName };
