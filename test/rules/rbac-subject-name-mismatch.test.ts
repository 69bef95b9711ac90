import rule from '../../rules/rbac-subject-name-mismatch.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { ACCT, build, role, session, user, entry } from '../helpers/build.js';
import type { Snapshot } from '../../src/model/snapshot.js';

const DEV = role('platform-developers');
const caller = session('platform-developers', 'minji.park@example.com');
const rawUser = `arn:aws:sts::${ACCT}:assumed-role/platform-developers/minji.park@example.com`;
const renderedUser = `arn:aws:sts::${ACCT}:assumed-role/platform-developers/minji.park-example.com`;
const devEntry = [entry(DEV)];
const ALICE = user('Alice.Kim');

function withWhoami(snapshot: Snapshot, username: string, canonicalArn: string): Snapshot {
  snapshot.whoami = {
    status: 'ok',
    data: {
      username,
      groups: ['system:authenticated'],
      extra: { canonicalArn: [canonicalArn], arn: [canonicalArn] },
    },
  };
  return snapshot;
}

runRuleTests(rule, {
  valid: [
    {
      name: 'the binding names the rendered username exactly',
      snapshot: build({
        principal: caller,
        path: '/api/v1/namespaces/dev/pods',
        entries: devEntry,
        rbacBindings: [{ name: 'minji-edit', role: 'edit', user: renderedUser, namespace: 'dev' }],
      }),
    },
    {
      name: 'a near-miss binding whose role would not allow the request anyway',
      snapshot: build({
        principal: caller,
        path: '/api/v1/namespaces/dev/secrets',
        entries: devEntry,
        rbacBindings: [{ name: 'minji-view', role: 'view', user: rawUser, namespace: 'dev' }],
      }),
    },
    {
      name: 'the near-miss subject is a Group (rbac-bound-to-wrong-subject-kind)',
      snapshot: build({
        principal: caller,
        path: '/api/v1/namespaces/dev/pods',
        entries: devEntry,
        rbacBindings: [{ name: 'minji-edit', role: 'edit', group: rawUser, namespace: 'dev' }],
      }),
    },
  ],
  invalid: [
    {
      name: 'binding differs in case and writes @ (SSO keeps the IdP capitalisation)',
      snapshot: build({
        principal: session('platform-developers', 'Dana.Kim@corp.example'),
        path: '/api/v1/namespaces/dev/pods',
        status: 403,
        mapRoles: `- rolearn: ${DEV}\n  username: dev:{{SessionName}}\n`,
        rbacBindings: [
          { name: 'dana-edit', role: 'edit', user: 'dev:dana.kim@corp.example', namespace: 'dev' },
        ],
      }),
      messageId: 'mismatch',
      severity: 'error',
      first: true,
      evidence: ['/rbac/data/roleBindings/0'],
    },
    {
      name: 'binding differs only in case',
      snapshot: build({
        principal: session('platform-developers', 'Dana'),
        path: '/api/v1/namespaces/dev/pods',
        status: 403,
        mapRoles: `- rolearn: ${DEV}\n  username: dev:{{SessionName}}\n`,
        rbacBindings: [{ name: 'dana-edit', role: 'edit', user: 'DEV:DANA', namespace: 'dev' }],
      }),
      messageId: 'mismatch',
      severity: 'error',
      first: true,
    },
    {
      name: 'binding written with the raw e-mail session name (@), username renders -',
      snapshot: build({
        principal: caller,
        path: '/api/v1/namespaces/dev/pods',
        status: 403,
        entries: devEntry,
        rbacBindings: [{ name: 'minji-edit', role: 'edit', user: rawUser, namespace: 'dev' }],
      }),
      messageId: 'mismatch',
      severity: 'error',
      first: true,
      evidence: ['/rbac/data/roleBindings/0'],
    },
    {
      name: 'binding names the role ARN, aws-auth renders dev:<session>',
      snapshot: build({
        principal: session('platform-developers', 'minji'),
        mapRoles: `- rolearn: ${DEV}\n  username: dev:{{SessionName}}\n`,
        rbacBindings: [{ name: 'developers-view', role: 'view', user: DEV }],
      }),
      messageId: 'mismatch',
      severity: 'error',
      first: true,
    },
    {
      name: 'case differs from the user ARN, confirmed by kubectl auth whoami',
      snapshot: withWhoami(
        build({
          principal: ALICE,
          entries: [entry(ALICE)],
          rbacBindings: [{ name: 'alice-view', role: 'view', user: ALICE.toLowerCase() }],
        }),
        ALICE,
        ALICE,
      ),
      messageId: 'mismatch',
      severity: 'error',
      first: true,
      evidence: ['/whoami/data/username'],
    },
  ],
});
