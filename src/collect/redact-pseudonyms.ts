/**
 * The vocabulary of redaction: what a sensitive token looks like (ARNs, key ids, endpoint ids, e-mail and IP
 * addresses), which names are AWS structure or Kubernetes built-ins and stay, and the stable pseudonyms that replace
 * the rest (numbered by first sight, shaped like the original: 12-digit accounts, key ids of the same prefix and
 * length that encode the pseudonymous account, hex ids of the same length).
 */
export type Kind =
  | 'account'
  | 'cluster'
  | 'role'
  | 'user'
  | 'session'
  | 'path'
  | 'name'
  | 'hex'
  | 'key'
  | 'ip'
  | 'email'
  | 'permset';

export const ARN =
  /arn:(aws(?:-[a-z]+)*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws)?:([A-Za-z0-9_+=,.@/:{}*-]*[A-Za-z0-9_+=@/{}*-])/g;
export const ARN_EXACT = new RegExp(`^${ARN.source}$`);
export const ENCODED_ARN = /arn%3A[A-Za-z0-9%_+=,.@-]*[A-Za-z0-9_+=@-]/gi;
export const TOKEN = /[A-Za-z0-9_+=,.@-]+/g;
export const ACCOUNT = /^\d{12}$/;
export const KEY_ID = /\b(AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA|APKA|ABIA|ACCA)[A-Z0-9]{12,28}\b/g;
export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
export const IPV4 = /(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)/g;
export const EKS_HOST =
  /\b([A-Za-z0-9]{16,64})\.([a-z0-9]{2,4})\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.eks\.amazonaws\.com(?:\.cn)?\b/g;
/** EKS cluster ids as the API server's proxy and the authenticator log them (`clusterId="…"`). */
export const CLUSTER_ID = /\bclusterId[=:]\s*"?([0-9a-f]{32}|[0-9a-f-]{36})"?/gi;
export const OIDC_ID = /oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/id\/([A-Za-z0-9]+)/g;
export const SSO_ROLE = /^AWSReservedSSO_(.+)_([0-9a-f]{16})$/;
const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEMPLATE = /^\{\{.*\}\}$/;

/** Names that are AWS structure or Kubernetes built-ins: never pseudonymized, so meaning survives. */
const PROTECTED = new Set(
  [
    'aws',
    'aws-cn',
    'aws-us-gov',
    'iam',
    'sts',
    'eks',
    'logs',
    'arn',
    'root',
    'role',
    'user',
    'group',
    'policy',
    'assumed-role',
    'federated-user',
    'cluster',
    'access-entry',
    'nodegroup',
    'addon',
    'fargateprofile',
    'podidentityassociation',
    'identityproviderconfig',
    'instance-profile',
    'oidc-provider',
    'saml-provider',
    'cluster-access-policy',
    'log-group',
    'log-stream',
    'id',
    'aws-reserved',
    'sso.amazonaws.com',
    'service-role',
    'aws-service-role',
    'standard',
    'STANDARD',
    'EC2_LINUX',
    'EC2_WINDOWS',
    'FARGATE_LINUX',
    'HYBRID_LINUX',
    'EC2',
    'default',
    'kube-system',
    'kube-public',
    'kube-node-lease',
    'kubernetes',
    'kubernetes-admin',
    'cluster-admin',
    'admin',
    'edit',
    'view',
    'masters',
    'nodes',
    'node',
    'authenticated',
    'unauthenticated',
    'anonymous',
    'bootstrappers',
    'node-proxier',
    'serviceaccount',
    'serviceaccounts',
    'aws-node',
    'kube-proxy',
    'coredns',
    'metrics-server',
    'aws-auth',
    'api',
    'apis',
    'v1',
    'true',
    'false',
    'null',
  ].map((s) => s.toLowerCase()),
);

export function isProtected(name: string): boolean {
  const lower = name.toLowerCase();
  if (SSO_ROLE.test(name)) return false;
  return (
    name.length < 3 ||
    PROTECTED.has(lower) ||
    REGION.test(name) ||
    UUID.test(name) ||
    TEMPLATE.test(name) ||
    lower.includes('amazonaws.com') ||
    /^(system|eks|aws|amazon|iam):/i.test(name) ||
    /^AWSServiceRoleFor/.test(name) ||
    /^(Amazon|AWS)[A-Z]/.test(name) ||
    /^\d+$/.test(name)
  );
}

export function isPrivateIp(octets: number[]): boolean {
  const [a = 0, b = 0] = octets;
  return (
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    a >= 224 ||
    (a === 203 && b === 0) ||
    (a === 198 && (b === 51 || b === 18 || b === 19)) ||
    (a === 192 && b === 0)
  );
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The account an access key id encodes (ids issued since 2019: bits 1..40 of the base32 body), so a pseudonymous
 * key can encode the pseudonymous account and a cross-account diagnosis still reads the same.
 */
function keyAccount(keyId: string): string | undefined {
  const body = keyId.slice(4);
  if (!/^[A-Z2-7]{16}$/.test(body) || BASE32.indexOf(body[0] ?? 'A') < 16) return undefined;
  let bits = 0n;
  for (const c of body.slice(0, 10)) bits = bits * 32n + BigInt(BASE32.indexOf(c));
  const account = ((bits >> 2n) % (1n << 47n)) >> 7n;
  return account > 999_999_999_999n ? undefined : account.toString().padStart(12, '0');
}

function encodeKey(prefix: string, account: string, serial: number): string {
  const top48 = (1n << 47n) + (BigInt(account) << 7n);
  let bits = top48 << 2n;
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = (BASE32[Number(bits % 32n)] ?? 'A') + head;
    bits /= 32n;
  }
  let tail = '';
  for (let n = serial, i = 0; i < 6; i++, n = Math.floor(n / 32)) tail = (BASE32[n % 32] ?? 'A') + tail;
  return prefix + head + tail;
}

export class Pseudonyms {
  readonly map = new Map<string, string>();
  /** Lower-cased originals, used inside ARNs only (old authenticators log ARNs lower-cased, FM §0.2). */
  readonly lower = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private readonly values = new Set<string>();

  private next(kind: string): number {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return n;
  }

  has(original: string): boolean {
    return this.map.has(original);
  }

  get(original: string): string | undefined {
    return this.map.get(original);
  }

  /** The pseudonym of `original`, minting one of `kind` on first sight. */
  of(original: string, kind: Kind): string {
    const known = this.map.get(original);
    if (known !== undefined) return known;
    if (this.values.has(original)) return original; // already a pseudonym
    const value = this.mint(original, kind);
    this.map.set(original, value);
    this.values.add(value);
    if (!this.lower.has(original.toLowerCase())) this.lower.set(original.toLowerCase(), value.toLowerCase());
    if (original.includes('@')) {
      // {{SessionName}} renders `@` as `-` (FM §0 step 6): the rendered form must follow the same pseudonym.
      const rendered = value.replace(/@/g, '-');
      this.map.set(original.replace(/@/g, '-'), rendered);
      this.values.add(rendered);
    }
    return value;
  }

  private mint(original: string, kind: Kind): string {
    switch (kind) {
      case 'account':
        return String(100000000000 + this.next(kind));
      case 'hex': {
        if (UUID.test(original)) {
          return `00000000-0000-0000-0000-${String(this.next('uuid')).padStart(12, '0')}`;
        }
        const n = this.next(kind).toString(16).padStart(original.length, '0');
        return original === original.toUpperCase() ? n.toUpperCase() : n;
      }
      case 'key': {
        const prefix = original.slice(0, 4);
        const account = keyAccount(original);
        if (account) return encodeKey(prefix, this.of(account, 'account'), this.next('key-serial'));
        const digits = String(this.next(`key:${prefix}`));
        return (
          prefix +
          'EXAMPLE'
            .padEnd(original.length - 4 - digits.length, '0')
            .slice(0, original.length - 4 - digits.length) +
          digits
        );
      }
      case 'ip': {
        const n = this.next(kind);
        return n <= 254 ? `203.0.113.${n}` : `198.51.100.${((n - 255) % 254) + 1}`;
      }
      case 'email':
        return `person-${this.next(kind)}@example.com`;
      case 'session':
        return original.includes('@')
          ? `session-${this.next(kind)}@example.com`
          : `session-${this.next(kind)}`;
      case 'permset':
        return `PermissionSet${this.next(kind)}`;
      default: {
        const sso = SSO_ROLE.exec(original);
        if (sso?.[1] && sso[2]) {
          return `AWSReservedSSO_${this.of(sso[1], 'permset')}_${this.of(sso[2], 'hex')}`;
        }
        return `${kind}-${this.next(kind)}`;
      }
    }
  }
}
