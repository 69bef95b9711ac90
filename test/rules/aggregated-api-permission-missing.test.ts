import rule from '../../rules/aggregated-api-permission-missing.js';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/snapshot.js';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, user, EDIT, METRICS } from '../helpers/build.js';

const ADMIN_VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy';
const SRE = role('sre');
const caller = session('sre', 'dahye');
const KCM = `${METRICS}/kcm/container/metrics`;
const edit = [entry(SRE, { policies: [[EDIT, { type: 'cluster' }]] })];

const PROM = 'system:serviceaccount:monitoring:prometheus-k8s';
const PROM_403 = `kcm.metrics.eks.amazonaws.com "container" is forbidden: User "${PROM}" cannot get resource "kcm/metrics" in API group "metrics.eks.amazonaws.com" at the cluster scope`;

/** A Prometheus ServiceAccount scraping the control-plane metrics, bound (or not) to its own ClusterRole. */
function scraper(opts: { bound?: boolean; rules?: unknown[]; rbac?: 'absent' } = {}): Snapshot {
  const s = build({
    path: KCM,
    status: 403,
    logLines: [PROM_403],
    ...(opts.rbac ? { rbac: opts.rbac } : {}),
  });
  if (s.rbac?.status === 'ok' && opts.bound !== false) {
    s.rbac.data.clusterRoles.push({
      kind: 'ClusterRole',
      metadata: { name: 'prometheus-k8s' },
      rules: (opts.rules ?? [
        {
          apiGroups: [''],
          resources: ['nodes', 'nodes/metrics', 'services', 'endpoints', 'pods'],
          verbs: ['get', 'list', 'watch'],
        },
        { nonResourceURLs: ['/metrics'], verbs: ['get'] },
      ]) as never,
    });
    s.rbac.data.clusterRoleBindings.push({
      kind: 'ClusterRoleBinding',
      metadata: { name: 'prometheus-k8s' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'prometheus-k8s' },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus-k8s', namespace: 'monitoring' }],
    });
  }
  return s;
}

runRuleTests(rule, {
  valid: [
    {
      name: 'not an aggregated group',
      snapshot: build({ principal: caller, path: '/api/v1/nodes', entries: edit }),
    },
    {
      name: 'AdminView covers the metrics group',
      snapshot: build({
        principal: caller,
        path: KCM,
        entries: [entry(SRE, { policies: [[ADMIN_VIEW, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'discovery of the aggregated group is allowed to everyone',
      snapshot: build({ principal: caller, path: METRICS, entries: edit }),
    },
    {
      name: 'the scraper ServiceAccount has the documented metrics rule',
      snapshot: scraper({
        rules: [
          {
            apiGroups: ['metrics.eks.amazonaws.com'],
            resources: ['kcm/metrics', 'ksh/metrics'],
            verbs: ['get'],
          },
        ],
      }),
    },
  ],
  invalid: [
    {
      name: 'a Prometheus ServiceAccount scraping kcm/metrics without the rule (QA fm47-1)',
      snapshot: scraper(),
      messageId: 'serviceAccount',
      severity: 'error',
      first: true,
      evidence: ['/rbac/data/clusterRoleBindings/1', '/apiServices/data/2'],
    },
    {
      name: 'a ServiceAccount with no binding at all',
      snapshot: scraper({ bound: false }),
      messageId: 'serviceAccount',
      severity: 'error',
      first: true,
    },
    {
      name: 'a ServiceAccount, RBAC not collected',
      snapshot: scraper({ rbac: 'absent' }),
      messageId: 'serviceAccountUndecided',
      severity: 'info',
    },
    {
      name: 'Edit policy and the control-plane metrics',
      snapshot: build({ principal: caller, path: KCM, status: 403, entries: edit }),
      messageId: 'missing',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data/0', '/apiServices/data/2'],
    },
    {
      name: 'aws-auth user with a group but no metrics role: kubectl top',
      snapshot: build({
        mode: 'API_AND_CONFIG_MAP',
        principal: user('dahye'),
        path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods',
        mapUsers: `- userarn: ${user('dahye')}\n  username: dahye\n  groups:\n  - sre\n`,
      }),
      messageId: 'missing',
      severity: 'error',
      first: true,
    },
    {
      name: 'group already bound to view, which lacks metrics: access entry with AdminView',
      snapshot: build({
        principal: caller,
        path: KCM,
        entries: [entry(SRE, { groups: ['sre'] })],
        rbacBindings: [{ name: 'sre-view', role: 'view', group: 'sre' }],
      }),
      messageId: 'missing',
      severity: 'error',
    },
    {
      name: 'RBAC not collected',
      snapshot: build({
        principal: caller,
        path: KCM,
        status: 403,
        entries: [entry(SRE, { groups: ['sre'] })],
        rbac: 'absent',
      }),
      messageId: 'undecided',
      severity: 'info',
    },
  ],
});

describe('aggregated-api-permission-missing for a ServiceAccount', () => {
  it('extends the ClusterRole the ServiceAccount is bound to, with the rule EKS documents', () => {
    const { report, mine } = findingsOf(rule, { name: 'x', snapshot: scraper() });
    expect(report.findings.map((f) => f.ruleId)).not.toContain('pod-identity-or-irsa-confusion');
    expect(mine[0]?.fixes[0]?.commands[0]?.argv).toEqual([
      'kubectl',
      'patch',
      'clusterrole',
      'prometheus-k8s',
      '--type=json',
      '-p=[{"op":"add","path":"/rules/-","value":{"verbs":["get"],"apiGroups":["metrics.eks.amazonaws.com"],"resources":["kcm/metrics","ksh/metrics"]}}]',
    ]);
  });

  it('binds a ClusterRole that already allows the request, cluster-wide', () => {
    const snapshot = scraper({ bound: false });
    if (snapshot.rbac?.status === 'ok') {
      snapshot.rbac.data.clusterRoles.push({
        kind: 'ClusterRole',
        metadata: { name: 'eks-control-plane-metrics' },
        rules: [
          {
            apiGroups: ['metrics.eks.amazonaws.com'],
            resources: ['kcm/metrics', 'ksh/metrics'],
            verbs: ['get'],
          },
        ],
      });
    }
    const { mine } = findingsOf(rule, { name: 'x', snapshot });
    expect(mine[0]?.fixes[0]?.commands[0]?.text).toBe(
      'kubectl create clusterrolebinding prometheus-k8s-eks-control-plane-metrics --clusterrole=eks-control-plane-metrics --serviceaccount=monitoring:prometheus-k8s',
    );
  });

  it('creates a ClusterRole and a ClusterRoleBinding (never a RoleBinding) when none is bound', () => {
    const { mine } = findingsOf(rule, { name: 'x', snapshot: scraper({ bound: false }) });
    const fix = mine[0]?.fixes[0];
    expect(fix?.snippet?.content).toContain('kind: ClusterRoleBinding');
    expect(fix?.snippet?.content).toContain('resources: ["kcm/metrics", "ksh/metrics"]');
    expect(fix?.snippet?.content).toContain('namespace: monitoring');
    expect(fix?.commands[0]?.text).toBe('kubectl apply -f eks-control-plane-metrics-reader.yaml');
    expect(JSON.stringify(mine[0]?.fixes)).not.toContain('rolebinding');
  });
});
