import rule from '../../rules/empty-username-aggregated-api-401.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, METRICS, user, role, session, entry, CA } from '../helpers/build.js';

const HONG = user('honggildong');
const noUsername = `- userarn: ${HONG}\n  groups:\n  - system:masters\n`;

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
