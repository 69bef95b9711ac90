/**
 * The platform versions from which a cluster supports access entries (FM-50, EKSUG:setting-up-access-entries.adoc):
 * 1.30 eks.2, 1.29 eks.1, 1.28 eks.6, 1.27 eks.10, 1.26 eks.11, 1.25 eks.12, 1.24 eks.15, 1.23 eks.17; every
 * platform version of later Kubernetes versions. Earlier Kubernetes versions never got access entries.
 */
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
