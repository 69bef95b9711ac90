/**
 * Kubernetes RBAC evaluation over a snapshot (plugin/pkg/auth/authorizer/rbac/rbac.go and
 * pkg/apis/rbac/v1/evaluation_helpers.go semantics): rule matching, subject matching and binding scope.
 * Everything is indexed once so that `authorize` only looks at bindings that name the user, its groups or its
 * service account — clusters with tens of thousands of bindings stay fast.
 */
import type { Binding, PolicyRule, Rbac, Role, Subject } from '../model/snapshot.js';
import type { RequestAttributes } from './request-info.js';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
const RBAC_API_GROUP = 'rbac.authorization.k8s.io';

/** Whether one rule allows the request (Kubernetes `RuleAllows`). */
export function ruleAllows(rule: PolicyRule, attributes: RequestAttributes): boolean {
  if (!verbMatches(rule, attributes.verb)) return false;
  if (!attributes.isResourceRequest) return nonResourceUrlMatches(rule, attributes.path);
  const combined = attributes.subresource
    ? `${attributes.resource}/${attributes.subresource}`
    : attributes.resource;
  return (
    apiGroupMatches(rule, attributes.apiGroup) &&
    resourceMatches(rule, combined, attributes.subresource) &&
    resourceNameMatches(rule, attributes.name)
  );
}

/** Whether any of `rules` (rbac.authorization.k8s.io/v1 PolicyRules) allows the request. */
export function policyRulesAllow(rules: PolicyRule[], attributes: RequestAttributes): boolean {
  return rules.some((rule) => ruleAllows(rule, attributes));
}

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return (rule.verbs ?? []).some((v) => v === '*' || v === verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === '*' || g === group);
}

function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return (rule.resources ?? []).some(
    (r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`),
  );
}

/** An empty `resourceNames` allows every name; a non-empty one requires the request's name to be listed. */
function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** Exact URL, `*`, or a prefix ending in `*` (Kubernetes trims every trailing `*`). */
function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (url) => url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.replace(/\*+$/, ''))),
  );
}

export interface UserInfoLite {
  username: string;
  groups: string[];
}

export interface BindingRef {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  namespace?: string;
  roleRef: { kind: string; name: string };
  /** JSON Pointer into the snapshot, e.g. /rbac/data/clusterRoleBindings/3; "" for built-in defaults. */
  pointer: string;
  subject: Subject;
  builtin?: boolean;
}

export interface RbacDecision {
  allowed: boolean;
  /** The binding that allowed the request. */
  by?: BindingRef;
  reason: string;
}

/**
 * Bootstrap ClusterRoles every cluster has (testdata/cluster-roles.yaml of bootstrappolicy, Kubernetes 1.28+:
 * `system:basic-user` gained `selfsubjectreviews` with `kubectl auth whoami`).
 */
export const BUILTIN_CLUSTER_ROLES: ReadonlyMap<string, PolicyRule[]> = new Map([
  [
    'system:discovery',
    [
      {
        verbs: ['get'],
        nonResourceURLs: [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
      },
    ],
  ],
  [
    'system:basic-user',
    [
      {
        verbs: ['create'],
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      },
      { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
    ],
  ],
  [
    'system:public-info-viewer',
    [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] }],
  ],
]);

/** Bootstrap ClusterRoleBindings (named like their roles) and the groups they bind. */
const BUILTIN_BINDINGS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['system:discovery', ['system:authenticated']],
  ['system:basic-user', ['system:authenticated']],
  ['system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']],
];

const userKey = (name: string) => `User\u0000${name}`;
const groupKey = (name: string) => `Group\u0000${name}`;
const serviceAccountKey = (namespace: string, name: string) => `ServiceAccount\u0000${namespace}:${name}`;

/** The subject key a username has as a service account (`system:serviceaccount:<ns>:<name>`), if any. */
function serviceAccountKeyOfUser(username: string): string | undefined {
  return username.startsWith(SERVICE_ACCOUNT_PREFIX)
    ? `ServiceAccount\u0000${username.slice(SERVICE_ACCOUNT_PREFIX.length)}`
    : undefined;
}

/**
 * RBAC of one cluster, indexed by subject and role. `undefined` means RBAC was not collected: only the bootstrap
 * defaults are known.
 */
/**
 * A subject name with the differences RBAC counts and people overlook folded away: case (usernames are
 * case-sensitive), `@` versus `-` ({{SessionName}} renders every `@` as `-`) and surrounding whitespace.
 */
export function looseSubjectName(name: string): string {
  return name.trim().toLowerCase().replace(/@/g, '-');
}

export class RbacIndex {
  private readonly clusterRoles = new Map<string, PolicyRule[]>();
  private readonly roles = new Map<string, PolicyRule[]>();
  /** ClusterRoleBindings by subject key. */
  private readonly clusterBindings = new Map<string, BindingRef[]>();
  /** RoleBindings by namespace + subject key. */
  private readonly namespacedBindings = new Map<string, BindingRef[]>();
  /** Every binding by subject key, for listing. */
  private readonly bySubject = new Map<string, BindingRef[]>();
  /** Every binding by subject name, whatever the subject kind. */
  private readonly bySubjectName = new Map<string, BindingRef[]>();
  /** The same, by `looseSubjectName` (near misses people do not see: case, `@` for `-`, spaces). */
  private readonly bySubjectLooseName = new Map<string, BindingRef[]>();
  /** Kubernetes visits ClusterRoleBindings first, then RoleBindings, in list order. */
  private readonly order = new Map<BindingRef, number>();

  constructor(rbac: Rbac | undefined) {
    rbac?.clusterRoles.forEach((role) => this.addRole(role, undefined));
    rbac?.roles.forEach((role) => this.addRole(role, role.metadata?.namespace ?? ''));
    for (const [name, rules] of BUILTIN_CLUSTER_ROLES) {
      if (!this.clusterRoles.has(name)) this.clusterRoles.set(name, rules);
    }

    rbac?.clusterRoleBindings.forEach((binding, i) =>
      this.addBinding(binding, 'ClusterRoleBinding', `/rbac/data/clusterRoleBindings/${i}`),
    );
    const presentBindings = new Set((rbac?.clusterRoleBindings ?? []).map((b) => b.metadata?.name));
    for (const [name, groups] of BUILTIN_BINDINGS) {
      if (presentBindings.has(name)) continue;
      const subjects = groups.map((group) => ({ kind: 'Group', name: group, apiGroup: RBAC_API_GROUP }));
      const binding: Binding = {
        metadata: { name },
        roleRef: { kind: 'ClusterRole', name, apiGroup: RBAC_API_GROUP },
      };
      this.addBinding({ ...binding, subjects }, 'ClusterRoleBinding', '', true);
    }
    rbac?.roleBindings.forEach((binding, i) =>
      this.addBinding(binding, 'RoleBinding', `/rbac/data/roleBindings/${i}`),
    );
  }

  private addRole(role: Role, namespace: string | undefined): void {
    const name = role.metadata?.name;
    if (name === undefined) return;
    const map = namespace === undefined ? this.clusterRoles : this.roles;
    const key = namespace === undefined ? name : `${namespace}/${name}`;
    if (!map.has(key)) map.set(key, role.rules ?? []);
  }

  private addBinding(binding: Binding, kind: BindingRef['kind'], pointer: string, builtin = false): void {
    const namespace = kind === 'RoleBinding' ? (binding.metadata?.namespace ?? '') : undefined;
    for (const subject of binding.subjects ?? []) {
      const ref: BindingRef = {
        kind,
        name: binding.metadata?.name ?? '',
        ...(namespace !== undefined ? { namespace } : {}),
        roleRef: { kind: binding.roleRef.kind, name: binding.roleRef.name },
        pointer,
        subject,
        ...(builtin ? { builtin: true } : {}),
      };
      this.order.set(ref, this.order.size);
      push(this.bySubjectName, subject.name, ref);
      push(this.bySubjectLooseName, looseSubjectName(subject.name), ref);
      const key = subjectKey(subject, namespace ?? '');
      if (key === undefined) continue;
      push(this.bySubject, key, ref);
      if (kind === 'ClusterRoleBinding') push(this.clusterBindings, key, ref);
      else if (namespace) push(this.namespacedBindings, `${namespace}\u0000${key}`, ref);
    }
  }

  /** Rules of a ClusterRole, or of a Role in `namespace`; undefined when the role does not exist. */
  rulesOf(roleRef: { kind: string; name: string }, namespace?: string): PolicyRule[] | undefined {
    if (roleRef.kind === 'ClusterRole') return this.clusterRoles.get(roleRef.name);
    if (roleRef.kind === 'Role' && namespace) return this.roles.get(`${namespace}/${roleRef.name}`);
    return undefined;
  }

  authorize(user: UserInfoLite, attributes: RequestAttributes): RbacDecision {
    const keys = [userKey(user.username), ...user.groups.map(groupKey)];
    const serviceAccount = serviceAccountKeyOfUser(user.username);
    if (serviceAccount) keys.push(serviceAccount);

    const candidates: BindingRef[] = [];
    for (const key of keys) {
      candidates.push(...(this.clusterBindings.get(key) ?? []));
      // RoleBindings apply to requests whose namespace attribute is theirs (that includes `get namespaces/<ns>`).
      if (attributes.namespace) {
        candidates.push(...(this.namespacedBindings.get(`${attributes.namespace}\u0000${key}`) ?? []));
      }
    }
    candidates.sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));

    const missingRoles = new Set<string>();
    for (const ref of candidates) {
      const rules = this.rulesOf(ref.roleRef, ref.namespace);
      if (rules === undefined) {
        missingRoles.add(`${ref.roleRef.kind} "${ref.roleRef.name}"`);
        continue;
      }
      if (policyRulesAllow(rules, attributes)) {
        return { allowed: true, by: ref, reason: describeBinding(ref) };
      }
    }
    const missing = missingRoles.size ? `; missing ${[...missingRoles].join(', ')}` : '';
    const count = new Set(candidates.map((c) => c.pointer || c.name)).size;
    return {
      allowed: false,
      reason: `none of the ${count} binding(s) for user "${user.username}" and its groups allows ${describeRequest(attributes)}${missing}`,
    };
  }

  /** Bindings with a `Group` subject of exactly that name (ClusterRoleBindings and RoleBindings). */
  bindingsForGroup(group: string): BindingRef[] {
    return [...(this.bySubject.get(groupKey(group)) ?? [])];
  }

  /** Bindings that apply to that username: `User` subjects, and the `ServiceAccount` it is (if it is one). */
  bindingsForUser(username: string): BindingRef[] {
    const refs = [...(this.bySubject.get(userKey(username)) ?? [])];
    const serviceAccount = serviceAccountKeyOfUser(username);
    if (serviceAccount) refs.push(...(this.bySubject.get(serviceAccount) ?? []));
    return refs.sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
  }

  /** Bindings naming a subject `name` of any kind (User, Group, ServiceAccount, or a misspelt kind). */
  bindingsNamingSubject(name: string): BindingRef[] {
    return [...(this.bySubjectName.get(name) ?? [])];
  }

  /** Bindings naming a subject spelt like `name` up to case, `@`/`-` and surrounding spaces, but not exactly. */
  bindingsNamingSubjectLoosely(name: string): BindingRef[] {
    return (this.bySubjectLooseName.get(looseSubjectName(name)) ?? []).filter((r) => r.subject.name !== name);
  }
}

/** The subject's matching key; undefined for kinds Kubernetes never matches and namespace-less service accounts. */
function subjectKey(subject: Subject, bindingNamespace: string): string | undefined {
  switch (subject.kind) {
    case 'User':
      return userKey(subject.name);
    case 'Group':
      return groupKey(subject.name);
    case 'ServiceAccount': {
      // A RoleBinding's service account defaults to the binding's namespace.
      const namespace = subject.namespace || bindingNamespace;
      return namespace ? serviceAccountKey(namespace, subject.name) : undefined;
    }
    default:
      return undefined;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Like the RBAC authorizer's audit reason, e.g. `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`. */
export function describeBinding(ref: BindingRef): string {
  const subject =
    ref.subject.kind === 'ServiceAccount'
      ? `${ref.subject.namespace || ref.namespace || ''}/${ref.subject.name}`
      : ref.subject.name;
  const where = ref.kind === 'RoleBinding' ? ` in namespace "${ref.namespace ?? ''}"` : '';
  return `${ref.kind} "${ref.name}"${where} of ${ref.roleRef.kind} "${ref.roleRef.name}" to ${ref.subject.kind} "${subject}"`;
}

/** `get pods "x" in namespace "ns"`, `list nodes at the cluster scope`, `get path "/healthz"`. */
export function describeRequest(a: RequestAttributes): string {
  if (!a.isResourceRequest) return `${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const group = a.apiGroup ? `.${a.apiGroup}` : '';
  const name = a.name ? ` "${a.name}"` : '';
  const scope = a.namespace ? `in namespace "${a.namespace}"` : 'at the cluster scope';
  return `${a.verb} ${resource}${group}${name} ${scope}`;
}
