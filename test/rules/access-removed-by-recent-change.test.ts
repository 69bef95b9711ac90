import rule from '../../rules/access-removed-by-recent-change.js';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import {
  ACCT,
  CA,
  CLUSTER,
  build,
  entry,
  role,
  session,
  trail as cloudTrailEvent,
} from '../helpers/build.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { describe, expect, it } from 'vitest';

const OPS = role('ops-oncall');
const caller = session('ops-oncall', 'hyunwoo');
const ADMIN = `arn:aws:sts::${ACCT}:assumed-role/PlatformAdmin/jiwoo.kim`;

function trail(name: string, time: string, params: Record<string, unknown>): unknown {
  return cloudTrailEvent(name, time, { actor: ADMIN, params: params });
}
const log = (time: string, granted: boolean) => ({
  timestamp: time,
  message: granted
    ? `time="${time}" level=info msg="access granted" arn="${OPS}" client="127.0.0.1:1" groups="[]" method=POST path=/authenticate username="x"`
    : `time="${time}" level=warning msg="access denied" arn="${OPS}" client="127.0.0.1:1" error="identity is not mapped" method=POST path=/authenticate`,
});
function withLogs(snapshot: Snapshot, logs: Array<{ timestamp: string; message: string }>): Snapshot {
  snapshot.authenticatorLogs = { status: 'ok', data: logs };
  return snapshot;
}

const history = [
  trail('CreateAccessEntry', '2026-06-02T03:00:00Z', { name: CLUSTER, principalArn: OPS, type: 'STANDARD' }),
  trail('AssociateAccessPolicy', '2026-06-02T03:00:05Z', {
    name: CLUSTER,
    principalArn: encodeURIComponent(OPS),
    policyArn: CA,
    accessScope: { type: 'cluster' },
  }),
];
const deletion = trail('DeleteAccessEntry', '2026-11-20T09:12:00Z', {
  name: CLUSTER,
  principalArn: encodeURIComponent(OPS),
});
const deleted = withLogs(build({ principal: caller, mapRoles: '', cloudTrail: [...history, deletion] }), [
  log('2026-11-20T09:00:00Z', true),
  log('2026-11-20T09:14:00Z', false),
]);
const ADMINS = `- rolearn: ${OPS}\n  username: ops:{{SessionName}}\n  groups:\n  - system:masters\n`;

runRuleTests(rule, {
  valid: [
    {
      name: "another principal's entry was deleted",
      snapshot: build({
        principal: caller,
        mapRoles: '',
        cloudTrail: [
          trail('DeleteAccessEntry', '2026-11-20T09:12:00Z', {
            name: CLUSTER,
            principalArn: role('someone'),
          }),
        ],
      }),
    },
    {
      name: 'access worked after the deletion, so it is not the cause',
      snapshot: withLogs(build({ principal: caller, mapRoles: '', cloudTrail: [...history, deletion] }), [
        log('2026-11-20T09:13:00Z', true),
        log('2026-11-20T09:14:00Z', false),
      ]),
    },
    {
      name: 'still mapped (the entry exists again)',
      snapshot: build({
        principal: caller,
        entries: [entry(OPS, { policies: [[CA, { type: 'cluster' }]] })],
        cloudTrail: [...history, deletion],
      }),
    },
  ],
  invalid: [
    {
      name: 'DeleteAccessEntry between last success and first failure',
      snapshot: deleted,
      messageId: 'deleted',
      severity: 'error',
      first: true,
      evidence: ['/cloudTrail/data/2'],
    },
    {
      name: 'mode switched to API while the principal was only in aws-auth',
      snapshot: build({
        mode: 'API',
        principal: caller,
        mapRoles: ADMINS,
        cloudTrail: [
          trail('UpdateClusterConfig', '2026-11-20T08:55:00Z', {
            name: CLUSTER,
            accessConfig: { authenticationMode: 'API' },
          }),
        ],
      }),
      messageId: 'modeSwitched',
      severity: 'error',
    },
    {
      name: 'aws-auth edited and the mapping is gone',
      snapshot: (() => {
        const s = build({ mode: 'CONFIG_MAP', principal: caller, status: 401 });
        s.auditEvents = {
          status: 'ok',
          data: [
            {
              verb: 'patch',
              objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth' },
              user: { username: 'kubernetes-admin' },
              responseStatus: { code: 200 },
              requestReceivedTimestamp: '2026-11-20T09:05:00Z',
            },
          ],
        };
        return s;
      })(),
      messageId: 'awsAuthEdited',
      severity: 'error',
      first: true,
    },
  ],
});

describe('access-removed-by-recent-change', () => {
  it('names the change, its author and the markers, and rebuilds the entry from CloudTrail', () => {
    const { mine } = findingsOf(rule, { name: 'x', snapshot: deleted });
    expect(mine[0]?.explanation).toContain(
      `Access last worked at 2026-11-20 09:00 UTC; then DeleteAccessEntry at 2026-11-20 09:12 UTC by ${ADMIN}`,
    );
    expect(mine[0]?.fixes[0]?.commands.map((c) => c.argv.slice(2, 3)[0])).toEqual([
      'create-access-entry',
      'associate-access-policy',
    ]);
    expect(mine[0]?.fixes[0]?.commands[1]?.argv).toContain(CA);
  });
});
