import { describe, expect, it } from 'vitest';
import {
  BUILTIN_CLUSTER_ROLES,
  RbacIndex,
  policyRulesAllow,
  ruleAllows,
  type UserInfoLite,
} from '../../src/k8s/rbac.js';
import { requestAttributes } from '../../src/k8s/request-info.js';
import type { Binding, PolicyRule, Rbac, Role } from '../../src/model/snapshot.js';

const req = (path: string, verb?: string) => requestAttributes(path, verb);

describe('ruleAllows', () => {
  const cases: Array<[string, PolicyRule, string, string, boolean]> = [
    [
      'exact match',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      'GET',
      '/api/v1/namespaces/a/pods/x',
      true,
    ],
    [
      'verb mismatch',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      'GET',
      '/api/v1/namespaces/a/pods',
      false,
    ],
    [
      'verb *',
      { verbs: ['*'], apiGroups: [''], resources: ['pods'] },
      'DELETE',
      '/api/v1/namespaces/a/pods',
      true,
    ],
    [
      'group mismatch',
      { verbs: ['list'], apiGroups: ['apps'], resources: ['pods'] },
      'GET',
      '/api/v1/pods',
      false,
    ],
    [
      'group *',
      { verbs: ['list'], apiGroups: ['*'], resources: ['deployments'] },
      'GET',
      '/apis/apps/v1/deployments',
      true,
    ],
    [
      'resource *',
      { verbs: ['list'], apiGroups: ['apps'], resources: ['*'] },
      'GET',
      '/apis/apps/v1/deployments',
      true,
    ],
    ['missing apiGroups', { verbs: ['list'], resources: ['pods'] }, 'GET', '/api/v1/pods', false],
    ['null fields', { verbs: null, apiGroups: null, resources: null }, 'GET', '/api/v1/pods', false],
    [
      'subresource needs resource/sub',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      'GET',
      '/api/v1/namespaces/a/pods/x/log',
      false,
    ],
    [
      'resource/sub',
      { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
      'GET',
      '/api/v1/namespaces/a/pods/x/log',
      true,
    ],
    [
      '*/sub',
      { verbs: ['get'], apiGroups: [''], resources: ['*/log'] },
      'GET',
      '/api/v1/namespaces/a/pods/x/log',
      true,
    ],
    [
      '*/sub other sub',
      { verbs: ['get'], apiGroups: [''], resources: ['*/status'] },
      'GET',
      '/api/v1/namespaces/a/pods/x/log',
      false,
    ],
    [
      '*/sub needs a subresource',
      { verbs: ['get'], apiGroups: [''], resources: ['*/pods'] },
      'GET',
      '/api/v1/namespaces/a/pods/x',
      false,
    ],
    [
      'resource * covers subresources',
      { verbs: ['create'], apiGroups: [''], resources: ['*'] },
      'POST',
      '/api/v1/namespaces/a/pods/x/exec',
      true,
    ],
    [
      'resourceNames hit',
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['aws-auth'] },
      'GET',
      '/api/v1/namespaces/kube-system/configmaps/aws-auth',
      true,
    ],
    [
      'resourceNames miss',
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['aws-auth'] },
      'GET',
      '/api/v1/namespaces/kube-system/configmaps/other',
      false,
    ],
    [
      'resourceNames vs list',
      { verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['aws-auth'] },
      'GET',
      '/api/v1/namespaces/kube-system/configmaps',
      false,
    ],
    [
      'resourceNames vs list with fieldSelector',
      { verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['aws-auth'] },
      'GET',
      '/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3Daws-auth',
      true,
    ],
    [
      'empty resourceNames = all',
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: [] },
      'GET',
      '/api/v1/namespaces/x/configmaps/y',
      true,
    ],
    ['nonResourceURL exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, 'GET', '/healthz', true],
    [
      'nonResourceURL exact miss',
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      'GET',
      '/healthz/etcd',
      false,
    ],
    [
      'nonResourceURL prefix',
      { verbs: ['get'], nonResourceURLs: ['/healthz/*'] },
      'GET',
      '/healthz/etcd',
      true,
    ],
    [
      'nonResourceURL prefix needs slash',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      'GET',
      '/apis',
      false,
    ],
    ['nonResourceURL prefix w/o slash', { verbs: ['get'], nonResourceURLs: ['/api*'] }, 'GET', '/apis', true],
    ['nonResourceURL *', { verbs: ['*'], nonResourceURLs: ['*'] }, 'POST', '/anything', true],
    ['nonResourceURL verb', { verbs: ['get'], nonResourceURLs: ['*'] }, 'POST', '/anything', false],
    [
      'resource rule never matches non-resource',
      { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      'GET',
      '/version',
      false,
    ],
    [
      'nonResource rule never matches resource',
      { verbs: ['*'], nonResourceURLs: ['*'] },
      'GET',
      '/api/v1/pods',
      false,
    ],
    [
      'group discovery is non-resource',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      'GET',
      '/apis/metrics.eks.amazonaws.com/v1',
      true,
    ],
    [
      'EKS metrics rule',
      { verbs: ['get'], apiGroups: ['metrics.eks.amazonaws.com'], resources: ['kcm/metrics', 'ksh/metrics'] },
      'GET',
      '/apis/metrics.eks.amazonaws.com/v1/kcm/container/metrics',
      true,
    ],
  ];
  it.each(cases)('%s', (_name, rule, verb, path, expected) => {
    expect(ruleAllows(rule, req(path, verb))).toBe(expected);
  });

  it('policyRulesAllow is any-of', () => {
    const rules: PolicyRule[] = [
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['list'], apiGroups: [''], resources: ['pods'] },
    ];
    expect(policyRulesAllow(rules, req('/api/v1/pods'))).toBe(true);
    expect(policyRulesAllow(rules, req('/api/v1/pods', 'POST'))).toBe(false);
    expect(policyRulesAllow([], req('/api/v1/pods'))).toBe(false);
  });
});

const clusterRole = (name: string, rules: PolicyRule[]): Role => ({
  kind: 'ClusterRole',
  metadata: { name },
  rules,
});
const role = (namespace: string, name: string, rules: PolicyRule[]): Role => ({
  kind: 'Role',
  metadata: { name, namespace },
  rules,
});
const binding = (
  name: string,
  roleRef: { kind: string; name: string },
  subjects: Binding['subjects'],
  namespace?: string,
): Binding => ({ metadata: { name, ...(namespace ? { namespace } : {}) }, roleRef, subjects });

const podsReader: PolicyRule[] = [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }];
const nodesReader: PolicyRule[] = [{ verbs: ['list'], apiGroups: [''], resources: ['nodes'] }];

const rbac: Rbac = {
  clusterRoles: [
    clusterRole('pod-reader', podsReader),
    clusterRole('node-lister', nodesReader),
    clusterRole('cluster-admin', [
      { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      { verbs: ['*'], nonResourceURLs: ['*'] },
    ]),
    clusterRole('exec', [{ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }]),
  ],
  roles: [
    role('dev', 'cm-writer', [{ verbs: ['create', 'update'], apiGroups: [''], resources: ['configmaps'] }]),
    role('prod', 'cm-writer', []),
  ],
  clusterRoleBindings: [
    binding('admins', { kind: 'ClusterRole', name: 'cluster-admin' }, [
      { kind: 'Group', name: 'eks-admins' },
    ]),
    binding('nodes-for-alice', { kind: 'ClusterRole', name: 'node-lister' }, [
      { kind: 'User', name: 'alice' },
    ]),
    binding('ghost', { kind: 'ClusterRole', name: 'does-not-exist' }, [{ kind: 'Group', name: 'ghosts' }]),
    binding('role-in-crb', { kind: 'Role', name: 'cm-writer' }, [{ kind: 'Group', name: 'devs' }]),
    binding('sa-no-ns', { kind: 'ClusterRole', name: 'node-lister' }, [
      { kind: 'ServiceAccount', name: 'ci' },
    ]),
    binding('wrong-kind', { kind: 'ClusterRole', name: 'node-lister' }, [
      { kind: 'ServiceAccount', name: 'ops', namespace: 'x' },
    ]),
    binding('empty', { kind: 'ClusterRole', name: 'pod-reader' }, null),
  ],
  roleBindings: [
    binding(
      'devs-read',
      { kind: 'ClusterRole', name: 'pod-reader' },
      [{ kind: 'Group', name: 'devs' }],
      'dev',
    ),
    binding('devs-cm', { kind: 'Role', name: 'cm-writer' }, [{ kind: 'Group', name: 'devs' }], 'dev'),
    binding(
      'sa-default-ns',
      { kind: 'ClusterRole', name: 'pod-reader' },
      [{ kind: 'ServiceAccount', name: 'runner' }],
      'ci',
    ),
    binding(
      'sa-explicit',
      { kind: 'ClusterRole', name: 'exec' },
      [{ kind: 'ServiceAccount', name: 'runner', namespace: 'ci' }],
      'dev',
    ),
    binding('ns-reader', { kind: 'ClusterRole', name: 'ns-get' }, [{ kind: 'User', name: 'bob' }], 'team'),
    binding(
      'user-typo',
      { kind: 'ClusterRole', name: 'pod-reader' },
      [{ kind: 'user', name: 'carol' }],
      'dev',
    ),
  ],
};
rbac.clusterRoles.push(
  clusterRole('ns-get', [{ verbs: ['get'], apiGroups: [''], resources: ['namespaces'] }]),
);

const authd = (username: string, ...groups: string[]): UserInfoLite => ({
  username,
  groups: [...groups, 'system:authenticated'],
});
const runner: UserInfoLite = {
  username: 'system:serviceaccount:ci:runner',
  groups: ['system:serviceaccounts', 'system:authenticated'],
};

describe('RbacIndex.authorize', () => {
  const index = new RbacIndex(rbac);
  const cases: Array<[string, UserInfoLite, string, string, boolean, string?]> = [
    ['group via ClusterRoleBinding', authd('x', 'eks-admins'), 'DELETE', '/api/v1/nodes/n1', true, 'admins'],
    ['cluster-admin covers non-resource', authd('x', 'eks-admins'), 'GET', '/metrics', true, 'admins'],
    ['user via ClusterRoleBinding', authd('alice'), 'GET', '/api/v1/nodes', true, 'nodes-for-alice'],
    ['user: other verb', authd('alice'), 'GET', '/api/v1/nodes/n1', false],
    ['username is case-sensitive', authd('Alice'), 'GET', '/api/v1/nodes', false],
    ['group is case-sensitive', authd('x', 'EKS-admins'), 'GET', '/api/v1/nodes', false],
    [
      'RoleBinding to ClusterRole in its namespace',
      authd('d', 'devs'),
      'GET',
      '/api/v1/namespaces/dev/pods',
      true,
      'devs-read',
    ],
    ['RoleBinding not in other namespaces', authd('d', 'devs'), 'GET', '/api/v1/namespaces/prod/pods', false],
    ['RoleBinding not cluster-wide', authd('d', 'devs'), 'GET', '/api/v1/pods', false],
    [
      'RoleBinding to Role of its namespace',
      authd('d', 'devs'),
      'POST',
      '/api/v1/namespaces/dev/configmaps',
      true,
      'devs-cm',
    ],
    [
      'ClusterRoleBinding to a Role is ignored',
      authd('d', 'devs'),
      'POST',
      '/api/v1/namespaces/prod/configmaps',
      false,
    ],
    ['missing role is skipped', authd('g', 'ghosts'), 'GET', '/api/v1/pods', false],
    [
      'SA subject defaults to binding namespace',
      runner,
      'GET',
      '/api/v1/namespaces/ci/pods',
      true,
      'sa-default-ns',
    ],
    [
      'SA subject with explicit namespace',
      runner,
      'POST',
      '/api/v1/namespaces/dev/pods/p/exec',
      true,
      'sa-explicit',
    ],
    [
      'SA: other namespace user',
      { username: 'system:serviceaccount:other:runner', groups: [] },
      'GET',
      '/api/v1/namespaces/ci/pods',
      false,
    ],
    [
      'SA in ClusterRoleBinding without namespace never matches',
      { username: 'system:serviceaccount::ci', groups: [] },
      'GET',
      '/api/v1/nodes',
      false,
    ],
    ['SA subject does not match a plain user of that name', authd('ops'), 'GET', '/api/v1/nodes', false],
    [
      'RoleBinding allows get of its own namespace',
      authd('bob'),
      'GET',
      '/api/v1/namespaces/team',
      true,
      'ns-reader',
    ],
    ['RoleBinding does not allow listing namespaces', authd('bob'), 'GET', '/api/v1/namespaces', false],
    ['unknown subject kind never matches', authd('carol'), 'GET', '/api/v1/namespaces/dev/pods', false],
    [
      'built-in discovery',
      authd('nobody'),
      'GET',
      '/apis/metrics.eks.amazonaws.com/v1',
      true,
      'system:discovery',
    ],
    ['built-in discovery: /api', authd(''), 'GET', '/api', true, 'system:discovery'],
    [
      'built-in basic-user: whoami',
      authd('nobody'),
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      true,
      'system:basic-user',
    ],
    [
      'built-in basic-user: can-i',
      authd('nobody'),
      'POST',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      true,
      'system:basic-user',
    ],
    ['built-in public info: /version', authd('nobody'), 'GET', '/version', true, 'system:discovery'],
    [
      'anonymous gets /healthz',
      { username: 'system:anonymous', groups: ['system:unauthenticated'] },
      'GET',
      '/healthz',
      true,
      'system:public-info-viewer',
    ],
    [
      'anonymous does not get /api',
      { username: 'system:anonymous', groups: ['system:unauthenticated'] },
      'GET',
      '/api',
      false,
    ],
    ['discovery is GET only', authd('nobody'), 'POST', '/api', false],
    ['authenticated cannot list pods', authd('nobody'), 'GET', '/api/v1/pods', false],
  ];
  it.each(cases)('%s', (_name, user, verb, path, allowed, bindingName) => {
    const decision = index.authorize(user, req(path, verb));
    expect(decision.allowed).toBe(allowed);
    if (bindingName) expect(decision.by?.name).toBe(bindingName);
    else expect(decision.by).toBeUndefined();
    expect(decision.reason.length).toBeGreaterThan(0);
  });

  it('points at the binding in the snapshot', () => {
    const decision = index.authorize(authd('d', 'devs'), req('/api/v1/namespaces/dev/pods'));
    expect(decision.by).toMatchObject({
      kind: 'RoleBinding',
      namespace: 'dev',
      pointer: '/rbac/data/roleBindings/0',
      roleRef: { kind: 'ClusterRole', name: 'pod-reader' },
      subject: { kind: 'Group', name: 'devs' },
    });
    expect(decision.reason).toBe(
      'RoleBinding "devs-read" in namespace "dev" of ClusterRole "pod-reader" to Group "devs"',
    );
    const builtin = index.authorize(authd('x'), req('/version'));
    expect(builtin.by).toMatchObject({ builtin: true, pointer: '', kind: 'ClusterRoleBinding' });
  });

  it('prefers ClusterRoleBindings in list order, like Kubernetes', () => {
    const decision = index.authorize(authd('alice', 'eks-admins'), req('/api/v1/nodes'));
    expect(decision.by?.name).toBe('admins');
  });

  it('names missing roles in the denial', () => {
    const decision = index.authorize(authd('g', 'ghosts'), req('/api/v1/pods'));
    expect(decision.reason).toContain('ClusterRole "does-not-exist"');
  });
});

describe('RbacIndex built-in defaults', () => {
  it('knows only the bootstrap roles when RBAC was not collected', () => {
    const index = new RbacIndex(undefined);
    expect(index.authorize(authd('x'), req('/apis')).allowed).toBe(true);
    expect(index.authorize(authd('x'), req('/api/v1/pods')).allowed).toBe(false);
    expect(index.bindingsForGroup('system:authenticated').map((b) => b.name)).toEqual([
      'system:discovery',
      'system:basic-user',
      'system:public-info-viewer',
    ]);
    expect(index.bindingsForGroup('system:unauthenticated').map((b) => b.name)).toEqual([
      'system:public-info-viewer',
    ]);
    expect(index.rulesOf({ kind: 'ClusterRole', name: 'system:discovery' })).toBe(
      BUILTIN_CLUSTER_ROLES.get('system:discovery'),
    );
  });

  it('uses the snapshot version when it has one', () => {
    const restricted: Rbac = {
      clusterRoles: [clusterRole('system:discovery', [{ verbs: ['get'], nonResourceURLs: ['/version'] }])],
      clusterRoleBindings: [
        binding('system:public-info-viewer', { kind: 'ClusterRole', name: 'system:public-info-viewer' }, [
          { kind: 'Group', name: 'system:authenticated' },
        ]),
      ],
      roles: [],
      roleBindings: [],
    };
    const index = new RbacIndex(restricted);
    expect(index.authorize(authd('x'), req('/apis')).allowed).toBe(false);
    expect(index.authorize(authd('x'), req('/version')).by?.name).toBe('system:public-info-viewer');
    expect(
      index.authorize({ username: 'system:anonymous', groups: ['system:unauthenticated'] }, req('/healthz'))
        .allowed,
    ).toBe(false);
    const publicInfo = index
      .bindingsForGroup('system:authenticated')
      .find((b) => b.name === 'system:public-info-viewer');
    expect(publicInfo).toMatchObject({ pointer: '/rbac/data/clusterRoleBindings/0' });
    expect(publicInfo?.builtin).toBeUndefined();
  });
});

describe('RbacIndex lookups', () => {
  const index = new RbacIndex(rbac);
  it('bindingsForGroup lists ClusterRoleBindings and RoleBindings', () => {
    expect(index.bindingsForGroup('devs').map((b) => `${b.kind}/${b.name}`)).toEqual([
      'ClusterRoleBinding/role-in-crb',
      'RoleBinding/devs-read',
      'RoleBinding/devs-cm',
    ]);
    expect(index.bindingsForGroup('nobody')).toEqual([]);
  });

  it('bindingsForUser includes the service account the user is', () => {
    expect(index.bindingsForUser('alice').map((b) => b.name)).toEqual(['nodes-for-alice']);
    expect(index.bindingsForUser('system:serviceaccount:ci:runner').map((b) => b.name)).toEqual([
      'sa-default-ns',
      'sa-explicit',
    ]);
    expect(index.bindingsForUser('carol')).toEqual([]);
  });

  it('bindingsNamingSubject finds every kind, including misspelt ones', () => {
    expect(index.bindingsNamingSubject('ops').map((b) => b.subject.kind)).toEqual(['ServiceAccount']);
    expect(index.bindingsNamingSubject('carol').map((b) => b.subject.kind)).toEqual(['user']);
    expect(index.bindingsNamingSubject('eks-admins').map((b) => b.name)).toEqual(['admins']);
  });

  it('rulesOf resolves ClusterRoles and namespaced Roles', () => {
    expect(index.rulesOf({ kind: 'ClusterRole', name: 'pod-reader' })).toEqual(podsReader);
    expect(index.rulesOf({ kind: 'Role', name: 'cm-writer' }, 'dev')?.[0]?.verbs).toEqual([
      'create',
      'update',
    ]);
    expect(index.rulesOf({ kind: 'Role', name: 'cm-writer' }, 'prod')).toEqual([]);
    expect(index.rulesOf({ kind: 'Role', name: 'cm-writer' }, 'other')).toBeUndefined();
    expect(index.rulesOf({ kind: 'Role', name: 'cm-writer' })).toBeUndefined();
    expect(index.rulesOf({ kind: 'Other', name: 'pod-reader' })).toBeUndefined();
  });
});

describe('RbacIndex performance', () => {
  it('indexes 20,000 bindings and authorizes without scanning them', () => {
    const big: Rbac = {
      clusterRoles: [clusterRole('pod-reader', podsReader)],
      roles: [],
      clusterRoleBindings: [],
      roleBindings: [],
    };
    for (let i = 0; i < 10_000; i++) {
      big.clusterRoleBindings.push(
        binding(`crb-${i}`, { kind: 'ClusterRole', name: 'pod-reader' }, [
          { kind: 'User', name: `user-${i}` },
        ]),
      );
      big.roleBindings.push(
        binding(
          `rb-${i}`,
          { kind: 'ClusterRole', name: 'pod-reader' },
          [{ kind: 'Group', name: `team-${i % 100}` }],
          `ns-${i % 500}`,
        ),
      );
    }
    const index = new RbacIndex(big);
    let allowed = 0;
    for (let i = 0; i < 2_000; i++) {
      const user = authd(`user-${i * 7}`, `team-${i % 100}`);
      if (index.authorize(user, req(`/api/v1/namespaces/ns-${i % 500}/pods`)).allowed) allowed++;
    }
    expect(allowed).toBe(2_000);
    expect(index.authorize(authd('nobody', 'team-1'), req('/api/v1/namespaces/ns-2/pods')).allowed).toBe(
      false,
    );
  });
});
