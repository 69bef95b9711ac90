import rule from '../../rules/pod-identity-or-irsa-confusion.js';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, CA } from '../helpers/build.js';
import { describe, expect, it } from 'vitest';

const SA_403 =
  'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:ci:runner" cannot list resource "pods" in API group "" in the namespace "payments"';
const PAYMENTS = '/api/v1/namespaces/payments/pods';
const HUMAN_403 =
  'Error from server (Forbidden): pods is forbidden: User "arn:aws:sts::111122223333:assumed-role/ops/kim" cannot list resource "pods" in API group "" in the namespace "payments"';

runRuleTests(rule, {
  valid: [
    {
      name: 'the ServiceAccount is bound',
      snapshot: build({
        path: PAYMENTS,
        logLines: [SA_403],
        rbacBindings: [
          {
            name: 'runner-view',
            role: 'view',
            user: 'system:serviceaccount:ci:runner',
            namespace: 'payments',
          },
        ],
      }),
    },
    { name: 'a 403 for an IAM identity', snapshot: build({ logLines: [HUMAN_403] }) },
    {
      name: 'a scraper ServiceAccount on the control-plane metrics API, no IAM role involved (FM-47)',
      snapshot: build({
        path: '/apis/metrics.eks.amazonaws.com/v1/kcm/container/metrics',
        status: 403,
        logLines: [
          'kcm.metrics.eks.amazonaws.com "container" is forbidden: User "system:serviceaccount:monitoring:prometheus-k8s" cannot get resource "kcm/metrics" in API group "metrics.eks.amazonaws.com" at the cluster scope',
        ],
      }),
    },
    {
      name: 'an admin impersonated the ServiceAccount (kubectl --as): no pod is involved (FM-40)',
      snapshot: build({
        principal: session('ops', 'kim'),
        entries: [entry(role('ops'), { policies: [[CA, { type: 'cluster' }]] })],
        path: PAYMENTS,
        status: 403,
        logLines: [SA_403, 'kubectl get pods -n payments --as system:serviceaccount:ci:runner'],
      }),
    },
  ],
  invalid: [
    {
      name: 'CI pod with IRSA lists pods in another namespace',
      snapshot: build({ path: PAYMENTS, logLines: [SA_403] }),
      messageId: 'serviceAccount',
      severity: 'error',
      first: true,
    },
    {
      name: "the IRSA role's access entry allows it, but the pod calls as its ServiceAccount",
      snapshot: build({
        principal: session('ci-runner-irsa', 'botocore-session-1'),
        entries: [entry(role('ci-runner-irsa'), { policies: [[CA, { type: 'cluster' }]] })],
        path: PAYMENTS,
        logLines: [SA_403],
      }),
      messageId: 'serviceAccount',
      severity: 'warning',
    },
    {
      name: 'RBAC not collected',
      snapshot: build({ path: PAYMENTS, logLines: [SA_403], rbac: 'absent' }),
      messageId: 'undecided',
      severity: 'info',
    },
  ],
});

describe('pod-identity-or-irsa-confusion fix', () => {
  it('binds a role that allows the request to the ServiceAccount, in the request namespace', () => {
    const { mine } = findingsOf(rule, { name: 'x', snapshot: build({ path: PAYMENTS, logLines: [SA_403] }) });
    expect(mine[0]?.fixes[0]?.commands[0]?.text).toBe(
      'kubectl create rolebinding runner-view --namespace payments --clusterrole=view --serviceaccount=ci:runner',
    );
  });
});
