/**
 * The platform versions from which a cluster supports access entries (FM-50, EKSUG:setting-up-access-entries.adoc):
 * 1.30 eks.2, 1.29 eks.1, 1.28 eks.6, 1.27 eks.10, 1.26 eks.11, 1.25 eks.12, 1.24 eks.15, 1.23 eks.17; every
 * platform version of later Kubernetes versions. Earlier Kubernetes versions never got access entries.
 */
import type { FixPlan } from '../fix/actions.js';
import { okData, type Snapshot } from '../model/snapshot.js';

const MINIMUM: Readonly<Record<string, number>> = {
  '1.23': 17,
  '1.24': 15,
  '1.25': 12,
  '1.26': 11,
  '1.27': 10,
  '1.28': 6,
  '1.29': 1,
  '1.30': 2,
};

export interface AccessEntrySupport {
  /** undefined when the version or platform version is missing or unreadable. */
  supported: boolean | undefined;
  /** The first platform version with access entries, for versions that have one (`eks.6`). */
  minimum?: string;
  /** The Kubernetes version to upgrade to when no platform version of this one supports access entries. */
  upgradeTo?: string;
}

function minor(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function accessEntrySupport(
  version: string | undefined,
  platformVersion: string | undefined,
): AccessEntrySupport {
  const v = version ? minor(version) : undefined;
  if (!v) return { supported: undefined };
  const [major, min] = v;
  const key = `${major}.${min}`;
  const next = `${major}.${min + 1}`;
  if (major > 1 || min >= 31) return { supported: true };
  const required = MINIMUM[key];
  if (required === undefined) return { supported: false, upgradeTo: next };
  const pv = /^eks\.(\d+)$/.exec(platformVersion?.trim() ?? '');
  if (!pv) return { supported: undefined, minimum: `eks.${required}` };
  return Number(pv[1]) >= required
    ? { supported: true, minimum: `eks.${required}` }
    : { supported: false, minimum: `eks.${required}`, upgradeTo: next };
}

/** A cluster known to predate access entries: what it runs and what it needs. */
export interface AccessEntriesUnsupported extends AccessEntrySupport {
  supported: false;
  version: string;
  platformVersion: string;
  /** `1.27 eks.10`, or the first Kubernetes version that has access entries. */
  needs: string;
}

/**
 * The cluster, when its collected version and platform version predate access entries: every access-entry call and
 * the switch from CONFIG_MAP are refused, so only aws-auth can map principals until it is upgraded. Undefined when
 * the cluster supports them or is unknown.
 */
export function accessEntriesUnsupported(snapshot: Snapshot): AccessEntriesUnsupported | undefined {
  const cluster = okData(snapshot, 'cluster');
  if (!cluster) return undefined;
  const support = accessEntrySupport(cluster.version, cluster.platformVersion);
  if (support.supported !== false) return undefined;
  const version = cluster.version ?? '?';
  return {
    ...support,
    supported: false,
    version,
    platformVersion: cluster.platformVersion ?? '',
    needs: support.minimum ? `${version} ${support.minimum}` : 'Kubernetes 1.23 or later',
  };
}

/** The other fix on such a cluster: upgrade Kubernetes (it lands on a platform version with access entries). */
export function platformUpgradePlan(
  unsupported: AccessEntriesUnsupported,
  context: { clusterName: string | undefined; region: string | undefined },
): FixPlan | undefined {
  const target = unsupported.upgradeTo;
  if (!target) return undefined;
  const { clusterName, region } = context;
  return {
    title: `Upgrade the cluster to Kubernetes ${target}, then switch to API_AND_CONFIG_MAP`,
    actions: clusterName
      ? [
          {
            kind: 'run',
            tool: 'aws',
            argv: [
              'aws',
              'eks',
              'update-cluster-version',
              '--name',
              clusterName,
              ...(region ? ['--region', region] : []),
              '--kubernetes-version',
              target,
            ],
          },
        ]
      : [],
    notes:
      'Upgrade one minor version at a time and check add-on and node compatibility first. Afterwards: aws eks update-cluster-config --access-config authenticationMode=API_AND_CONFIG_MAP (one-way), then create access entries. Until then, map principals in aws-auth.',
  };
}
