import rule from '../../rules/aggregated-api-unavailable.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, CA, METRICS } from '../helpers/build.js';
import type { Snapshot } from '../../src/model/snapshot.js';

const OPS = role('ops');
const caller = session('ops', 'kim');
const admin = [entry(OPS, { policies: [[CA, { type: 'cluster' }]] })];
const KCM = `${METRICS}/kcm/container/metrics`;
const UNAVAILABLE =
  'Error from server (ServiceUnavailable): the server is currently unable to handle the request (get pods.metrics.k8s.io)';

function withCondition(snapshot: Snapshot, status: 'True' | 'False'): Snapshot {
  if (snapshot.apiServices?.status === 'ok') {
    const api = snapshot.apiServices.data[2];
    if (api) {
      api.status = {
        conditions: [
          {
            type: 'Available',
            status,
            reason: status === 'True' ? 'Passed' : 'FailedDiscoveryCheck',
            message:
              status === 'True'
                ? 'all checks passed'
                : 'failing or missing response from https://10.100.14.2:443/apis/metrics.eks.amazonaws.com/v1: bad status from https://10.100.14.2:443/apis/metrics.eks.amazonaws.com/v1: 503',
            lastTransitionTime: '2026-11-20T09:01:00Z',
          },
        ],
      };
    }
  }
  return snapshot;
}

runRuleTests(rule, {
  valid: [
    {
      name: 'available APIService',
      snapshot: withCondition(build({ principal: caller, path: KCM, entries: admin }), 'True'),
    },
    {
      name: '503 on a path kube-apiserver serves itself',
      snapshot: build({
        principal: caller,
        path: '/api/v1/namespaces/default/pods',
        entries: admin,
        status: 503,
      }),
    },
  ],
  invalid: [
    {
      name: 'metrics.eks.amazonaws.com APIService Available=False',
      snapshot: withCondition(build({ principal: caller, path: KCM, entries: admin, status: 503 }), 'False'),
      messageId: 'unavailable',
      severity: 'warning',
      evidence: ['/apiServices/data/2/status/conditions'],
    },
    {
      name: 'kubectl top answers 503, conditions not collected',
      snapshot: build({
        principal: caller,
        path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods',
        entries: admin,
        logLines: [UNAVAILABLE],
      }),
      messageId: 'suspected',
      severity: 'info',
    },
  ],
});
