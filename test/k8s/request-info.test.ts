import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactMetadataName, requestAttributes, type RequestAttributes } from '../../src/k8s/request-info.js';

type Expected = Partial<RequestAttributes>;

/** Resource requests: [method or verb, url, verb, apiPrefix, apiGroup, apiVersion, namespace, resource, subresource, name]. */
const resourceCases: Array<[string, string, string, string, string, string, string, string, string, string]> =
  [
    // From Kubernetes' requestinfo_test.go (TestGetAPIRequestInfo).
    ['GET', '/api/v1/namespaces', 'list', 'api', '', 'v1', '', 'namespaces', '', ''],
    ['GET', '/api/v1/namespaces/other', 'get', 'api', '', 'v1', 'other', 'namespaces', '', 'other'],
    ['GET', '/api/v1/namespaces/other/pods', 'list', 'api', '', 'v1', 'other', 'pods', '', ''],
    ['GET', '/api/v1/namespaces/other/pods/foo', 'get', 'api', '', 'v1', 'other', 'pods', '', 'foo'],
    ['HEAD', '/api/v1/namespaces/other/pods/foo', 'get', 'api', '', 'v1', 'other', 'pods', '', 'foo'],
    ['GET', '/api/v1/pods', 'list', 'api', '', 'v1', '', 'pods', '', ''],
    ['HEAD', '/api/v1/pods', 'list', 'api', '', 'v1', '', 'pods', '', ''],
    ['GET', '/api/v1/proxy/namespaces/other/pods/foo', 'proxy', 'api', '', 'v1', 'other', 'pods', '', 'foo'],
    [
      'GET',
      '/api/v1/proxy/namespaces/other/pods/foo/subpath/not/a/subresource',
      'proxy',
      'api',
      '',
      'v1',
      'other',
      'pods',
      '',
      'foo',
    ],
    ['GET', '/api/v1/watch/pods', 'watch', 'api', '', 'v1', '', 'pods', '', ''],
    ['GET', '/api/v1/pods?watch=true', 'watch', 'api', '', 'v1', '', 'pods', '', ''],
    ['GET', '/api/v1/pods?watch=false', 'list', 'api', '', 'v1', '', 'pods', '', ''],
    ['GET', '/api/v1/watch/namespaces/other/pods', 'watch', 'api', '', 'v1', 'other', 'pods', '', ''],
    ['GET', '/api/v1/namespaces/other/pods?watch=1', 'watch', 'api', '', 'v1', 'other', 'pods', '', ''],
    ['GET', '/api/v1/namespaces/other/pods?watch=0', 'list', 'api', '', 'v1', 'other', 'pods', '', ''],
    [
      'GET',
      '/api/v1/namespaces/other/pods/foo/status',
      'get',
      'api',
      '',
      'v1',
      'other',
      'pods',
      'status',
      'foo',
    ],
    [
      'GET',
      '/api/v1/namespaces/other/pods/foo/proxy/subpath',
      'get',
      'api',
      '',
      'v1',
      'other',
      'pods',
      'proxy',
      'foo',
    ],
    [
      'PUT',
      '/api/v1/namespaces/other/finalize',
      'update',
      'api',
      '',
      'v1',
      'other',
      'namespaces',
      'finalize',
      'other',
    ],
    [
      'PUT',
      '/api/v1/namespaces/other/status',
      'update',
      'api',
      '',
      'v1',
      'other',
      'namespaces',
      'status',
      'other',
    ],
    ['PATCH', '/api/v1/namespaces/other/pods/foo', 'patch', 'api', '', 'v1', 'other', 'pods', '', 'foo'],
    ['DELETE', '/api/v1/namespaces/other/pods/foo', 'delete', 'api', '', 'v1', 'other', 'pods', '', 'foo'],
    ['POST', '/api/v1/namespaces/other/pods', 'create', 'api', '', 'v1', 'other', 'pods', '', ''],
    ['DELETE', '/api/v1/nodes', 'deletecollection', 'api', '', 'v1', '', 'nodes', '', ''],
    ['DELETE', '/api/v1/namespaces', 'deletecollection', 'api', '', 'v1', '', 'namespaces', '', ''],
    ['DELETE', '/api/v1/namespaces/other/pods', 'deletecollection', 'api', '', 'v1', 'other', 'pods', '', ''],
    [
      'DELETE',
      '/apis/extensions/v1/namespaces/other/pods',
      'deletecollection',
      'apis',
      'extensions',
      'v1',
      'other',
      'pods',
      '',
      '',
    ],
    [
      'POST',
      '/apis/extensions/v1/namespaces/other/pods',
      'create',
      'apis',
      'extensions',
      'v1',
      'other',
      'pods',
      '',
      '',
    ],
    [
      'POST',
      '/apis/extensions/v1beta3/namespaces/other/pods',
      'create',
      'apis',
      'extensions',
      'v1beta3',
      'other',
      'pods',
      '',
      '',
    ],
    // Groups, subresources and the EKS metrics API.
    [
      'GET',
      '/apis/apps/v1/namespaces/prod/deployments',
      'list',
      'apis',
      'apps',
      'v1',
      'prod',
      'deployments',
      '',
      '',
    ],
    [
      'PUT',
      '/apis/apps/v1/namespaces/prod/deployments/web/scale',
      'update',
      'apis',
      'apps',
      'v1',
      'prod',
      'deployments',
      'scale',
      'web',
    ],
    [
      'GET',
      '/api/v1/namespaces/kube-system/pods/coredns-1/log',
      'get',
      'api',
      '',
      'v1',
      'kube-system',
      'pods',
      'log',
      'coredns-1',
    ],
    [
      'POST',
      '/api/v1/namespaces/dev/pods/app/exec?command=sh&stdin=true',
      'create',
      'api',
      '',
      'v1',
      'dev',
      'pods',
      'exec',
      'app',
    ],
    [
      'GET',
      '/apis/metrics.eks.amazonaws.com/v1/ksh/container/metrics',
      'get',
      'apis',
      'metrics.eks.amazonaws.com',
      'v1',
      '',
      'ksh',
      'metrics',
      'container',
    ],
    [
      'GET',
      '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods',
      'list',
      'apis',
      'metrics.k8s.io',
      'v1beta1',
      'default',
      'pods',
      '',
      '',
    ],
    [
      'GET',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/view',
      'get',
      'apis',
      'rbac.authorization.k8s.io',
      'v1',
      '',
      'clusterroles',
      '',
      'view',
    ],
    [
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      'create',
      'apis',
      'authentication.k8s.io',
      'v1',
      '',
      'selfsubjectreviews',
      '',
      '',
    ],
    // Method case, Kubernetes verbs, trailing slashes, encodings, full URLs.
    ['get', '/api/v1/nodes', 'list', 'api', '', 'v1', '', 'nodes', '', ''],
    ['Get', '/api/v1/nodes/ip-10-0-0-1', 'get', 'api', '', 'v1', '', 'nodes', '', 'ip-10-0-0-1'],
    ['post', '/api/v1/namespaces/dev/configmaps', 'create', 'api', '', 'v1', 'dev', 'configmaps', '', ''],
    [
      'delete',
      '/api/v1/namespaces/dev/secrets',
      'deletecollection',
      'api',
      '',
      'v1',
      'dev',
      'secrets',
      '',
      '',
    ],
    ['list', '/api/v1/namespaces/dev/pods/x', 'list', 'api', '', 'v1', 'dev', 'pods', '', 'x'],
    ['watch', '/api/v1/namespaces/dev/pods', 'watch', 'api', '', 'v1', 'dev', 'pods', '', ''],
    [
      'impersonate',
      '/api/v1/namespaces/dev/serviceaccounts/builder',
      'impersonate',
      'api',
      '',
      'v1',
      'dev',
      'serviceaccounts',
      '',
      'builder',
    ],
    [
      'create',
      '/api/v1/namespaces/dev/pods/app/portforward',
      'create',
      'api',
      '',
      'v1',
      'dev',
      'pods',
      'portforward',
      'app',
    ],
    ['GET', '/api/v1/namespaces/dev/pods/', 'list', 'api', '', 'v1', 'dev', 'pods', '', ''],
    ['GET', 'api/v1/pods', 'list', 'api', '', 'v1', '', 'pods', '', ''],
    ['GET', '/api/v1/namespaces/my%2Dns/pods/a%20b', 'get', 'api', '', 'v1', 'my-ns', 'pods', '', 'a b'],
    [
      'GET',
      'https://ABC.gr7.eu-west-1.eks.amazonaws.com/apis/apps/v1/deployments?limit=500',
      'list',
      'apis',
      'apps',
      'v1',
      '',
      'deployments',
      '',
      '',
    ],
    [
      'GET',
      '  https://host:443/api/v1/namespaces/a/pods/b#frag  ',
      'get',
      'api',
      '',
      'v1',
      'a',
      'pods',
      '',
      'b',
    ],
    ['OPTIONS', '/api/v1/pods', '', 'api', '', 'v1', '', 'pods', '', ''],
    ['GET', '/api/v1/pods?watch=', 'watch', 'api', '', 'v1', '', 'pods', '', ''],
    ['GET', '/api/v1/pods?watch=FALSE', 'list', 'api', '', 'v1', '', 'pods', '', ''],
  ];

describe('requestAttributes: resource requests', () => {
  it.each(resourceCases)(
    '%s %s',
    (method, url, verb, apiPrefix, apiGroup, apiVersion, namespace, resource, subresource, name) => {
      const a = requestAttributes(url, method);
      expect(a).toMatchObject({
        isResourceRequest: true,
        verb,
        apiPrefix,
        apiGroup,
        apiVersion,
        namespace,
        resource,
        subresource,
        name,
      });
    },
  );

  it('defaults to GET', () => {
    expect(requestAttributes('/api/v1/namespaces/x/pods').verb).toBe('list');
    expect(requestAttributes('/api/v1/namespaces/x/pods', '').verb).toBe('list');
  });

  it('keeps the decoded path without the query', () => {
    expect(requestAttributes('/api/v1/namespaces/a%2Db/pods?limit=1').path).toBe(
      '/api/v1/namespaces/a-b/pods',
    );
    expect(requestAttributes('https://h/api/v1/pods/').path).toBe('/api/v1/pods/');
  });
});

/** Non-resource requests: [method, url, expected fields]. */
const nonResourceCases: Array<[string, string, Expected]> = [
  ['GET', '/api', { path: '/api', verb: 'get', apiPrefix: '' }],
  ['GET', '/apis', { path: '/apis', verb: 'get' }],
  ['GET', '/api/v1', { path: '/api/v1', verb: 'get', apiPrefix: '', apiVersion: '' }],
  ['GET', '/apis/apps', { path: '/apis/apps', verb: 'get', apiPrefix: '' }],
  // Kubernetes keeps the prefix it consumed before noticing group discovery.
  ['GET', '/apis/apps/v1', { path: '/apis/apps/v1', verb: 'get', apiPrefix: 'apis', apiGroup: '' }],
  [
    'GET',
    '/apis/metrics.eks.amazonaws.com/v1',
    { verb: 'get', apiPrefix: 'apis', apiGroup: '', apiVersion: '' },
  ],
  ['GET', '/apis/extensions/v1beta1/', { verb: 'get', apiPrefix: 'apis' }],
  ['GET', '/version', { path: '/version', verb: 'get' }],
  ['HEAD', '/healthz', { path: '/healthz', verb: 'head' }],
  ['post', '/openapi/v3', { path: '/openapi/v3', verb: 'post' }],
  ['GET', '/', { path: '/', verb: 'get' }],
  ['GET', '', { path: '', verb: 'get' }],
  ['GET', '/badprefix/version/resource', { path: '/badprefix/version/resource', apiPrefix: '' }],
  ['GET', '/apis/version/resource', { apiPrefix: 'apis', apiGroup: '' }],
  ['GET', 'https://host/readyz?verbose', { path: '/readyz', verb: 'get' }],
  ['get', '/livez', { verb: 'get' }],
  ['frobnicate', '/metrics', { verb: 'frobnicate' }],
];

describe('requestAttributes: non-resource requests', () => {
  it.each(nonResourceCases)('%s %s', (method, url, expected) => {
    const a = requestAttributes(url, method);
    expect(a.isResourceRequest).toBe(false);
    expect(a).toMatchObject({ namespace: '', resource: '', subresource: '', name: '', ...expected });
  });
});

describe('requestAttributes: field selectors (TestSelectorParsing)', () => {
  const cases: Array<[string, string, string, string]> = [
    ['GET', '/apis/group/version/resource', 'list', ''],
    ['GET', '/apis/group/version/resource?fieldSelector=metadata.name=name1', 'list', 'name1'],
    ['GET', '/apis/group/version/resource?watch=true&fieldSelector=metadata.name=name1', 'watch', 'name1'],
    ['GET', '/apis/group/version/resource?fieldSelector=foo=bar&labelSelector=baz=qux', 'list', ''],
    ['GET', '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo', 'list', ''],
    ['GET', '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=true', 'watch', ''],
    ['GET', '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=false', 'list', ''],
    ['DELETE', '/apis/group/version/resource?fieldSelector=metadata.name=x', 'deletecollection', ''],
    [
      'GET',
      '/apis/group/version/resource?fieldSelector=metadata.name=foo&fieldSelector=metadata.name=bar',
      'list',
      'foo',
    ],
    ['GET', '/apis/group/version/resource/name?fieldSelector=metadata.name=other', 'get', 'name'],
    ['GET', '/apis/group/version/watch/resource?fieldSelector=metadata.name=foo', 'watch', ''],
    ['GET', '/apis/group/version/watch/resource/name?fieldSelector=metadata.name=foo', 'watch', 'name'],
    [
      'GET',
      '/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3Daws-auth',
      'list',
      'aws-auth',
    ],
    ['GET', '/api/v1/pods?fieldSelector=metadata.name%3D%3Dp1%2Cstatus.phase%3DRunning', 'list', 'p1'],
    ['GET', '/api/v1/pods?fieldSelector=metadata.name!%3Dp1', 'list', ''],
    ['GET', '/api/v1/pods?fieldSelector=metadata.name%3Da%2Fb', 'list', ''],
    ['GET', '/api/v1/pods?fieldSelector=metadata.name%3Dp1&limit=abc', 'list', ''],
    [
      'list',
      '/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name=aws-auth',
      'list',
      'aws-auth',
    ],
    [
      'watch',
      '/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name=aws-auth',
      'watch',
      'aws-auth',
    ],
    [
      'create',
      '/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name=aws-auth',
      'create',
      '',
    ],
  ];
  it.each(cases)('%s %s', (method, url, verb, name) => {
    expect(requestAttributes(url, method)).toMatchObject({ isResourceRequest: true, verb, name });
  });

  it.each([
    ['metadata.name=a', 'a'],
    ['metadata.name==a', 'a'],
    ['status.phase=Running,metadata.name=a', 'a'],
    ['metadata.name=a\\,b', 'a,b'],
    ['metadata.name=a,b', undefined],
    ['metadata.name=a=b', undefined],
    ['metadata.name=a\\', undefined],
    ['metadata.name!=a', undefined],
    ['spec.nodeName=n', undefined],
    ['', undefined],
  ])('exactMetadataName(%j) = %j', (selector, expected) => {
    expect(exactMetadataName(selector)).toBe(expected);
  });
});

describe('requestAttributes never throws', () => {
  it('on any string and verb', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), (path, verb) => {
        const a = requestAttributes(path, verb);
        expect(typeof a.isResourceRequest).toBe('boolean');
        expect(typeof a.path).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });

  it('on path-like garbage', () => {
    const segment = fc.constantFrom(
      'api',
      'apis',
      'v1',
      'namespaces',
      'watch',
      'proxy',
      '%',
      '%zz',
      '%2F',
      '?',
      '&',
      '=',
      '',
      'x',
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 10 }), fc.string(), (segments, verb) => {
        const a = requestAttributes(`/${segments.join('/')}`, verb);
        expect(a.resource.includes('/')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('returns a non-resource request for garbage', () => {
    expect(requestAttributes('not a url at all')).toMatchObject({
      isResourceRequest: false,
      path: '/not a url at all',
    });
    expect(requestAttributes('/api/v1/namespaces/%zz/pods')).toMatchObject({
      namespace: '%zz',
      resource: 'pods',
    });
    expect(requestAttributes('/api/v1/watch')).toMatchObject({
      isResourceRequest: true,
      verb: 'get',
      resource: '',
    });
  });
});
