import rule from '../../rules/access-policy-coverage-gap.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, EDIT, VIEW, METRICS } from '../helpers/build.js';

const DEV = role('platform-developers');
const caller = session('platform-developers', 'minji');
const view = [entry(DEV, { policies: [[VIEW, { type: 'cluster' }]] })];
const edit = [entry(DEV, { policies: [[EDIT, { type: 'cluster' }]] })];
const editDev = [entry(DEV, { policies: [[EDIT, { type: 'namespace', namespaces: ['dev'] }]] })];

runRuleTests(rule, {
  valid: [
    { name: 'View allows listing pods', snapshot: build({ principal: caller, entries: view }) },
    {
      name: 'scope excludes it (namespace-scoped-policy-cluster-request)',
      snapshot: build({ principal: caller, path: '/api/v1/namespaces/prod/pods', entries: editDev }),
    },
    {
      name: 'aggregated metrics API (aggregated-api-permission-missing)',
      snapshot: build({ principal: caller, path: `${METRICS}/kcm/container/metrics`, entries: edit }),
    },
    { name: 'entry without policies', snapshot: build({ principal: caller, entries: [entry(DEV)] }) },
  ],
  invalid: [
    {
      name: 'View has no secrets',
      snapshot: build({
        principal: caller,
        path: '/api/v1/namespaces/default/secrets/db',
        status: 403,
        entries: view,
      }),
      messageId: 'gap',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data/0/associatedPolicies/0'],
    },
    {
      name: 'Edit has no nodes',
      snapshot: build({ principal: caller, path: '/api/v1/nodes', entries: edit }),
      messageId: 'gap',
      severity: 'error',
      first: true,
    },
    {
      name: 'Edit in dev has no CRDs (ServiceMonitors)',
      snapshot: build({
        principal: caller,
        path: '/apis/monitoring.coreos.com/v1/namespaces/dev/servicemonitors',
        entries: editDev,
      }),
      messageId: 'gap',
      severity: 'error',
      first: true,
    },
    {
      name: 'RBAC not collected: undecided',
      snapshot: build({
        principal: caller,
        path: '/api/v1/nodes',
        status: 403,
        entries: edit,
        rbac: 'absent',
      }),
      messageId: 'undecided',
      severity: 'info',
    },
  ],
});
