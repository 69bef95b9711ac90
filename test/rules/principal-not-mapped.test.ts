import rule from '../../rules/principal-not-mapped.js';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, CA, user } from '../helpers/build.js';
import { deniedLine, grantedLine, stsFailure, withEvidence } from '../helpers/client.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { describe, expect, it } from 'vitest';

const BOB = session('data-analysts', 'bob');
const K401 = 'error: You must be logged in to the server (Unauthorized)';
/** What a principal that gets 401 sees when it tries to read aws-auth itself. */
const awsAuthUnauthorized = {
  awsAuth: {
    status: 'error' as const,
    message: 'Unauthorized (401): the server has asked for the client to provide credentials',
  },
};
const awsAuthDenied = {
  awsAuth: { status: 'denied' as const, permission: 'Kubernetes get configmaps/aws-auth in kube-system' },
};
/** A kubelet of a self-managed node group whose role nobody mapped. */
const EDGE_KUBELET = session('edge-workers', 'i-0123456789abcdef0');
function onPlatform(snapshot: Snapshot, version: string, platformVersion: string): Snapshot {
  if (snapshot.cluster?.status === 'ok') Object.assign(snapshot.cluster.data, { version, platformVersion });
  return snapshot;
}
/** 1.27 eks.9: access entries need eks.10 (FM-50). */
const tooOld = (snapshot: Snapshot) => onPlatform(snapshot, '1.27', 'eks.9');

runRuleTests(rule, {
  valid: [
    {
      name: 'mapped by an access entry',
      snapshot: build({
        principal: BOB,
        entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'mapped in aws-auth',
      snapshot: build({
        principal: BOB,
        mapRoles: `- rolearn: ${role('data-analysts')}\n  username: bob\n  groups:\n  - system:masters\n`,
      }),
    },
    {
      name: 'account listed in mapAccounts',
      snapshot: build({ principal: BOB, mapAccounts: '- "111122223333"\n' }),
    },
    {
      name: 'access entries not collected: undecided, not "not mapped"',
      snapshot: build({ principal: BOB, entries: 'denied' }),
    },
    {
      name: 'aws-auth unreadable, 401, but the authenticator log shows the principal granted (mapped)',
      snapshot: withEvidence(
        build({ principal: BOB, status: 401, path: '/apis/metrics.k8s.io/v1beta1/pods' }),
        {
          ...awsAuthDenied,
          authenticatorLogs: {
            status: 'ok',
            data: [grantedLine('2026-11-20T09:14:02Z', role('data-analysts'), '', ['system:masters'])],
          },
        },
      ),
    },
    {
      name: 'aws-auth unreadable, 401, and the only denial in the authenticator log is an STS one',
      snapshot: withEvidence(build({ principal: BOB, status: 401 }), {
        ...awsAuthUnauthorized,
        authenticatorLogs: {
          status: 'ok',
          data: [
            deniedLine(
              '2026-11-20T09:29:10Z',
              stsFailure('InvalidClientTokenId', 'The security token included in the request is invalid.'),
            ),
          ],
        },
      }),
    },
    {
      name: 'aws-auth unreadable but a 403 was observed: the principal is mapped',
      snapshot: withEvidence(build({ principal: BOB, status: 403 }), awsAuthDenied),
    },
  ],
  invalid: [
    {
      name: 'assumed role, both modes, nothing matches',
      snapshot: build({ principal: BOB, status: 401 }),
      messageId: 'notMapped',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data', '/awsAuth/data'],
    },
    {
      name: 'IAM user in CONFIG_MAP mode (fix switches the mode first)',
      snapshot: build({ mode: 'CONFIG_MAP', principal: user('carol') }),
      messageId: 'notMapped',
      severity: 'error',
      first: true,
    },
    {
      name: 'API mode without entry',
      snapshot: build({ mode: 'API', principal: user('dave'), awsAuth: 'absent' }),
      messageId: 'notMapped',
      severity: 'error',
    },
    {
      name: 'collected as the failing user: no access entry, aws-auth read fails with 401 (QA fm15-5)',
      snapshot: withEvidence(build({ principal: BOB, status: 401 }), awsAuthUnauthorized),
      messageId: 'unseen',
      severity: 'warning',
      first: true,
      evidence: ['/accessEntries/data', '/awsAuth', '/cluster/data/accessConfig/authenticationMode'],
      fixesPass: true,
    },
    {
      name: 'access entries and aws-auth both denied, only a pasted kubectl 401 (QA fm15-4)',
      snapshot: withEvidence(build({ principal: BOB, entries: 'denied', logLines: [K401] }), awsAuthDenied),
      messageId: 'unseen',
      severity: 'info',
      first: true,
      evidence: ['/accessEntries', '/awsAuth'],
    },
    {
      name: 'CONFIG_MAP, aws-auth denied, 401: the fix switches the mode first',
      snapshot: withEvidence(
        build({ mode: 'CONFIG_MAP', principal: user('carol'), status: 401 }),
        awsAuthDenied,
      ),
      messageId: 'unseen',
      severity: 'info',
      first: true,
    },
    {
      name: 'API mode, access entries denied, 401',
      snapshot: build({
        mode: 'API',
        principal: user('dave'),
        awsAuth: 'absent',
        entries: 'denied',
        status: 401,
      }),
      messageId: 'unseen',
      severity: 'info',
      first: true,
    },
    {
      name: 'mode unknown but access entries and aws-auth both read: nothing maps it in any mode',
      snapshot: withEvidence(build({ principal: BOB, status: 401 }), {
        cluster: { status: 'denied', permission: 'eks:DescribeCluster' },
      }),
      messageId: 'notMapped',
      severity: 'error',
      first: true,
      // With the mode unknown the replay cannot tell whether an access entry would be consulted.
      fixesPass: false,
    },
    {
      name: 'an unmapped node role: both fixes make it a node',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: EDGE_KUBELET,
        path: '/api/v1/services',
        verb: 'list',
      }),
      messageId: 'notMapped',
      severity: 'error',
    },
    {
      name: 'a platform version that predates access entries: aws-auth now, the upgrade later',
      snapshot: tooOld(build({ mode: 'CONFIG_MAP', principal: user('carol'), status: 401 })),
      messageId: 'notMapped',
      severity: 'error',
      first: true,
    },
    {
      name: 'a platform version that predates access entries, aws-auth unreadable',
      snapshot: tooOld(
        withEvidence(build({ mode: 'CONFIG_MAP', principal: user('carol'), status: 401 }), awsAuthDenied),
      ),
      messageId: 'unseen',
      severity: 'info',
      fixesPass: true,
    },
  ],
});

const fixTexts = (snapshot: Snapshot) =>
  (findingsOf(rule, { name: 'x', snapshot }).mine[0]?.fixes ?? []).map((f) => ({
    title: f.title,
    text: f.commands.map((c) => c.text).join('\n'),
  }));

describe('principal-not-mapped: the aws-auth fix', () => {
  it('maps a node role as a node, never as system:masters', () => {
    for (const snapshot of [
      build({ mode: 'CONFIG_MAP', principal: EDGE_KUBELET, path: '/api/v1/services', verb: 'list' }),
      withEvidence(
        build({ mode: 'CONFIG_MAP', principal: EDGE_KUBELET, path: '/api/v1/services', status: 401 }),
        awsAuthDenied,
      ),
    ]) {
      const mapping = fixTexts(snapshot).find((f) => f.text.includes('iamidentitymapping'));
      expect(mapping?.text).toContain('system:node:{{EC2PrivateDNSName}}');
      expect(mapping?.text).toContain('system:nodes');
      expect(mapping?.text).not.toContain('system:masters');
    }
  });

  it('keeps system:masters with a username for a person', () => {
    const mapping = fixTexts(build({ mode: 'CONFIG_MAP', principal: user('carol') })).find((f) =>
      f.text.includes('iamidentitymapping'),
    );
    expect(mapping?.text).toContain('--username carol');
    expect(mapping?.text).toContain('system:masters');
  });
});

describe('principal-not-mapped on a platform version without access entries (FM-50)', () => {
  it.each([
    ['decided', tooOld(build({ mode: 'CONFIG_MAP', principal: user('carol'), status: 401 }))],
    [
      'aws-auth unreadable',
      tooOld(
        withEvidence(build({ mode: 'CONFIG_MAP', principal: user('carol'), status: 401 }), awsAuthDenied),
      ),
    ],
  ])('%s: leads with the aws-auth mapping, then the upgrade, and no access-entry call', (_, snapshot) => {
    const fixes = fixTexts(snapshot);
    expect(fixes[0]?.text).toMatch(/^eksctl create iamidentitymapping /);
    expect(fixes[1]?.text).toContain('aws eks update-cluster-version');
    expect(fixes[1]?.text).toContain('--kubernetes-version 1.28');
    const all = fixes.map((f) => f.text).join('\n');
    expect(all).not.toContain('create-access-entry');
    expect(all).not.toContain('authenticationMode=API_AND_CONFIG_MAP');
  });
});
