import { describe, expect, it } from 'vitest';
import {
  ACCESS_POLICIES,
  ACCESS_POLICY_ARN_PREFIX,
  accessPoliciesAllow,
  accessPolicyByName,
  namespaceMatches,
  narrowestPolicyAllowing,
} from '../../src/eks/access-policies.js';
import { policyRulesAllow } from '../../src/k8s/rbac.js';
import { requestAttributes } from '../../src/k8s/request-info.js';
import type { AssociatedAccessPolicy } from '../../src/model/snapshot.js';

const arn = (name: string) => `${ACCESS_POLICY_ARN_PREFIX}${name}`;
const req = (path: string, verb?: string) => requestAttributes(path, verb);
const rulesOf = (name: string) => accessPolicyByName(name)?.rules ?? [];

describe('ACCESS_POLICIES', () => {
  it('keys every definition by its ARN', () => {
    for (const [key, definition] of ACCESS_POLICIES) {
      expect(key).toBe(definition.arn);
      expect(definition.arn).toBe(arn(definition.name));
      expect(definition.summary.length).toBeGreaterThan(10);
    }
    expect(ACCESS_POLICIES.size).toBeGreaterThanOrEqual(15);
  });

  it('marks the five user-facing policies as for humans', () => {
    const humans = [...ACCESS_POLICIES.values()].filter((d) => d.forHumans).map((d) => d.name);
    expect(humans.sort()).toEqual([
      'AmazonEKSAdminPolicy',
      'AmazonEKSAdminViewPolicy',
      'AmazonEKSClusterAdminPolicy',
      'AmazonEKSEditPolicy',
      'AmazonEKSViewPolicy',
    ]);
  });

  it.each([
    ['AmazonEKSViewPolicy', 'AmazonEKSViewPolicy'],
    ['amazoneksviewpolicy', 'AmazonEKSViewPolicy'],
    [arn('AmazonEKSEditPolicy'), 'AmazonEKSEditPolicy'],
    ['arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy', 'AmazonEKSAdminPolicy'],
    ['arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSHybridPolicy', 'AmazonEKSHybridPolicy'],
    [' AmazonEKSClusterAdminPolicy ', 'AmazonEKSClusterAdminPolicy'],
    ['AmazonEKSFooPolicy', undefined],
    ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy', undefined],
    ['', undefined],
  ])('accessPolicyByName(%j)', (input, expected) => {
    expect(accessPolicyByName(input)?.name).toBe(expected);
  });
});

/** [policy, verb, path, allowed] — each row checks one line of the AWS tables (research §4). */
const ruleCases: Array<[string, string, string, boolean]> = [
  ['AmazonEKSClusterAdminPolicy', 'DELETE', '/api/v1/nodes/n1', true],
  ['AmazonEKSClusterAdminPolicy', 'GET', '/apis/monitoring.coreos.com/v1/namespaces/m/servicemonitors', true],
  ['AmazonEKSClusterAdminPolicy', 'GET', '/metrics', true],
  ['AmazonEKSClusterAdminPolicy', 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', true],
  ['AmazonEKSAdminViewPolicy', 'GET', '/api/v1/namespaces/a/secrets/s', true],
  ['AmazonEKSAdminViewPolicy', 'GET', '/api/v1/nodes', true],
  ['AmazonEKSAdminViewPolicy', 'GET', '/apis/metrics.eks.amazonaws.com/v1/kcm/container/metrics', true],
  ['AmazonEKSAdminViewPolicy', 'GET', '/apis/metrics.k8s.io/v1beta1/namespaces/a/pods', true],
  ['AmazonEKSAdminViewPolicy', 'POST', '/api/v1/namespaces/a/pods', false],
  ['AmazonEKSAdminViewPolicy', 'GET', '/metrics', false],
  ['AmazonEKSAdminPolicy', 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/a/rolebindings', true],
  [
    'AmazonEKSAdminPolicy',
    'POST',
    '/apis/authorization.k8s.io/v1/namespaces/a/localsubjectaccessreviews',
    true,
  ],
  ['AmazonEKSAdminPolicy', 'POST', '/api/v1/namespaces/a/pods/p/exec', true],
  ['AmazonEKSAdminPolicy', 'GET', '/api/v1/namespaces/a/secrets', true],
  ['AmazonEKSAdminPolicy', 'GET', '/api/v1/namespaces', true],
  ['AmazonEKSAdminPolicy', 'GET', '/api/v1/nodes', false],
  ['AmazonEKSAdminPolicy', 'GET', '/apis/monitoring.coreos.com/v1/namespaces/a/servicemonitors', false],
  ['AmazonEKSAdminPolicy', 'GET', '/apis/metrics.k8s.io/v1beta1/namespaces/a/pods', false],
  ['AmazonEKSAdminPolicy', 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', false],
  ['AmazonEKSEditPolicy', 'PATCH', '/apis/apps/v1/namespaces/a/deployments/web', true],
  ['AmazonEKSEditPolicy', 'PUT', '/apis/apps/v1/namespaces/a/deployments/web/scale', true],
  ['AmazonEKSEditPolicy', 'POST', '/api/v1/namespaces/a/secrets', true],
  ['AmazonEKSEditPolicy', 'impersonate', '/api/v1/namespaces/a/serviceaccounts/sa', true],
  ['AmazonEKSEditPolicy', 'POST', '/api/v1/namespaces/a/pods/p/portforward', true],
  ['AmazonEKSEditPolicy', 'GET', '/apis/discovery.k8s.io/v1/namespaces/a/endpointslices', true],
  ['AmazonEKSEditPolicy', 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/a/rolebindings', false],
  [
    'AmazonEKSEditPolicy',
    'POST',
    '/apis/authorization.k8s.io/v1/namespaces/a/localsubjectaccessreviews',
    false,
  ],
  ['AmazonEKSEditPolicy', 'GET', '/api/v1/nodes', false],
  ['AmazonEKSEditPolicy', 'POST', '/api/v1/namespaces/a/endpoints', false],
  ['AmazonEKSViewPolicy', 'GET', '/api/v1/namespaces/a/pods', true],
  ['AmazonEKSViewPolicy', 'GET', '/api/v1/namespaces/a/pods/p/log', true],
  ['AmazonEKSViewPolicy', 'GET', '/api/v1/namespaces', true],
  ['AmazonEKSViewPolicy', 'GET', '/apis/batch/v1/namespaces/a/cronjobs/c/status', true],
  ['AmazonEKSViewPolicy', 'GET', '/apis/policy/v1/namespaces/a/poddisruptionbudgets', true],
  ['AmazonEKSViewPolicy', 'GET', '/api/v1/namespaces/a/resourcequotas/q/status', true],
  ['AmazonEKSViewPolicy', 'GET', '/api/v1/namespaces/a/secrets', false],
  ['AmazonEKSViewPolicy', 'POST', '/api/v1/namespaces/a/pods/p/exec', false],
  ['AmazonEKSViewPolicy', 'GET', '/api/v1/namespaces/a/pods/p/exec', false],
  ['AmazonEKSViewPolicy', 'GET', '/api/v1/nodes', false],
  ['AmazonEKSViewPolicy', 'PATCH', '/apis/apps/v1/namespaces/a/deployments/web', false],
  ['AmazonEKSViewPolicy', 'GET', '/apis/metrics.eks.amazonaws.com/v1/ksh/container/metrics', false],
  ['AmazonEKSViewPolicy', 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', false],
  ['AmazonEKSHybridPolicy', 'GET', '/api/v1/nodes', true],
  ['AmazonEKSHybridPolicy', 'GET', '/api/v1/nodes/n1', false],
  ['AmazonEKSComputePolicy', 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x', true],
  ['AmazonEKSComputePolicy', 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x', false],
];

describe('policy rules', () => {
  it.each(ruleCases)('%s: %s %s', (name, verb, path, allowed) => {
    expect(policyRulesAllow(rulesOf(name), req(path, verb))).toBe(allowed);
  });

  it('View is a subset of Edit, and Edit of Admin', () => {
    const view = rulesOf('AmazonEKSViewPolicy');
    const edit = rulesOf('AmazonEKSEditPolicy');
    const admin = rulesOf('AmazonEKSAdminPolicy');
    for (const rule of view) expect(edit).toContainEqual(rule);
    for (const rule of edit) expect(admin).toContainEqual(rule);
    expect(admin.length).toBe(edit.length + 2);
  });
});

const scoped = (name: string, type: string, namespaces?: string[]): AssociatedAccessPolicy => ({
  policyArn: arn(name),
  accessScope: { type, ...(namespaces ? { namespaces } : {}) },
});

describe('accessPoliciesAllow', () => {
  const cases: Array<[string, AssociatedAccessPolicy[], string, string, boolean, number?, number?]> = [
    ['nothing associated', [], 'GET', '/api/v1/namespaces/a/pods', false],
    [
      'cluster scope covers namespaced',
      [scoped('AmazonEKSViewPolicy', 'cluster')],
      'GET',
      '/api/v1/namespaces/a/pods',
      true,
      0,
    ],
    [
      'cluster scope covers all namespaces',
      [scoped('AmazonEKSViewPolicy', 'cluster')],
      'GET',
      '/api/v1/pods',
      true,
      0,
    ],
    [
      'cluster scope covers namespaces list',
      [scoped('AmazonEKSViewPolicy', 'cluster')],
      'GET',
      '/api/v1/namespaces',
      true,
      0,
    ],
    [
      'namespace scope, matching namespace',
      [scoped('AmazonEKSEditPolicy', 'namespace', ['dev'])],
      'POST',
      '/api/v1/namespaces/dev/configmaps',
      true,
      0,
    ],
    [
      'namespace scope, other namespace',
      [scoped('AmazonEKSEditPolicy', 'namespace', ['dev'])],
      'POST',
      '/api/v1/namespaces/prod/configmaps',
      false,
      undefined,
      1,
    ],
    [
      'namespace scope, all namespaces (-A)',
      [scoped('AmazonEKSViewPolicy', 'namespace', ['dev'])],
      'GET',
      '/api/v1/pods',
      false,
      undefined,
      1,
    ],
    [
      'namespace scope, namespaces list',
      [scoped('AmazonEKSViewPolicy', 'namespace', ['dev'])],
      'GET',
      '/api/v1/namespaces',
      false,
      undefined,
      1,
    ],
    [
      'namespace scope, get own namespace',
      [scoped('AmazonEKSViewPolicy', 'namespace', ['dev'])],
      'GET',
      '/api/v1/namespaces/dev',
      true,
      0,
    ],
    [
      'namespace scope, cluster-scoped resource',
      [scoped('AmazonEKSClusterAdminPolicy', 'namespace', ['dev'])],
      'GET',
      '/api/v1/nodes',
      false,
      undefined,
      1,
    ],
    [
      'namespace scope, non-resource URL',
      [scoped('AmazonEKSClusterAdminPolicy', 'namespace', ['*'])],
      'GET',
      '/metrics',
      false,
      undefined,
      1,
    ],
    [
      'wildcard dev-*',
      [scoped('AmazonEKSViewPolicy', 'namespace', ['dev-*'])],
      'GET',
      '/api/v1/namespaces/dev-team1/pods',
      true,
      0,
    ],
    [
      'wildcard dev-* vs dev',
      [scoped('AmazonEKSViewPolicy', 'namespace', ['dev-*'])],
      'GET',
      '/api/v1/namespaces/dev/pods',
      false,
      undefined,
      1,
    ],
    [
      'wildcard * covers every namespace',
      [scoped('AmazonEKSViewPolicy', 'namespace', ['*'])],
      'GET',
      '/api/v1/namespaces/x/pods',
      true,
      0,
    ],
    [
      'several namespaces',
      [scoped('AmazonEKSViewPolicy', 'namespace', ['a', 'b'])],
      'GET',
      '/api/v1/namespaces/b/pods',
      true,
      0,
    ],
    [
      'typo in namespace',
      [scoped('AmazonEKSViewPolicy', 'namespace', ['deev'])],
      'GET',
      '/api/v1/namespaces/dev/pods',
      false,
      undefined,
      1,
    ],
    [
      'empty namespace list',
      [scoped('AmazonEKSViewPolicy', 'namespace', [])],
      'GET',
      '/api/v1/namespaces/dev/pods',
      false,
      undefined,
      1,
    ],
    ['scope type in upper case', [scoped('AmazonEKSViewPolicy', 'CLUSTER')], 'GET', '/api/v1/pods', true, 0],
    [
      'unknown scope type',
      [scoped('AmazonEKSViewPolicy', 'account')],
      'GET',
      '/api/v1/pods',
      false,
      undefined,
      1,
    ],
    [
      'second policy allows',
      [scoped('AmazonEKSViewPolicy', 'cluster'), scoped('AmazonEKSEditPolicy', 'namespace', ['dev'])],
      'POST',
      '/api/v1/namespaces/dev/secrets',
      true,
      1,
    ],
    [
      'first allowing policy wins, blocked ones still reported',
      [
        scoped('AmazonEKSAdminPolicy', 'namespace', ['x']),
        scoped('AmazonEKSViewPolicy', 'cluster'),
        scoped('AmazonEKSEditPolicy', 'cluster'),
      ],
      'GET',
      '/api/v1/namespaces/dev/pods',
      true,
      1,
      1,
    ],
    [
      'rules do not allow: not blocked by scope',
      [scoped('AmazonEKSViewPolicy', 'namespace', ['dev'])],
      'GET',
      '/api/v1/nodes',
      false,
      undefined,
      0,
    ],
  ];
  it.each(cases)('%s', (_name, associated, verb, path, allowed, allowedIndex, blocked) => {
    const decision = accessPoliciesAllow(associated, req(path, verb));
    expect(decision.allowed).toBe(allowed);
    expect(decision.allowedBy?.index).toBe(allowedIndex);
    if (allowedIndex !== undefined) {
      expect(decision.allowedBy?.policyArn).toBe(associated[allowedIndex]?.policyArn);
    }
    if (blocked !== undefined) expect(decision.blockedByScope).toHaveLength(blocked);
    expect(decision.unknownPolicies).toEqual([]);
  });

  it('reports the scope that blocked a policy (FM-37)', () => {
    const associated = [scoped('AmazonEKSViewPolicy', 'namespace', ['dev', 'stage-*'])];
    expect(accessPoliciesAllow(associated, req('/api/v1/nodes', 'list')).blockedByScope).toEqual([]);
    expect(accessPoliciesAllow(associated, req('/api/v1/namespaces')).blockedByScope).toEqual([
      { policyArn: arn('AmazonEKSViewPolicy'), index: 0, namespaces: ['dev', 'stage-*'] },
    ]);
  });

  it('accepts policy ARNs of other partitions', () => {
    const associated = [
      {
        policyArn: 'arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
        accessScope: { type: 'cluster' },
      },
    ];
    expect(accessPoliciesAllow(associated, req('/api/v1/pods')).allowed).toBe(true);
  });

  it('lists policies it cannot evaluate', () => {
    const associated = [
      { policyArn: arn('AmazonAIOpsAssistantPolicy'), accessScope: { type: 'cluster' } },
      scoped('AmazonEKSAutoNodePolicy', 'cluster'),
      scoped('AmazonEKSViewPolicy', 'cluster'),
    ];
    const decision = accessPoliciesAllow(associated, req('/api/v1/nodes'));
    expect(decision.allowed).toBe(false);
    expect(decision.unknownPolicies).toEqual([
      arn('AmazonAIOpsAssistantPolicy'),
      arn('AmazonEKSAutoNodePolicy'),
    ]);
    // A prose-only policy that does allow the request is a decision, not an unknown.
    const computeList = accessPoliciesAllow(
      [scoped('AmazonEKSComputePolicy', 'cluster')],
      req('/apis/coordination.k8s.io/v1/leases'),
    );
    expect(computeList.unknownPolicies).toEqual([arn('AmazonEKSComputePolicy')]);
    const compute = accessPoliciesAllow(
      [scoped('AmazonEKSComputePolicy', 'cluster')],
      req('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/a'),
    );
    expect(compute).toMatchObject({ allowed: true, unknownPolicies: [] });
  });
});

describe('namespaceMatches', () => {
  it.each([
    ['dev', 'dev', true],
    ['dev', 'Dev', false],
    ['dev', 'dev-1', false],
    ['dev-*', 'dev-1', true],
    ['dev-*', 'dev-', true],
    ['dev-*', 'prod-dev-1', false],
    ['*-dev', 'team-dev', true],
    ['*', 'anything', true],
    ['a.b*', 'axb', false],
    ['a.b*', 'a.bc', true],
  ])('%s ~ %s = %s', (pattern, namespace, expected) => {
    expect(namespaceMatches(pattern, namespace)).toBe(expected);
  });
});

describe('narrowestPolicyAllowing', () => {
  it.each([
    ['GET', '/api/v1/namespaces/a/pods', 'AmazonEKSViewPolicy'],
    ['GET', '/api/v1/namespaces/a/secrets/s', 'AmazonEKSEditPolicy'],
    ['POST', '/api/v1/namespaces/a/pods/p/exec', 'AmazonEKSEditPolicy'],
    ['POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/a/roles', 'AmazonEKSAdminPolicy'],
    ['GET', '/api/v1/nodes', 'AmazonEKSAdminViewPolicy'],
    ['GET', '/apis/metrics.eks.amazonaws.com/v1/kcm/container/metrics', 'AmazonEKSAdminViewPolicy'],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes', 'AmazonEKSAdminViewPolicy'],
    ['DELETE', '/api/v1/nodes/n1', 'AmazonEKSClusterAdminPolicy'],
    ['GET', '/metrics', 'AmazonEKSClusterAdminPolicy'],
    ['POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', 'AmazonEKSClusterAdminPolicy'],
  ])('%s %s → %s', (verb, path, expected) => {
    expect(narrowestPolicyAllowing(req(path, verb))?.name).toBe(expected);
  });

  it('never suggests a component policy', () => {
    const names = ['GET /api/v1/nodes', 'GET /apis/coordination.k8s.io/v1/namespaces/a/leases/l'].map(
      (line) => narrowestPolicyAllowing(req(line.split(' ')[1] ?? '', line.split(' ')[0]))?.forHumans,
    );
    expect(names).toEqual([true, true]);
  });
});
