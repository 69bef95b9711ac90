import rule from '../../rules/namespace-scoped-policy-cluster-request.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, EDIT, VIEW } from '../helpers/build.js';

const DEV = role('platform-developers');
const caller = session('platform-developers', 'minji.park@example.com');
const scoped = [entry(DEV, { policies: [[EDIT, { type: 'namespace', namespaces: ['dev-*', 'sandbox'] }]] })];

runRuleTests(rule, {
  valid: [
    {
      name: 'request inside a wildcard namespace',
      snapshot: build({
        principal: caller,
        path: '/apis/apps/v1/namespaces/dev-payments/deployments',
        entries: scoped,
      }),
    },
    {
      name: 'cluster scope association',
      snapshot: build({
        principal: caller,
        path: '/api/v1/namespaces',
        entries: [entry(DEV, { policies: [[VIEW, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'policy rules do not cover it anyway (nodes under Edit)',
      snapshot: build({
        principal: caller,
        path: '/api/v1/namespaces/dev-a/secrets/x',
        verb: 'GET',
        entries: [entry(DEV, { policies: [[VIEW, { type: 'namespace', namespaces: ['dev-a'] }]] })],
      }),
    },
  ],
  invalid: [
    {
      name: 'list namespaces is cluster-scoped',
      snapshot: build({ principal: caller, path: '/api/v1/namespaces', status: 403, entries: scoped }),
      messageId: 'clusterScope',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data/0/associatedPolicies/0/accessScope'],
    },
    {
      name: 'pods in a namespace outside the scope',
      snapshot: build({ principal: caller, path: '/api/v1/namespaces/prod/pods', entries: scoped }),
      messageId: 'otherNamespace',
      severity: 'error',
      first: true,
    },
    {
      name: 'all-namespaces pod listing',
      snapshot: build({ principal: caller, path: '/api/v1/pods', entries: scoped }),
      messageId: 'clusterScope',
      severity: 'error',
    },
  ],
});
