import rule from '../../rules/kubernetes-groups-without-rbac-binding.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry } from '../helpers/build.js';

const SRE = role('sre');
const caller = session('sre', 'taeyang');

runRuleTests(rule, {
  valid: [
    {
      name: 'group bound to view, reading pods',
      snapshot: build({
        principal: caller,
        entries: [entry(SRE, { groups: ['sre'] })],
        rbacBindings: [{ name: 'sre', role: 'view', group: 'sre' }],
      }),
    },
    {
      name: 'no groups at all (another rule)',
      snapshot: build({ principal: caller, entries: [entry(SRE)] }),
    },
    {
      name: 'RBAC not collected: cannot tell',
      snapshot: build({ principal: caller, entries: [entry(SRE, { groups: ['sre'] })], rbac: 'absent' }),
    },
  ],
  invalid: [
    {
      name: 'group on the access entry has no binding (nodes)',
      snapshot: build({
        principal: caller,
        path: '/api/v1/nodes',
        status: 403,
        entries: [entry(SRE, { groups: ['sre-admins'] })],
      }),
      messageId: 'unbound',
      severity: 'error',
      first: true,
      evidence: ['/rbac/data'],
    },
    {
      name: 'aws-auth group bound to view cannot delete pods',
      snapshot: build({
        principal: caller,
        path: '/api/v1/namespaces/web/pods/frontend-1',
        verb: 'DELETE',
        mapRoles: `- rolearn: ${SRE}\n  username: sre:{{SessionName}}\n  groups:\n  - sre\n`,
        rbacBindings: [{ name: 'sre-view', role: 'view', group: 'sre' }],
      }),
      messageId: 'insufficient',
      severity: 'error',
      first: true,
    },
  ],
});
