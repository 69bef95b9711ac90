import rule from '../../rules/impersonation-drops-access-policies.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { ACCT, build, role, session, entry, EDIT, VIEW } from '../helpers/build.js';

const OPS = role('ops-admins');
const caller = session('ops-admins', 'kim');

function auditLine(opts: { path: string; verb: string; resource: string; namespace?: string }): string {
  return JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    stage: 'ResponseComplete',
    requestURI: opts.path,
    verb: opts.verb,
    user: {
      username: caller,
      groups: ['system:authenticated'],
      extra: { arn: [caller], canonicalArn: [`arn:aws:iam::${ACCT}:role/ops-admins`] },
    },
    impersonatedUser: { username: caller, groups: ['system:authenticated'] },
    objectRef: {
      resource: opts.resource,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      apiVersion: 'v1',
    },
    responseStatus: { status: 'Failure', reason: 'Forbidden', code: 403 },
    stageTimestamp: '2026-11-20T09:11:02.131Z',
    annotations: { 'authorization.k8s.io/decision': 'forbid' },
  });
}

const podsInPayments = auditLine({
  path: '/api/v1/namespaces/payments/pods',
  verb: 'list',
  resource: 'pods',
  namespace: 'payments',
});
const edit = [entry(OPS, { policies: [[EDIT, { type: 'cluster' }]] })];

runRuleTests(rule, {
  valid: [
    {
      name: 'same request without impersonation is allowed by the policy',
      snapshot: build({ principal: caller, path: '/api/v1/namespaces/payments/pods', entries: edit }),
    },
    {
      name: 'impersonating, but RBAC allows it',
      snapshot: build({
        logLines: [podsInPayments],
        entries: [entry(OPS, { groups: ['ops'] })],
        rbacBindings: [{ name: 'ops-view', role: 'view', group: 'ops' }],
      }),
    },
  ],
  invalid: [
    {
      name: 'Edit policy ignored under --as',
      snapshot: build({
        path: '/api/v1/namespaces/payments/pods',
        logLines: [podsInPayments],
        entries: edit,
      }),
      messageId: 'dropped',
      severity: 'error',
      first: true,
    },
    {
      name: 'no policy would allow it either (View and nodes)',
      snapshot: build({
        path: '/api/v1/nodes',
        logLines: [auditLine({ path: '/api/v1/nodes', verb: 'list', resource: 'nodes' })],
        entries: [entry(OPS, { policies: [[VIEW, { type: 'cluster' }]] })],
      }),
      messageId: 'rbacOnly',
      severity: 'error',
      first: true,
    },
  ],
});
