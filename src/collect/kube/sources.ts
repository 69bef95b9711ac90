/**
 * The Kubernetes evidence (DESIGN §3): kube-system/aws-auth, RBAC, APIServices, SelfSubjectReview of the caller, and
 * a SubjectAccessReview for the failing identity. A 403 becomes `denied` with the RBAC permission, written the way
 * `kubectl auth can-i` takes it, so the user can check or grant exactly that.
 */
import { SourceFailure, classifyError, type Failure } from '../failure.js';
import { KubeHttpError, type KubeConnection } from './connect.js';

export type Call = <T>(fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

export const KUBE_PERMISSIONS = {
  awsAuth: 'get configmaps/aws-auth -n kube-system',
  clusterRoles: 'list clusterroles.rbac.authorization.k8s.io',
  clusterRoleBindings: 'list clusterrolebindings.rbac.authorization.k8s.io',
  roles: 'list roles.rbac.authorization.k8s.io --all-namespaces',
  roleBindings: 'list rolebindings.rbac.authorization.k8s.io --all-namespaces',
  apiServices: 'list apiservices.apiregistration.k8s.io',
  whoami: 'create selfsubjectreviews.authentication.k8s.io',
  subjectAccessReview: 'create subjectaccessreviews.authorization.k8s.io',
} as const;

/** What a failed Kubernetes call means for its source. */
export function kubeFailure(permission: string, what: string, error: unknown): Failure {
  if (error instanceof SourceFailure) return error.failure;
  if (error instanceof KubeHttpError) {
    if (error.status === 403) return { status: 'denied', permission, message: error.message };
    if (error.status === 401) {
      return {
        status: 'error',
        message: `${what}: the Kubernetes API answered 401 Unauthorized to eksdoctor's own credentials`,
      };
    }
    const withStatus = /\bHTTP \d{3}\b/.test(error.message)
      ? error.message
      : `HTTP ${error.status}: ${error.message}`;
    return { status: 'error', message: `${what}: ${withStatus}` };
  }
  const kind = classifyError(error);
  if (kind === 'timeout') {
    return { status: 'error', message: `${what}: the Kubernetes API did not answer in time` };
  }
  const code = (error as { code?: string }).code;
  return {
    status: 'error',
    message: `${what}: cannot reach the Kubernetes API${code ? ` (${code})` : ''}${kind === 'other' && !code ? `: ${String((error as Error).message ?? error).split('\n')[0]}` : ''}`,
  };
}

async function getJson(conn: KubeConnection, call: Call, path: string): Promise<Record<string, unknown>> {
  const res = await call((signal) => conn.request('GET', path, undefined, signal));
  return res.body as Record<string, unknown>;
}

/** kube-system/aws-auth; null when it does not exist (a fact, not a failure). */
export async function getAwsAuth(conn: KubeConnection, call: Call): Promise<Record<string, unknown> | null> {
  try {
    const body = await getJson(conn, call, '/api/v1/namespaces/kube-system/configmaps/aws-auth');
    return { apiVersion: 'v1', kind: 'ConfigMap', ...body };
  } catch (error) {
    if (error instanceof KubeHttpError && error.status === 404) return null;
    throw new SourceFailure(kubeFailure(KUBE_PERMISSIONS.awsAuth, 'aws-auth ConfigMap', error));
  }
}

/** Every item of a list, following `continue` (500 per page), with kind and apiVersion set as kubectl prints them. */
export async function listAll(
  conn: KubeConnection,
  call: Call,
  path: string,
  kind: string,
  apiVersion: string,
  maxPages = 200,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let cont = '';
  for (let page = 0; page < maxPages; page++) {
    const body = await getJson(
      conn,
      call,
      `${path}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
    );
    for (const item of (body.items as Array<Record<string, unknown>> | undefined) ?? []) {
      items.push({ kind, apiVersion, ...item });
    }
    cont = String((body.metadata as { continue?: string } | undefined)?.continue ?? '');
    if (!cont) break;
  }
  return items;
}

const RBAC = 'rbac.authorization.k8s.io/v1';

export async function getRbac(conn: KubeConnection, call: Call) {
  const list = async (key: keyof typeof KUBE_PERMISSIONS, path: string, kind: string) => {
    try {
      return await listAll(conn, call, `/apis/rbac.authorization.k8s.io/v1/${path}`, kind, RBAC);
    } catch (error) {
      throw new SourceFailure(kubeFailure(KUBE_PERMISSIONS[key], 'RBAC', error));
    }
  };
  const [clusterRoles, clusterRoleBindings, roles, roleBindings] = await Promise.all([
    list('clusterRoles', 'clusterroles', 'ClusterRole'),
    list('clusterRoleBindings', 'clusterrolebindings', 'ClusterRoleBinding'),
    list('roles', 'roles', 'Role'),
    list('roleBindings', 'rolebindings', 'RoleBinding'),
  ]);
  return { clusterRoles, clusterRoleBindings, roles, roleBindings };
}

export async function getApiServices(conn: KubeConnection, call: Call) {
  try {
    return await listAll(
      conn,
      call,
      '/apis/apiregistration.k8s.io/v1/apiservices',
      'APIService',
      'apiregistration.k8s.io/v1',
    );
  } catch (error) {
    throw new SourceFailure(kubeFailure(KUBE_PERMISSIONS.apiServices, 'APIServices', error));
  }
}

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** `kubectl auth whoami`: v1 since Kubernetes 1.28, v1beta1 in 1.27. */
export async function selfSubjectReview(conn: KubeConnection, call: Call): Promise<UserInfo> {
  let lastError: unknown;
  for (const version of ['v1', 'v1beta1']) {
    try {
      const res = await call((signal) =>
        conn.request(
          'POST',
          `/apis/authentication.k8s.io/${version}/selfsubjectreviews`,
          { apiVersion: `authentication.k8s.io/${version}`, kind: 'SelfSubjectReview' },
          signal,
        ),
      );
      const info = (res.body as { status?: { userInfo?: UserInfo } }).status?.userInfo;
      return { ...info, username: info?.username ?? '' };
    } catch (error) {
      lastError = error;
      if (!(error instanceof KubeHttpError && error.status === 404)) break;
    }
  }
  throw new SourceFailure(kubeFailure(KUBE_PERMISSIONS.whoami, 'SelfSubjectReview', lastError));
}

export interface AccessReviewRequest {
  user: string;
  groups: string[];
  uid?: string | undefined;
  extra?: Record<string, string[]> | undefined;
  resourceAttributes?: Record<string, string> | undefined;
  nonResourceAttributes?: { path: string; verb: string } | undefined;
}

export interface AccessReviewResult {
  spec: AccessReviewRequest;
  status: { allowed: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

/** What Kubernetes authorization answers for that user. EKS access policies do not take part (FM §0 step 9). */
export async function subjectAccessReview(
  conn: KubeConnection,
  call: Call,
  spec: AccessReviewRequest,
): Promise<AccessReviewResult> {
  try {
    const res = await call((signal) =>
      conn.request(
        'POST',
        '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
        signal,
      ),
    );
    const status = (res.body as { status?: AccessReviewResult['status'] }).status ?? { allowed: false };
    return { spec, status: { ...status, allowed: Boolean(status.allowed) } };
  } catch (error) {
    throw new SourceFailure(kubeFailure(KUBE_PERMISSIONS.subjectAccessReview, 'SubjectAccessReview', error));
  }
}
