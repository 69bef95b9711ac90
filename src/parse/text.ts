/**
 * Small extractors shared by the line parsers. Every pattern is linear: unbounded repeats only run over a class
 * that excludes the delimiter that ends them, anything else is bounded, so 10 MB of pasted noise stays cheap.
 */

/** AWS region names (`us-east-1`, `us-gov-west-1`, `cn-northwest-1`, `eu-isoe-west-1`, `eusc-de-east-1`). */
export const REGION = /^[a-z]{2,4}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export function isRegion(value: string | undefined): value is string {
  return value !== undefined && REGION.test(value);
}

/** Hides token material anywhere in a string: tokens, presigned signatures and session tokens. */
export function maskSecrets(text: string): string {
  return text
    .replace(/k8s-aws-v1\.[A-Za-z0-9_\-=+/*]+/g, 'k8s-aws-v1.***')
    .replace(/(X-Amz-(?:Signature|Security-Token)=)[^&\s"'\\]*/gi, '$1***')
    .replace(/(\bSignature=)[0-9a-f]{16,}\**/gi, '$1***')
    .replace(/(aws_(?:secret_access_key|session_token)\s*[=:]\s*)\S+/gi, '$1***');
}

/** Bounds a reason or message so one enormous line does not end up verbatim in the incident. */
export function clip(text: string, max = 500): string {
  const t = maskSecrets(text.trim());
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

const EKS_ENDPOINT = /https?:\/\/([A-Za-z0-9*._-]{1,253}?\.eks\.amazonaws\.com(?:\.cn)?)(?![A-Za-z0-9.-])/i;
const EKS_HOST_BARE =
  /(?:^|[\s"'(=])([A-Za-z0-9*._-]{1,253}?\.eks\.amazonaws\.com(?:\.cn)?)(?![A-Za-z0-9.-])/i;

/** An EKS API server endpoint (`https://<id>.<shard>.<region>.eks.amazonaws.com`) and the region it names. */
export function findEksEndpoint(text: string): { endpoint?: string; region?: string } | undefined {
  const at = text.search(/\.eks\.amazonaws\.com/i);
  if (at < 0) return undefined;
  // The scheme form anywhere wins; otherwise look only around the first bare mention (hosts are short, and
  // scanning every delimiter of a long line is not).
  const m = EKS_ENDPOINT.exec(text);
  const host = m?.[1] ?? EKS_HOST_BARE.exec(text.slice(Math.max(0, at - 270), at + 30))?.[1];
  if (!host) return undefined;
  const labels = host.split('.');
  const eks = labels.lastIndexOf('eks');
  const regionLabel = eks > 0 ? labels[eks - 1] : undefined;
  // A redacted id can swallow the shard label's dot (`****gr7.us-east-2...`); the region label is still there.
  const region = isRegion(regionLabel) ? regionLabel : undefined;
  return { endpoint: m ? `https://${host}` : undefined, region };
}

const CLUSTER_ARN =
  /arn:aws[a-z-]{0,12}:eks:([a-z0-9-]{0,30}|\*+):([^:\s"']{0,40}):cluster\/([^\s"'/,;)\]]{1,100})/;

/** Cluster name and region from an EKS cluster ARN as written (account may be redacted). */
export function findClusterArn(text: string): { name: string; region?: string } | undefined {
  const m = CLUSTER_ARN.exec(text);
  if (!m?.[3]) return undefined;
  const name = m[3].replace(/[.:]+$/, '');
  return { name, region: isRegion(m[1]) ? m[1] : undefined };
}

/** eksctl context and cluster names: `user@cluster.region.eksctl.io`. */
export function eksctlName(text: string): { name: string; region?: string } | undefined {
  const m = /(?:^|@)([A-Za-z0-9][A-Za-z0-9_-]{0,99})\.([a-z]{2,4}(?:-gov)?-[a-z]+-\d{1,2})\.eksctl\.io$/.exec(
    text,
  );
  return m?.[1] ? { name: m[1], region: m[2] } : undefined;
}

const PRINCIPAL_START = /arn:aws[a-z-]{0,12}:(?:iam|sts)::/g;
const PRINCIPAL_RESOURCE = /^(?:user|role|assumed-role|federated-user)\/|^root$/;

/**
 * The first IAM or STS principal ARN in the text, as written: redacted accounts (`***`, `xxxx`) and even a missing
 * colon are kept, because the user should see the identity they pasted. Policy, OIDC and SAML ARNs are not
 * principals and are skipped.
 */
export function findPrincipalArn(text: string, from = 0): string | undefined {
  PRINCIPAL_START.lastIndex = from;
  for (let m = PRINCIPAL_START.exec(text); m; m = PRINCIPAL_START.exec(text)) {
    const rest = /^[^\s"'\\`<>|]{1,400}/.exec(text.slice(m.index + m[0].length, m.index + m[0].length + 400));
    const tail = rest?.[0];
    if (!tail) continue;
    const arn = trimArn(m[0] + tail);
    if (isPrincipalResource(arn.slice(m[0].length))) return arn;
  }
  return undefined;
}

/** The principal ARN directly after `anchor` (e.g. `User: `), as written. */
export function principalAfter(text: string, anchor: RegExp): string | undefined {
  const m = anchor.exec(text);
  if (!m) return undefined;
  return findPrincipalArnAt(text, m.index + m[0].length);
}

function findPrincipalArnAt(text: string, index: number): string | undefined {
  const m = /^arn:aws[a-z-]{0,12}:(?:iam|sts)::[^\s"'\\`<>|]{1,400}/.exec(text.slice(index, index + 500));
  if (!m) return undefined;
  const arn = trimArn(m[0]);
  const resource = arn.replace(/^arn:aws[a-z-]*:(?:iam|sts)::/, '');
  return isPrincipalResource(resource) ? arn : undefined;
}

function trimArn(arn: string): string {
  // Sentence punctuation and wrappers around an ARN are not part of it (IAM names never end in these).
  return arn.replace(/[.,;:)\]}]+$/, '');
}

function isPrincipalResource(afterService: string): boolean {
  const colon = afterService.indexOf(':');
  if (colon >= 0) return PRINCIPAL_RESOURCE.test(afterService.slice(colon + 1));
  // No colon at all: a mangled paste such as `arn:aws:iam::xxxxuser/me`; keep it when it still names a principal.
  return /(?:user|role)\/./.test(afterService);
}

/** True for IAM/STS principal ARNs (as written), used to decide whether a Kubernetes username is also an ARN. */
export function looksLikePrincipalArn(value: string): boolean {
  return findPrincipalArn(value) === value;
}

/** Status code for a Kubernetes `Status.reason` or `Error from server (<reason>)`. */
export const REASON_STATUS: Record<string, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
  ServerTimeout: 504,
};

/** `nodes.metrics.k8s.io` → resource `nodes`, group `metrics.k8s.io`; `services/proxy` → subresource `proxy`. */
export function splitGroupResource(text: string): {
  resource: string;
  apiGroup?: string;
  subresource?: string;
} {
  const [head = '', sub] = text.split('/', 2);
  const dot = head.indexOf('.');
  const resource = dot >= 0 ? head.slice(0, dot) : head;
  const apiGroup = dot >= 0 ? head.slice(dot + 1) : undefined;
  return { resource, apiGroup, subresource: sub || undefined };
}

/** Kubernetes resource name for a Kind as Go clients log it (`*v1.Service` → `services`). */
export function pluralizeKind(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower === 'endpoints') return lower;
  if (/(?:s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}
