/**
 * A connection to the Kubernetes API: from a kubeconfig context (via @kubernetes/client-node, which also runs exec
 * plugins such as `aws eks get-token`), or from the EKS endpoint and CA with a token eksdoctor presigns itself.
 * Requests return the API's JSON untouched (the snapshot keeps Kubernetes field names exactly), so only the
 * client's configuration, TLS and authentication machinery is used, not its typed models. Proxies (a kubeconfig
 * `proxy-url`, else HTTPS_PROXY / HTTP_PROXY / NO_PROXY, which client-node ignores) are chosen in ../proxy.ts.
 */
import type { RequestOptions } from 'node:https';
import type { Agent } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type * as ProxySupport from '../proxy.js';
import { SourceFailure, oneLine } from '../failure.js';
import { interop } from '../interop.js';

export interface KubeResponse {
  status: number;
  body: unknown;
}

export interface KubeConnection {
  server: string;
  request(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal): Promise<KubeResponse>;
  /** The context as `kubectl config view --minify -o json` prints it, credentials removed (kubeconfig only). */
  kubeconfigEvidence?: Record<string, unknown>;
  close(): void;
}

/** An HTTP answer from the Kubernetes API that is not a success; shaped so failure classification reads it. */
export class KubeHttpError extends Error {
  override name: string;
  readonly $metadata: { httpStatusCode: number };
  constructor(
    readonly status: number,
    reason: string,
    message: string,
  ) {
    super(message);
    this.name = reason || `HTTP${status}`;
    this.$metadata = { httpStatusCode: status };
  }
}

interface BaseOptions {
  agent: Agent;
  headers: Record<string, string>;
}

async function send(
  server: string,
  base: () => Promise<BaseOptions>,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  signal: AbortSignal,
): Promise<KubeResponse> {
  const url = new URL(server.replace(/\/+$/, '') + path);
  const { agent, headers } = await base();
  const http = url.protocol === 'http:' ? await import('node:http') : await import('node:https');
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<KubeResponse>((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        signal,
        headers: {
          ...headers,
          Accept: 'application/json',
          'User-Agent': 'eksdoctor',
          ...(payload
            ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          const type = String(res.headers['content-type'] ?? '');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          if (parsed === undefined || typeof parsed !== 'object' || parsed === null) {
            const what =
              /html/i.test(type) || /<html|<!doctype/i.test(text)
                ? 'an HTML page'
                : `"${type || 'no content type'}"`;
            reject(
              new KubeHttpError(
                status,
                status >= 500 ? 'ServerError' : 'UnexpectedResponse',
                `${method} ${url.pathname}: HTTP ${status} with ${what}, not a Kubernetes API answer`,
              ),
            );
            return;
          }
          if (status >= 200 && status < 300) return resolve({ status, body: parsed });
          const statusBody = parsed as { reason?: string; message?: string };
          reject(
            new KubeHttpError(
              status,
              statusBody.reason ?? '',
              oneLine(statusBody.message ?? `HTTP ${status}`, 200),
            ),
          );
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

type KubeConfigInstance = KubeConfig;
type ProxyModule = typeof ProxySupport;

function baseFrom(kc: KubeConfigInstance, proxy: ProxyModule): () => Promise<BaseOptions> {
  return async () => {
    const options: RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.headers ?? {})) {
      if (typeof value === 'string' || typeof value === 'number') headers[key] = String(value);
    }
    if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    const cluster = kc.getCurrentCluster();
    const agent = options.agent as Agent;
    return { agent: cluster ? proxy.kubernetesAgent(cluster, options, agent) : agent, headers };
  };
}

/** Caches the options (the exec plugin runs once), refreshing after `ttlMs`. */
function cached(
  make: () => Promise<BaseOptions>,
  ttlMs: number,
): { get: () => Promise<BaseOptions>; close: () => void } {
  let value: Promise<BaseOptions> | undefined;
  let madeAt = 0;
  const agents = new Set<Agent>();
  return {
    get: () => {
      if (!value || Date.now() - madeAt > ttlMs) {
        madeAt = Date.now();
        value = make().then((v) => {
          agents.add(v.agent);
          return v;
        });
        value.catch(() => (value = undefined));
      }
      return value;
    },
    close: () => {
      for (const agent of agents) agent.destroy();
    },
  };
}

const SENSITIVE_ENV = /secret|token|password|passwd|credential|private|key$/i;

/**
 * The current context of `kc` in kubeconfig JSON form, without credentials (like `kubectl config view --minify`);
 * `showProxyUrl` removes those a `proxy-url` may carry.
 */
export function minifiedKubeconfig(
  kc: KubeConfigInstance,
  showProxyUrl: (url: string) => string,
): Record<string, unknown> {
  const contextName = kc.getCurrentContext();
  const context = kc.getContextObject(contextName);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const exec = user?.exec as
    | { apiVersion?: string; command?: string; args?: string[]; env?: Array<{ name: string; value: string }> }
    | undefined;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': contextName,
    contexts: context
      ? [
          {
            name: context.name,
            context: {
              cluster: context.cluster,
              user: context.user,
              ...(context.namespace ? { namespace: context.namespace } : {}),
            },
          },
        ]
      : [],
    clusters: cluster
      ? [
          {
            name: cluster.name,
            cluster: {
              server: cluster.server,
              ...(cluster.caData || cluster.caFile ? { 'certificate-authority-data': 'DATA+OMITTED' } : {}),
              ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
              ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
              ...(cluster.proxyUrl ? { 'proxy-url': showProxyUrl(cluster.proxyUrl) } : {}),
            },
          },
        ]
      : [],
    users: user
      ? [
          {
            name: user.name,
            user: {
              ...(user.token ? { token: 'REDACTED' } : {}),
              ...(user.certData || user.certFile ? { 'client-certificate-data': 'DATA+OMITTED' } : {}),
              ...(user.keyData || user.keyFile ? { 'client-key-data': 'DATA+OMITTED' } : {}),
              ...(user.username ? { username: user.username, password: 'REDACTED' } : {}),
              ...(exec
                ? {
                    exec: {
                      ...(exec.apiVersion ? { apiVersion: exec.apiVersion } : {}),
                      ...(exec.command ? { command: exec.command } : {}),
                      ...(exec.args ? { args: exec.args } : {}),
                      ...(exec.env
                        ? {
                            env: exec.env.map((e) => ({
                              name: e.name,
                              value: SENSITIVE_ENV.test(e.name) ? 'REDACTED' : e.value,
                            })),
                          }
                        : {}),
                    },
                  }
                : {}),
              ...(user.authProvider
                ? { 'auth-provider': { name: (user.authProvider as { name?: string }).name } }
                : {}),
            },
          },
        ]
      : [],
  };
}

export async function kubeFromKubeconfig(options: {
  context?: string | undefined;
  kubeconfig?: string | undefined;
}): Promise<KubeConnection> {
  const { KubeConfig } = interop(await import('@kubernetes/client-node'), 'KubeConfig');
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    throw new SourceFailure({
      status: 'error',
      message: `cannot load the kubeconfig: ${oneLine(String((error as Error).message ?? error), 160)}`,
    });
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw new SourceFailure({
        status: 'error',
        message: `the kubeconfig has no context "${options.context}"`,
      });
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new SourceFailure({
      status: 'error',
      message: 'the kubeconfig has no current context with a cluster server',
    });
  }
  const proxy = await import('../proxy.js');
  const options5min = cached(baseFrom(kc, proxy), 5 * 60_000);
  return {
    server: cluster.server,
    request: (method, path, body, signal) =>
      send(cluster.server, options5min.get, method, path, body, signal),
    kubeconfigEvidence: minifiedKubeconfig(kc, proxy.redactProxyUrl),
    close: options5min.close,
  };
}

/**
 * A connection to the endpoint DescribeCluster returned, trusting only its CA, with `token()` called for a fresh
 * presigned token (STS honours X-Amz-Expires=60, so a token older than 30 s is replaced).
 */
export async function kubeFromEndpoint(options: {
  endpoint: string;
  caData?: string | undefined;
  token: () => Promise<string>;
}): Promise<KubeConnection> {
  const { KubeConfig } = interop(await import('@kubernetes/client-node'), 'KubeConfig');
  const proxy = await import('../proxy.js');
  const make = async (): Promise<BaseOptions> => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'eks',
          server: options.endpoint,
          ...(options.caData ? { caData: options.caData } : {}),
          // Plain http can only be a local test endpoint; real EKS endpoints are https with the cluster CA.
          skipTLSVerify: options.endpoint.startsWith('http:'),
        },
      ],
      users: [{ name: 'eksdoctor', token: await options.token() }],
      contexts: [{ name: 'eks', cluster: 'eks', user: 'eksdoctor' }],
      currentContext: 'eks',
    });
    return baseFrom(kc, proxy)();
  };
  const base = cached(make, 30_000);
  return {
    server: options.endpoint,
    request: (method, path, body, signal) => send(options.endpoint, base.get, method, path, body, signal),
    close: base.close,
  };
}
