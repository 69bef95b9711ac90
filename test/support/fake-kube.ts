/**
 * A local Kubernetes API on 127.0.0.1 (HTTP, or HTTPS with a given key and certificate) for the routes eksdoctor
 * reads: kube-system/aws-auth, RBAC lists (with limit/continue), APIServices, SelfSubjectReview and
 * SubjectAccessReview. Bearer tokens are checked like EKS would before calling STS: a `k8s-aws-v1.` token must be a
 * presigned GetCallerIdentity URL for an STS host whose signed headers include x-k8s-aws-id, signed for this cluster
 * name; its access key id says who the caller is. Faults per route, and a request log like fake-aws.
 */
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestRecord } from './request-log.js';

export interface FakeUserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface FakeKubeState {
  clusterName: string;
  awsAuth?: Record<string, unknown> | null;
  clusterRoles?: Array<Record<string, unknown>>;
  clusterRoleBindings?: Array<Record<string, unknown>>;
  roles?: Array<Record<string, unknown>>;
  roleBindings?: Array<Record<string, unknown>>;
  apiServices?: Array<Record<string, unknown>>;
  /** Access key id (for k8s-aws-v1 tokens) or a static bearer token → who the caller is. */
  users: Record<string, FakeUserInfo>;
  /** Answer of SubjectAccessReview (default: allowed for system:masters). */
  review?: (spec: Record<string, unknown>) => { allowed: boolean; reason?: string };
}

export type KubeRoute =
  | 'configmaps'
  | 'clusterroles'
  | 'clusterrolebindings'
  | 'roles'
  | 'rolebindings'
  | 'apiservices'
  | 'selfsubjectreviews'
  | 'subjectaccessreviews';

export interface KubeFault {
  route: KubeRoute | '*';
  kind: 'forbidden' | 'unauthorized' | 'serverError' | 'html' | 'latency' | 'throttle' | 'notFound';
  times?: number;
  ms?: number;
}

export interface FakeKube {
  url: string;
  state: FakeKubeState;
  faults: KubeFault[];
  log: RequestRecord[];
  /** Every bearer token presented (so tests can check none leaked anywhere). */
  tokens: string[];
  /** Decoded presigned URLs of the k8s-aws-v1 tokens, with their signed headers. */
  presigned: URL[];
  pageSize: number;
  close(): Promise<void>;
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

const ROUTES: Array<{ route: KubeRoute; method: string; pattern: RegExp }> = [
  { route: 'configmaps', method: 'GET', pattern: /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/ },
  {
    route: 'clusterroles',
    method: 'GET',
    pattern: /^\/apis\/rbac\.authorization\.k8s\.io\/v1\/clusterroles$/,
  },
  {
    route: 'clusterrolebindings',
    method: 'GET',
    pattern: /^\/apis\/rbac\.authorization\.k8s\.io\/v1\/clusterrolebindings$/,
  },
  { route: 'roles', method: 'GET', pattern: /^\/apis\/rbac\.authorization\.k8s\.io\/v1\/roles$/ },
  {
    route: 'rolebindings',
    method: 'GET',
    pattern: /^\/apis\/rbac\.authorization\.k8s\.io\/v1\/rolebindings$/,
  },
  { route: 'apiservices', method: 'GET', pattern: /^\/apis\/apiregistration\.k8s\.io\/v1\/apiservices$/ },
  {
    route: 'selfsubjectreviews',
    method: 'POST',
    pattern: /^\/apis\/authentication\.k8s\.io\/(v1|v1beta1)\/selfsubjectreviews$/,
  },
  {
    route: 'subjectaccessreviews',
    method: 'POST',
    pattern: /^\/apis\/authorization\.k8s\.io\/v1\/subjectaccessreviews$/,
  },
];

/** Legacy discovery, enough for kubectl to map the resource names the evidence script uses. */
const GROUPS: Record<string, Array<{ name: string; kind: string; namespaced: boolean; verbs: string[] }>> = {
  v1: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['get', 'list'] }],
  'rbac.authorization.k8s.io/v1': [
    { name: 'clusterroles', kind: 'ClusterRole', namespaced: false, verbs: ['get', 'list'] },
    { name: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false, verbs: ['get', 'list'] },
    { name: 'roles', kind: 'Role', namespaced: true, verbs: ['get', 'list'] },
    { name: 'rolebindings', kind: 'RoleBinding', namespaced: true, verbs: ['get', 'list'] },
  ],
  'apiregistration.k8s.io/v1': [
    { name: 'apiservices', kind: 'APIService', namespaced: false, verbs: ['get', 'list'] },
  ],
  'authentication.k8s.io/v1': [
    { name: 'selfsubjectreviews', kind: 'SelfSubjectReview', namespaced: false, verbs: ['create'] },
  ],
  'authorization.k8s.io/v1': [
    { name: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false, verbs: ['create'] },
  ],
};

function discovery(path: string): unknown {
  if (path === '/api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:443' }],
    };
  }
  if (path === '/apis') {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: Object.keys(GROUPS)
        .filter((gv) => gv.includes('/'))
        .map((gv) => {
          const [name, version] = gv.split('/');
          return {
            name,
            versions: [{ groupVersion: gv, version }],
            preferredVersion: { groupVersion: gv, version },
          };
        }),
    };
  }
  if (path === '/version') return { major: '1', minor: '31', gitVersion: 'v1.31.0-eks' };
  const gv = path === '/api/v1' ? 'v1' : path.replace(/^\/apis\//, '');
  const resources = GROUPS[gv];
  return resources
    ? {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: gv,
        resources: resources.map((r) => ({ ...r, singularName: '' })),
      }
    : undefined;
}

/** Checks a k8s-aws-v1 token the way the authenticator does before replaying it (FM §0 step 3, subset). */
export function checkEksToken(
  token: string,
  clusterName: string,
): { accessKeyId: string; url: URL } | string {
  if (!token.startsWith('k8s-aws-v1.')) return 'missing prefix';
  let url: URL;
  try {
    url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));
  } catch {
    return 'not base64url of a URL';
  }
  const q = url.searchParams;
  if (url.protocol !== 'https:' || !/^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(url.hostname)) {
    return `unexpected host ${url.hostname}`;
  }
  if (q.get('Action') !== 'GetCallerIdentity') return 'not GetCallerIdentity';
  if (!(q.get('X-Amz-SignedHeaders') ?? '').split(';').includes('x-k8s-aws-id')) {
    return 'x-k8s-aws-id not signed';
  }
  const expires = Number(q.get('X-Amz-Expires'));
  if (!(expires >= 0 && expires <= 900)) return 'invalid X-Amz-Expires';
  const date = q.get('X-Amz-Date') ?? '';
  const signedAt = Date.parse(
    date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (!(Date.now() - signedAt < 15 * 60_000)) return 'token expired';
  if (!/^[0-9a-f]{64}$/.test(q.get('X-Amz-Signature') ?? '')) return 'no signature';
  const accessKeyId = (q.get('X-Amz-Credential') ?? '').split('/')[0] ?? '';
  void clusterName; // the header value itself is signed, not sent; STS would reject a different cluster name
  return { accessKeyId, url };
}

export async function startFakeKube(
  state: FakeKubeState,
  tls?: { key: string; cert: string },
): Promise<FakeKube> {
  const faults: KubeFault[] = [];
  const log: RequestRecord[] = [];
  const tokens: string[] = [];
  const presigned: URL[] = [];
  const fake: FakeKube = {
    url: '',
    state,
    faults,
    log,
    tokens,
    presigned,
    pageSize: 500,
    close: async () => undefined,
  };

  const reply = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const who = (req: IncomingMessage): FakeUserInfo | undefined => {
    const auth = String(req.headers.authorization ?? '');
    const token = /^Bearer (.+)$/.exec(auth)?.[1];
    if (!token) return undefined;
    tokens.push(token);
    if (token.startsWith('k8s-aws-v1.')) {
      const checked = checkEksToken(token, state.clusterName);
      if (typeof checked === 'string') return undefined;
      presigned.push(checked.url);
      return state.users[checked.accessKeyId];
    }
    return state.users[token];
  };

  const list = (res: ServerResponse, url: URL, items: Array<Record<string, unknown>>, kind: string) => {
    const limit = Math.min(
      Number(url.searchParams.get('limit') ?? fake.pageSize) || fake.pageSize,
      fake.pageSize,
    );
    const start = Number(url.searchParams.get('continue') ?? 0) || 0;
    const next = start + limit < items.length ? String(start + limit) : undefined;
    reply(res, 200, {
      kind: `${kind}List`,
      apiVersion: 'v1',
      metadata: { resourceVersion: '1', ...(next ? { continue: next } : {}) },
      items: items.slice(start, start + limit),
    });
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const start = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const match = ROUTES.find((r) => r.method === req.method && r.pattern.test(url.pathname));
        const record: RequestRecord = {
          start,
          end: start,
          service: 'kubernetes',
          operation: match?.route ?? url.pathname,
          status: 0,
        };
        log.push(record);
        res.on('finish', () => {
          record.end = performance.now();
          record.status = res.statusCode;
        });
        const user = who(req);
        if (!user) return reply(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
        const discovered = req.method === 'GET' && !match ? discovery(url.pathname) : undefined;
        if (discovered) {
          record.operation = 'discovery';
          return reply(res, 200, discovered);
        }
        if (!match) {
          return reply(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
        }
        const fault = faults.find(
          (f) => (f.route === '*' || f.route === match.route) && (f.times === undefined || f.times > 0),
        );
        if (fault && fault.times !== undefined) fault.times--;
        if (fault) record.fault = fault.kind;
        if (fault?.ms) await new Promise((r) => setTimeout(r, fault.ms));
        switch (fault?.kind) {
          case 'forbidden':
            return reply(
              res,
              403,
              status(
                403,
                'Forbidden',
                `${match.route} is forbidden: User "${user.username}" cannot access it`,
              ),
            );
          case 'unauthorized':
            return reply(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
          case 'notFound':
            return reply(
              res,
              404,
              status(404, 'NotFound', 'the server could not find the requested resource'),
            );
          case 'throttle':
            return reply(res, 429, status(429, 'TooManyRequests', 'too many requests'));
          case 'serverError':
            return reply(
              res,
              503,
              status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'),
            );
          case 'html':
            res.writeHead(502, { 'content-type': 'text/html' });
            return res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
          default:
            break;
        }
        const body = chunks.length
          ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
          : {};
        switch (match.route) {
          case 'configmaps': {
            const [, namespace, name] = match.pattern.exec(url.pathname) ?? [];
            if (namespace === 'kube-system' && name === 'aws-auth' && state.awsAuth) {
              return reply(res, 200, state.awsAuth);
            }
            return reply(res, 404, status(404, 'NotFound', `configmaps "${name}" not found`));
          }
          case 'clusterroles':
            return list(res, url, state.clusterRoles ?? [], 'ClusterRole');
          case 'clusterrolebindings':
            return list(res, url, state.clusterRoleBindings ?? [], 'ClusterRoleBinding');
          case 'roles':
            return list(res, url, state.roles ?? [], 'Role');
          case 'rolebindings':
            return list(res, url, state.roleBindings ?? [], 'RoleBinding');
          case 'apiservices':
            return list(res, url, state.apiServices ?? [], 'APIService');
          case 'selfsubjectreviews':
            return reply(res, 201, {
              ...body,
              metadata: { creationTimestamp: null },
              status: { userInfo: user },
            });
          case 'subjectaccessreviews': {
            const spec = (body.spec ?? {}) as Record<string, unknown>;
            const answer = state.review?.(spec) ?? {
              allowed: ((spec.groups as string[] | undefined) ?? []).includes('system:masters'),
            };
            return reply(res, 201, { ...body, status: answer });
          }
        }
      })();
    });
  };

  const server = tls ? createHttps({ key: tls.key, cert: tls.cert }, handler) : createHttp(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  fake.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return fake;
}
