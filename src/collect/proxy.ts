/**
 * Outbound proxies for live collection. The AWS SDK for JavaScript v3 and @kubernetes/client-node ignore
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY; the agents made here honour them like curl, Go and the AWS CLI do:
 * https:// targets use HTTPS_PROXY, http:// targets HTTP_PROXY (either falls back to ALL_PROXY; lower case wins),
 * NO_PROXY is read by proxy-from-env, and the tunnel is an HTTP CONNECT opened by hpagent (the same library
 * client-node uses for a kubeconfig `proxy-url`). The decision is taken per connection, so one client whose
 * endpoints differ by Region still bypasses the proxy only for the hosts NO_PROXY names.
 *
 * A proxy URL may carry credentials (http://user:pass@proxy:3128): they go into the Proxy-Authorization header
 * only, and every message here shows the proxy through `redactProxyUrl`.
 *
 * This module imports its libraries and node:http(s) statically: the build loads it on demand (see
 * scripts/build.mjs), so none of it reaches the CLI core.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';

/** The proxy failed to open a tunnel; the message names the proxy without its credentials. */
export class ProxyError extends Error {
  override name = 'ProxyError';
}

type Scheme = 'http' | 'https';
type ConnectionCallback = (error: Error | null, stream: Duplex) => void;

/** The variables that can make a target go through a proxy (NO_PROXY alone never does). */
const PROXY_VARIABLES = ['https_proxy', 'http_proxy', 'all_proxy'];

function variable(name: string, env: NodeJS.ProcessEnv): { name: string; value: string } | undefined {
  // proxy-from-env's order: the lower-case name first.
  for (const candidate of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[candidate];
    if (value) return { name: candidate, value };
  }
  return undefined;
}

/** Whether any proxy variable is set, so that callers leave their default agents alone when none is. */
export function hasProxyEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARIABLES.some((name) => variable(name, env) !== undefined);
}

/** `scheme://host:port` of a proxy, with `***@` where credentials were: safe to print and to keep as evidence. */
export function redactProxyUrl(value: string | URL): string {
  let url: URL;
  try {
    url = typeof value === 'string' ? new URL(value) : value;
  } catch {
    return '(not a valid URL)';
  }
  return `${url.protocol}//${url.username || url.password ? '***@' : ''}${url.host}`;
}

/** A proxy URL read from `source` (a variable or the kubeconfig), checked to be one hpagent can use. */
function parseProxyUrl(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value is not echoed: it may hold a password.
    throw new ProxyError(`${source} is not a valid proxy URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProxyError(
      `${source} names a ${url.protocol.replace(/:$/, '')} proxy; eksdoctor uses http:// and https:// proxies only`,
    );
  }
  return url;
}

/** The proxy the environment names for `target`, or undefined to connect directly. */
export function environmentProxyFor(target: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const chosen = getProxyForUrl(target.href);
  if (!chosen) return undefined;
  const scheme = target.protocol.replace(/:$/, '');
  const from = variable(`${scheme}_proxy`, env) ?? variable('all_proxy', env);
  // proxy-from-env gives a value without a scheme the target's scheme; curl, Go and the AWS CLI take http://.
  const value = from && !from.value.includes('://') ? `http://${from.value}` : chosen;
  return parseProxyUrl(value, from?.name ?? 'the proxy variable');
}

function describeTunnelFailure(error: Error, proxy: URL, target: string, timeoutMs: number): ProxyError {
  const shown = redactProxyUrl(proxy);
  const status = /^Bad response: (\d{3})$/.exec(error.message)?.[1];
  if (status) {
    const hint =
      status === '407' ? ': proxy authentication required (user and password in the proxy URL)' : '';
    return new ProxyError(`the proxy ${shown} refused to open a tunnel to ${target} (HTTP ${status}${hint})`);
  }
  if (error.message === 'Proxy timeout') {
    return new ProxyError(
      `the proxy ${shown} did not open a tunnel to ${target} within ${Number((timeoutMs / 1000).toFixed(1))} s`,
    );
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code) {
    return new ProxyError(`cannot reach the proxy ${shown} to open a tunnel to ${target} (${code})`);
  }
  // Messages from Node name hosts and ports, never the URL's credentials; drop them all the same.
  let detail = error.message.split('\n')[0] ?? '';
  for (const secret of [proxy.username, proxy.password].filter((s) => s.length >= 3)) {
    detail = detail.split(secret).join('***');
  }
  return new ProxyError(`the proxy ${shown} failed to open a tunnel to ${target}: ${detail.slice(0, 160)}`);
}

interface RouterOptions {
  /** A proxy for every connection, whatever the environment says (a kubeconfig `proxy-url`). */
  proxyUrl?: string | undefined;
  /** Where `proxyUrl` comes from, for messages. */
  proxySource?: string | undefined;
  /** How long the proxy has to answer CONNECT. */
  connectTimeoutMs: number;
  keepAlive: boolean;
}

/** Chooses, per connection, between a direct socket and a CONNECT tunnel through the proxy. */
class ProxyRouter {
  private readonly fixed: URL | undefined;
  private readonly tunnels = new Map<string, http.Agent>();

  constructor(private readonly options: RouterOptions) {
    this.fixed =
      options.proxyUrl === undefined
        ? undefined
        : parseProxyUrl(options.proxyUrl, options.proxySource ?? 'the proxy URL');
  }

  connect(
    scheme: Scheme,
    options: http.ClientRequestArgs,
    callback: ConnectionCallback | undefined,
    direct: () => Duplex | null | undefined,
  ): Duplex | null | undefined {
    const host = options.host ?? options.hostname ?? 'localhost';
    const port = Number(options.port) || (scheme === 'https' ? 443 : 80);
    const hostInUrl = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const target = `${hostInUrl}:${port}`;
    let proxy: URL | undefined;
    try {
      proxy = this.fixed ?? environmentProxyFor(new URL(`${scheme}://${target}`));
    } catch (error) {
      // A malformed variable fails this request like a refusing proxy would, not the caller's stack.
      if (!callback) throw error;
      process.nextTick(() => callback(error as Error, undefined as unknown as Duplex));
      return undefined;
    }
    if (!proxy) return direct();
    // Node's Agent always passes a callback; a tunnel can only hand its socket over that way.
    if (!callback) throw new Error('a proxied connection needs a callback');
    const timeoutMs = this.options.connectTimeoutMs;
    this.tunnel(scheme, proxy).createConnection(
      { ...options, timeout: timeoutMs },
      (error: Error | null, socket: Duplex) => {
        if (error) return callback(describeTunnelFailure(error, proxy, target, timeoutMs), socket);
        // The CONNECT timeout stays on the tunnel's socket; requests set their own.
        (socket as Duplex & { setTimeout?: (ms: number) => void }).setTimeout?.(0);
        callback(null, socket);
      },
    );
    return undefined;
  }

  /** One hpagent per proxy and scheme, used for its CONNECT only: the sockets are pooled by the caller's agent. */
  private tunnel(scheme: Scheme, proxy: URL): http.Agent {
    const key = `${scheme} ${proxy.href}`;
    let agent = this.tunnels.get(key);
    if (!agent) {
      const options = { proxy, keepAlive: this.options.keepAlive };
      agent = scheme === 'https' ? new HttpsProxyAgent(options) : new HttpProxyAgent(options);
      this.tunnels.set(key, agent);
    }
    return agent;
  }
}

class RoutedHttpAgent extends http.Agent {
  constructor(
    options: http.AgentOptions,
    private readonly router: ProxyRouter,
  ) {
    super(options);
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: ConnectionCallback,
  ): Duplex | null | undefined {
    return this.router.connect('http', options, callback, () => super.createConnection(options, callback));
  }
}

class RoutedHttpsAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly router: ProxyRouter,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: ConnectionCallback,
  ): Duplex | null | undefined {
    return this.router.connect('https', options, callback, () => super.createConnection(options, callback));
  }
}

export interface ProxyAgentOptions {
  /** Agent options: keep-alive, socket limits and, for https, the TLS settings of the target (CA, client cert). */
  agent?: https.AgentOptions;
  /** Every connection through this proxy, NO_PROXY not consulted (a kubeconfig `proxy-url`). */
  proxyUrl?: string | undefined;
  /** Where `proxyUrl` comes from, for messages ("the kubeconfig's proxy-url"). */
  proxySource?: string;
  /** How long a proxy has to answer CONNECT before the connection fails with a ProxyError. */
  connectTimeoutMs: number;
}

/**
 * An http and an https agent that connect directly or through a proxy, decided per connection from `proxyUrl` or
 * else the environment. A proxy that refuses or cannot be reached fails the request with a ProxyError.
 */
export function createProxyAgents(options: ProxyAgentOptions): {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
} {
  const agent = options.agent ?? {};
  const router = new ProxyRouter({
    proxyUrl: options.proxyUrl,
    proxySource: options.proxySource,
    connectTimeoutMs: options.connectTimeoutMs,
    keepAlive: agent.keepAlive ?? false,
  });
  return { httpAgent: new RoutedHttpAgent(agent, router), httpsAgent: new RoutedHttpsAgent(agent, router) };
}

/**
 * An AWS SDK client configuration whose request handler uses proxy-aware agents when a proxy variable is set
 * (unchanged otherwise, and when it already holds a ready-made handler). Agents are per client: the SDK destroys
 * them with the client.
 */
export function withProxyAgents(config: Record<string, unknown>): Record<string, unknown> {
  if (!hasProxyEnvironment()) return config;
  const handler = (config.requestHandler ?? {}) as { connectionTimeout?: number; handle?: unknown };
  if (typeof handler.handle === 'function') return config;
  const agents = createProxyAgents({
    agent: { keepAlive: true, maxSockets: 50 }, // what the SDK's own agents use
    // A little under the SDK's own connection timeout, which also runs while CONNECT waits: a silent proxy is then
    // named in the error rather than reported as a plain timeout.
    connectTimeoutMs: Math.round((handler.connectionTimeout ?? 5000) * 0.9),
  });
  return { ...config, requestHandler: { ...handler, ...agents } };
}

/** How long a proxy has to answer CONNECT for the Kubernetes API; the request itself is bounded by its signal. */
const KUBE_PROXY_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The agent for a Kubernetes cluster, given the request options and agent client-node resolved for it: that agent,
 * unless a proxy applies. A kubeconfig `proxy-url` wins, as in kubectl (NO_PROXY is not read); else HTTPS_PROXY /
 * HTTP_PROXY and NO_PROXY decide, which client-node ignores. The tunnel keeps client-node's TLS settings (CA,
 * client certificate, server name). A SOCKS `proxy-url` stays with client-node, which supports it.
 */
export function kubernetesAgent(
  cluster: { server: string; proxyUrl?: string | undefined },
  options: https.RequestOptions,
  resolved: http.Agent,
): http.Agent {
  const { proxyUrl } = cluster;
  if (proxyUrl ? !/^https?:\/\//i.test(proxyUrl) : !hasProxyEnvironment()) return resolved;
  const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = options;
  // Only the settings that are set: an undefined rejectUnauthorized would turn verification off in tls.connect.
  const tls = Object.fromEntries(
    Object.entries({ ca, cert, key, pfx, passphrase, rejectUnauthorized, servername }).filter(
      ([, value]) => value !== undefined,
    ),
  ) as https.AgentOptions;
  const agents = createProxyAgents({
    agent: tls,
    proxyUrl,
    proxySource: "the kubeconfig's proxy-url",
    connectTimeoutMs: KUBE_PROXY_CONNECT_TIMEOUT_MS,
  });
  resolved.destroy();
  return cluster.server.startsWith('http:') ? agents.httpAgent : agents.httpsAgent;
}
