import rule from '../../rules/propagation-and-authn-cache-delay.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, trail, CA, CLUSTER, type BuildInput } from '../helpers/build.js';

const ROLE = role('data-analysts');
const caller = session('data-analysts', 'bob');
const granted = entry(ROLE, { policies: [[CA, { type: 'cluster' }]], createdAt: '2026-11-20T09:10:05Z' });
/** The same entry, made long before the failure: only CloudTrail can date a grant. */
const older = entry(ROLE, { policies: [[CA, { type: 'cluster' }]], createdAt: '2026-11-20T09:00:05Z' });
const createEntry = (time: string, principal = ROLE) =>
  trail('CreateAccessEntry', time, { params: { name: CLUSTER, principalArn: principal } });
const associate = (time: string) =>
  trail('AssociateAccessPolicy', time, {
    params: {
      name: CLUSTER,
      principalArn: encodeURIComponent(ROLE),
      policyArn: CA,
      accessScope: { type: 'cluster' },
    },
  });

/** A `kubectl patch` of aws-auth in the audit log (someone's node-role edit, say). */
const awsAuthPatch = (time: string) => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Metadata',
  auditID: `edit-${time}`,
  stage: 'ResponseComplete',
  requestURI: '/api/v1/namespaces/kube-system/configmaps/aws-auth',
  verb: 'patch',
  user: { username: 'eks:node-manager-ops', groups: ['system:authenticated'] },
  objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', apiVersion: 'v1' },
  responseStatus: { code: 200 },
  requestReceivedTimestamp: time,
  stageTimestamp: time,
});
const withAudit = (snapshot: Snapshot, events: unknown[]): Snapshot =>
  ({ ...snapshot, auditEvents: { status: 'ok', data: events } }) as Snapshot;

/** A snapshot whose incident says when the user saw the failure. */
function observed(input: BuildInput, at: string): Snapshot {
  const snapshot = build(input);
  if (snapshot.incident) snapshot.incident.observedAt = at;
  return snapshot;
}

runRuleTests(rule, {
  valid: [
    {
      name: 'the request fails now: not a propagation case',
      snapshot: observed(
        { principal: caller, status: 401, cloudTrail: [createEntry('2026-11-20T09:10:05Z')] },
        '2026-11-20T09:10:30Z',
      ),
    },
    {
      name: 'allowed and no failure observed',
      snapshot: build({ principal: caller, entries: [granted] }),
    },
  ],
  invalid: [
    {
      name: 'an aws-auth edit 60 s before the 403 cannot have changed a mapping an access entry makes (QA noise b12)',
      snapshot: withAudit(
        observed({ principal: caller, status: 403, entries: [older] }, '2026-11-20T09:20:00Z'),
        [awsAuthPatch('2026-11-20T09:19:00Z')],
      ),
      messageId: 'maybe',
      severity: 'info',
    },
    {
      name: 'an aws-auth edit 60 s before the 401 while aws-auth maps the caller',
      snapshot: withAudit(
        observed(
          {
            mode: 'CONFIG_MAP',
            principal: caller,
            status: 401,
            mapRoles: `- rolearn: ${ROLE}\n  username: bob\n  groups:\n  - system:masters\n`,
          },
          '2026-11-20T09:20:00Z',
        ),
        [awsAuthPatch('2026-11-20T09:19:00Z')],
      ),
      messageId: 'justGranted',
      severity: 'warning',
    },
    {
      name: 'the 401 came 25 s after CreateAccessEntry',
      snapshot: observed(
        {
          principal: caller,
          status: 401,
          entries: [granted],
          cloudTrail: [createEntry('2026-11-20T09:10:05Z')],
        },
        '2026-11-20T09:10:30Z',
      ),
      messageId: 'justGranted',
      severity: 'warning',
      evidence: ['/cloudTrail/data/0', '/incident/observedAt'],
    },
    {
      name: 'the 403 came 70 s after AssociateAccessPolicy',
      snapshot: observed(
        {
          principal: caller,
          status: 403,
          entries: [granted],
          cloudTrail: [createEntry('2026-11-20T09:00:00Z'), associate('2026-11-20T09:10:20Z')],
        },
        '2026-11-20T09:11:30Z',
      ),
      messageId: 'justGranted',
      severity: 'warning',
      evidence: ['/cloudTrail/data/1'],
    },
    {
      name: 'no CloudTrail: the access entry was created 10 s before the 401 (createdAt)',
      snapshot: observed(
        {
          principal: caller,
          status: 401,
          entries: [
            entry(ROLE, { policies: [[CA, { type: 'cluster' }]], createdAt: '2026-11-20T09:10:20Z' }),
          ],
        },
        '2026-11-20T09:10:30Z',
      ),
      messageId: 'justGranted',
      severity: 'warning',
      first: true,
      evidence: ['/accessEntries/data/0/createdAt', '/incident/observedAt'],
    },
    {
      name: 'no CloudTrail: the policy that allows was associated 40 s before the 403 (associatedAt)',
      snapshot: (() => {
        const s = observed(
          { principal: caller, status: 403, entries: [structuredClone(older)] },
          '2026-11-20T09:10:30Z',
        );
        const data = s.accessEntries?.status === 'ok' ? s.accessEntries.data : [];
        const association = data[0]?.associatedPolicies?.[0];
        if (association) association.associatedAt = '2026-11-20T09:09:50Z';
        return s;
      })(),
      messageId: 'justGranted',
      severity: 'warning',
      evidence: ['/accessEntries/data/0/associatedPolicies/0/associatedAt'],
    },
    {
      name: 'the grant was 10 minutes earlier: only a possibility',
      snapshot: observed(
        {
          principal: caller,
          status: 401,
          entries: [older],
          cloudTrail: [createEntry('2026-11-20T09:00:05Z')],
        },
        '2026-11-20T09:10:30Z',
      ),
      messageId: 'maybe',
      severity: 'info',
    },
    {
      name: "another principal's entry 20 s before: only a possibility",
      snapshot: observed(
        {
          principal: caller,
          status: 401,
          entries: [older],
          cloudTrail: [createEntry('2026-11-20T09:10:10Z', role('other'))],
        },
        '2026-11-20T09:10:30Z',
      ),
      messageId: 'maybe',
      severity: 'info',
    },
  ],
});
