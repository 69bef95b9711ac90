import rule from '../../rules/access-entry-without-policy-or-groups.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, VIEW, user } from '../helpers/build.js';

const QA = role('qa-readers');

runRuleTests(rule, {
  valid: [
    {
      name: 'entry with a policy',
      snapshot: build({
        principal: session('qa-readers', 's'),
        entries: [entry(QA, { policies: [[VIEW, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'entry with groups',
      snapshot: build({ principal: session('qa-readers', 's'), entries: [entry(QA, { groups: ['qa'] })] }),
    },
    {
      name: 'node entry (not STANDARD)',
      snapshot: build({
        principal: session('qa-readers', 'i-0123456789abcdef0'),
        entries: [entry(QA, { type: 'EC2_LINUX' })],
      }),
    },
    {
      name: 'a hybrid node role (mi- session) registered as STANDARD: its fault is the type, not a policy',
      snapshot: build({
        mode: 'API',
        principal: session('hybrid-edge-nodes', 'mi-0123456789abcdef0'),
        path: '/api/v1/nodes',
        verb: 'POST',
        status: 403,
        entries: [entry(role('hybrid-edge-nodes'))],
      }),
    },
    {
      name: 'a kubelet (i- session) with a STANDARD entry listing services',
      snapshot: build({
        mode: 'API',
        principal: session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718'),
        path: '/api/v1/services',
        verb: 'list',
        status: 403,
        entries: [entry(role('platform-prod-node-role'))],
      }),
    },
  ],
  invalid: [
    {
      name: 'role entry with nothing: list pods is 403',
      snapshot: build({
        principal: session('qa-readers', 'seoyeon'),
        path: '/api/v1/namespaces/qa/pods',
        status: 403,
        entries: [entry(QA)],
      }),
      messageId: 'empty',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data/0'],
    },
    {
      name: 'user entry with nothing in API mode: nodes',
      snapshot: build({
        mode: 'API',
        principal: user('frank'),
        path: '/api/v1/nodes',
        entries: [entry(user('frank'))],
      }),
      messageId: 'empty',
      severity: 'error',
    },
    {
      name: 'latent: discovery still allowed',
      snapshot: build({ principal: session('qa-readers', 's'), path: '/apis', entries: [entry(QA)] }),
      messageId: 'empty',
      severity: 'warning',
    },
  ],
});
