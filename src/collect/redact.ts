/**
 * A shareable copy of a snapshot (DESIGN §2 `redact`, §7 Safe): account ids, the names inside ARNs (users, roles,
 * paths, sessions, clusters), cluster endpoints, access key and unique ids, e-mail addresses and public IP
 * addresses become stable pseudonyms, the same everywhere in the snapshot (structured fields, aws-auth YAML text,
 * log lines, CloudTrail JSON strings, URL-encoded ARNs), so the diagnosis reads the same.
 * Kept: AWS-managed ARNs (account `aws`, e.g. access policies), AWS structural names (`aws-reserved`,
 * `AWSServiceRoleFor*`, the `AWSReservedSSO_` shape), Regions, and Kubernetes built-in names (`system:masters`,
 * `cluster-admin`, `kube-system`, …); a custom `system:` name keeps its prefix, its IAM-named part is replaced.
 * Pure: no clock, no randomness; the same snapshot always gives the same pseudonyms.
 */
import type { Snapshot } from '../model/snapshot.js';
import {
  ACCOUNT,
  ARN,
  ARN_EXACT,
  CLUSTER_ID,
  EKS_HOST,
  EMAIL,
  ENCODED_ARN,
  IPV4,
  KEY_ID,
  OIDC_ID,
  Pseudonyms,
  TOKEN,
  isPrivateIp,
  isProtected,
  type Kind,
} from './redact-pseudonyms.js';

interface Walker {
  (value: string, path: readonly string[]): string;
}

function walk(value: unknown, visit: Walker, path: string[] = []): unknown {
  if (typeof value === 'string') return visit(value, path);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, visit, [...path, String(i)]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = walk(item, visit, [...path, key]);
    return out;
  }
  return value;
}

/** Kinds of the segments of an ARN's resource, by resource type. */
function segmentKinds(service: string, segments: string[]): Kind[] {
  const kinds: Kind[] = segments.map(() => 'name');
  const type = segments[0];
  const last = segments.length - 1;
  if (service === 'iam' && (type === 'role' || type === 'user')) {
    for (let i = 1; i < last; i++) kinds[i] = 'path';
    kinds[last] = type;
  } else if (service === 'sts' && type === 'assumed-role') {
    kinds[1] = 'role';
    if (segments.length > 2) kinds[last] = 'session';
  } else if (service === 'sts' && type === 'federated-user') {
    kinds[1] = 'user';
  } else if (service === 'eks' && segments.length > 1) {
    kinds[1] = 'cluster';
    if (type === 'access-entry') {
      // access-entry/<cluster>/<type>/<account>/<name>/<uuid>
      kinds[2] = 'name';
      kinds[4] = segments[2] === 'user' ? 'user' : 'role';
    }
  } else if (service === 'iam' && type === 'oidc-provider') {
    kinds[last] = 'hex';
  }
  return kinds;
}

class Redactor {
  readonly names = new Pseudonyms();

  private arnParts(match: RegExpExecArray | RegExpMatchArray): {
    partition: string;
    service: string;
    region: string;
    account: string;
    resource: string;
  } {
    return {
      partition: match[1] ?? 'aws',
      service: match[2] ?? '',
      region: match[3] ?? '',
      account: match[4] ?? '',
      resource: match[5] ?? '',
    };
  }

  /** Pseudonymizes one ARN (learning as it goes). AWS-owned ARNs are returned unchanged. */
  arn(text: string): string {
    const match = ARN_EXACT.exec(text);
    if (!match) return text;
    const { partition, service, region, account, resource } = this.arnParts(match);
    if (account === 'aws') return text;
    const acct = ACCOUNT.test(account) ? this.names.of(account, 'account') : account;
    const segments = resource.split(/([/:])/);
    const words = segments.filter((_, i) => i % 2 === 0);
    const kinds = segmentKinds(service, words);
    let w = 0;
    const rebuilt = segments
      .map((segment, i) => {
        if (i % 2 === 1) return segment;
        const kind = kinds[w++] ?? 'name';
        if (!segment || w === 1) return segment; // the resource type: role, user, cluster, log-group, ...
        if (ACCOUNT.test(segment)) return this.names.of(segment, 'account');
        const known = this.names.get(segment) ?? this.names.lower.get(segment);
        if (known !== undefined) return known;
        return isProtected(segment) ? segment : this.names.of(segment, kind);
      })
      .join('');
    return `arn:${partition}:${service}:${region}:${acct}:${rebuilt}`;
  }

  /** Learns the sensitive tokens of one string (ARNs, endpoint ids, key ids, e-mails, public IPs). */
  learn(text: string): void {
    for (const m of text.matchAll(ARN)) this.arn(m[0]);
    for (const m of text.matchAll(ENCODED_ARN)) {
      const decoded = safeDecode(m[0]);
      if (decoded !== m[0]) for (const d of decoded.matchAll(ARN)) this.arn(d[0]);
    }
    for (const m of text.matchAll(EKS_HOST)) if (m[1]) this.names.of(m[1], 'hex');
    for (const m of text.matchAll(OIDC_ID)) if (m[1]) this.names.of(m[1], 'hex');
    for (const m of text.matchAll(CLUSTER_ID)) if (m[1]) this.names.of(m[1], 'hex');
    for (const m of text.matchAll(KEY_ID)) this.names.of(m[0], 'key');
    for (const m of text.matchAll(EMAIL)) {
      if (!/@example\.(com|org|net)$/i.test(m[0])) this.names.of(m[0], 'email');
    }
    for (const m of text.matchAll(IPV4)) {
      const octets = m.slice(1, 5).map(Number);
      if (octets.every((o) => o <= 255) && !isPrivateIp(octets)) this.names.of(m[0], 'ip');
    }
  }

  learnName(name: string | undefined, kind: Kind): void {
    if (name && !isProtected(name)) this.names.of(name, kind);
  }

  /** Replaces every learned token in free text; ARNs are rebuilt structurally first. */
  text(text: string): string {
    return replaceOutside(
      text,
      ARN,
      (arn) => this.arn(arn),
      (gap) =>
        gap
          .replace(ENCODED_ARN, (enc) => {
            const decoded = safeDecode(enc);
            return decoded === enc ? enc : encodeURIComponent(decoded.replace(ARN, (a) => this.arn(a)));
          })
          .replace(TOKEN, (token) => this.token(token)),
    );
  }

  private token(token: string): string {
    if (token.startsWith('k8s-aws-v1.')) return this.eksToken(token);
    const direct = this.names.get(token);
    if (direct !== undefined) return direct;
    const trimmed = token.replace(/[.,]+$/, '');
    if (trimmed !== token && this.names.has(trimmed)) {
      return (this.names.get(trimmed) as string) + token.slice(trimmed.length);
    }
    // IAM names may hold = , + but in free text they separate words: key=value, a,b.
    if (/[=,+]/.test(token)) {
      return token
        .split(/([=,+])/)
        .map((part, i) => (i % 2 ? part : this.token(part)))
        .join('');
    }
    if (!token.includes('.')) return token;
    // Dotted tokens: hosts such as <id>.gr7.<region>.eks.amazonaws.com or <account>.dkr.ecr...
    return token
      .split(/(\.)/)
      .map((part) => this.names.get(part) ?? part)
      .join('');
  }

  /** A pasted token keeps its shape (so it still decodes) but loses its signature and session token. */
  private eksToken(token: string): string {
    const body = token.slice('k8s-aws-v1.'.length);
    let url: string;
    try {
      url = Buffer.from(body, 'base64url').toString('utf8');
    } catch {
      return 'k8s-aws-v1.REDACTED';
    }
    if (!/^https?:\/\//.test(url)) return 'k8s-aws-v1.REDACTED';
    const cleaned = url
      .replace(/(X-Amz-Signature=)[^&]*/i, (_, k: string) => k + '0'.repeat(64))
      .replace(/(X-Amz-Security-Token=)[^&]*/i, '$1REDACTED')
      .replace(
        /(X-Amz-Credential=)([A-Z0-9]{16,32})/i,
        (_, k: string, id: string) => k + this.names.of(id, 'key'),
      );
    return 'k8s-aws-v1.' + Buffer.from(cleaned, 'utf8').toString('base64url');
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Applies `inside` to the matches of `pattern` and `outside` to the text between them. */
function replaceOutside(
  text: string,
  pattern: RegExp,
  inside: (m: string) => string,
  outside: (gap: string) => string,
): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    const at = m.index ?? 0;
    out += outside(text.slice(last, at)) + inside(m[0]);
    last = at + m[0].length;
  }
  return out + outside(text.slice(last));
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function redactSnapshot(snapshot: Snapshot): Snapshot {
  const r = new Redactor();
  const data = (key: keyof Snapshot) => {
    const ev = snapshot[key] as { status?: string; data?: unknown } | undefined;
    return ev?.status === 'ok' ? ev.data : undefined;
  };
  // Learn the names whose role is known from structured fields first, so their pseudonyms say what they are.
  const cluster = data('cluster') as Record<string, unknown> | undefined;
  r.learnName(str(cluster?.name), 'cluster');
  if (str(cluster?.id)) r.names.of(str(cluster?.id) as string, 'hex');
  r.learnName(snapshot.incident?.clusterName, 'cluster');
  for (const entry of (data('accessEntries') as Array<Record<string, unknown>> | undefined) ?? []) {
    r.learnName(str(entry.clusterName), 'cluster');
  }
  const caller = data('callerIdentity') as { Account?: string } | undefined;
  if (caller?.Account && ACCOUNT.test(caller.Account)) r.names.of(caller.Account, 'account');
  for (const p of (data('iamPrincipals') as Array<Record<string, unknown>> | undefined) ?? []) {
    r.learnName(str(p.name), p.type === 'user' ? 'user' : 'role');
  }
  const kubeconfig = data('kubeconfig') as Record<string, Array<{ name?: string }>> | undefined;
  for (const list of ['clusters', 'contexts', 'users']) {
    for (const item of kubeconfig?.[list] ?? []) {
      if (item.name && !item.name.startsWith('arn:')) r.learnName(item.name, 'name');
    }
  }
  walk(snapshot, (text) => {
    r.learn(text);
    return text;
  });
  const redacted = walk(snapshot, (text, path) => {
    // The cluster CA identifies the cluster and is not evidence of anything eksdoctor decides.
    if (path.join('/') === 'cluster/data/certificateAuthority/data') return 'REDACTED';
    return r.text(text);
  }) as Snapshot;
  return redacted;
}
