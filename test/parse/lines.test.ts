import { describe, expect, it } from 'vitest';
import { FACTS } from '../../src/model/incident.js';
import { formatIncident, parseLogLine, parseLogLines } from '../../src/parse/index.js';

const SEED =
  'Proxy request for clusterId="11115f91f1f9e3f0c97e4c3692f41111" to url="/apis/metrics.eks.amazonaws.com/v1" has statusCode=401';

describe('the seed report line', () => {
  it('is a Lens GET of the aggregated metrics API that got 401', () => {
    expect(parseLogLine(SEED)).toEqual({
      source: 'lens',
      path: '/apis/metrics.eks.amazonaws.com/v1',
      verb: 'get',
      apiGroup: 'metrics.eks.amazonaws.com',
      status: 401,
      facts: ['unauthorized'],
    });
  });
});

describe('authenticator log lines, every generation of the not-mapped text (FM §0.2)', () => {
  const base =
    'time="2024-05-01T10:00:00Z" level=warning msg="access denied" arn="arn:aws:iam::111122223333:user/alice" client="127.0.0.1:443" error="';
  it.each([
    ['≤ v0.4', 'ARN is not mapped: arn:aws:iam::111122223333:user/alice'],
    ['v0.5–v0.6.29', 'ARN is not mapped'],
    ['v0.6.30–v0.7', 'Identity is not mapped'],
    ['HEAD', 'identity is not mapped'],
  ])('%s: %s', (_gen, error) => {
    const incident = parseLogLine(`${base}${error}" method=POST path=/authenticate`);
    expect(incident).toMatchObject({
      source: 'authenticator',
      status: 401,
      principalArn: 'arn:aws:iam::111122223333:user/alice',
      reason: error,
      time: '2024-05-01T10:00:00Z',
    });
    expect(incident.facts).toEqual(['unauthorized', 'identity-not-mapped']);
    // /authenticate is the webhook's own path, never the user's request.
    expect(incident.path).toBeUndefined();
  });

  it('oldest format without arn= field still names the principal', () => {
    const incident = parseLogLine(
      'level=warning msg="access denied" client="127.0.0.1:1" error="ARN is not mapped: arn:aws:iam::111122223333:role/ops" method=POST path=/authenticate sts=sts.amazonaws.com',
    );
    expect(incident.principalArn).toBe('arn:aws:iam::111122223333:role/ops');
  });

  it.each([
    [
      'input token was not properly formatted: X-Amz-Date parameter is expired (15 minute expiration) 2024-05-01 09:00:00 +0000 UTC',
      ['token-expired'],
    ],
    ['input token was not properly formatted: token is too large', ['token-too-large']],
    [
      'input token was not properly formatted: unexpected hostname \\"sts.eu-west-1.vpce.amazonaws.com\\" in pre-signed URL',
      ['sts-endpoint-rejected'],
    ],
    [
      'input token was not properly formatted: global endpoint unsupported in partition aws-cn',
      ['sts-endpoint-rejected'],
    ],
    [
      'input token was not properly formatted: non-whitelisted query parameter \\"x-k8s-aws-id\\"',
      ['token-non-whitelisted-parameter', 'token-malformed'],
    ],
    [
      'input token was not properly formatted: duplicate query parameter found: \\"action\\"',
      ['token-duplicate-parameter', 'token-malformed'],
    ],
    [
      'input token was not properly formatted: client did not sign the x-k8s-aws-id header in the pre-signed URL',
      ['token-cluster-id-not-signed', 'token-malformed'],
    ],
    [
      'input token was not properly formatted: invalid X-Amz-Expires parameter in pre-signed URL: 3600',
      ['token-invalid-expires', 'token-malformed'],
    ],
    [
      'input token was not properly formatted: unexpected scheme \\"http\\" in pre-signed URL',
      ['token-malformed'],
    ],
    [
      'sts getCallerIdentity failed: error from AWS (expected 200, got 403) on us-east-1 endpoint. Body: {\\"Error\\":{\\"Code\\":\\"SignatureDoesNotMatch\\"}}',
      ['sts-signature-mismatch'],
    ],
    [
      'sts getCallerIdentity failed: error from AWS (expected 200, got 403). Body: {\\"Error\\":{\\"Code\\":\\"InvalidClientTokenId\\"}}',
      ['sts-invalid-client-token'],
    ],
    [
      'sts getCallerIdentity failed: error from AWS (expected 200, got 403). Body: {\\"Error\\":{\\"Code\\":\\"ExpiredToken\\"}}',
      ['sts-expired-token'],
    ],
    [
      'sts getCallerIdentity failed: error from AWS (expected 200, got 403). Body: {\\"Error\\":{\\"Message\\":\\"Signature not yet current: 20240501T100000Z is still later than 20240501T090500Z\\"}}',
      ['clock-skew'],
    ],
    [
      'sts getCallerIdentity was throttled: {\\"Error\\":{\\"Code\\":\\"Throttling\\",\\"Message\\":\\"Rate exceeded\\"}}',
      ['sts-throttled'],
    ],
    ['mapper DynamicFile Map error: ARN does not match User ID', ['arn-does-not-match-user-id']],
    [
      'mapper EKSConfigMap renderTemplates error: error rendering username template \\"system:node:{{EC2PrivateDNSName}}\\": SessionName did not contain an instance id',
      ['template-render-failed'],
    ],
    [
      "invalid username 'system:alice' for mapper DynamicFile: username must not begin with with the following prefixes: [aws: iam: amazon: system: eks:]",
      ['reserved-username-prefix'],
    ],
  ])('denial reason %#', (error, facts) => {
    const incident = parseLogLine(
      `level=warning msg="access denied" client="127.0.0.1:1" error="${error}" method=POST path=/authenticate`,
    );
    expect(incident.status).toBe(401);
    expect(incident.facts).toEqual(['unauthorized', ...facts]);
  });

  it('access granted with a bare username= proves the empty username of FM-45', () => {
    const incident = parseLogLine(
      'time="2024-05-01T10:00:00Z" level=info msg="access granted" arn="arn:aws:iam::111122223333:user/honggildong" client="127.0.0.1:1" groups="[system:masters]" method=POST path=/authenticate stsendpoint=sts.us-west-2.amazonaws.com uid="aws-iam-authenticator:111122223333:AIDAEXAMPLE" username=',
    );
    expect(incident).toMatchObject({
      source: 'authenticator',
      username: '',
      groups: ['system:masters'],
      uid: 'aws-iam-authenticator:111122223333:AIDAEXAMPLE',
      principalArn: 'arn:aws:iam::111122223333:user/honggildong',
    });
    expect(incident.facts).toEqual(['access-granted', 'empty-username']);
    expect(incident.status).toBeUndefined();
  });

  it('an STS response line names the STS identity, key and unique id; the denial after it adds the reason', () => {
    const incident = parseLogLines([
      'time="2022-10-11T18:10:41Z" level=info msg="STS response" accesskeyid=ASIAW5Y4UBHMUKVMVAAA accountid=111122223333 arn="arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_devops_595c0f4da82205f0/gkan@example.com" client="127.0.0.1:36738" method=POST path=/authenticate session=gkan@example.com userid=AROAW5Y4UBHMR662MVVH4',
      'time="2022-10-11T18:10:41Z" level=warning msg="access denied" arn="arn:aws:iam::111122223333:role/AWSReservedSSO_devops_595c0f4da82205f0" client="127.0.0.1:36738" error="identity is not mapped" method=POST path=/authenticate',
    ]);
    expect(incident).toMatchObject({
      principalArn:
        'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_devops_595c0f4da82205f0/gkan@example.com',
      accessKeyId: 'ASIAW5Y4UBHMUKVMVAAA',
      awsUserId: 'AROAW5Y4UBHMR662MVVH4',
      status: 401,
      reason: 'identity is not mapped',
    });
  });

  it('reads a CloudWatch Logs export whose messages are authenticator lines', () => {
    const exported = JSON.stringify({
      events: [
        {
          timestamp: 1,
          logStreamName: 'authenticator-abc',
          message:
            'time="2024-05-01T10:00:00Z" level=warning msg="access denied" arn="arn:aws:iam::111122223333:role/ci" client="x" error="ARN is not mapped" method=POST path=/authenticate',
        },
      ],
    });
    expect(parseLogLines(exported)).toMatchObject({
      source: 'authenticator',
      principalArn: 'arn:aws:iam::111122223333:role/ci',
      status: 401,
    });
  });
});

describe('kubectl, Helm, Terraform, Lens, Argo CD and console lines', () => {
  it.each([
    [
      'K401a',
      'error: You must be logged in to the server (Unauthorized)',
      { source: 'kubectl', status: 401 },
    ],
    [
      'K401b',
      'E0501 10:00:00.000000   1234 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: the server has asked for the client to provide credentials"',
      { source: 'kubectl', status: 401 },
    ],
    [
      'K401c for the metrics API',
      "E0501 10:00:00.000000   1234 memcache.go:287] couldn't get resource list for metrics.eks.amazonaws.com/v1: the server has asked for the client to provide credentials",
      {
        path: '/apis/metrics.eks.amazonaws.com/v1',
        apiGroup: 'metrics.eks.amazonaws.com',
        verb: 'get',
        status: 401,
      },
    ],
    ['K401c core group', "couldn't get resource list for v1: Unauthorized", { path: '/api/v1', status: 401 }],
    [
      'K403 namespaced with subresource',
      'Error from server (Forbidden): pods "web-0" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "prod"',
      {
        status: 403,
        username: 'alice',
        verb: 'get',
        resource: 'pods',
        subresource: 'log',
        namespace: 'prod',
        name: 'web-0',
        apiGroup: '',
      },
    ],
    [
      'K403 aggregated API',
      'Error from server (Forbidden): kcm/metrics.metrics.eks.amazonaws.com is forbidden: User "arn:aws:sts::111122223333:assumed-role/dev/s" cannot get resource "kcm/metrics" in API group "metrics.eks.amazonaws.com" at the cluster scope',
      {
        resource: 'kcm',
        subresource: 'metrics',
        apiGroup: 'metrics.eks.amazonaws.com',
        principalArn: 'arn:aws:sts::111122223333:assumed-role/dev/s',
      },
    ],
    [
      'K403anon non-resource',
      'forbidden: User "system:anonymous" cannot get path "/"',
      { status: 403, username: 'system:anonymous', path: '/', verb: 'get' },
    ],
    [
      'impersonation denied',
      'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
      { verb: 'impersonate', resource: 'users', name: 'bob' },
    ],
    [
      'node identity',
      'nodes "ip-10-0-0-1" is forbidden: User "system:node:ip-10-0-0-1.ec2.internal" cannot patch resource "nodes/status" in API group "" at the cluster scope',
      { subresource: 'status' },
    ],
    [
      'escaped quotes in a klog err=',
      'E0501 reflector.go:158] "Unhandled Error" err="failed to list *v1.Secret: secrets is forbidden: User \\"system:serviceaccount:ci:runner\\" cannot list resource \\"secrets\\" in API group \\"\\" in the namespace \\"ci\\""',
      { username: 'system:serviceaccount:ci:runner', verb: 'list', resource: 'secrets', namespace: 'ci' },
    ],
    [
      'H401',
      'Error: Kubernetes cluster unreachable: the server has asked for the client to provide credentials',
      { source: 'helm', status: 401 },
    ],
    [
      'H401 query',
      'Error: query: failed to query with labels: Unauthorized',
      { source: 'helm', status: 401 },
    ],
    ['TF401 box', '│ Error: Unauthorized', { source: 'terraform', status: 401 }],
    [
      'LENS403',
      'Cluster dev does not have permissions to list namespaces. Please add the namespaces you have access to.',
      { source: 'lens', status: 403, verb: 'list', resource: 'namespaces' },
    ],
    [
      'Lens failure word',
      'Proxy request for clusterId="x" to url="/api/v1/namespaces/default/pods?watch=true" failed with FORBIDDEN',
      { source: 'lens', status: 403, verb: 'watch', resource: 'pods', namespace: 'default' },
    ],
    [
      'Argo CD',
      'ComparisonError: failed to load initial state of resource: the server has asked for the client to provide credentials',
      { source: 'argocd', status: 401 },
    ],
    [
      'console (new wording)',
      "Your current IAM principal doesn't have access to Kubernetes objects on this cluster.",
      { source: 'console' },
    ],
    [
      'ServiceUnavailable on metrics',
      'Error from server (ServiceUnavailable): the server is currently unable to handle the request (get pods.metrics.k8s.io)',
      { status: 503, resource: 'pods', apiGroup: 'metrics.k8s.io', verb: 'get' },
    ],
    [
      'verbose legacy request log',
      'I0501 10:00:00.1 1 round_trippers.go:438] GET https://AB.gr7.us-west-2.eks.amazonaws.com/api/v1/namespaces/kube-system/pods?limit=500 403 Forbidden in 12 milliseconds',
      { status: 403, verb: 'list', resource: 'pods', namespace: 'kube-system', region: 'us-west-2' },
    ],
  ])('%s', (_label, line, expected) => {
    expect(parseLogLine(line)).toMatchObject(expected);
  });

  it.each([
    ['system:anonymous', 'anonymous'],
    ['system:serviceaccount:ns:sa', 'serviceaccount-user'],
    ['system:node:ip-1', 'node-user'],
  ])('username %s proves %s', (username, fact) => {
    const incident = parseLogLine(
      `pods is forbidden: User "${username}" cannot list resource "pods" in API group "" at the cluster scope`,
    );
    expect(incident.facts).toContain(fact);
    expect(incident.principalArn).toBeUndefined();
  });
});

describe('exec plugin and AWS CLI errors', () => {
  it.each([
    [
      'exit code',
      'Unable to connect to the server: getting credentials: exec: executable aws failed with exit code 255',
      ['exec-plugin-failed'],
      'kubectl',
    ],
    [
      'not found',
      'Unable to connect to the server: getting credentials: exec: executable aws not found',
      ['exec-plugin-not-found'],
      'kubectl',
    ],
    [
      'v1alpha1',
      'error: exec plugin: invalid apiVersion "client.authentication.k8s.io/v1alpha1"',
      ['exec-api-version-v1alpha1'],
      'kubectl',
    ],
    [
      'no kind registered',
      'error: no kind "ExecCredential" is registered for version "client.authentication.k8s.io/v1alpha1" in scheme "pkg/runtime/scheme.go:100"',
      ['exec-api-version-v1alpha1'],
      undefined,
    ],
    [
      'SSO session',
      'Error when retrieving token from sso: Token has expired and refresh failed',
      ['sso-token-expired'],
      'aws-cli',
    ],
    [
      'no credentials',
      'Unable to locate credentials. You can configure credentials by running "aws configure".',
      ['no-credentials'],
      'aws-cli',
    ],
  ])('%s', (_label, line, facts, source) => {
    const incident = parseLogLine(line);
    expect(incident.facts).toEqual(facts);
    expect(incident.source).toBe(source);
    // Nothing reached the API server.
    expect(incident.status).toBeUndefined();
  });

  it.each([
    [
      'ResourceNotFoundException from DescribeAccessEntry',
      "An error occurred (ResourceNotFoundException) when calling the DescribeAccessEntry operation: The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.",
      { status: 404, awsAction: 'eks:DescribeAccessEntry', facts: ['aws-resource-not-found'] },
    ],
    [
      'DescribeCluster on a missing cluster',
      'An error occurred (ResourceNotFoundException) when calling the DescribeCluster operation: No cluster found for name: prod.',
      { status: 404, awsAction: 'eks:DescribeCluster', clusterName: 'prod' },
    ],
    [
      'access entries in CONFIG_MAP mode (FM-17)',
      "An error occurred (InvalidRequestException) when calling the CreateAccessEntry operation: The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.",
      { status: 400, awsAction: 'eks:CreateAccessEntry', facts: ['auth-mode-config-map-only'] },
    ],
    [
      'system: group (FM-36)',
      'An error occurred (InvalidParameterException) when calling the CreateAccessEntry operation: The kubernetes group name system:masters is invalid, it cannot start with system:',
      { status: 400, facts: ['system-group-rejected'] },
    ],
    [
      'IAM action outside EKS/STS',
      'An error occurred (AccessDenied) when calling the GetRole operation: User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:GetRole on resource: role x',
      { status: 403, awsAction: 'iam:GetRole', principalArn: 'arn:aws:iam::111122223333:user/bob' },
    ],
  ])('%s', (_label, line, expected) => {
    expect(parseLogLine(line)).toMatchObject({ source: 'aws-cli', ...expected });
  });

  it('the principal of an AssumeRole denial is the caller, not the role it tried', () => {
    const incident = parseLogLine(
      'An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::111122223333:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/admin',
    );
    expect(incident.principalArn).toBe('arn:aws:iam::111122223333:user/bob');
    expect(incident.facts).toEqual(['aws-access-denied', 'assume-role-denied']);
  });
});

describe('audit events', () => {
  const event = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: 'a',
    stage: 'ResponseComplete',
    requestURI: '/apis/metrics.eks.amazonaws.com/v1?timeout=32s',
    verb: 'get',
    user: {
      username: '',
      uid: 'aws-iam-authenticator:111122223333:AIDAEXAMPLE',
      groups: ['system:masters', 'system:authenticated'],
      extra: {
        accessKeyId: ['AKIAQNZGKIQY56JQ7WML'],
        arn: ['arn:aws:iam::111122223333:user/honggildong'],
        canonicalArn: ['arn:aws:iam::111122223333:user/honggildong'],
      },
    },
    responseStatus: { metadata: {}, code: 401 },
    requestReceivedTimestamp: '2024-05-01T10:00:00.000000Z',
  };

  it('an authenticated request with an empty username (FM-45)', () => {
    const incident = parseLogLine(JSON.stringify({ ...event, responseStatus: { code: 200 } }));
    expect(incident).toMatchObject({
      source: 'audit',
      username: '',
      uid: 'aws-iam-authenticator:111122223333:AIDAEXAMPLE',
      principalArn: 'arn:aws:iam::111122223333:user/honggildong',
      accessKeyId: 'AKIAQNZGKIQY56JQ7WML',
      path: '/apis/metrics.eks.amazonaws.com/v1',
      verb: 'get',
      time: '2024-05-01T10:00:00.000000Z',
    });
    expect(incident.facts).toEqual(['empty-username']);
  });

  it('a failed authentication is audited without a user: not an empty-username fact', () => {
    const failed = {
      ...event,
      user: {},
      responseStatus: { code: 401, message: 'Authentication failed, attempted: bearer' },
    };
    const incident = parseLogLine(JSON.stringify(failed));
    expect(incident.status).toBe(401);
    expect(incident.facts).toEqual(['unauthorized']);
  });

  it('NDJSON and EventList: the denied event leads', () => {
    const allowed = {
      ...event,
      requestURI: '/api/v1/namespaces',
      user: { username: 'alice' },
      responseStatus: { code: 200 },
    };
    const denied = {
      ...event,
      requestURI: '/api/v1/namespaces/prod/secrets',
      verb: 'list',
      user: { username: 'bob' },
      objectRef: { resource: 'secrets', namespace: 'prod', apiVersion: 'v1' },
      impersonatedUser: { username: 'carol' },
      responseStatus: { code: 403 },
      annotations: { 'authorization.k8s.io/decision': 'forbid' },
    };
    const fromList = parseLogLine(
      JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [allowed, denied] }),
    );
    expect(fromList).toMatchObject({
      username: 'bob',
      status: 403,
      resource: 'secrets',
      namespace: 'prod',
      apiGroup: '',
    });
    expect(fromList.facts).toEqual(['forbidden', 'impersonation']);
    const ndjson = parseLogLines([JSON.stringify(denied), JSON.stringify(allowed)].join('\n'));
    expect(ndjson.username).toBe('bob');
  });
});

describe('merging and endpoints', () => {
  it('several lines merge into one incident; the first value wins, facts accumulate', () => {
    const incident = parseLogLines([
      "E0501 memcache.go:287] couldn't get resource list for metrics.eks.amazonaws.com/v1: the server has asked for the client to provide credentials",
      'NAME   STATUS   AGE',
      'Error from server (Forbidden): secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "default"',
    ]);
    expect(incident).toMatchObject({
      status: 401,
      path: '/apis/metrics.eks.amazonaws.com/v1',
      username: 'alice',
    });
    expect(incident.facts?.slice().sort()).toEqual([
      'aggregated-api-discovery-failed',
      'forbidden',
      'unauthorized',
    ]);
  });

  it('a pretty-printed JSON body split into lines (as `parse -` or logLines deliver it) is still read whole', () => {
    const body = JSON.stringify(
      {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      },
      null,
      2,
    );
    expect(parseLogLines(body.split('\n'))).toEqual({
      source: 'kube-apiserver',
      status: 401,
      reason: 'Unauthorized',
      facts: ['unauthorized'],
    });
  });

  it.each([
    [
      'https://ABCDEF.gr7.us-west-2.eks.amazonaws.com',
      { endpoint: 'https://ABCDEF.gr7.us-west-2.eks.amazonaws.com', region: 'us-west-2' },
    ],
    ['https://ABCDEF.yl4.us-gov-west-1.eks.amazonaws.com/api', { region: 'us-gov-west-1' }],
    ['https://ABCDEF.sk1.cn-north-1.eks.amazonaws.com.cn', { region: 'cn-north-1' }],
  ])('endpoint %s gives region only', (text, expected) => {
    const incident = parseLogLine(
      `Unable to connect to the server: dial tcp: lookup ${text.replace('https://', '')}: no such host ${text}`,
    );
    expect(incident).toMatchObject(expected);
    expect(incident.clusterName).toBeUndefined();
  });

  it.each([
    [
      'cluster ARN',
      'Updated context arn:aws:eks:eu-west-1:111122223333:cluster/prod in /home/u/.kube/config',
      { clusterName: 'prod', region: 'eu-west-1' },
    ],
    [
      'eksctl context',
      'kubectl config use-context alice@prod-eks.us-east-2.eksctl.io',
      { clusterName: 'prod-eks', region: 'us-east-2' },
    ],
  ])('%s names the cluster', (_label, text, expected) => {
    expect(parseLogLine(text)).toMatchObject(expected);
  });

  it('policy and OIDC ARNs are not principals', () => {
    const incident = parseLogLine(
      'policy arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy and arn:aws:iam::aws:policy/ReadOnlyAccess and arn:aws:iam::111122223333:oidc-provider/oidc.eks',
    );
    expect(incident.principalArn).toBeUndefined();
  });

  it('unknown text yields an empty incident with a hint', () => {
    for (const text of ['', '   ', 'hello world', 'NAME READY STATUS\nweb 1/1 Running']) {
      const incident = parseLogLine(text);
      expect(Object.keys(incident)).toEqual(['hint']);
      expect(incident.hint).toMatch(/paste/);
    }
  });

  it('every fact the parsers emit is declared in FACTS', () => {
    const samples = [
      SEED,
      'level=warning msg="access denied" error="sts getCallerIdentity failed: x" path=/authenticate',
      'Unable to authenticate the request due to an error: [invalid bearer token, x509: certificate signed by unknown authority]',
      'Jun 06 ip kubelet[1]: Unable to register node with API server: Unauthorized',
    ];
    const declared = new Set<string>(FACTS);
    for (const text of samples) {
      for (const fact of parseLogLine(text).facts ?? []) expect(declared).toContain(fact);
    }
  });
});

describe('a later, more specific line corrects the source and the principal', () => {
  it.each([
    [
      'a Terraform frame outranks the Helm text it wraps',
      [
        'Error: Kubernetes cluster unreachable: the server has asked for the client to provide credentials',
        '  with helm_release.karpenter',
        '  on main.tf line 149, in resource "helm_release" "karpenter":',
      ],
      'terraform',
    ],
    [
      "kubectl's own error line outranks the Status body it logged at -v=8",
      [
        'I0929 11:41:14.795976  551862 request.go:1351] Response Body: {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}',
        'error: You must be logged in to the server (Unauthorized)',
      ],
      'kubectl',
    ],
    [
      "Lens's proxy log outranks the exec plugin's text printed above it",
      [
        'could not get token: NoCredentialProviders: no valid providers in chain. Deprecated.',
        'E0524 17:11:48.238040 95142 proxy_server.go:147] Error while proxying request: getting credentials: exec: executable /usr/local/bin/aws-iam-authenticator failed with exit code 1',
      ],
      'lens',
    ],
    [
      'equal ranks keep the first',
      [
        'could not get token: AccessDenied: Access denied',
        'An error occurred (AccessDenied) when calling the AssumeRole operation: denied',
      ],
      'exec-plugin',
    ],
  ])('%s', (_label, lines, source) => {
    expect(parseLogLines(lines.join('\n')).source).toBe(source);
  });

  it('`User: <arn>` outranks the ARN of an echoed command (the role it asked for, not the caller)', () => {
    const incident = parseLogLines(
      [
        '$ aws eks get-token --cluster-name foo-apps-us-east-2 --role arn:aws:iam::123456789:role/foo-ci-pr',
        'An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::123456789:assumed-role/foo-ci-pr/my-session is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789:role/foo-ci-pr',
      ].join('\n'),
    );
    expect(incident).toMatchObject({
      principalArn: 'arn:aws:sts::123456789:assumed-role/foo-ci-pr/my-session',
      clusterName: 'foo-apps-us-east-2',
      source: 'aws-cli',
    });
  });

  it('a bare ARN stays when nothing explicit follows, and the first explicit value still wins', () => {
    expect(
      parseLogLines('aws eks get-token --cluster-name c --role-arn arn:aws:iam::111122223333:role/admin')
        .principalArn,
    ).toBe('arn:aws:iam::111122223333:role/admin');
    const two = parseLogLines(
      [
        'time="2024-05-01T10:00:00Z" level=warning msg="access denied" arn="arn:aws:iam::111122223333:user/alice" error="ARN is not mapped" path=/authenticate',
        'An error occurred (AccessDenied) when calling the GetRole operation: User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:GetRole',
      ].join('\n'),
    );
    expect(two.principalArn).toBe('arn:aws:iam::111122223333:user/alice');
  });
});

describe('pasted commands and banners name the cluster and region', () => {
  it.each([
    ['# eksctl get nodegroup -c eng-np-eks', { clusterName: 'eng-np-eks' }],
    [
      'aws eks --region eu-west-1 update-kubeconfig --name erp-eks-cluster',
      { clusterName: 'erp-eks-cluster', region: 'eu-west-1' },
    ],
    [
      'eksctl create iamidentitymapping --cluster=orders --region us-east-2',
      { clusterName: 'orders', region: 'us-east-2' },
    ],
    ['eksctl utils write-kubeconfig --name prod-1', {}],
    ['eksctl get cluster --name prod-1 -r ap-south-1', { clusterName: 'prod-1', region: 'ap-south-1' }],
    ['[ℹ]  using region eu-west-1', { region: 'eu-west-1' }],
    ['kubectl get pods --cluster my-context -n kube-system', {}],
  ])('%s', (text, expected) => {
    const incident = parseLogLines(text);
    expect({ clusterName: incident.clusterName, region: incident.region }).toEqual({
      clusterName: undefined,
      region: undefined,
      ...expected,
    });
  });
});

describe('decorations: colour codes, boxes and timestamps', () => {
  it('ANSI colour codes of a CI log are stripped before matching', () => {
    const incident = parseLogLines(
      '\u001b[31m│\u001b[0m \u001b[0m\u001b[1m\u001b[31mError: \u001b[0m\u001b[0m\u001b[1mUnauthorized\u001b[0m\n\u001b[31m│\u001b[0m \u001b[0m  with module.eks.kubernetes_config_map.aws_auth[0],',
    );
    expect(incident).toMatchObject({ source: 'terraform', status: 401, facts: ['unauthorized'] });
  });

  it('a `│ … │` box is one message wrapped at the box width, and not a Terraform frame', () => {
    const incident = parseLogLines(
      [
        '│  +  kubernetes:rbac.authorization.k8s.io/v1:ClusterRole lws-metrics-reader **creating failed** error:     │',
        '│ configured Kubernetes cluster is unreachable: unable to load schema information from the API server: the  │',
        '│ server has asked for the client to provide credentials                                                    │',
      ].join('\n'),
    );
    expect(incident).toEqual({ status: 401, facts: ['unauthorized'] });
  });

  it.each([
    [
      '2020-12-11 15:06:31 UTC+0200 | TestResource | CREATE_FAILED | Error: At Create NS - Unauthorized',
      '2020-12-11T15:06:31+02:00',
    ],
    ['2024-03-01 08:00:00 UTC | Unauthorized', '2024-03-01T08:00:00Z'],
    ['2020-06-23T15:47:43.053+0100 [DEBUG] Unauthorized', '2020-06-23T15:47:43.053+01:00'],
    [
      'level=error ts=2021-01-18T13:50:37.349Z caller=klog.go:96 msg="x: Unauthorized"',
      '2021-01-18T13:50:37.349Z',
    ],
    ['2022-09-23 10:48:11.3446 error   Unauthorized', undefined],
    ['2025-12-20T10:00:00.000Z', undefined],
  ])('%s → time %s', (text, time) => {
    expect(parseLogLines(text).time).toBe(time);
  });
});

describe('Kubernetes phrasings beyond the canonical forbidden message', () => {
  it("the kubelet's `Forbidden (user=…, verb=…, resource=…, subresource=…)` behind kubectl exec/logs", () => {
    expect(
      parseLogLine(
        'error: unable to upgrade connection: Forbidden (user=arn:aws:iam::123456789012:assumed-role/my-role/session, verb=create, resource=nodes, subresource=proxy)',
      ),
    ).toEqual({
      source: 'kubectl',
      status: 403,
      username: 'arn:aws:iam::123456789012:assumed-role/my-role/session',
      principalArn: 'arn:aws:iam::123456789012:assumed-role/my-role/session',
      verb: 'create',
      resource: 'nodes',
      subresource: 'proxy',
      facts: ['forbidden'],
    });
  });

  it('the pre-1.11 RBAC message: its verb, not the `(get pods)` kubectl suffix', () => {
    expect(
      parseLogLine(
        'Error from server (Forbidden): User "sally" cannot list pods in the namespace "default". (get pods)',
      ),
    ).toMatchObject({
      source: 'kubectl',
      status: 403,
      username: 'sally',
      verb: 'list',
      resource: 'pods',
      namespace: 'default',
    });
    expect(
      parseLogLine('User "system:anonymous" cannot get nodes.metrics.k8s.io at the cluster scope.'),
    ).toMatchObject({
      username: 'system:anonymous',
      verb: 'get',
      resource: 'nodes',
      apiGroup: 'metrics.k8s.io',
    });
  });

  it('a reflector reports the inner LIST under the outer watch: the verb is list', () => {
    expect(
      parseLogLine('E1120 reflector.go:147] Failed to watch *v1.Node: failed to list *v1.Node: Unauthorized'),
    ).toMatchObject({ status: 401, verb: 'list', resource: 'nodes' });
  });

  it.each([
    [
      'kubelet[4226]: E1009 kubelet_node_status.go:377] Error updating node status, will retry: error getting node "ip-172-26-0-213.ec2.internal": Unauthorized',
      { verb: 'get', resource: 'nodes', name: 'ip-172-26-0-213.ec2.internal', status: 401 },
    ],
    ['Error: re-listing nodes: Unauthorized', { verb: 'list', resource: 'nodes', status: 401 }],
    [
      "Error: getting nodegroup's kubernetes version: failed to list nodes: Unauthorized",
      { verb: 'list', resource: 'nodes', status: 401 },
    ],
  ])('%s', (text, expected) => {
    expect(parseLogLine(text)).toMatchObject(expected);
  });

  it('prose calls are read only when a 401/403 follows', () => {
    const incident = parseLogLine('failed to list files: permission denied');
    expect(incident.verb).toBeUndefined();
    expect(incident.resource).toBeUndefined();
  });

  it("kubelet's CSI plugin message names a kubelet client", () => {
    expect(
      parseLogLine('Failed to contact API server when waiting for CSINode publishing: Unauthorized').facts,
    ).toEqual(['unauthorized', 'kubelet-client']);
  });
});

describe('AWS error shapes', () => {
  it('a zap/controller-runtime JSON record: the error field, the denied action, the record time', () => {
    const incident = parseLogLines(
      '{"level":"error","ts":1651073143.6192567,"msg":"Reconciler error","error":"AccessDenied: User: arn:aws:sts::700849607999:assumed-role/node/i-015251056f40ce440 is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers because no identity-based policy allows the elasticloadbalancing:DescribeLoadBalancers action\\n\\tstatus code: 403, request id: 89923814"}',
    );
    expect(incident).toMatchObject({
      status: 403,
      awsAction: 'elasticloadbalancing:DescribeLoadBalancers',
      principalArn: 'arn:aws:sts::700849607999:assumed-role/node/i-015251056f40ce440',
      time: '2022-04-27T15:25:43.619Z',
      facts: ['aws-access-denied'],
    });
  });

  it('a Go SDK error code after a plain word (Karpenter)', () => {
    expect(
      parseLogLine(
        'ERROR\tcontroller.provisioning\tCould not launch node, launching instances, creating fleet UnauthorizedOperation: You are not authorized to perform this operation.',
      ),
    ).toMatchObject({ status: 403, facts: ['aws-access-denied'] });
    expect(parseLogLine('Error: AccessDenied: Access denied')).toMatchObject({ status: 403 });
  });

  it("SDK v2's empty credential chain: the action it tried, no credentials, and the IMDS URL is not a Kubernetes path", () => {
    const incident = parseLogLine(
      'Error: checking AWS STS access – cannot get role ARN for current session: operation error STS: GetCallerIdentity, failed to sign request: failed to retrieve credentials: failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, request send failed, Get "http://169.254.169.254/latest/meta-data/iam/security-credentials/": dial tcp 169.254.169.254:80: connect: network unreachable',
    );
    expect(incident).toEqual(
      expect.objectContaining({ awsAction: 'sts:GetCallerIdentity', facts: ['no-credentials'] }),
    );
    expect(incident.path).toBeUndefined();
    expect(incident.verb).toBeUndefined();
  });

  it('a credential chain that failed on an HTTP error is not "no credentials"', () => {
    const incident = parseLogLine(
      'operation error STS: GetCallerIdentity, failed to sign request: failed to retrieve credentials: failed to refresh cached credentials, operation error STS: AssumeRole, https response error StatusCode: 403, RequestID: 1, api error AccessDenied: User: arn:aws:iam::111122223333:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/x',
    );
    expect(incident).toMatchObject({ awsAction: 'sts:AssumeRole', status: 403 });
    expect(incident.facts).not.toContain('no-credentials');
  });

  it.each([
    ['Get "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity": EOF', undefined],
    [
      'Get "https://10.0.0.1:443/api/v1/namespaces/default/pods": Unauthorized',
      '/api/v1/namespaces/default/pods',
    ],
    ['Get "https://example.com/some/page": EOF', undefined],
  ])('Go URL errors name a Kubernetes request only: %s', (text, path) => {
    expect(parseLogLine(text).path).toBe(path);
  });

  it.each([
    [
      'pretty-printed JSON with a trailing comma',
      '{\n  "Error": {\n    "Code": "SignatureDoesNotMatch",\n    "Message": "The request signature we calculated does not match",\n    "Type": "Sender"\n  },\n}',
    ],
    [
      'single-line JSON',
      '{"Error":{"Code":"SignatureDoesNotMatch","Message":"The request signature we calculated does not match","Type":"Sender"},"RequestId":"1"}',
    ],
    [
      'XML',
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error></ErrorResponse>',
    ],
  ])("an STS error body (%s): STS's facts, and no status (the Kubernetes client saw 401)", (_label, text) => {
    const incident = parseLogLines(text);
    expect(incident.facts).toContain('sts-signature-mismatch');
    expect(incident.status).toBeUndefined();
  });

  it("the authenticator's verify text around an STS body keeps its own reason", () => {
    expect(
      parseLogLine(
        'could not verify token: sts getCallerIdentity failed: error from AWS (expected 200, got 403). Body: {"Error":{"Code":"SignatureDoesNotMatch","Message":"The request signature we calculated does not match","Type":"Sender"},"RequestId":"1"}',
      ),
    ).toEqual({
      reason: 'sts getCallerIdentity failed: error from AWS (expected 200, got 403). Body: {',
      facts: ['sts-signature-mismatch'],
    });
  });

  it('`could not get token: NoCredentialProviders` is the exec plugin (Go SDK v1), not the AWS CLI', () => {
    expect(
      parseLogLine('could not get token: NoCredentialProviders: no valid providers in chain. Deprecated.'),
    ).toEqual({ source: 'exec-plugin', facts: ['no-credentials'] });
  });

  it('IAM denial text without an error code still names the action', () => {
    expect(
      parseLogLine(
        'User: arn:aws:sts::444455556666:assumed-role/qa/tom is not authorized to perform: eks:ListAccessEntries',
      ),
    ).toMatchObject({
      awsAction: 'eks:ListAccessEntries',
      principalArn: 'arn:aws:sts::444455556666:assumed-role/qa/tom',
      facts: ['aws-access-denied'],
    });
  });
});

describe('tool frames', () => {
  it.each([
    [
      'Failed to load live state: failed to get managed objects: failed to discover server resources for group version v1: Unauthorized',
      'argocd',
    ],
    [
      'Error: create: failed to create: secrets is forbidden: User "u" cannot create resource "secrets" in API group "" in the namespace "polaris"',
      'helm',
    ],
    [
      'error:   ▪ [CLUSTER]: Failed to connect to "prod": StatusCodeError: 401 - {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401} +5ms',
      'lens',
    ],
    [
      'F1103 22:14:30.475899 3315 main.go:82] failed to initialize proxyexec plugin: invalid apiVersion "client.authentication.k8s.io/v1alpha1"',
      'lens',
    ],
    [
      'assumego Error while proxying request: getting credentials: decoding stdout: yaml: line 3: mapping values are not allowed in this context',
      'exec-plugin',
    ],
  ])('%s → %s', (text, source) => {
    expect(parseLogLine(text).source).toBe(source);
  });

  it('a plugin whose stdout is not an ExecCredential failed; an old apiVersion is its own fact', () => {
    expect(
      parseLogLine('Error while proxying request: getting credentials: decoding stdout: yaml: line 3: bad')
        .facts,
    ).toEqual(['exec-plugin-failed']);
    expect(
      parseLogLine(
        'Post "https://x.gr7.us-east-1.eks.amazonaws.com/api/v1/namespaces/kube-system/serviceaccounts": getting credentials: decoding stdout: no kind "ExecCredential" is registered for version "client.authentication.k8s.io/v1alpha1" in scheme "pkg/runtime/scheme.go:100"',
      ).facts,
    ).toEqual(['exec-api-version-v1alpha1']);
  });
});

describe('formatIncident', () => {
  it('prints one aligned line per field', () => {
    expect(formatIncident(parseLogLine(SEED))).toBe(
      [
        'source     lens',
        'status     401',
        'verb       get',
        'path       /apis/metrics.eks.amazonaws.com/v1',
        'api group  metrics.eks.amazonaws.com',
        'facts      unauthorized',
      ].join('\n'),
    );
  });

  it('shows an empty username explicitly and prints the hint for unknown text', () => {
    expect(formatIncident({ username: '' })).toBe('username  "" (empty)');
    expect(formatIncident(parseLogLine('nothing here'))).toMatch(/^nothing recognisable/);
  });

  it('never prints token material even if a reason carries it', () => {
    const out = formatIncident({
      reason: 'bad k8s-aws-v1.aHR0cHM6Ly9zdHM and X-Amz-Signature=abc123&X-Amz-Security-Token=SECRET',
    });
    expect(out).toBe('reason  bad k8s-aws-v1.*** and X-Amz-Signature=***&X-Amz-Security-Token=***');
  });
});
