import rule from '../../rules/cluster-creator-not-admin.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, trail, CA, CLUSTER, type BuildInput } from '../helpers/build.js';

const caller = session('platform-bootstrap', 'terraform-1732');
const created = (actor: string, bootstrap?: boolean) =>
  trail('CreateCluster', '2025-02-10T07:55:00Z', {
    actor,
    params: {
      name: CLUSTER,
      ...(bootstrap === undefined
        ? {}
        : { accessConfig: { bootstrapClusterCreatorAdminPermissions: bootstrap } }),
    },
  });
const deleted = trail('DeleteAccessEntry', '2026-11-18T05:10:00Z', {
  params: { name: CLUSTER, principalArn: encodeURIComponent(role('platform-bootstrap')) },
});

/** The cluster as DescribeCluster shows it with bootstrapClusterCreatorAdminPermissions set to `flag`. */
function withBootstrap(input: BuildInput, flag: boolean): Snapshot {
  const snapshot = build(input);
  if (snapshot.cluster?.status === 'ok' && snapshot.cluster.data.accessConfig) {
    snapshot.cluster.data.accessConfig.bootstrapClusterCreatorAdminPermissions = flag;
  }
  return snapshot;
}

runRuleTests(rule, {
  valid: [
    {
      name: 'the creator role was recreated: its entry exists but is stale (principal-recreated-unique-id-mismatch)',
      snapshot: build({
        principal: caller,
        status: 401,
        entries: [
          entry(role('platform-bootstrap'), {
            policies: [[CA, { type: 'cluster' }]],
            createdAt: '2025-02-10T08:00:00Z',
          }),
        ],
        iam: [{ arn: role('platform-bootstrap'), createDate: '2026-11-01T00:00:00Z' }],
        cloudTrail: [created(caller)],
      }),
    },
    {
      name: 'the creator still has its entry',
      snapshot: build({
        principal: caller,
        entries: [entry(role('platform-bootstrap'), { policies: [[CA, { type: 'cluster' }]] })],
        cloudTrail: [created(caller)],
      }),
    },
    {
      name: 'not mapped and nothing is known about the creator',
      snapshot: build({ principal: caller, status: 401 }),
    },
    {
      name: 'the creator in CONFIG_MAP mode (its grant is invisible): no claim',
      snapshot: build({ mode: 'CONFIG_MAP', principal: caller, cloudTrail: [created(caller)] }),
    },
  ],
  invalid: [
    {
      name: 'created with bootstrapClusterCreatorAdminPermissions=false',
      snapshot: withBootstrap(
        {
          mode: 'API',
          awsAuth: 'absent',
          principal: caller,
          status: 401,
          cloudTrail: [created(caller, false)],
        },
        false,
      ),
      messageId: 'noBootstrap',
      severity: 'error',
      first: true,
      evidence: ['/cloudTrail/data/0', '/cluster/data/accessConfig/bootstrapClusterCreatorAdminPermissions'],
    },
    {
      name: "the creator's access entry was deleted",
      snapshot: build({ principal: caller, status: 401, cloudTrail: [created(caller), deleted] }),
      messageId: 'entryDeleted',
      severity: 'error',
      first: true,
      evidence: ['/cloudTrail/data/1'],
    },
    {
      name: "the creator's entry is gone, deletion outside the trail window",
      snapshot: build({ mode: 'API', awsAuth: 'absent', principal: caller, cloudTrail: [created(caller)] }),
      messageId: 'entryMissing',
      severity: 'error',
      first: true,
    },
    {
      name: 'someone else created the cluster',
      snapshot: build({
        principal: session('data-analysts', 'bob'),
        cloudTrail: [created(caller)],
      }),
      messageId: 'otherCreator',
      severity: 'info',
    },
    {
      name: 'created without the creator grant, creator unknown',
      snapshot: withBootstrap({ mode: 'API', awsAuth: 'absent', principal: caller }, false),
      messageId: 'unknownCreator',
      severity: 'info',
    },
  ],
});
