import rule from '../../rules/principal-recreated-unique-id-mismatch.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, user, entry, trail, CA, EDIT } from '../helpers/build.js';

const DEPLOYER = role('deployer');
const caller = session('deployer', 'gitlab-runner-7731');
const adminEntry = entry(DEPLOYER, {
  policies: [[CA, { type: 'cluster' }]],
  createdAt: '2025-06-02T03:00:00Z',
});
const recreated = { arn: DEPLOYER, id: 'AROARJ2VQ7MXNEWROLE1', createDate: '2026-11-19T22:40:00Z' };

runRuleTests(rule, {
  valid: [
    {
      name: 'principal created before its entry',
      snapshot: build({
        principal: caller,
        entries: [adminEntry],
        iam: [{ ...recreated, createDate: '2024-01-10T00:00:00Z' }],
      }),
    },
    {
      name: 'no IAM facts and no trail: nothing says it was re-created',
      snapshot: build({ principal: caller, entries: [adminEntry], status: 401 }),
    },
    {
      name: 'CreateRole in the trail before the entry was made',
      snapshot: build({
        principal: caller,
        entries: [adminEntry],
        cloudTrail: [trail('CreateRole', '2025-05-30T10:00:00Z', { params: { roleName: 'deployer' } })],
      }),
    },
    {
      name: 'a CreateRole after the entry that failed re-created nothing',
      snapshot: build({
        principal: caller,
        status: 401,
        entries: [adminEntry],
        cloudTrail: [
          trail('CreateRole', '2026-11-19T22:40:00Z', {
            params: { roleName: 'deployer' },
            errorCode: 'EntityAlreadyExistsException',
          }),
        ],
      }),
    },
    {
      name: 'another principal was re-created',
      snapshot: build({
        principal: caller,
        entries: [adminEntry],
        iam: [{ arn: role('other'), createDate: '2026-11-19T22:40:00Z' }],
        cloudTrail: [trail('CreateRole', '2026-11-19T22:40:00Z', { params: { roleName: 'other' } })],
      }),
    },
  ],
  invalid: [
    {
      name: 'role re-created after its entry: outranks "not mapped"',
      snapshot: build({
        principal: caller,
        status: 401,
        entries: [adminEntry],
        iam: [recreated],
        cloudTrail: [
          trail('DeleteRole', '2026-11-19T22:39:10Z', { params: { roleName: 'deployer' } }),
          trail('CreateRole', '2026-11-19T22:40:00Z', { params: { roleName: 'deployer' } }),
        ],
      }),
      messageId: 'recreated',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data/0', '/iamPrincipals/data/0', '/cloudTrail/data/1'],
    },
    {
      name: 'IAM user re-created in API mode, entry with groups bound to edit',
      snapshot: build({
        mode: 'API',
        awsAuth: 'absent',
        principal: user('jane'),
        path: '/apis/apps/v1/namespaces/web/deployments',
        entries: [entry(user('jane'), { groups: ['web-editors'], createdAt: '2025-01-15T00:00:00Z' })],
        rbacBindings: [{ name: 'web-editors', role: 'edit', group: 'web-editors', namespace: 'web' }],
        iam: [{ arn: user('jane'), id: 'AIDARJ2VQ7MXJANE0002', createDate: '2026-03-01T09:00:00Z' }],
      }),
      messageId: 'recreated',
      severity: 'error',
      first: true,
    },
    {
      name: 'entry with a namespace-scoped policy is re-created with the same scope',
      snapshot: build({
        principal: caller,
        path: '/apis/apps/v1/namespaces/web/deployments',
        entries: [
          entry(DEPLOYER, {
            policies: [[EDIT, { type: 'namespace', namespaces: ['web'] }]],
            createdAt: '2025-06-02T03:00:00Z',
          }),
        ],
        iam: [recreated],
      }),
      messageId: 'recreated',
      severity: 'error',
      first: true,
    },
    {
      name: 'only CloudTrail shows the re-creation (IAM not collected): decisive, the mapping stage fails',
      snapshot: build({
        principal: caller,
        entries: [adminEntry],
        cloudTrail: [trail('CreateRole', '2026-11-19T22:40:00Z', { params: { roleName: 'deployer' } })],
      }),
      messageId: 'recreated',
      severity: 'error',
      first: true,
      evidence: ['/accessEntries/data/0', '/cloudTrail/data/0'],
    },
    {
      name: 'iam:GetRole denied, DeleteRole then CreateRole after the entry, 401 observed (QA fm22-2)',
      snapshot: {
        ...build({
          principal: caller,
          status: 401,
          path: '/api/v1/nodes',
          entries: [adminEntry],
          cloudTrail: [
            trail('DeleteRole', '2026-11-19T22:39:10Z', { params: { roleName: 'deployer' } }),
            trail('CreateRole', '2026-11-19T22:40:00Z', { params: { roleName: 'deployer', path: '/' } }),
          ],
        }),
        iamPrincipals: { status: 'denied', permission: 'iam:GetRole' },
      },
      messageId: 'recreated',
      severity: 'error',
      first: true,
      evidence: ['/cloudTrail/data/0', '/cloudTrail/data/1'],
    },
    {
      name: 'IAM readable says created before the entry, yet CloudTrail shows a CreateRole after it: only a warning',
      snapshot: build({
        principal: caller,
        entries: [adminEntry],
        iam: [{ ...recreated, createDate: '2024-01-10T00:00:00Z' }],
        cloudTrail: [trail('CreateRole', '2026-11-19T22:40:00Z', { params: { roleName: 'deployer' } })],
      }),
      messageId: 'trail',
      severity: 'warning',
    },
  ],
});
