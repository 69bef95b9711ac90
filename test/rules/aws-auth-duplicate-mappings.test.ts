import rule from '../../rules/aws-auth-duplicate-mappings.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, user } from '../helpers/build.js';

const DEPLOYER = role('deployer');
const mapping = (field: 'rolearn' | 'userarn', arn: string, username: string, group: string) =>
  `- ${field}: ${arn}\n  username: ${username}\n  groups:\n  - ${group}\n`;
const admin = mapping('rolearn', DEPLOYER, 'deployer', 'system:masters');
const viewer = mapping('rolearn', DEPLOYER, 'deployer', 'viewers');
const caller = session('deployer', 'gitlab-runner-8812');

runRuleTests(rule, {
  valid: [
    { name: 'one entry', snapshot: build({ principal: caller, mapRoles: admin }) },
    { name: 'identical duplicates', snapshot: build({ principal: caller, mapRoles: admin + admin }) },
    {
      name: 'duplicates of another ARN',
      snapshot: build({
        principal: caller,
        mapRoles:
          admin +
          mapping('rolearn', role('builder'), 'a', 'x') +
          mapping('rolearn', role('builder'), 'b', 'y'),
      }),
    },
  ],
  invalid: [
    {
      name: 'the last duplicate wins and has fewer rights',
      snapshot: build({ mode: 'CONFIG_MAP', principal: caller, status: 403, mapRoles: admin + viewer }),
      messageId: 'shadowed',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'a role mapped in mapRoles and mapUsers: mapRoles wins',
      snapshot: build({
        principal: caller,
        mapRoles: viewer,
        mapUsers: mapping('userarn', DEPLOYER, 'deployer', 'system:masters'),
      }),
      messageId: 'shadowed',
      severity: 'error',
      first: true,
    },
    {
      name: 'user ARNs that differ only in case: a random winner',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: user('alice'),
        mapUsers:
          mapping('userarn', 'arn:aws:iam::111122223333:user/Alice', 'alice', 'system:masters') +
          mapping('userarn', user('alice'), 'alice', 'viewers'),
      }),
      messageId: 'random',
      severity: 'error',
      first: true,
    },
    {
      name: 'the winning duplicate allows it: a latent warning',
      snapshot: build({ principal: caller, mapRoles: viewer + admin }),
      messageId: 'latent',
      severity: 'warning',
    },
  ],
});
