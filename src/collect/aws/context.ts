/**
 * Credentials, region and SDK clients resolved like the AWS CLI (anchors §5.3): an explicit `--profile` uses that
 * profile only (SSO, credential_process, role_arn and static keys in it all work through `fromIni`); otherwise
 * static keys in the environment win, then the default chain (AWS_PROFILE, SSO, web identity, container, IMDS).
 * Region: flag, AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`. Endpoints: the SDK itself honours
 * AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> (and `endpoint_url` in the profile), like the CLI.
 * SDK modules are imported here, on first use, so that commands that never collect never load them.
 */
import { InputError } from '../../cli/errors.js';
import { VERSION } from '../../version.js';
import { profileRegion } from './config-file.js';
import { interop } from '../interop.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}
export type CredentialProvider = () => Promise<AwsCredentials>;

export interface AwsContext {
  region: string;
  profile?: string | undefined;
  credentials: CredentialProvider;
  /** Client configuration shared by every SDK client (pass a region to override). */
  clientConfig(region?: string): Record<string, unknown>;
  /** Registers a client so that `close()` frees its sockets. */
  track<C extends { destroy(): void }>(client: C): C;
  close(): void;
}

/** The SDK warns on Node 20 at import time (anchors §5.2); the opt-out is read when the first client loads. */
export function silenceSdkNodeWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

const quietLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export async function resolveRegion(
  explicit: string | undefined,
  profile: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  return (
    explicit ||
    env.AWS_REGION ||
    env.AWS_DEFAULT_REGION ||
    (await profileRegion(profile || env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default', env))
  );
}

/** Caches one credential lookup for every client (one AssumeRole or SSO call, not one per client). */
function memoizeCredentials(provider: CredentialProvider): CredentialProvider {
  let pending: Promise<AwsCredentials> | undefined;
  return async () => {
    if (pending) {
      const current = await pending.catch(() => undefined);
      const fresh =
        current && (!current.expiration || current.expiration.getTime() - Date.now() > 5 * 60_000);
      if (fresh) return current;
    }
    pending = provider();
    pending.catch(() => (pending = undefined));
    return pending;
  };
}

export async function createCredentialProvider(
  profile: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<CredentialProvider> {
  silenceSdkNodeWarning(env);
  const providers = interop(await import('@aws-sdk/credential-providers'), 'fromIni');
  // The STS and SSO calls made while resolving credentials (role_arn, sso_session) honour the proxy too.
  const { withProxyAgents } = await import('../proxy.js');
  const clientConfig = withProxyAgents({});
  const init = { logger: quietLogger, ...(Object.keys(clientConfig).length ? { clientConfig } : {}) };
  if (profile) return memoizeCredentials(providers.fromIni({ profile, ...init }));
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return memoizeCredentials(providers.fromEnv());
  return memoizeCredentials(providers.fromNodeProviderChain(init));
}

export interface AwsContextOptions {
  region?: string | undefined;
  profile?: string | undefined;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

export async function createAwsContext(options: AwsContextOptions): Promise<AwsContext> {
  const env = options.env ?? process.env;
  const region = await resolveRegion(options.region, options.profile, env);
  if (!region) {
    throw new InputError('no AWS region: pass --region, set AWS_REGION, or set region in the AWS profile');
  }
  const credentials = await createCredentialProvider(options.profile, env);
  const clients: Array<{ destroy(): void }> = [];
  return {
    region,
    profile: options.profile,
    credentials,
    clientConfig: (override?: string) => ({
      region: override ?? region,
      credentials,
      maxAttempts: 1,
      requestHandler: {
        connectionTimeout: Math.min(options.timeoutMs, 5000),
        requestTimeout: options.timeoutMs,
      },
      customUserAgent: `eksdoctor/${VERSION}`,
      logger: quietLogger,
      ...(options.profile ? { profile: options.profile } : {}),
    }),
    track: (client) => {
      clients.push(client);
      return client;
    },
    close: () => {
      for (const client of clients.splice(0)) client.destroy();
    },
  };
}
