import rule from '../../rules/aws-auth-wrong-keys-or-location.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, user, entry, CA, type BuildInput } from '../helpers/build.js';

const NODE = `- rolearn: ${role('platform-prod-node-role')}
  username: system:node:{{EC2PrivateDNSName}}
  groups:
  - system:bootstrappers
  - system:nodes
`;
const DEPLOYER = `- rolearn: ${role('deployer')}\n  username: deployer\n  groups:\n  - system:masters\n`;
const ALICE = `- userarn: ${user('alice')}\n  username: alice\n  groups:\n  - system:masters\n`;
const caller = session('deployer', 'gitlab-runner-8812');

/** A snapshot whose aws-auth holds exactly these data keys. */
function withData(input: BuildInput, data: Record<string, string>): Snapshot {
  const snapshot = build(input);
  if (snapshot.awsAuth?.status === 'ok' && snapshot.awsAuth.data) snapshot.awsAuth.data.data = data;
  return snapshot;
}

runRuleTests(rule, {
  valid: [
    { name: 'correct keys', snapshot: withData({ principal: caller }, { mapRoles: NODE + DEPLOYER }) },
    {
      name: 'an ignored key that does not hold the caller',
      snapshot: withData({ principal: caller, status: 401 }, { mapRoles: NODE, maproles: ALICE }),
    },
    {
      name: 'no aws-auth in API_AND_CONFIG_MAP is normal',
      snapshot: build({
        principal: caller,
        awsAuth: 'missing',
        entries: [entry(role('deployer'), { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'the caller is mapped by an access entry anyway',
      snapshot: withData(
        { principal: caller, entries: [entry(role('deployer'), { policies: [[CA, { type: 'cluster' }]] })] },
        { mapRoles: NODE, maproles: DEPLOYER },
      ),
    },
  ],
  invalid: [
    {
      name: '"MapUsers" instead of "mapUsers"',
      snapshot: withData(
        { mode: 'CONFIG_MAP', principal: user('alice'), status: 401 },
        { mapRoles: NODE, MapUsers: ALICE },
      ),
      messageId: 'wrongKey',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/MapUsers'],
    },
    {
      name: 'everything under "maproles": the rename keeps the node role',
      snapshot: withData({ mode: 'CONFIG_MAP', principal: caller }, { maproles: NODE + DEPLOYER }),
      messageId: 'wrongKey',
      severity: 'error',
      first: true,
    },
    {
      name: 'a stray "mapRole" next to a good mapRoles',
      snapshot: withData({ principal: caller }, { mapRoles: NODE, mapRole: DEPLOYER }),
      messageId: 'wrongKey',
      severity: 'error',
      first: true,
    },
    {
      name: 'kube-system/aws-auth deleted in CONFIG_MAP mode',
      snapshot: build({ mode: 'CONFIG_MAP', principal: caller, awsAuth: 'missing', status: 401 }),
      messageId: 'missing',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data'],
    },
  ],
});
