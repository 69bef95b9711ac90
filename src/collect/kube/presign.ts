/**
 * A bearer token for EKS, made the way `aws eks get-token` makes it (FM §0 step 1, anchors §4): a presigned STS
 * GetCallerIdentity URL whose signed headers include `x-k8s-aws-id: <cluster>`, valid 60 s, base64url without
 * padding, prefixed `k8s-aws-v1.`. Presigning needs no network call. The token is a credential: it only ever
 * lives in memory and in the Authorization header sent to the cluster; it is never printed, logged or written.
 */
import type { AwsCredentials } from '../aws/context.js';
import { interop } from '../interop.js';

export const TOKEN_PREFIX = 'k8s-aws-v1.';
const EXPIRES_SECONDS = 60;

/** The regional STS host the authenticator accepts for a region (FM §0 step 3: host must be an STS host). */
export function stsHost(region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `sts.${region}.${suffix}`;
}

/** RFC 3986 encoding, as SigV4 canonicalizes query strings. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export interface PresignInput {
  /** Cluster name, or the cluster id for an EKS local cluster on Outposts. */
  clusterId: string;
  region: string;
  credentials: AwsCredentials;
  now?: Date | undefined;
}

export async function presignedStsUrl(input: PresignInput): Promise<string> {
  const [signing, http, hashing] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@smithy/protocol-http'),
    import('@smithy/hash-node'),
  ]);
  const { SignatureV4 } = interop(signing, 'SignatureV4');
  const { HttpRequest } = interop(http, 'HttpRequest');
  const { Hash } = interop(hashing, 'Hash');
  const hostname = stsHost(input.region);
  const signer = new SignatureV4({
    credentials: input.credentials,
    region: input.region,
    service: 'sts',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, 'x-k8s-aws-id': input.clusterId },
  });
  const signed = await signer.presign(request, {
    expiresIn: EXPIRES_SECONDS,
    signingDate: input.now ?? new Date(),
  });
  const query = Object.entries(signed.query ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, v]) : [[key, value ?? '']]))
    .map(([key, value]) => `${encode(String(key))}=${encode(String(value))}`)
    .join('&');
  return `https://${hostname}/?${query}`;
}

export async function eksToken(input: PresignInput): Promise<string> {
  return TOKEN_PREFIX + Buffer.from(await presignedStsUrl(input), 'utf8').toString('base64url');
}
