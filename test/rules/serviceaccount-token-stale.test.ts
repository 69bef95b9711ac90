import rule from '../../rules/serviceaccount-token-stale.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build } from '../helpers/build.js';
import type { Snapshot } from '../../src/model/snapshot.js';

const annotation = (seconds: number) =>
  `subject: system:serviceaccount:logging:fluent-bit, seconds after warning threshold: ${seconds}`;
const auditEvent = (seconds: number) => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  stage: 'ResponseComplete',
  verb: 'list',
  requestURI: '/api/v1/pods',
  user: { username: 'system:serviceaccount:logging:fluent-bit' },
  responseStatus: { code: 200 },
  requestReceivedTimestamp: '2026-11-19T22:00:00Z',
  annotations: { 'authentication.k8s.io/stale-token': annotation(seconds) },
});
const UNAUTHORIZED =
  'E1120 09:14:03.004817 1 reflector.go:147] Failed to watch *v1.Pod: failed to list *v1.Pod: Unauthorized';

function withAudit(snapshot: Snapshot, events: object[]): Snapshot {
  snapshot.auditEvents = { status: 'ok', data: events as never };
  return snapshot;
}

runRuleTests(rule, {
  valid: [
    {
      name: 'stale-token annotations but no 401',
      snapshot: withAudit(build({ path: '/api/v1/pods' }), [auditEvent(7_800_000)]),
    },
    { name: 'a 401 without stale-token evidence', snapshot: build({ path: '/api/v1/pods', status: 401 }) },
  ],
  invalid: [
    {
      name: 'audit shows a token past 90 days and the pod gets 401',
      snapshot: withAudit(build({ path: '/api/v1/pods', logLines: [UNAUTHORIZED] }), [auditEvent(7_800_000)]),
      messageId: 'rejected',
      severity: 'error',
      first: true,
      evidence: ['/auditEvents/data/0'],
    },
    {
      name: 'the annotation pasted with the 401',
      snapshot: build({
        path: '/api/v1/pods',
        status: 401,
        logLines: [JSON.stringify(auditEvent(8_000_000))],
      }),
      messageId: 'rejected',
      severity: 'error',
      first: true,
    },
    {
      name: 'a 401 with a token that is stale but still accepted',
      snapshot: withAudit(build({ path: '/api/v1/pods', status: 401 }), [auditEvent(1_000_000)]),
      messageId: 'aging',
      severity: 'warning',
    },
  ],
});
