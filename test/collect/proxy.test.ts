/**
 * Live collection behind a forward proxy: HTTPS_PROXY / HTTP_PROXY tunnel the AWS and Kubernetes connections
 * through HTTP CONNECT (credentials in the URL become Proxy-Authorization), NO_PROXY bypasses the proxy, a kubeconfig
 * `proxy-url` wins over the environment, and a proxy that refuses fails each source at once with a message that
 * names the proxy and never its credentials. The proxy is a real one on 127.0.0.1 (test/support/proxy.ts); the
 * fake AWS endpoint is plain http (so it follows HTTP_PROXY), the fake Kubernetes API is https with its own CA.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot, type CollectOptions, type ProgressEvent } from '../../src/collect/index.js';
import { ProxyError, environmentProxyFor, redactProxyUrl } from '../../src/collect/proxy.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { loadSample } from '../helpers/samples.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { withEnv } from '../support/env.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { selfSignedCert, startFakes, type Fakes, incidentCollectOptions } from '../support/scenario.js';

const SAMPLE = loadSample('access-entry-without-policy');
const USER = 'alice';
const PASSWORD = 'pr0xy-Pa55word';
const EXPECTED_AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

/** Every proxy variable unset: the baseline, and the start of each case (the machine's own are not inherited). */
const NO_PROXY_VARIABLES: Record<string, undefined> = Object.fromEntries(
  ['https_proxy', 'http_proxy', 'all_proxy', 'no_proxy'].flatMap((n) => [
    [n, undefined],
    [n.toUpperCase(), undefined],
  ]),
);

const withCredentials = (url: string, user = USER, password = PASSWORD) =>
  url.replace('http://', `http://${user}:${password}@`);
const portOf = (url: string) => Number(new URL(url).port);

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('live collection through a proxy', () => {
  const tls = selfSignedCert();
  let fakes: Fakes;
  let baseline: Snapshot;
  const proxies: TestProxy[] = [];

  const proxy = async (options: Parameters<typeof startTestProxy>[0] = {}) => {
    const started = await startTestProxy(options);
    proxies.push(started);
    return started;
  };

  const collect = (
    env: Record<string, string | undefined>,
    options: Partial<CollectOptions> = {},
    progress: ProgressEvent[] = [],
  ): Promise<Snapshot> =>
    withEnv({ ...fakes.env, ...NO_PROXY_VARIABLES, ...env }, () =>
      collectSnapshot(
        {
          ...incidentCollectOptions(fakes, SAMPLE.snapshot),
          now: new Date(SAMPLE.snapshot.collectedAt ?? Date.now()),
          since: '90d',
          ...options,
        },
        (event) => progress.push(event),
      ),
    );

  beforeAll(async () => {
    expect(tls, 'openssl is needed to make a test certificate').toBeDefined();
    fakes = await startFakes(SAMPLE.snapshot, tls ? { tls } : {});
    baseline = await collect({});
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await fakes?.close();
  });

  it('collects every source without a proxy (the baseline)', () => {
    expect(fakes.kube.url.startsWith('https://')).toBe(true);
    for (const source of [
      'cluster',
      'accessEntries',
      'callerIdentity',
      'awsAuth',
      'rbac',
      'whoami',
    ] as const) {
      expect(baseline[source]?.status, source).toBe('ok');
    }
  });

  it('tunnels AWS and Kubernetes through HTTPS_PROXY / HTTP_PROXY with its credentials; same snapshot', async () => {
    const through = await proxy({ credentials: { user: USER, password: PASSWORD } });
    const url = withCredentials(through.url);
    const awsBefore = fakes.aws.log.length;
    const snapshot = await collect({ HTTPS_PROXY: url, HTTP_PROXY: url });
    expect(through.portsSeen()).toEqual(new Set([portOf(fakes.aws.url), portOf(fakes.kube.url)]));
    for (const record of through.connects) {
      expect(record).toMatchObject({ status: 200, authorization: EXPECTED_AUTH });
    }
    expect(through.plainRequests).toEqual([]);
    expect(fakes.aws.log.length).toBeGreaterThan(awsBefore);
    expect(snapshot).toEqual(baseline);
    expect(JSON.stringify(snapshot)).not.toContain(PASSWORD);
  });

  it('uses https_proxy for the https Kubernetes API only when http_proxy is unset (http AWS goes direct)', async () => {
    const through = await proxy();
    const snapshot = await collect({ https_proxy: through.url });
    expect(through.portsSeen()).toEqual(new Set([portOf(fakes.kube.url)]));
    expect(snapshot).toEqual(baseline);
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    const through = await proxy();
    const snapshot = await collect({
      HTTPS_PROXY: through.url,
      HTTP_PROXY: through.url,
      NO_PROXY: '127.0.0.1',
    });
    expect(through.connects).toEqual([]);
    expect(snapshot).toEqual(baseline);
  });

  it('matches NO_PROXY host:port entries on the port', async () => {
    const through = await proxy();
    const snapshot = await collect({
      HTTPS_PROXY: through.url,
      HTTP_PROXY: through.url,
      no_proxy: `example.com, 127.0.0.1:${portOf(fakes.kube.url)}`,
    });
    expect(through.portsSeen()).toEqual(new Set([portOf(fakes.aws.url)]));
    expect(snapshot).toEqual(baseline);
  });

  it('fails each source at once when the proxy refuses, naming the proxy without its credentials', async () => {
    const refusing = await proxy({ refuse: true });
    const url = withCredentials(refusing.url);
    const progress: ProgressEvent[] = [];
    const started = Date.now();
    const snapshot = await collect({ HTTPS_PROXY: url, HTTP_PROXY: url }, {}, progress);
    expect(Date.now() - started).toBeLessThan(5000);
    const shown = `http://***@127.0.0.1:${refusing.port}`;
    const refused = `the proxy ${shown} refused to open a tunnel to 127.0.0.1:${portOf(fakes.aws.url)} (HTTP 403)`;
    for (const source of ['cluster', 'callerIdentity', 'iamPrincipals', 'cloudTrail'] as const) {
      expect(snapshot[source], source).toMatchObject({ status: 'error' });
      expect((snapshot[source] as { message: string }).message, source).toContain(refused);
    }
    const printed = JSON.stringify(snapshot) + JSON.stringify(progress);
    expect(printed).not.toContain(PASSWORD);
    expect(printed).not.toContain(USER);
  });

  it('says which Kubernetes call the proxy refused', async () => {
    const refusing = await proxy({ refuse: true });
    const snapshot = await collect({ HTTPS_PROXY: withCredentials(refusing.url) });
    expect(snapshot.cluster?.status).toBe('ok'); // AWS is plain http here: HTTPS_PROXY does not apply
    expect(snapshot.awsAuth).toMatchObject({
      status: 'error',
      message: `aws-auth ConfigMap: cannot reach the Kubernetes API: the proxy http://***@127.0.0.1:${refusing.port} refused to open a tunnel to 127.0.0.1:${portOf(fakes.kube.url)} (HTTP 403)`,
    });
    expect(JSON.stringify(snapshot)).not.toContain(PASSWORD);
  });

  it('explains a 407 from a proxy that wants credentials', async () => {
    const guarded = await proxy({ credentials: { user: USER, password: PASSWORD } });
    const snapshot = await collect({ HTTP_PROXY: withCredentials(guarded.url, USER, 'wrong-password') });
    expect(snapshot.cluster).toMatchObject({
      status: 'error',
      message: expect.stringContaining(
        `the proxy http://***@127.0.0.1:${guarded.port} refused to open a tunnel to 127.0.0.1:${portOf(fakes.aws.url)} (HTTP 407: proxy authentication required`,
      ),
    });
    expect(JSON.stringify(snapshot)).not.toContain('wrong-password');
  });

  it('names a proxy that cannot be reached', async () => {
    const port = await closedPort();
    const snapshot = await collect({ HTTP_PROXY: `http://${USER}:${PASSWORD}@127.0.0.1:${port}` });
    expect(snapshot.cluster).toMatchObject({
      status: 'error',
      message: expect.stringContaining(
        `cannot reach the proxy http://***@127.0.0.1:${port} to open a tunnel to 127.0.0.1:${portOf(fakes.aws.url)} (ECONNREFUSED)`,
      ),
    });
    expect(JSON.stringify(snapshot)).not.toContain(PASSWORD);
  });

  it('names a proxy that never answers CONNECT, before the call times out', async () => {
    const silent = await proxy({ silent: true });
    const started = Date.now();
    const snapshot = await collect(
      { HTTP_PROXY: withCredentials(silent.url) },
      { timeoutMs: 2000, cloudTrail: false, logs: false, kubernetes: false },
    );
    expect(Date.now() - started).toBeLessThan(8000);
    expect(silent.connects.length).toBeGreaterThan(0);
    expect(snapshot.cluster).toMatchObject({
      status: 'error',
      message: expect.stringContaining(
        `the proxy http://***@127.0.0.1:${silent.port} did not open a tunnel to 127.0.0.1:${portOf(fakes.aws.url)} within 1.8 s`,
      ),
    });
  });

  it('does not echo a proxy variable that is not a URL', async () => {
    const snapshot = await collect({ HTTP_PROXY: `http://${USER}:${PASSWORD}@[not-a-host` });
    expect(snapshot.cluster).toMatchObject({
      status: 'error',
      message: expect.stringContaining('HTTP_PROXY is not a valid proxy URL'),
    });
    expect(JSON.stringify(snapshot)).not.toContain(PASSWORD);
  });

  it('lets a kubeconfig proxy-url win over the environment, and keeps its credentials out of the evidence', async () => {
    const configured = await proxy({ credentials: { user: USER, password: PASSWORD } });
    const environment = await proxy({ refuse: true });
    fakes.kube.state.users['proxy-test-token-value'] = {
      username: 'kubeconfig-user',
      groups: ['system:authenticated'],
    };
    const kubeconfig = join(fakes.env.HOME ?? '', 'proxied-kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: proxied',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: ${fakes.kube.url}`,
        `    certificate-authority-data: ${Buffer.from(tls?.cert ?? '').toString('base64')}`,
        `    proxy-url: ${withCredentials(configured.url)}`,
        'users:',
        '- name: static-user',
        '  user:',
        '    token: proxy-test-token-value',
        'contexts:',
        '- name: proxied',
        '  context: { cluster: fake, user: static-user }',
        '',
      ].join('\n'),
    );
    // NO_PROXY does not apply to a proxy-url (as in kubectl); HTTPS_PROXY is not used for this cluster.
    const snapshot = await collect(
      { HTTPS_PROXY: environment.url, NO_PROXY: '127.0.0.1' },
      { kubeconfig, context: 'proxied', cloudTrail: false, logs: false },
    );
    expect(snapshot.whoami).toMatchObject({ status: 'ok', data: { username: 'kubeconfig-user' } });
    expect(environment.connects).toEqual([]);
    expect(configured.portsSeen()).toEqual(new Set([portOf(fakes.kube.url)]));
    for (const record of configured.connects) expect(record.authorization).toBe(EXPECTED_AUTH);
    const evidence = snapshot.kubeconfig as {
      status: string;
      data: { clusters: Array<{ cluster: object }> };
    };
    expect(evidence.data.clusters[0]?.cluster).toMatchObject({
      'proxy-url': `http://***@127.0.0.1:${configured.port}`,
    });
    expect(JSON.stringify(snapshot)).not.toContain(PASSWORD);
  });

  it('the bundled CLI: tunnels through the proxy, and a refusal under --debug never prints the credentials', async () => {
    const through = await proxy({ credentials: { user: USER, password: PASSWORD } });
    const refusing = await proxy({ refuse: true });
    const principal = SAMPLE.snapshot.incident?.principalArn ?? '';
    const base = { ...fakes.env, ...NO_PROXY_VARIABLES, AWS_REGION: fakes.region };
    const ok = await runBundled(['collect', '--cluster', fakes.clusterName, '--principal', principal], {
      ...base,
      HTTPS_PROXY: withCredentials(through.url),
      HTTP_PROXY: withCredentials(through.url),
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(through.portsSeen()).toEqual(new Set([portOf(fakes.aws.url), portOf(fakes.kube.url)]));
    const refused = await runBundled(
      ['explain', '--cluster', fakes.clusterName, '--principal', principal, '--debug'],
      { ...base, HTTPS_PROXY: withCredentials(refusing.url), HTTP_PROXY: withCredentials(refusing.url) },
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).not.toMatch(/internal error/);
    const printed = ok.stdout + ok.stderr + refused.stdout + refused.stderr;
    expect(printed).not.toContain(PASSWORD);
    expect(refused.stdout + refused.stderr).toContain(`http://***@127.0.0.1:${refusing.port}`);
  });
});

/** The built CLI, asynchronously: the proxy answering it runs in this process. */
function runBundled(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true' };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: childEnv, timeout: 90_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('which proxy the environment names', () => {
  const target = new URL('https://eks.us-west-2.amazonaws.com');
  const at = (env: Record<string, string | undefined>, url: URL = target) =>
    withEnv({ ...NO_PROXY_VARIABLES, ...env }, async () => environmentProxyFor(url)?.href);

  it.each([
    {
      name: 'HTTPS_PROXY for https',
      env: { HTTPS_PROXY: 'http://proxy.corp:3128' },
      want: 'http://proxy.corp:3128/',
    },
    { name: 'none set', env: {}, want: undefined },
    {
      name: 'HTTP_PROXY is not used for https',
      env: { HTTP_PROXY: 'http://proxy.corp:3128' },
      want: undefined,
    },
    {
      name: 'lower case wins',
      env: { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' },
      want: 'http://lower:1/',
    },
    { name: 'ALL_PROXY as the fallback', env: { ALL_PROXY: 'http://all:3128' }, want: 'http://all:3128/' },
    {
      name: 'no scheme means http://',
      env: { HTTPS_PROXY: 'proxy.corp:3128' },
      want: 'http://proxy.corp:3128/',
    },
    { name: 'NO_PROXY=*', env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }, want: undefined },
    {
      name: 'a leading-dot suffix',
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.amazonaws.com' },
      want: undefined,
    },
    {
      name: 'a *. suffix',
      env: { HTTPS_PROXY: 'http://p:1', no_proxy: 'x.org,*.amazonaws.com' },
      want: undefined,
    },
    {
      name: 'another domain',
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.example.com' },
      want: 'http://p:1/',
    },
    {
      name: 'host:port, other port',
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'eks.us-west-2.amazonaws.com:8443' },
      want: 'http://p:1/',
    },
    {
      name: 'host:port, same port',
      env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'eks.us-west-2.amazonaws.com:443' },
      want: undefined,
    },
  ])('$name', async ({ env, want }) => {
    expect(await at(env)).toBe(want);
  });

  it('matches an IP address in NO_PROXY', async () => {
    const ip = new URL('https://10.1.2.3:443');
    expect(await at({ HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.1.2.3' }, ip)).toBeUndefined();
    expect(await at({ HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.1.2.4' }, ip)).toBe('http://p:1/');
  });

  it('refuses a SOCKS proxy variable and an invalid one without echoing it', async () => {
    await expect(at({ HTTPS_PROXY: 'socks5://p:1080' })).rejects.toThrow(/HTTPS_PROXY names a socks5 proxy/);
    const invalid = at({ HTTPS_PROXY: `http://${USER}:${PASSWORD}@[bad` });
    await expect(invalid).rejects.toThrow(ProxyError);
    await expect(invalid).rejects.toThrow(/^HTTPS_PROXY is not a valid proxy URL$/);
  });

  it('shows a proxy URL without its credentials', () => {
    expect(redactProxyUrl(`http://${USER}:${PASSWORD}@proxy.corp:3128/`)).toBe('http://***@proxy.corp:3128');
    expect(redactProxyUrl('http://token@proxy.corp:3128')).toBe('http://***@proxy.corp:3128');
    expect(redactProxyUrl('https://proxy.corp')).toBe('https://proxy.corp');
    expect(redactProxyUrl(`http://${USER}:${PASSWORD}@[bad`)).toBe('(not a valid URL)');
  });
});
