/**
 * EKS access policies as data, and how EKS applies them with their access scope (FM-37, FM-38, research §4).
 * Rules transcribe the tables of the EKS user guide page "Review access policy permissions"
 * (access-policy-reference.adoc, revision of 2024-12). The policies are fixed, allow-only and additive; the access
 * policy authorizer evaluates them with RBAC semantics (its audit reason reads "allowed by ClusterRoleBinding ... of
 * ClusterRole <policyArn>"), so a namespace scope behaves like a RoleBinding in each matching namespace.
 */
import type { AssociatedAccessPolicy, PolicyRule } from '../model/snapshot.js';
import { policyRulesAllow } from '../k8s/rbac.js';
import type { RequestAttributes } from '../k8s/request-info.js';

export const ACCESS_POLICY_ARN_PREFIX = 'arn:aws:eks::aws:cluster-access-policy/';

export interface AccessPolicyDefinition {
  name: string;
  arn: string;
  summary: string;
  rules: PolicyRule[];
  /** Meant to be associated with people (View, Edit, Admin, AdminView, ClusterAdmin), not with EKS components. */
  forHumans: boolean;
  /**
   * False when AWS documents the policy only in prose: `rules` then holds just what the prose states exactly, and a
   * request they do not allow is undecided rather than denied.
   */
  rulesComplete: boolean;
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const rule = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({
  apiGroups,
  resources,
  verbs,
});

/** The read rules View, Edit and Admin share (View is exactly these). */
const WORKLOAD_READ: PolicyRule[] = [
  rule(
    ['apps'],
    [
      'controllerrevisions',
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
    ],
    READ,
  ),
  rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
  rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
  rule(['discovery.k8s.io'], ['endpointslices'], READ),
  rule(
    ['extensions'],
    [
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'ingresses',
      'ingresses/status',
      'networkpolicies',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'replicationcontrollers/scale',
    ],
    READ,
  ),
  rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
  rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
  rule(
    [''],
    [
      'configmaps',
      'endpoints',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'pods',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
      'services',
      'services/status',
    ],
    READ,
  ),
  rule(
    [''],
    [
      'bindings',
      'events',
      'limitranges',
      'namespaces/status',
      'pods/log',
      'pods/status',
      'replicationcontrollers/status',
      'resourcequotas',
      'resourcequotas/status',
    ],
    READ,
  ),
  rule([''], ['namespaces'], READ),
];

/** What Edit adds to View: writes on workloads, secrets, exec/attach/port-forward and service-account impersonation. */
const WORKLOAD_WRITE: PolicyRule[] = [
  rule(
    ['apps'],
    [
      'daemonsets',
      'deployments',
      'deployments/rollback',
      'deployments/scale',
      'replicasets',
      'replicasets/scale',
      'statefulsets',
      'statefulsets/scale',
    ],
    WRITE,
  ),
  rule(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
  rule(['batch'], ['cronjobs', 'jobs'], WRITE),
  rule(
    ['extensions'],
    [
      'daemonsets',
      'deployments',
      'deployments/rollback',
      'deployments/scale',
      'ingresses',
      'networkpolicies',
      'replicasets',
      'replicasets/scale',
      'replicationcontrollers/scale',
    ],
    WRITE,
  ),
  rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], WRITE),
  rule(['policy'], ['poddisruptionbudgets'], WRITE),
  rule(
    [''],
    ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'],
    READ,
  ),
  rule(
    [''],
    [
      'configmaps',
      'events',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'secrets',
      'serviceaccounts',
      'services',
      'services/proxy',
    ],
    WRITE,
  ),
  rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], WRITE),
  rule([''], ['serviceaccounts'], ['impersonate']),
];

/** What Admin adds to Edit: namespaced RBAC and local access reviews. */
const ADMIN_EXTRA: PolicyRule[] = [
  rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
  rule(['rbac.authorization.k8s.io'], ['rolebindings', 'roles'], READ_WRITE),
];

function policy(
  name: string,
  summary: string,
  rules: PolicyRule[],
  forHumans: boolean,
  rulesComplete = true,
): AccessPolicyDefinition {
  return { name, arn: `${ACCESS_POLICY_ARN_PREFIX}${name}`, summary, rules, forHumans, rulesComplete };
}

const DEFINITIONS: AccessPolicyDefinition[] = [
  policy(
    'AmazonEKSClusterAdminPolicy',
    'Everything: all verbs on all resources of all API groups, and all non-resource URLs (like cluster-admin).',
    [rule(['*'], ['*'], ['*']), { nonResourceURLs: ['*'], verbs: ['*'] }],
    true,
  ),
  policy(
    'AmazonEKSAdminViewPolicy',
    'get, list and watch on all resources of all API groups, Secrets, CRDs and metrics included (added 2024-04).',
    [rule(['*'], ['*'], READ)],
    true,
  ),
  policy(
    'AmazonEKSAdminPolicy',
    'Edit plus Roles and RoleBindings and local access reviews; no nodes, no CRDs, no metrics groups.',
    [...WORKLOAD_WRITE, ...WORKLOAD_READ, ...ADMIN_EXTRA],
    true,
  ),
  policy(
    'AmazonEKSEditPolicy',
    'View plus writes on workloads, Secrets, exec/attach/port-forward and service-account impersonation; no nodes, no CRDs.',
    [...WORKLOAD_WRITE, ...WORKLOAD_READ],
    true,
  ),
  policy(
    'AmazonEKSViewPolicy',
    'Read-only on common workload resources and namespaces; no Secrets, no nodes, no CRDs, no metrics groups.',
    WORKLOAD_READ,
    true,
  ),
  policy(
    'AmazonEKSHybridPolicy',
    'list nodes (for EKS Hybrid Nodes).',
    [rule(['*'], ['nodes'], ['list'])],
    false,
  ),
  policy(
    'AmazonEKSAutoNodePolicy',
    'EKS Auto Mode node role: permissions of node components (kube-proxy, ipamd, CoreDNS, EBS CSI, Neuron, node monitoring agent), published only as prose.',
    [],
    false,
    false,
  ),
  policy(
    'AmazonEKSBlockStoragePolicy',
    'EKS Auto Mode cluster role: leader-election leases of the block storage components (lease names not published).',
    [],
    false,
    false,
  ),
  policy(
    'AmazonEKSLoadBalancingPolicy',
    'EKS Auto Mode cluster role: leader-election leases of the load balancing components (lease names not published).',
    [],
    false,
    false,
  ),
  policy(
    'AmazonEKSNetworkingPolicy',
    'EKS Auto Mode cluster role: leader-election leases of the networking components (lease names not published).',
    [],
    false,
    false,
  ),
  policy(
    'AmazonEKSComputePolicy',
    'EKS Auto Mode cluster role: leader-election leases of the compute components, plus get and watch on all leases.',
    [rule(['coordination.k8s.io'], ['leases'], ['get', 'watch'])],
    false,
    false,
  ),
  policy(
    'AmazonEKSBlockStorageClusterPolicy',
    'EKS Auto Mode cluster role: block storage capability (CSI drivers, persistent volumes and claims, volume attachments, snapshots).',
    [
      rule([''], ['persistentvolumes'], ['list', 'watch', 'create', 'update', 'patch', 'delete']),
      rule([''], ['persistentvolumeclaims'], ['list', 'watch', 'update']),
      rule([''], ['persistentvolumeclaims/status'], ['patch']),
      rule([''], ['nodes', 'pods'], READ),
      rule(['storage.k8s.io'], ['storageclasses', 'csinodes', 'volumeattributesclasses'], READ),
      rule(['storage.k8s.io'], ['volumeattachments'], ['list', 'watch']),
    ],
    false,
    false,
  ),
  policy(
    'AmazonEKSComputeClusterPolicy',
    'EKS Auto Mode cluster role: compute capability (NodePools, NodeClaims, NodeClasses, node deprovisioning, pod eviction).',
    [
      rule(
        [''],
        [
          'pods',
          'nodes',
          'persistentvolumes',
          'persistentvolumeclaims',
          'replicationcontrollers',
          'namespaces',
        ],
        READ,
      ),
      rule(['storage.k8s.io'], ['storageclasses', 'csinodes', 'volumeattachments'], READ),
      rule(['apps'], ['deployments', 'daemonsets', 'replicasets', 'statefulsets'], ['list', 'watch']),
      rule(['policy'], ['poddisruptionbudgets'], READ),
      rule([''], ['events'], ['create', ...READ]),
      rule([''], ['nodes'], ['update', 'patch', 'delete']),
      rule([''], ['pods/eviction'], ['create']),
      rule([''], ['pods'], ['delete']),
      rule(['apiextensions.k8s.io'], ['customresourcedefinitions'], ['create']),
    ],
    false,
    false,
  ),
  policy(
    'AmazonEKSLoadBalancingClusterPolicy',
    'EKS Auto Mode cluster role: load balancing capability (Services, Ingresses, TargetGroupBindings, webhooks).',
    [
      rule([''], ['events'], ['create', 'patch']),
      rule([''], ['pods', 'nodes', 'endpoints', 'namespaces'], READ),
      rule([''], ['pods/status'], ['update']),
      rule(['discovery.k8s.io'], ['endpointslices'], READ),
      rule(['networking.k8s.io'], ['ingressclasses'], READ),
    ],
    false,
    false,
  ),
  policy(
    'AmazonEKSNetworkingClusterPolicy',
    'EKS Auto Mode cluster role: networking capability (CNINodes, NodeClass and NodeClaim status reads).',
    [rule([''], ['pods'], READ), rule([''], ['events'], ['create', 'patch'])],
    false,
    false,
  ),
];

export const ACCESS_POLICIES: ReadonlyMap<string, AccessPolicyDefinition> = new Map(
  DEFINITIONS.map((d) => [d.arn, d]),
);

const BY_NAME = new Map(DEFINITIONS.map((d) => [d.name.toLowerCase(), d]));

/** A managed policy by name (`AmazonEKSViewPolicy`) or ARN in any partition (`arn:aws-cn:eks::aws:...`). */
export function accessPolicyByName(nameOrArn: string): AccessPolicyDefinition | undefined {
  const text = nameOrArn.trim();
  const arn = /^arn:[a-z-]+:eks::aws:cluster-access-policy\/([^/]+)$/i.exec(text);
  return BY_NAME.get((arn?.[1] ?? text).toLowerCase());
}

export interface AccessPolicyDecision {
  allowed: boolean;
  allowedBy?: { policyArn: string; index: number /* index in the associated list */ };
  /** Policies whose rules would allow the request but whose namespace scope excludes it (FM-37). */
  blockedByScope: Array<{ policyArn: string; index: number; namespaces: string[] }>;
  /** Associated policies eksdoctor cannot evaluate: unknown ARNs, and policies published only as prose that did not allow. */
  unknownPolicies: string[];
}

/**
 * Whether the associated policies allow the request. A `cluster` scope covers every request; a `namespace` scope
 * only requests whose namespace attribute matches one of its namespaces (`*` wildcards, e.g. `dev-*`), so never
 * cluster-scoped resources, the `namespaces` collection or non-resource URLs.
 */
export function accessPoliciesAllow(
  associated: AssociatedAccessPolicy[],
  attributes: RequestAttributes,
): AccessPolicyDecision {
  const decision: AccessPolicyDecision = { allowed: false, blockedByScope: [], unknownPolicies: [] };
  associated.forEach((association, index) => {
    const definition = accessPolicyByName(association.policyArn);
    if (!definition) {
      decision.unknownPolicies.push(association.policyArn);
      return;
    }
    if (!policyRulesAllow(definition.rules, attributes)) {
      if (!definition.rulesComplete) decision.unknownPolicies.push(association.policyArn);
      return;
    }
    if (scopeCovers(association.accessScope, attributes)) {
      if (!decision.allowed) decision.allowedBy = { policyArn: association.policyArn, index };
      decision.allowed = true;
    } else {
      const namespaces = association.accessScope.namespaces ?? [];
      decision.blockedByScope.push({ policyArn: association.policyArn, index, namespaces });
    }
  });
  return decision;
}

function scopeCovers(scope: AssociatedAccessPolicy['accessScope'], attributes: RequestAttributes): boolean {
  const type = scope.type.toLowerCase();
  if (type === 'cluster') return true;
  if (type !== 'namespace' || !attributes.isResourceRequest || attributes.namespace === '') return false;
  return (scope.namespaces ?? []).some((pattern) => namespaceMatches(pattern, attributes.namespace));
}

/** `*` matches any run of characters (EKS documents `dev-*`); everything else is literal. */
export function namespaceMatches(pattern: string, namespace: string): boolean {
  if (!pattern.includes('*')) return pattern === namespace;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(namespace);
}

/** Managed policies for people, narrowest first: the order fix suggestions try them in. */
const SUGGESTION_ORDER = [
  'AmazonEKSViewPolicy',
  'AmazonEKSEditPolicy',
  'AmazonEKSAdminPolicy',
  'AmazonEKSAdminViewPolicy',
  'AmazonEKSClusterAdminPolicy',
];

/** The narrowest managed policy (View, Edit, Admin, AdminView, ClusterAdmin) whose rules allow the request. */
export function narrowestPolicyAllowing(attributes: RequestAttributes): AccessPolicyDefinition | undefined {
  for (const name of SUGGESTION_ORDER) {
    const definition = accessPolicyByName(name);
    if (definition && policyRulesAllow(definition.rules, attributes)) return definition;
  }
  return undefined;
}
