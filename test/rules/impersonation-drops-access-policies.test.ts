import { describe, expect, it } from 'vitest';
import rule from '../../rules/impersonation-drops-access-policies.js';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import { ACCT, build, role, session, entry, CA, EDIT, VIEW } from '../helpers/build.js';
import { kubeconfig, withEvidence } from '../helpers/client.js';
import { diagnose } from '../../src/engine/diagnose.js';

const OPS = role('ops-admins');
const caller = session('ops-admins', 'kim');

function auditEvent(opts: {
  path: string;
  verb: string;
  resource: string;
  namespace?: string;
  as?: { username: string; groups: string[] };
}): Record<string, unknown> {
  return {
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
    impersonatedUser: opts.as ?? { username: caller, groups: ['system:authenticated'] },
    objectRef: {
      resource: opts.resource,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      apiVersion: 'v1',
    },
    responseStatus: { status: 'Failure', reason: 'Forbidden', code: 403 },
    stageTimestamp: '2026-11-20T09:11:02.131Z',
    annotations: { 'authorization.k8s.io/decision': 'forbid' },
  };
}

const auditLine = (opts: Parameters<typeof auditEvent>[0]): string => JSON.stringify(auditEvent(opts));

const PODS = '/api/v1/namespaces/payments/pods';
const podsInPayments = auditLine({ path: PODS, verb: 'list', resource: 'pods', namespace: 'payments' });
const edit = [entry(OPS, { policies: [[EDIT, { type: 'cluster' }]] })];
const admin = [entry(OPS, { policies: [[CA, { type: 'cluster' }]] })];
const K403 = (user: string) =>
  `Error from server (Forbidden): pods is forbidden: User "${user}" cannot list resource "pods" in API group "" in the namespace "payments"`;
const AS_COMMAND = 'kubectl get pods -n payments --as giulia-test --as-group payments-readers';
const SA = 'system:serviceaccount:payments:billing-worker';
const saAudit = auditEvent({
  path: PODS,
  verb: 'list',
  resource: 'pods',
  namespace: 'payments',
  as: {
    username: SA,
    groups: ['system:serviceaccounts', 'system:serviceaccounts:payments', 'system:authenticated'],
  },
});

runRuleTests(rule, {
  valid: [
    {
      name: 'same request without impersonation is allowed by the policy',
      snapshot: build({ principal: caller, path: PODS, entries: edit }),
    },
    {
      name: 'impersonating with the group RBAC binds',
      snapshot: build({
        logLines: [
          auditLine({
            path: PODS,
            verb: 'list',
            resource: 'pods',
            namespace: 'payments',
            as: { username: caller, groups: ['ops', 'system:authenticated'] },
          }),
        ],
        entries: [entry(OPS, { groups: ['ops'] })],
        rbacBindings: [{ name: 'ops-view', role: 'view', group: 'ops' }],
      }),
    },
    {
      name: 'kubectl --as a user whose group RBAC allows the request',
      snapshot: build({
        principal: caller,
        path: PODS,
        status: 403,
        logLines: [AS_COMMAND],
        entries: admin,
        rbacBindings: [{ name: 'readers', role: 'view', group: 'payments-readers', namespace: 'payments' }],
      }),
    },
    {
      name: 'the 403 names the caller itself: nothing points at impersonation',
      snapshot: build({
        principal: caller,
        path: PODS,
        status: 403,
        logLines: [K403(caller)],
        entries: [entry(OPS)],
      }),
    },
    {
      // QA noise a2/b8: a ServiceAccount (no IAM ARN) impersonated on the same path; the admin's request did not.
      name: "another client's impersonation audit event on the same path is not the caller's",
      snapshot: withEvidence(build({ principal: caller, path: PODS, entries: admin }), {
        auditEvents: {
          status: 'ok',
          data: [
            {
              ...saAudit,
              user: {
                username: 'system:serviceaccount:argocd:argocd-application-controller',
                groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd', 'system:authenticated'],
              },
              impersonatedUser: { username: 'dev-tenant', groups: ['system:authenticated'] },
            },
          ],
        },
      }),
    },
    {
      // QA noise b9: the failing command has no --as; the `auth can-i --as` probe after it is not the request.
      name: 'a pasted `kubectl auth can-i --as` probe is not the failing request',
      snapshot: build({
        principal: caller,
        path: PODS,
        status: 403,
        logLines: [
          '$ kubectl get pods -n payments',
          K403(caller),
          `$ kubectl auth can-i list pods -n payments --as ${caller} --as-group ops`,
          'no',
        ],
        entries: [entry(OPS)],
      }),
    },
  ],
  invalid: [
    {
      name: 'Edit policy ignored under --as',
      snapshot: build({ path: PODS, logLines: [podsInPayments], entries: edit }),
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
    {
      name: 'the collected audit log shows the impersonated ServiceAccount (QA fm40-1)',
      snapshot: withEvidence(
        build({ principal: caller, path: PODS, status: 403, logLines: [K403(SA)], entries: admin }),
        { auditEvents: { status: 'ok', data: [saAudit] } },
      ),
      messageId: 'dropped',
      severity: 'error',
      first: true,
      evidence: ['/auditEvents/data/0'],
    },
    {
      name: 'a pasted kubectl --as/--as-group command and the 403 naming that user (QA fm40-2)',
      snapshot: build({
        principal: caller,
        path: PODS,
        status: 403,
        logLines: [K403('giulia-test'), AS_COMMAND],
        entries: admin,
      }),
      messageId: 'dropped',
      severity: 'error',
      first: true,
      evidence: ['/incident/logLines/1'],
    },
    {
      name: 'the caller may not impersonate at all (View policy only)',
      snapshot: build({
        principal: caller,
        path: PODS,
        status: 403,
        logLines: [AS_COMMAND],
        entries: [entry(OPS, { policies: [[VIEW, { type: 'cluster' }]] })],
      }),
      messageId: 'cannotImpersonate',
      severity: 'error',
      first: true,
    },
    {
      name: 'the pasted "cannot impersonate" error itself',
      snapshot: (() => {
        const s = build({
          principal: caller,
          status: 403,
          logLines: [
            `Error from server (Forbidden): users "giulia-test" is forbidden: User "${caller}" cannot impersonate resource "users" in API group "" at the cluster scope`,
          ],
          entries: [entry(OPS, { policies: [[VIEW, { type: 'cluster' }]] })],
        });
        // The request is the one the error names (impersonate users/giulia-test), not a given path.
        if (s.incident) {
          delete s.incident.path;
          delete s.incident.verb;
        }
        return s;
      })(),
      messageId: 'cannotImpersonate',
      severity: 'error',
      first: true,
    },
    {
      name: 'the kubeconfig user impersonates on every request (as:)',
      snapshot: withEvidence(build({ principal: caller, path: PODS, status: 403, entries: admin }), {
        kubeconfig: {
          status: 'ok',
          data: (() => {
            const config = kubeconfig();
            const users = config.users as Array<{ user: Record<string, unknown> }>;
            if (users[0]) users[0].user.as = 'auditor';
            return config;
          })(),
        },
      }),
      messageId: 'dropped',
      severity: 'error',
      first: true,
      evidence: ['/kubeconfig/data/users/0/user/as'],
    },
    {
      name: 'no impersonation in the evidence, but the 403 names a user the caller is not',
      snapshot: build({
        principal: caller,
        path: PODS,
        status: 403,
        logLines: [K403('giulia-test')],
        entries: admin,
      }),
      messageId: 'otherUser',
      severity: 'info',
    },
  ],
});

describe('impersonation-drops-access-policies fixes', () => {
  it('binds the impersonated group, not the caller (QA probe-imp-logline)', () => {
    const snapshot = build({
      principal: caller,
      path: PODS,
      status: 403,
      logLines: [
        auditLine({
          path: PODS,
          verb: 'list',
          resource: 'pods',
          namespace: 'payments',
          as: { username: 'tester', groups: ['app-readers', 'system:authenticated'] },
        }),
      ],
      entries: admin,
    });
    const { mine } = findingsOf(rule, { name: 'x', snapshot });
    const commands = mine[0]?.fixes.flatMap((f) => f.commands.map((c) => c.text)) ?? [];
    expect(commands).toContain(
      'kubectl create rolebinding app-readers-view --namespace payments --clusterrole=view --group=app-readers',
    );
    expect(commands.join('\n')).not.toContain(caller);
    expect(mine[0]?.checks?.[0]?.commands[0]?.text).toBe(
      'kubectl auth can-i list pods --namespace payments --as=tester --as-group=app-readers',
    );
  });

  it('binds an impersonated ServiceAccount with --serviceaccount', () => {
    const snapshot = withEvidence(
      build({ principal: caller, path: PODS, status: 403, logLines: [K403(SA)], entries: admin }),
      { auditEvents: { status: 'ok', data: [saAudit] } },
    );
    const report = diagnose(snapshot);
    expect(report.verdict.outcome).toBe('forbidden');
    expect(report.findings.map((f) => f.ruleId)).not.toContain('pod-identity-or-irsa-confusion');
    const commands = report.findings[0]?.fixes.flatMap((f) => f.commands.map((c) => c.text)) ?? [];
    expect(commands).toContain(
      'kubectl create rolebinding billing-worker-view --namespace payments --clusterrole=view --serviceaccount=payments:billing-worker',
    );
  });

  it('grants the caller impersonate on the user and groups it asked for', () => {
    const snapshot = build({
      principal: caller,
      path: PODS,
      status: 403,
      logLines: [AS_COMMAND],
      entries: [entry(OPS, { policies: [[VIEW, { type: 'cluster' }]] })],
    });
    const { mine } = findingsOf(rule, { name: 'x', snapshot });
    const commands = mine[0]?.fixes.flatMap((f) => f.commands.map((c) => c.text)) ?? [];
    expect(commands[0]).toBe(
      'kubectl create clusterrole impersonate-giulia-test --verb=impersonate --resource=users --resource=groups --resource-name=giulia-test --resource-name=payments-readers',
    );
    expect(commands[1]).toContain(`--user=${caller}`);
  });
});
