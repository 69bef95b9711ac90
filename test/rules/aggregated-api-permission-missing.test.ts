import rule from '../../rules/aggregated-api-permission-missing.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, user, EDIT, METRICS } from '../helpers/build.js';

const ADMIN_VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy';
const SRE = role('sre');
const caller = session('sre', 'dahye');
const KCM = `${METRICS}/kcm/container/metrics`;
const edit = [entry(SRE, { policies: [[EDIT, { type: 'cluster' }]] })];

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
  ],
  invalid: [
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
