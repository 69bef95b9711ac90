import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export const SESSION_TOKEN = 'FwoGZXIvYXdzEJr//////////wEaDsecretSessionToken+abc/=';

export interface TokenOptions {
  cluster?: string;
  region?: string;
  host?: string;
  date?: Date;
  expiresIn?: number;
  accessKeyId?: string;
  sessionToken?: string | undefined;
  /** Sign `x-k8s-aws-id` as a header (what aws eks get-token does); false drops the header entirely. */
  signClusterId?: boolean;
  /** Let the presigner move `x-k8s-aws-id` into the query string (the FM-09 custom-generator bug). */
  hoistClusterId?: boolean;
}

/** A real SigV4-presigned GetCallerIdentity URL, the way `aws eks get-token` builds one (fake credentials). */
export async function presignedUrl(options: TokenOptions = {}): Promise<string> {
  const region = options.region ?? 'us-west-2';
  const host = options.host ?? `sts.${region}.amazonaws.com`;
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: options.accessKeyId ?? 'ASIAQNZGKIQY56JQ7WML',
      secretAccessKey: 'not-a-real-secret',
      sessionToken: 'sessionToken' in options ? options.sessionToken : SESSION_TOKEN,
    },
    region,
    service: 'sts',
    sha256: Hash.bind(null, 'sha256'),
  });
  const headers: Record<string, string> = { host };
  if (options.signClusterId !== false) headers['x-k8s-aws-id'] = options.cluster ?? 'prod';
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname: host,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers,
  });
  const signed = await signer.presign(request, {
    expiresIn: options.expiresIn ?? 60,
    signingDate: options.date ?? new Date('2026-01-01T00:00:00Z'),
    ...(options.hoistClusterId ? { hoistableHeaders: new Set(['x-k8s-aws-id']) } : {}),
  });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `https://${signed.hostname}${signed.path}?${query}`;
}

export function tokenFor(url: string): string {
  return `k8s-aws-v1.${Buffer.from(url, 'utf8').toString('base64url')}`;
}

export async function makeToken(options: TokenOptions = {}): Promise<string> {
  return tokenFor(await presignedUrl(options));
}
