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

const ESC = String.fromCharCode(27);
/** CSI sequences (SGR colour `ESC[31m`, erase-line `ESC[2K`), OSC sequences (hyperlinks) and two-byte escapes. */
const ANSI = new RegExp(
  `${ESC}\\[[0-9;?]*[ -/]*[@-~]|${ESC}\\][^\\u0007${ESC}]*(?:\\u0007|${ESC}\\\\)|${ESC}[@-Z_]`,
  'g',
);

/** Removes terminal escape sequences (a coloured CI log), which split the phrases the parsers match. */
export function stripAnsi(text: string): string {
  return text.includes(ESC) ? text.replace(ANSI, '') : text;
}

/**
 * The content of one line of a `│ … │` box (Pulumi's and rich CLIs' panels: a border on both sides), or undefined.
 * Terraform's diagnostics draw only the left border, and each of their lines is a line of its own.
 */
export function unboxLine(line: string): string | undefined {
  const m = /^\s{0,40}│(.*)│\s{0,40}$/.exec(line);
  return m ? (m[1] ?? '').trim() : undefined;
}

/**
 * When the line was written: a line-leading ISO 8601 stamp (`2021-10-18T21:17:08Z`), the space-separated form when
 * it names its zone (`2020-12-11 15:06:31 UTC+0200`, CloudFormation events; a stamp without a zone is local time and
 * is left alone), or a logfmt `ts=`/`time=` field. Returned as ISO 8601 (`2020-12-11T15:06:31+02:00`).
 */
export function findTimestamp(line: string): string | undefined {
  const leading =
    /^\s*(\d{4}-\d{2}-\d{2})(T| )(\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?) ?(Z|UTC|GMT)?([+-]\d{2}:?\d{2})?(?=[\s,|\]])/.exec(
      line,
    );
  if (leading?.[1] && leading[3]) {
    const zone = isoZone(leading[4], leading[5]);
    if (leading[2] === 'T' || zone) return `${leading[1]}T${leading[3].replace(',', '.')}${zone ?? ''}`;
  }
  if (!line.includes('=')) return undefined;
  const field =
    /(?:^|[\s@])(?:ts|time)="?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})?"?(?=\s|$)/.exec(
      line,
    );
  if (field?.[1]) return `${field[1]}${isoZone(undefined, field[2]) ?? ''}`;
  return undefined;
}

/** `Z`/`UTC`/`GMT` with an optional `+0200` offset → `Z` or `+02:00`. */
function isoZone(name: string | undefined, offset: string | undefined): string | undefined {
  if (offset === 'Z') return 'Z';
  if (offset) {
    const digits = offset.replace(':', '');
    return digits === '+0000' || digits === '-0000' ? 'Z' : `${digits.slice(0, 3)}:${digits.slice(3)}`;
  }
  return name ? 'Z' : undefined;
}

const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/**
 * Cluster and region named by a pasted `aws eks …` or `eksctl …` command (`--cluster-name`, `--name`, `-c`,
 * `--cluster`, `--region`), or by eksctl's `using region <r>` banner. `--name` names the cluster for `aws eks`
 * (every cluster operation takes it so) and for `eksctl <verb> cluster`; eksctl's `--name` elsewhere names a
 * nodegroup or addon, so it is not read there.
 */
export function commandContext(
  line: string,
  lower: string,
): { clusterName?: string; region?: string } | undefined {
  const banner = lower.includes('using region ') ? /\busing region ([a-z0-9-]{4,30})\b/.exec(line) : null;
  if (!lower.includes('eks')) return isRegion(banner?.[1]) ? { region: banner?.[1] } : undefined;
  const awsEks = /(?:^|[\s$#>'"`(])aws\s+(?:--?[a-z-]{1,30}[= ][^\s]{1,100}\s+){0,3}eks\s/.test(line);
  const eksctl = /(?:^|[\s$#>'"`(])eksctl\s/.test(line);
  if (!awsEks && !eksctl) return isRegion(banner?.[1]) ? { region: banner?.[1] } : undefined;
  const flag = (names: string): string | undefined => {
    const m = new RegExp(`(?:^|\\s)(?:${names})(?:=|\\s+)["']?([^\\s"']{1,100})`).exec(line);
    return m?.[1];
  };
  let cluster: string | undefined;
  if (awsEks) cluster = flag('--cluster-name|--name');
  if (eksctl) {
    cluster = flag('--cluster|-c');
    if (!cluster && /\beksctl\s+[a-z-]{1,30}\s+cluster\b/.test(line)) cluster = flag('--name|-n');
  }
  const region = flag('--region|-r') ?? banner?.[1];
  return {
    clusterName: cluster && CLUSTER_NAME.test(cluster) ? cluster : undefined,
    region: isRegion(region) ? region : undefined,
  };
}
