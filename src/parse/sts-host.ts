/**
 * STS host names the authenticator accepts (AUTH:pkg/token/token.go `verifySTSHostnameFormat`,
 * AUTH:pkg/endpoints/partitions.go): `sts[-fips].<region>.<partition domain>` or the dual-stack domain, and the
 * global `sts.amazonaws.com` only in partition `aws`. Anything else (VPC endpoint names, custom endpoints) is
 * rejected with `unexpected hostname` (FM-11).
 */
const DOMAINS: Array<{ partition: string; domains: string[] }> = [
  { partition: 'aws-cn', domains: ['amazonaws.com.cn', 'api.amazonwebservices.com.cn'] },
  { partition: 'aws-iso', domains: ['c2s.ic.gov'] },
  { partition: 'aws-iso-b', domains: ['sc2s.sgov.gov'] },
  { partition: 'aws-iso-e', domains: ['cloud.adc-e.uk'] },
  { partition: 'aws-iso-f', domains: ['csp.hci.ic.gov'] },
  { partition: 'aws-eusc', domains: ['amazonaws.eu', 'api.amazonwebservices.eu'] },
  // `aws` and `aws-us-gov` share the domains; the region decides.
  { partition: 'aws', domains: ['amazonaws.com', 'api.aws'] },
];

export interface StsHost {
  /** Region in the host name; undefined for the global endpoint. */
  region?: string;
  partition?: string;
  global: boolean;
  /** Why the authenticator would refuse the host, in its own words; undefined when it would accept it. */
  problem?: string;
}

export function classifyStsHost(host: string): StsHost {
  const h = host.toLowerCase();
  if (h === 'sts.amazonaws.com') return { global: true, partition: 'aws' };
  const labels = h.split('.');
  if (labels.length < 3) {
    return {
      global: false,
      problem: `could not parse region for pre-signed URL ${host}, invalid host format: ${host}`,
    };
  }
  const [service, region = ''] = labels;
  const domain = labels.slice(2).join('.');
  const match = DOMAINS.find((d) => d.domains.includes(domain));
  if (
    (service !== 'sts' && service !== 'sts-fips') ||
    !match ||
    !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(region)
  ) {
    return {
      global: false,
      region: /^[a-z]{2}-/.test(region) ? region : undefined,
      problem: `unexpected hostname "${host}" in pre-signed URL`,
    };
  }
  const partition =
    match.partition === 'aws' && region.startsWith('us-gov-') ? 'aws-us-gov' : match.partition;
  return { global: false, region, partition };
}

/** The partition a cluster region belongs to (for comparing with the token's STS host). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}
