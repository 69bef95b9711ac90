/**
 * IAM and STS ARNs as the aws-iam-authenticator sees them (FM §0 step 4, AUTH:pkg/arn/arn.go).
 * An STS assumed-role ARN canonicalizes to the IAM role ARN *without path* (STS ARNs never carry one);
 * IAM user, role and root ARNs and STS federated-user ARNs stay as they are.
 */

export const PARTITIONS = [
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
];

export type PrincipalKind = 'user' | 'role' | 'root' | 'assumed-role' | 'federated-user';

export interface ParsedArn {
  partition: string;
  service: 'iam' | 'sts';
  accountId: string;
  kind: PrincipalKind;
  /** IAM path with leading and trailing slash (`/` when none); always `/` for STS ARNs. */
  path: string;
  /** User or role name (for assumed roles, the role name; for federated users, the user name). */
  name: string;
  /** Session name of an assumed-role ARN. */
  sessionName?: string;
}

export class ArnError extends Error {
  override name = 'ArnError';
}

/** Parses an IAM or STS principal ARN; throws ArnError with a one-line reason on anything else. */
export function parseArn(arn: string): ParsedArn {
  const text = arn.trim();
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    throw new ArnError(`not an ARN: "${arn}" (expected arn:<partition>:iam::<account>:<user|role>/<name>)`);
  }
  const [, partition = '', service = '', , accountId = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (!PARTITIONS.includes(partition)) {
    throw new ArnError(`unrecognized partition "${partition}" in ARN "${arn}"`);
  }
  if (service !== 'iam' && service !== 'sts') {
    throw new ArnError(`service must be iam or sts in ARN "${arn}"`);
  }
  if (!/^\d{12}$/.test(accountId)) throw new ArnError(`account id must be 12 digits in ARN "${arn}"`);
  if (service === 'iam') {
    if (resource === 'root') return { partition, service, accountId, kind: 'root', path: '/', name: 'root' };
    const m = /^(user|role)(\/.*)?\/([^/]+)$/.exec(resource);
    if (!m || !m[3]) throw new ArnError(`unrecognized IAM resource "${resource}" in ARN "${arn}"`);
    const path = m[2] ? `${m[2]}/` : '/';
    return { partition, service, accountId, kind: m[1] as 'user' | 'role', path, name: m[3] };
  }
  if (service === 'sts') {
    const assumed = /^assumed-role\/([^/]+)\/(.+)$/.exec(resource);
    if (assumed?.[1] && assumed[2]) {
      return {
        partition,
        service,
        accountId,
        kind: 'assumed-role',
        path: '/',
        name: assumed[1],
        sessionName: assumed[2],
      };
    }
    const fed = /^federated-user\/(.+)$/.exec(resource);
    if (fed?.[1]) return { partition, service, accountId, kind: 'federated-user', path: '/', name: fed[1] };
    throw new ArnError(`unrecognized STS resource "${resource}" in ARN "${arn}"`);
  }
  throw new ArnError(`service must be iam or sts in ARN "${arn}"`);
}

/** The authenticator's canonical ARN: assumed-role → IAM role ARN without path; others unchanged. */
export function canonicalArn(arn: string): string {
  const p = parseArn(arn);
  if (p.kind === 'assumed-role') return `arn:${p.partition}:iam::${p.accountId}:role/${p.name}`;
  return arn.trim();
}

/** The ARN with any IAM path removed (what the authenticator compares role mappings against). */
export function stripPath(arn: string): string {
  const p = parseArn(arn);
  if (p.kind === 'user' || p.kind === 'role') {
    return `arn:${p.partition}:iam::${p.accountId}:${p.kind}/${p.name}`;
  }
  return canonicalArn(arn);
}

/** True when the string parses as a principal ARN. */
export function isPrincipalArn(arn: string): boolean {
  try {
    parseArn(arn);
    return true;
  } catch {
    return false;
  }
}

/** Region and cluster name from an EKS cluster ARN (`arn:aws:eks:us-east-1:111122223333:cluster/prod`). */
export function parseClusterArn(
  arn: string,
): { region: string; accountId: string; name: string } | undefined {
  const m = /^arn:[\w-]+:eks:([a-z0-9-]+):(\d{12}):cluster\/([^/\s"']+)$/.exec(arn.trim());
  return m?.[1] && m[2] && m[3] ? { region: m[1], accountId: m[2], name: m[3] } : undefined;
}
