import rule from '../../rules/console-kubernetes-view-denied.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, VIEW } from '../helpers/build.js';

const CONSOLE = "Your current IAM principal doesn't have access to Kubernetes objects on this cluster.";
const caller = session('console-operators', 'yuna');

runRuleTests(rule, {
  valid: [
    { name: 'no console message', snapshot: build({ principal: caller }) },
    {
      name: 'a CLI 401 for an unmapped principal',
      snapshot: build({
        principal: caller,
        logLines: ['error: You must be logged in to the server (Unauthorized)'],
      }),
    },
  ],
  invalid: [
    {
      name: 'console principal not mapped',
      snapshot: build({ principal: caller, path: '/api/v1/nodes', logLines: [CONSOLE] }),
      messageId: 'notMapped',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data'],
    },
    {
      name: 'console principal not mapped, CONFIG_MAP cluster',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: caller,
        path: '/api/v1/namespaces',
        logLines: [CONSOLE],
      }),
      messageId: 'notMapped',
      severity: 'error',
      first: true,
    },
    {
      name: 'console principal mapped: check the IAM side',
      snapshot: build({
        principal: caller,
        entries: [entry(role('console-operators'), { policies: [[VIEW, { type: 'cluster' }]] })],
        logLines: [CONSOLE],
      }),
      messageId: 'check',
      severity: 'info',
    },
  ],
});
