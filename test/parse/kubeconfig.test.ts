import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/errors.js';
import { parseLogLines, readKubeconfig } from '../../src/parse/index.js';

const ARN = 'arn:aws:eks:us-west-2:111122223333:cluster/prod';
const SERVER = 'https://ABCDEF0123456789ABCDEF0123456789.gr7.us-west-2.eks.amazonaws.com';

/** What `aws eks update-kubeconfig --name prod --region us-west-2 --profile admin` writes, as `config view` shows it. */
function updateKubeconfig(
  overrides: { args?: string[]; apiVersion?: string; env?: unknown; server?: string } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': ARN,
    clusters: [
      {
        name: ARN,
        cluster: { server: overrides.server ?? SERVER, 'certificate-authority-data': 'DATA+OMITTED' },
      },
    ],
    contexts: [{ name: ARN, context: { cluster: ARN, user: ARN } }],
    users: [
      {
        name: ARN,
        user: {
          exec: {
            apiVersion: overrides.apiVersion ?? 'client.authentication.k8s.io/v1beta1',
            command: 'aws',
            args: overrides.args ?? [
              '--region',
              'us-west-2',
              'eks',
              'get-token',
              '--cluster-name',
              'prod',
              '--output',
              'json',
            ],
            env: overrides.env === undefined ? [{ name: 'AWS_PROFILE', value: 'admin' }] : overrides.env,
          },
        },
      },
    ],
  };
}

describe('readKubeconfig', () => {
  it('reads the context written by aws eks update-kubeconfig', () => {
    const facts = readKubeconfig(updateKubeconfig());
    expect(facts).toEqual({
      contextName: ARN,
      clusterName: 'prod',
      region: 'us-west-2',
      endpoint: SERVER,
      user: ARN,
      exec: {
        command: 'aws',
        args: ['--region', 'us-west-2', 'eks', 'get-token', '--cluster-name', 'prod', '--output', 'json'],
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        env: { AWS_PROFILE: 'admin' },
        roleArn: undefined,
        profile: 'admin',
        clusterIdArg: 'prod',
        usesClusterId: false,
      },
      problems: [],
    });
  });

  it.each([
    [
      'role assumed by the exec plugin (FM-03/FM-04)',
      {
        args: [
          'eks',
          'get-token',
          '--cluster-name',
          'prod',
          '--role-arn',
          'arn:aws:iam::111122223333:role/admin',
        ],
      },
      { roleArn: 'arn:aws:iam::111122223333:role/admin' },
    ],
    [
      'aws-iam-authenticator -i / -r',
      { args: ['token', '-i', 'prod', '-r', 'arn:aws:iam::1:role/x'] },
      { clusterIdArg: 'prod', roleArn: 'arn:aws:iam::1:role/x' },
    ],
    [
      '--flag=value form',
      { args: ['eks', 'get-token', '--cluster-name=prod', '--profile=ops'], env: null },
      { clusterIdArg: 'prod', profile: 'ops' },
    ],
    [
      'Outposts --cluster-id',
      { args: ['eks', 'get-token', '--cluster-id', 'b1c2d3'] },
      { clusterIdArg: 'b1c2d3', usesClusterId: true },
    ],
  ])('reads the exec plugin: %s', (_label, overrides, expected) => {
    expect(readKubeconfig(updateKubeconfig(overrides)).exec).toMatchObject(expected);
  });

  it.each([
    [
      'v1alpha1 exec apiVersion (FM-02)',
      { apiVersion: 'client.authentication.k8s.io/v1alpha1' },
      'exec-api-version-v1alpha1',
    ],
    [
      'token signed for another cluster (FM-07)',
      { args: ['eks', 'get-token', '--cluster-name', 'staging'] },
      'kubeconfig-cluster-name-mismatch',
    ],
    [
      'server of another region (FM-08)',
      { server: 'https://AB.gr7.eu-west-1.eks.amazonaws.com' },
      'kubeconfig-region-mismatch',
    ],
  ])('flags %s', (_label, overrides, fact) => {
    expect(readKubeconfig(updateKubeconfig(overrides)).problems.map((p) => p.fact)).toEqual([fact]);
  });

  it('masks secret-looking exec environment values', () => {
    const facts = readKubeconfig(
      updateKubeconfig({
        env: [
          { name: 'AWS_ACCESS_KEY_ID', value: 'AKIAQNZGKIQY56JQ7WML' },
          { name: 'AWS_SECRET_ACCESS_KEY', value: 'super-secret' },
          { name: 'AWS_SESSION_TOKEN', value: 'also-secret' },
        ],
      }),
    );
    expect(facts.exec?.env).toEqual({
      AWS_ACCESS_KEY_ID: 'AKIAQNZGKIQY56JQ7WML',
      AWS_SECRET_ACCESS_KEY: '***',
      AWS_SESSION_TOKEN: '***',
    });
    expect(JSON.stringify(facts)).not.toContain('secret');
  });

  it('flags a static token and a user without credentials', () => {
    const withToken = updateKubeconfig();
    withToken.users[0]!.user = { token: 'REDACTED' } as never;
    const statik = readKubeconfig(withToken);
    expect(statik.token).toBe('static');
    expect(statik.problems.map((p) => p.fact)).toEqual(['kubeconfig-static-token']);
    const empty = updateKubeconfig();
    empty.users[0]!.user = {} as never;
    expect(readKubeconfig(empty).problems.map((p) => p.fact)).toEqual(['kubeconfig-no-credentials']);
  });

  it('reads YAML text and picks the requested context', () => {
    const yaml = `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster: {server: 'https://AAAA.yl4.eu-central-1.eks.amazonaws.com'}
- name: prod
  cluster: {server: '${SERVER}'}
contexts:
- name: dev
  context: {cluster: dev, user: dev}
- name: alice@prod.us-west-2.eksctl.io
  context: {cluster: prod, user: prod}
users:
- name: dev
  user: {exec: {command: aws, args: [eks, get-token, --cluster-name, dev]}}
- name: prod
  user: {exec: {command: aws, args: [eks, get-token, --cluster-name, prod]}}
`;
    expect(readKubeconfig(yaml)).toMatchObject({
      contextName: 'dev',
      clusterName: 'dev',
      region: 'eu-central-1',
    });
    expect(readKubeconfig(yaml, 'alice@prod.us-west-2.eksctl.io')).toMatchObject({
      clusterName: 'prod',
      region: 'us-west-2',
      endpoint: SERVER,
    });
  });

  it.each([
    ['not YAML', 'clusters: [unclosed'],
    ['a number', 42],
    ['an empty object', {}],
    [
      'an alias bomb',
      `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nclusters: []`,
    ],
  ])('rejects %s with InputError', (_label, input) => {
    expect(() => readKubeconfig(input)).toThrow(InputError);
  });

  it('rejects an unknown --context', () => {
    expect(() => readKubeconfig(updateKubeconfig(), 'nope')).toThrow(/context "nope" not found/);
  });
});

describe('kubeconfig pasted into parse', () => {
  it('feeds cluster, region, endpoint and problems into the incident', () => {
    const config = updateKubeconfig({ apiVersion: 'client.authentication.k8s.io/v1alpha1' });
    for (const text of [JSON.stringify(config, null, 2), toYaml(config)]) {
      const incident = parseLogLines(text);
      expect(incident).toMatchObject({
        source: 'kubeconfig',
        clusterName: 'prod',
        region: 'us-west-2',
        endpoint: SERVER,
      });
      expect(incident.facts).toEqual(['exec-api-version-v1alpha1']);
    }
  });

  it('an error line pasted before the kubeconfig keeps its source', () => {
    const incident = parseLogLines([
      'error: You must be logged in to the server (Unauthorized)',
      JSON.stringify(updateKubeconfig()),
    ]);
    expect(incident).toMatchObject({ source: 'kubectl', status: 401, clusterName: 'prod' });
  });
});

function toYaml(config: ReturnType<typeof updateKubeconfig>): string {
  const user = config.users[0]!.user.exec;
  return `apiVersion: v1
clusters:
- cluster:
    server: ${SERVER}
  name: ${ARN}
contexts:
- context:
    cluster: ${ARN}
    user: ${ARN}
  name: ${ARN}
current-context: ${ARN}
kind: Config
users:
- name: ${ARN}
  user:
    exec:
      apiVersion: ${user.apiVersion}
      command: aws
      args: [${user.args.join(', ')}]
`;
}
