/**
 * A pasted 403 names the resource, not the URL: without --path the replay evaluates the request the line names
 * (its verb, group, resource, namespace and name), not the discovery request GET /api.
 */
import { describe, expect, it } from 'vitest';
import { diagnoseDetailed } from '../../src/engine/diagnose.js';
import { pathOfIncident } from '../../src/k8s/incident-request.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { VIEW, build, entry, role } from '../helpers/build.js';

const DEV = role('developers');
const forbidden = (what: string, verb: string, resource: string, group: string, ns?: string) =>
  `Error from server (Forbidden): ${what} is forbidden: User "${DEV}" cannot ${verb} resource "${resource}" ` +
  `in API group "${group}"${ns ? ` in the namespace "${ns}"` : ' at the cluster scope'}`;

describe('the request a pasted error names', () => {
  /** A developer with the view policy in `qa`, and a snapshot incident that names no request. */
  const viewer = (): Snapshot => {
    const snapshot = build({
      mode: 'API',
      principal: DEV,
      entries: [entry(DEV, { policies: [[VIEW, { type: 'namespace', namespaces: ['qa'] }]] })],
    });
    delete snapshot.incident?.path;
    delete snapshot.incident?.verb;
    return snapshot;
  };

  it.each([
    {
      name: 'a namespaced read the view policy does not cover (kube-system)',
      line: forbidden('configmaps "aws-auth"', 'get', 'configmaps', '', 'kube-system'),
      path: '/api/v1/namespaces/kube-system/configmaps/aws-auth',
      verb: 'get',
      outcome: 'forbidden',
    },
    {
      name: 'a write in the namespace the view policy covers',
      line: forbidden('deployments.apps "web"', 'patch', 'deployments', 'apps', 'qa'),
      path: '/apis/apps/v1/namespaces/qa/deployments/web',
      verb: 'patch',
      outcome: 'forbidden',
    },
    {
      name: 'a read in the covered namespace (the view policy allows it)',
      line: forbidden('pods', 'list', 'pods', '', 'qa'),
      path: '/api/v1/namespaces/qa/pods',
      verb: 'list',
      outcome: 'allowed',
    },
    {
      name: 'a cluster-scoped list',
      line: forbidden('nodes', 'list', 'nodes', ''),
      path: '/api/v1/nodes',
      verb: 'list',
      outcome: 'forbidden',
    },
  ])('$name', ({ line, path, verb, outcome }) => {
    const { report, simulation } = diagnoseDetailed(viewer(), { logLines: [line] });
    expect(simulation.request.path).toBe(path);
    expect(simulation.request.verb).toBe(verb);
    expect(simulation.outcome).toBe(outcome);
    expect(report.notes?.[0]).toBe(
      `No request path was given: evaluated ${verb} ${path}, the request the pasted error names.`,
    );
  });

  it('an explicit path wins over the pasted line', () => {
    const line = forbidden('configmaps "aws-auth"', 'get', 'configmaps', '', 'kube-system');
    const { simulation, report } = diagnoseDetailed(viewer(), {
      logLines: [line],
      path: '/api/v1/namespaces/qa/pods',
    });
    expect(simulation.request.path).toBe('/api/v1/namespaces/qa/pods');
    expect(report.notes?.some((n) => n.startsWith('No request path was given'))).toBe(false);
  });

  it('a line without a resource still evaluates GET /api and says so', () => {
    const { simulation, report } = diagnoseDetailed(viewer(), {
      logLines: ['error: You must be logged in to the server (Unauthorized)'],
    });
    expect(simulation.request.path).toBe('/api');
    expect(report.notes?.[0]).toMatch(/discovery request GET \/api/);
  });
});

describe('pathOfIncident', () => {
  const withApiServices = (versions: Array<[string, number]>): Snapshot => ({
    schemaVersion: 1,
    apiServices: {
      status: 'ok',
      data: versions.map(([version, versionPriority]) => ({
        metadata: { name: `${version}.metrics.k8s.io` },
        spec: {
          group: 'metrics.k8s.io',
          version,
          versionPriority,
          service: { name: 'metrics-server', namespace: 'kube-system' },
        },
      })),
    },
  });

  it.each([
    {
      incident: { resource: 'pods', namespace: 'qa', name: 'web-0', subresource: 'log' },
      path: '/api/v1/namespaces/qa/pods/web-0/log',
    },
    { incident: { resource: 'pods', subresource: 'log' }, path: '/api/v1/pods' },
    {
      incident: { resource: 'leases', apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease' },
      path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
    },
    {
      incident: { resource: 'secrets', namespace: 'a b', name: 'x/y' },
      path: '/api/v1/namespaces/a%20b/secrets/x%2Fy',
    },
    { incident: { resource: '' }, path: undefined },
    { incident: { resource: 'Pods Foo' }, path: undefined },
    { incident: {}, path: undefined },
  ])('$incident → $path', ({ incident, path }) => {
    expect(pathOfIncident(incident, { schemaVersion: 1 })).toBe(path);
  });

  it('an aggregated group takes the version its APIServices serve, the highest priority first', () => {
    const incident = { resource: 'pods', apiGroup: 'metrics.k8s.io', namespace: 'qa' };
    expect(pathOfIncident(incident, withApiServices([['v1beta1', 100]]))).toBe(
      '/apis/metrics.k8s.io/v1beta1/namespaces/qa/pods',
    );
    expect(
      pathOfIncident(
        incident,
        withApiServices([
          ['v1alpha1', 10],
          ['v1beta2', 200],
          ['v1beta1', 100],
        ]),
      ),
    ).toBe('/apis/metrics.k8s.io/v1beta2/namespaces/qa/pods');
    expect(pathOfIncident(incident, { schemaVersion: 1 })).toBe('/apis/metrics.k8s.io/v1/namespaces/qa/pods');
  });
});

describe('the verdict when only the observed status decides it', () => {
  it('says the evidence does not show why, instead of the skipped stage detail', () => {
    const line = forbidden('configmaps "aws-auth"', 'get', 'configmaps', '', 'kube-system');
    const { report } = diagnoseDetailed({ schemaVersion: 1 }, { logLines: [line] });
    expect(report.verdict.outcome).toBe('forbidden');
    expect(report.verdict.summary).toMatch(
      /^403 Forbidden at the authorization stage: observed, but the evidence at hand does not show why \(mapping: /,
    );
    expect(report.verdict.summary).not.toContain('not reached');
  });
});

describe('an ARN in pasted text that does not parse', () => {
  it('is set aside with a note instead of failing the STS stage', () => {
    const line =
      'Error from server (Forbidden): pods is forbidden: User "arn:aws:iam::123456789:user/x" cannot list resource "pods" in API group "" in the namespace "default"';
    const { report, simulation } = diagnoseDetailed({ schemaVersion: 1 }, { logLines: [line] });
    expect(simulation.principal).toBeUndefined();
    expect(report.verdict.outcome).toBe('forbidden');
    expect(report.verdict.summary).not.toMatch(/canonicalize/);
    expect(report.notes).toContain(
      'The pasted text names "arn:aws:iam::123456789:user/x", which is not a valid IAM ARN (redacted?): pass --principal ARN to replay it.',
    );
  });

  it('an explicit principal still wins, and no note is added', () => {
    const line =
      'Error from server (Forbidden): pods is forbidden: User "arn:aws:iam::123456789:user/x" cannot list resource "pods" in API group "" in the namespace "default"';
    const { report, simulation } = diagnoseDetailed(
      { schemaVersion: 1 },
      { logLines: [line], principalArn: DEV },
    );
    expect(simulation.principal?.arn).toBe(DEV);
    expect(report.notes?.some((n) => n.includes('redacted?'))).toBe(false);
  });
});

describe('a role ARN given with its IAM path', () => {
  it('is the caller of its assumed-role sessions: aws-auth maps it without the path', () => {
    const sso = 'AWSReservedSSO_PlatformAdmin_0123456789abcdef';
    const given = role(sso, '/aws-reserved/sso.amazonaws.com/');
    const snapshot = build({
      mode: 'CONFIG_MAP',
      principal: given,
      mapRoles: `- rolearn: ${role(sso)}\n  username: admin:{{SessionName}}\n  groups:\n  - system:masters\n`,
    });
    const { simulation } = diagnoseDetailed(snapshot);
    expect(simulation.principal?.canonicalArn).toBe(role(sso));
    expect(simulation.mapping?.source).toBe('aws-auth');
    expect(simulation.outcome).toBe('allowed');
  });
});

describe('a 403 that names only a username', () => {
  const line = (user: string) =>
    `Error from server (Forbidden): nodes is forbidden: User "${user}" cannot list resource "nodes" in API group "" at the cluster scope`;
  const withEntries = (entries: ReturnType<typeof entry>[]): Snapshot => {
    const snapshot = build({ mode: 'API', entries });
    delete snapshot.incident?.path;
    delete snapshot.incident?.verb;
    return snapshot;
  };

  it('is replayed for the one principal whose mapping sets that username, and says so', () => {
    const sam = role('sam-role');
    const { simulation, report } = diagnoseDetailed(
      withEntries([
        entry(sam, { username: 'sam', groups: ['node-viewers'] }),
        entry(DEV, { username: 'dev' }),
      ]),
      { logLines: [line('sam')] },
    );
    expect(simulation.principal?.arn).toBe(sam);
    expect(simulation.outcome).toBe('forbidden');
    expect(report.notes).toContain(
      `The pasted error names User "sam", which only the access entry of ${sam} sets: replayed as that principal.`,
    );
  });

  it.each([
    {
      name: 'two entries set it',
      entries: [entry(role('a'), { username: 'sam' }), entry(role('b'), { username: 'sam' })],
    },
    { name: 'none sets it', entries: [entry(role('a'), { username: 'other' })] },
  ])('is not guessed when $name', ({ entries }) => {
    const { simulation } = diagnoseDetailed(withEntries(entries), { logLines: [line('sam')] });
    expect(simulation.principal).toBeUndefined();
  });
});
