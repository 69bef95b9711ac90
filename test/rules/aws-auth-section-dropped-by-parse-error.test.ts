import rule from '../../rules/aws-auth-section-dropped-by-parse-error.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, user, entry, CA } from '../helpers/build.js';

const NODE = `- rolearn: ${role('platform-prod-node-role')}
  username: system:node:{{EC2PrivateDNSName}}
  groups:
  - system:bootstrappers
  - system:nodes
`;
const deployer = (body: string) => `${NODE}- rolearn: ${role('deployer')}\n${body}`;
const TAB = deployer('  username: deployer\n  groups:\n\t- system:masters\n');
const UNQUOTED = deployer('  username: {{SessionName}}\n  groups:\n  - system:masters\n');
const INDENT = deployer('   username: deployer\n  groups:\n  - system:masters\n');
const caller = session('deployer', 'gitlab-runner-8812');

runRuleTests(rule, {
  valid: [
    {
      name: 'aws-auth parses; the caller is simply not in it',
      snapshot: build({ principal: caller, mapRoles: NODE }),
    },
    {
      name: 'API mode ignores a broken aws-auth',
      snapshot: build({
        mode: 'API',
        principal: caller,
        mapRoles: TAB,
        entries: [entry(role('deployer'), { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'aws-auth not collected and nothing logged',
      snapshot: build({ principal: caller, awsAuth: 'absent', entries: 'denied' }),
    },
  ],
  invalid: [
    {
      name: 'a tab in mapRoles drops the caller (and the node role)',
      snapshot: build({ mode: 'CONFIG_MAP', principal: caller, status: 401, mapRoles: TAB }),
      messageId: 'dropped',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'an unquoted {{SessionName}} drops the section (both modes)',
      snapshot: build({ principal: caller, mapRoles: UNQUOTED, path: '/apis/metrics.eks.amazonaws.com/v1' }),
      messageId: 'dropped',
      severity: 'error',
      first: true,
    },
    {
      name: 'one space too many under an entry',
      snapshot: build({ mode: 'CONFIG_MAP', principal: caller, mapRoles: INDENT }),
      messageId: 'dropped',
      severity: 'error',
      first: true,
    },
    {
      name: 'a broken mapUsers while the caller is mapped elsewhere: a warning',
      snapshot: build({
        principal: caller,
        mapRoles: `${NODE}- rolearn: ${role('deployer')}\n  username: deployer\n  groups:\n  - system:masters\n`,
        mapUsers: `- userarn: ${user('alice')}\n  username: alice\n  groups:\n\t- system:masters\n`,
      }),
      messageId: 'droppedOthers',
      severity: 'warning',
    },
  ],
});
