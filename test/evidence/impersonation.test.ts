import { describe, expect, it } from 'vitest';
import { impersonatedGroups, impersonationOf } from '../../src/evidence/impersonation.js';
import { ACCT, build, session } from '../helpers/build.js';
import { withEvidence } from '../helpers/client.js';

const KIM = session('ops-admins', 'kim');
const LEE = session('ops-admins', 'lee');

describe('impersonatedGroups (the API server impersonation filter)', () => {
  it.each([
    ['giulia-test', [], ['system:authenticated']],
    ['giulia-test', ['readers'], ['readers', 'system:authenticated']],
    ['giulia-test', ['system:authenticated', 'readers'], ['system:authenticated', 'readers']],
    [
      'system:serviceaccount:risk:trainer',
      [],
      ['system:serviceaccounts', 'system:serviceaccounts:risk', 'system:authenticated'],
    ],
    ['system:serviceaccount:risk:trainer', ['ops'], ['ops', 'system:authenticated']],
    ['system:anonymous', [], ['system:unauthenticated']],
  ])('%s with %j', (user, requested, expected) => {
    expect(impersonatedGroups(user, requested)).toEqual(expected);
  });
});

describe('impersonationOf', () => {
  const base = build({ principal: KIM, path: '/api/v1/namespaces/app/pods' });

  it.each([
    ['kubectl get pods -n app --as giulia-test --as-group readers', 'giulia-test', ['readers']],
    ['$ kubectl get pods --as=giulia-test --as-group=a --as-group=b', 'giulia-test', ['a', 'b']],
    ['helm upgrade web ./chart --kube-as-user deployer --kube-as-group ci', 'deployer', ['ci']],
  ])('reads the flags of %s', (line, user, groups) => {
    const found = impersonationOf({ snapshot: base, pastedLines: [line] });
    expect(found?.user).toBe(user);
    expect(found?.requestedGroups).toEqual(groups);
    expect(found?.accepted).toBe(false);
    expect(found?.pointer).toBe('/incident/logLines');
  });

  it('ignores text that is no kubectl command', () => {
    expect(impersonationOf({ snapshot: base, pastedLines: ['run it --as root please'] })).toBeUndefined();
  });

  it.each([['kubectl auth can-i list pods --as "jane doe"'], ['$ kubectl auth whoami --as jane']])(
    'ignores the identity probe %s (it is not the failing request)',
    (line) => {
      expect(impersonationOf({ snapshot: base, pastedLines: [line] })).toBeUndefined();
    },
  );

  const FORBIDDEN =
    'Error from server (Forbidden): pods is forbidden: User "giulia-test" cannot list resource "pods" in API group "" in the namespace "app"';
  it.each([
    [
      'a can-i probe and a successful command (QA noise a4)',
      [
        '$ kubectl auth can-i list pods -n app --as system:serviceaccount:ci:deployer',
        'no',
        '$ kubectl get pods -n app',
        'NAME   READY   STATUS    RESTARTS   AGE',
      ],
    ],
    [
      'the failing command has no --as; a can-i --as probe follows (QA noise b9)',
      ['$ kubectl get pods -n app', FORBIDDEN, '$ kubectl auth can-i list pods --as giulia-test', 'no'],
    ],
    [
      'an --as command that succeeded before the failing one',
      [
        '$ kubectl get pods -n app --as giulia-test',
        'No resources found',
        '$ kubectl get pods -n app',
        FORBIDDEN,
      ],
    ],
    [
      'several commands and no error to tie one of them to',
      ['$ kubectl get pods --as giulia-test', '$ kubectl get pods'],
    ],
  ])('reads no impersonation from %s', (_name, lines) => {
    expect(impersonationOf({ snapshot: base, pastedLines: lines })).toBeUndefined();
  });

  it.each([
    [
      'the command before the error',
      ['$ kubectl get ns', 'NAME STATUS', '$ kubectl get pods -n app --as giulia-test', FORBIDDEN],
      2,
    ],
    [
      'the only command, pasted after its error (QA fm40-2)',
      [FORBIDDEN, 'kubectl get pods -n app --as giulia-test'],
      1,
    ],
  ])('reads --as from %s', (_name, lines, at) => {
    const snapshot = build({ principal: KIM, path: '/api/v1/namespaces/app/pods', logLines: lines });
    const found = impersonationOf({ snapshot });
    expect(found?.user).toBe('giulia-test');
    expect(found?.pointer).toBe(`/incident/logLines/${at}`);
  });

  it("never pins a ServiceAccount's audit event on a known principal (QA noise a2, b8)", () => {
    const snapshot = withEvidence(base, {
      auditEvents: {
        status: 'ok',
        data: [
          {
            kind: 'Event',
            requestURI: '/api/v1/namespaces/app/pods?limit=500',
            user: { username: 'system:serviceaccount:argocd:argocd-application-controller' },
            impersonatedUser: { username: 'dev-tenant', groups: ['system:authenticated'] },
            responseStatus: { code: 403 },
            requestReceivedTimestamp: '2026-11-20T09:26:00Z',
          },
        ],
      },
    });
    const query = { snapshot, path: '/api/v1/namespaces/app/pods', observedAt: '2026-11-20T09:26:10Z' };
    expect(impersonationOf({ ...query, principalArn: KIM })).toBeUndefined();
    // With no principal known, the path and the time are all there is to go by.
    expect(impersonationOf(query)?.user).toBe('dev-tenant');
  });

  it("picks the caller's failed audit event for the path, over another caller's", () => {
    const event = (who: string, user: string, code: number, uri = '/api/v1/namespaces/app/pods') => ({
      kind: 'Event',
      requestURI: uri,
      verb: 'list',
      user: { username: who, extra: { arn: [who] } },
      impersonatedUser: { username: user, groups: ['system:authenticated'] },
      responseStatus: { code },
      requestReceivedTimestamp: '2026-11-20T09:11:00Z',
    });
    const snapshot = withEvidence(base, {
      auditEvents: {
        status: 'ok',
        data: [
          event(LEE, 'someone-else', 403),
          event(KIM, 'worked', 200),
          event(KIM, 'tester', 403, '/api/v1/namespaces/other/pods'),
          event(KIM, 'tester', 403),
        ],
      },
    });
    const found = impersonationOf({ snapshot, principalArn: KIM, path: '/api/v1/namespaces/app/pods' });
    expect(found).toMatchObject({ user: 'tester', accepted: true, pointer: '/auditEvents/data/3' });
  });

  it('ignores an impersonated event far from the failure time', () => {
    const snapshot = withEvidence(base, {
      auditEvents: {
        status: 'ok',
        data: [
          {
            kind: 'Event',
            requestURI: '/api/v1/namespaces/app/pods',
            user: { username: KIM, extra: { arn: [KIM] } },
            impersonatedUser: { username: 'tester' },
            responseStatus: { code: 403 },
            requestReceivedTimestamp: '2026-11-19T09:11:00Z',
          },
        ],
      },
    });
    const q = { snapshot, principalArn: KIM, path: '/api/v1/namespaces/app/pods' };
    expect(impersonationOf({ ...q, observedAt: '2026-11-20T09:12:00Z' })).toBeUndefined();
    expect(impersonationOf({ ...q, observedAt: '2026-11-19T09:12:00Z' })?.user).toBe('tester');
  });

  it("reads the kubeconfig user's as / as-groups", () => {
    const snapshot = withEvidence(base, {
      kubeconfig: {
        status: 'ok',
        data: {
          'current-context': 'c',
          contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
          clusters: [{ name: 'k', cluster: { server: 'https://example.invalid' } }],
          users: [{ name: 'u', user: { as: 'auditor', 'as-groups': ['audit'], token: 'REDACTED' } }],
        },
      },
    });
    expect(impersonationOf({ snapshot })).toMatchObject({
      user: 'auditor',
      groups: ['audit', 'system:authenticated'],
      source: 'kubeconfig',
      pointer: '/kubeconfig/data/users/0/user/as',
    });
  });

  it('finds nothing without evidence', () => {
    expect(impersonationOf({ snapshot: base, principalArn: `arn:aws:iam::${ACCT}:role/x` })).toBeUndefined();
  });
});
