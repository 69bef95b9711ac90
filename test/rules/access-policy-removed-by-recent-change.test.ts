import rule from '../../rules/access-policy-removed-by-recent-change.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import {
  ACCT,
  CA,
  CLUSTER,
  EDIT,
  VIEW,
  build,
  entry,
  role,
  session,
  trail as cloudTrailEvent,
} from '../helpers/build.js';

const DEV = role('platform-developers');
const caller = session('platform-developers', 'minji');
const ADMIN = `arn:aws:sts::${ACCT}:assumed-role/PlatformAdmin/jiwoo.kim`;
const SECRETS = '/api/v1/namespaces/payments/secrets';

function trail(name: string, time: string, params: Record<string, unknown>): unknown {
  return cloudTrailEvent(name, time, {
    actor: ADMIN,
    params: { name: CLUSTER, principalArn: encodeURIComponent(DEV), ...params },
  });
}
const created = trail('CreateAccessEntry', '2026-06-02T03:00:00Z', { type: 'STANDARD' });
const assoc = (policyArn: string, time = '2026-06-02T03:00:05Z') =>
  trail('AssociateAccessPolicy', time, { policyArn, accessScope: { type: 'cluster' } });
const disassoc = (policyArn: string, time = '2026-11-20T09:10:00Z') =>
  trail('DisassociateAccessPolicy', time, { policyArn: encodeURIComponent(policyArn) });
const view = [entry(DEV, { policies: [[VIEW, { type: 'cluster' }]] })];

runRuleTests(rule, {
  valid: [
    {
      name: 'the removed policy would not allow the request either',
      snapshot: build({
        principal: caller,
        path: '/api/v1/nodes',
        entries: view,
        cloudTrail: [created, assoc(EDIT), assoc(VIEW), disassoc(EDIT)],
      }),
    },
    {
      name: 'the policy was associated again afterwards',
      snapshot: build({
        principal: caller,
        path: SECRETS,
        entries: [entry(DEV, { policies: [[EDIT, { type: 'cluster' }]] })],
        cloudTrail: [created, assoc(EDIT), disassoc(EDIT), assoc(EDIT, '2026-11-20T09:20:00Z')],
      }),
    },
  ],
  invalid: [
    {
      name: 'Edit disassociated, View left: secrets now forbidden',
      snapshot: build({
        principal: caller,
        path: SECRETS,
        status: 403,
        entries: view,
        cloudTrail: [created, assoc(EDIT), assoc(VIEW), disassoc(EDIT)],
      }),
      messageId: 'disassociated',
      severity: 'error',
      first: true,
      evidence: ['/cloudTrail/data/3'],
    },
    {
      name: 'the only policy (cluster admin) disassociated',
      snapshot: build({
        principal: caller,
        path: SECRETS,
        entries: [entry(DEV)],
        cloudTrail: [created, assoc(CA), disassoc(CA)],
      }),
      messageId: 'disassociated',
      severity: 'error',
      first: true,
    },
    {
      name: 'group removed from the entry by UpdateAccessEntry',
      snapshot: build({
        principal: caller,
        path: SECRETS,
        entries: [entry(DEV)],
        rbacBindings: [{ name: 'platform-admins', role: 'cluster-admin', group: 'platform-admins' }],
        cloudTrail: [
          trail('CreateAccessEntry', '2026-06-02T03:00:00Z', {
            type: 'STANDARD',
            kubernetesGroups: ['platform-admins'],
          }),
          trail('UpdateAccessEntry', '2026-11-20T09:10:00Z', { kubernetesGroups: [] }),
        ],
      }),
      messageId: 'groupRemoved',
      severity: 'error',
      first: true,
    },
  ],
});
