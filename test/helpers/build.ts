/** Small builders for rule tables: a realistic base snapshot, changed per case. Account 111122223333. */
import type { AccessEntry, Snapshot } from '../../src/model/snapshot.js';

export const ACCT = '111122223333';
export const CLUSTER = 'platform-prod';
export const REGION = 'ap-northeast-2';
export const CA = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
export const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
export const EDIT = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy';
export const role = (name: string, path = '/') => `arn:aws:iam::${ACCT}:role${path}${name}`;
export const user = (name: string, path = '/') => `arn:aws:iam::${ACCT}:user${path}${name}`;
export const session = (roleName: string, sessionName: string) =>
  `arn:aws:sts::${ACCT}:assumed-role/${roleName}/${sessionName}`;

type Mode = 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP' | 'none';

export interface BuildInput {
  mode?: Mode;
  principal?: string;
  path?: string;
  verb?: string;
  status?: number;
  entries?: AccessEntry[] | 'absent' | 'denied';
  mapRoles?: string;
  mapUsers?: string;
  mapAccounts?: string;
  awsAuth?: 'absent' | 'missing';
  rbacBindings?: Array<{ name: string; role: string; group?: string; user?: string; namespace?: string }>;
  rbac?: 'absent';
  apiServices?: 'absent';
  iam?: Array<{ arn: string; id?: string; createDate?: string; exists?: boolean }>;
  logLines?: string[];
  cloudTrail?: unknown[];
}

export function entry(
  principalArn: string,
  opts: {
    policies?: Array<[string, { type: string; namespaces?: string[] }]>;
    groups?: string[];
    createdAt?: string;
    username?: string;
    type?: string;
  } = {},
): AccessEntry {
  const createdAt = opts.createdAt ?? '2025-06-02T03:00:00Z';
  return {
    clusterName: CLUSTER,
    principalArn,
    kubernetesGroups: opts.groups ?? [],
    createdAt,
    modifiedAt: createdAt,
    type: opts.type ?? 'STANDARD',
    ...(opts.username ? { username: opts.username } : {}),
    associatedPolicies: (opts.policies ?? []).map(([policyArn, accessScope]) => ({
      policyArn,
      accessScope,
      associatedAt: createdAt,
      modifiedAt: createdAt,
    })),
  };
}

const NODE_ROLE = `- rolearn: arn:aws:iam::${ACCT}:role/platform-prod-node-role
  username: system:node:{{EC2PrivateDNSName}}
  groups:
  - system:bootstrappers
  - system:nodes
`;

const USER_ROLES = [
  [
    'cluster-admin',
    [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ],
  ],
  [
    'view',
    [
      {
        apiGroups: ['', 'apps', 'batch'],
        resources: [
          'pods',
          'pods/log',
          'services',
          'configmaps',
          'deployments',
          'replicasets',
          'statefulsets',
          'daemonsets',
          'jobs',
          'cronjobs',
          'namespaces',
          'events',
        ],
        verbs: ['get', 'list', 'watch'],
      },
    ],
  ],
  [
    'edit',
    [
      {
        apiGroups: ['', 'apps', 'batch'],
        resources: ['pods', 'services', 'configmaps', 'secrets', 'deployments', 'jobs'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
    ],
  ],
] as const;

export function build(input: BuildInput = {}): Snapshot {
  const mode = input.mode ?? 'API_AND_CONFIG_MAP';
  const snapshot: Snapshot = {
    schemaVersion: 1,
    collectedAt: '2026-11-20T09:30:00Z',
    incident: {
      ...(input.principal ? { principalArn: input.principal } : {}),
      path: input.path ?? '/api/v1/namespaces/default/pods',
      verb: input.verb ?? 'GET',
      ...(input.status ? { status: input.status } : {}),
      ...(input.logLines ? { logLines: input.logLines } : {}),
      clusterName: CLUSTER,
      region: REGION,
    },
    cluster: {
      status: 'ok',
      data: {
        name: CLUSTER,
        arn: `arn:aws:eks:${REGION}:${ACCT}:cluster/${CLUSTER}`,
        version: '1.31',
        platformVersion: 'eks.14',
        status: 'ACTIVE',
        ...(mode === 'none'
          ? {}
          : { accessConfig: { authenticationMode: mode, bootstrapClusterCreatorAdminPermissions: true } }),
      },
    },
  };
  if (input.entries === 'absent') snapshot.accessEntries = { status: 'absent' };
  else if (input.entries === 'denied') {
    snapshot.accessEntries = { status: 'denied', permission: 'eks:ListAccessEntries' };
  } else snapshot.accessEntries = { status: 'ok', data: input.entries ?? [] };
  if (input.awsAuth === 'missing') snapshot.awsAuth = { status: 'ok', data: null };
  else if (input.awsAuth !== 'absent') {
    const data: Record<string, string> = { mapRoles: input.mapRoles ?? NODE_ROLE };
    if (input.mapUsers !== undefined) data.mapUsers = input.mapUsers;
    if (input.mapAccounts !== undefined) data.mapAccounts = input.mapAccounts;
    snapshot.awsAuth = {
      status: 'ok',
      data: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'aws-auth', namespace: 'kube-system' },
        data,
      },
    };
  }
  if (input.rbac !== 'absent') {
    const clusterRoles = USER_ROLES.map(([name, rules]) => ({
      kind: 'ClusterRole',
      metadata: { name },
      rules: structuredClone(rules) as never,
    }));
    const bindings = [
      { name: 'cluster-admin', role: 'cluster-admin', group: 'system:masters' },
      ...(input.rbacBindings ?? []),
    ];
    const toBinding = (b: (typeof bindings)[number]) => ({
      kind: b.namespace ? 'RoleBinding' : 'ClusterRoleBinding',
      metadata: { name: b.name, ...(b.namespace ? { namespace: b.namespace } : {}) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: b.role },
      subjects: [
        b.user
          ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: b.user }
          : { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: b.group ?? '' },
      ],
    });
    snapshot.rbac = {
      status: 'ok',
      data: {
        clusterRoles,
        clusterRoleBindings: bindings.filter((b) => !('namespace' in b) || !b.namespace).map(toBinding),
        roles: [],
        roleBindings: bindings.filter((b) => 'namespace' in b && b.namespace).map(toBinding),
      },
    };
  }
  if (input.apiServices !== 'absent') {
    snapshot.apiServices = {
      status: 'ok',
      data: [
        { metadata: { name: 'v1' }, spec: { group: '', version: 'v1', service: null } },
        { metadata: { name: 'v1.apps' }, spec: { group: 'apps', version: 'v1', service: null } },
        {
          metadata: { name: 'v1.metrics.eks.amazonaws.com' },
          spec: {
            group: 'metrics.eks.amazonaws.com',
            version: 'v1',
            service: { namespace: 'kube-system', name: 'eks-extension-metrics-api', port: 443 },
          },
        },
        {
          metadata: { name: 'v1beta1.metrics.k8s.io' },
          spec: {
            group: 'metrics.k8s.io',
            version: 'v1beta1',
            service: { namespace: 'kube-system', name: 'metrics-server', port: 443 },
          },
        },
      ],
    };
  }
  if (input.iam) {
    snapshot.iamPrincipals = {
      status: 'ok',
      data: input.iam.map((p) => ({
        arn: p.arn,
        exists: p.exists ?? true,
        ...(p.id ? { id: p.id } : {}),
        ...(p.createDate ? { createDate: p.createDate } : {}),
      })),
    };
  }
  if (input.cloudTrail) snapshot.cloudTrail = { status: 'ok', data: input.cloudTrail as never };
  return snapshot;
}

export const METRICS = '/apis/metrics.eks.amazonaws.com/v1';

const IAM_EVENTS = new Set(['CreateRole', 'DeleteRole', 'CreateUser', 'DeleteUser', 'UpdateUser']);

/** One CloudTrail LookupEvents event; CloudTrailEvent is the JSON string the API returns. */
export function trail(
  eventName: string,
  eventTime: string,
  opts: { actor?: string; params?: Record<string, unknown>; errorCode?: string } = {},
): Record<string, unknown> {
  const iamEvent = IAM_EVENTS.has(eventName);
  const eventSource = iamEvent ? 'iam.amazonaws.com' : 'eks.amazonaws.com';
  const actor = opts.actor ?? `arn:aws:sts::${ACCT}:assumed-role/platform-admin/ops@example.com`;
  return {
    EventId: `${eventName}-${eventTime}`,
    EventName: eventName,
    EventTime: eventTime,
    EventSource: eventSource,
    Username: actor.split('/').pop(),
    CloudTrailEvent: JSON.stringify({
      eventVersion: '1.09',
      eventTime,
      eventSource,
      eventName,
      awsRegion: iamEvent ? 'us-east-1' : REGION,
      userIdentity: { type: 'AssumedRole', arn: actor, accountId: ACCT },
      requestParameters: opts.params ?? {},
      ...(opts.errorCode ? { errorCode: opts.errorCode } : {}),
      recipientAccountId: ACCT,
    }),
  };
}
