import rule from '../../rules/empty-username-aggregated-api-401.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, METRICS, user, role, session, entry, CA } from '../helpers/build.js';
import { authLine, grantedLine, withEvidence } from '../helpers/client.js';
import type { Snapshot } from '../../src/model/snapshot.js';

const HONG = user('honggildong');
const noUsername = `- userarn: ${HONG}\n  groups:\n  - system:masters\n`;
const TOP = '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods';
/** The failing principal cannot read aws-auth (FM-15 evidence: "needs another admin"). */
const awsAuthDenied = {
  awsAuth: { status: 'denied' as const, permission: 'Kubernetes get configmaps/aws-auth in kube-system' },
};
const logs = (...data: Array<{ timestamp: string; message: string }>) => ({
  authenticatorLogs: { status: 'ok' as const, data },
});
/** Only what was pasted names the request. */
function withoutPath(snapshot: Snapshot): Snapshot {
  const { path: _path, verb: _verb, ...incident } = snapshot.incident ?? {};
  return { ...snapshot, incident };
}
/** Lens' proxy lines for the metrics API (QA seed-2). */
const PROXY_401 = [
  'Proxy request for clusterId="7a2c4e6f8b0d1f3a5c7e9b1d3f5a7c9e" to url="/apis/metrics.eks.amazonaws.com/v1" has statusCode=401',
  'Proxy request for clusterId="7a2c4e6f8b0d1f3a5c7e9b1d3f5a7c9e" to url="/apis/metrics.eks.amazonaws.com/v1" failed with UNAUTHORIZED',
];

runRuleTests(rule, {
  valid: [
    {
      name: 'mapping has a username',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: HONG,
        path: METRICS,
        mapUsers: `- userarn: ${HONG}\n  username: hong\n  groups:\n  - system:masters\n`,
      }),
    },
    {
      name: 'access entry (generated username) in both modes',
      snapshot: build({
        principal: HONG,
        path: METRICS,
        mapUsers: noUsername,
        entries: [entry(HONG, { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'API mode ignores the empty aws-auth entry',
      snapshot: build({ mode: 'API', principal: HONG, path: METRICS, mapUsers: noUsername }),
    },
    {
      name: 'aws-auth unreadable, 401 on a core API: not this cause',
      snapshot: withEvidence(
        build({ mode: 'CONFIG_MAP', principal: HONG, path: '/api/v1/namespaces/default/pods', status: 401 }),
        awsAuthDenied,
      ),
    },
    {
      name: 'aws-auth unreadable, but the grant in the authenticator log carries a username',
      snapshot: withEvidence(build({ mode: 'CONFIG_MAP', principal: HONG, path: TOP, status: 401 }), {
        ...awsAuthDenied,
        ...logs(grantedLine('2026-11-20T09:20:00Z', HONG, 'hong', ['system:masters'])),
      }),
    },
    {
      name: 'API mode, access entries denied, 401 on metrics: access entries always have a username',
      snapshot: build({
        mode: 'API',
        principal: HONG,
        path: METRICS,
        status: 401,
        entries: 'denied',
        awsAuth: 'absent',
      }),
    },
    {
      name: 'role mapped with a session template',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: session('admins', 'kim'),
        path: METRICS,
        mapRoles: `- rolearn: ${role('admins')}\n  username: admin:{{SessionName}}\n  groups:\n  - system:masters\n`,
      }),
    },
  ],
  invalid: [
    {
      name: 'the seed case: mapUsers without username, metrics API',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: HONG,
        path: METRICS,
        status: 401,
        mapUsers: noUsername,
      }),
      messageId: 'failing',
      severity: 'error',
      first: true,
      evidence: [
        '/awsAuth/data/data/mapUsers',
        '/apiServices/data/2',
        '/accessEntries/data',
        '/cluster/data/accessConfig/authenticationMode',
      ],
    },
    {
      name: 'cluster without accessConfig (CONFIG_MAP), metrics.k8s.io',
      snapshot: build({
        mode: 'none',
        principal: HONG,
        path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods',
        mapUsers: noUsername,
      }),
      messageId: 'failing',
      severity: 'error',
      first: true,
      evidence: ['/cluster/data'],
    },
    {
      name: 'role mapped without username, APIServices not collected but 401 observed',
      snapshot: build({
        mode: 'API_AND_CONFIG_MAP',
        principal: session('ops', 'lee'),
        path: METRICS,
        status: 401,
        apiServices: 'absent',
        mapRoles: `- rolearn: ${role('ops')}\n  groups:\n  - system:masters\n`,
      }),
      messageId: 'failing',
      severity: 'error',
      first: true,
      fixesPass: false,
    },
    {
      name: 'aws-auth denied, the authenticator log shows "access granted ... username=" (QA seed-3)',
      snapshot: withEvidence(build({ mode: 'CONFIG_MAP', principal: HONG, path: TOP, status: 401 }), {
        ...awsAuthDenied,
        ...logs(grantedLine('2026-11-20T09:20:00Z', HONG, '', ['system:masters'])),
      }),
      messageId: 'failing',
      severity: 'error',
      first: true,
      evidence: [
        '/authenticatorLogs/data/0',
        '/apiServices/data/3',
        '/cluster/data/accessConfig/authenticationMode',
      ],
      // The aws-auth alternative cannot be replayed against an aws-auth that was never read.
      fixesPass: false,
    },
    {
      name: 'aws-auth error, `username=""` quoted, role session, metrics.eks.amazonaws.com',
      snapshot: withEvidence(build({ principal: session('ops', 'lee'), path: METRICS, status: 401 }), {
        awsAuth: { status: 'error', message: 'Unauthorized (401)' },
        ...logs(
          authLine(
            '2026-11-20T09:20:00Z',
            `level=info msg="access granted" arn="${role('ops')}" client="127.0.0.1:48232" groups="[ops-admins]" method=POST path=/authenticate uid="aws-iam-authenticator:111122223333:AROARJ2VQ7MXEXAMPLE" username=""`,
          ),
        ),
      }),
      messageId: 'failing',
      severity: 'error',
      first: true,
      evidence: ['/authenticatorLogs/data/0', '/apiServices/data/2'],
      fixesPass: false,
    },
    {
      name: 'aws-auth denied, only the proxied 401 of the metrics API pasted: a candidate (QA seed-2)',
      snapshot: withoutPath(
        withEvidence(build({ mode: 'CONFIG_MAP', principal: HONG, logLines: PROXY_401 }), awsAuthDenied),
      ),
      messageId: 'possible',
      severity: 'info',
      first: true,
      evidence: ['/awsAuth', '/apiServices/data/2'],
    },
    {
      name: 'latent: same mapping but a core API request succeeds',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: HONG,
        path: '/api/v1/namespaces',
        mapUsers: noUsername,
      }),
      messageId: 'latent',
      severity: 'warning',
    },
  ],
});
