import rule from '../../rules/auth-mode-transition-one-way.js';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import { build, role } from '../helpers/build.js';
import { describe, expect, it } from 'vitest';

const err = (from: string, to: string) =>
  `An error occurred (InvalidParameterException) when calling the UpdateClusterConfig operation: Unsupported authentication mode update from ${from} to ${to}`;
const ADMINS = `- rolearn: ${role('ops-admins')}\n  username: admin:{{SessionName}}\n  groups:\n  - system:masters\n`;
const NODES = `- rolearn: ${role('platform-prod-node-role')}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n`;

const skipped = build({ mode: 'CONFIG_MAP', mapRoles: NODES + ADMINS, logLines: [err('CONFIG_MAP', 'API')] });

runRuleTests(rule, {
  valid: [
    { name: 'no EKS API error', snapshot: build({ mode: 'CONFIG_MAP', mapRoles: ADMINS }) },
    {
      name: 'a different EKS API error',
      snapshot: build({
        logLines: [
          'An error occurred (InvalidParameterException) when calling the CreateAccessEntry operation: The kubernetes group name system:masters is invalid, it cannot start with system:',
        ],
      }),
    },
  ],
  invalid: [
    {
      name: 'CONFIG_MAP straight to API',
      snapshot: skipped,
      messageId: 'skipped',
      severity: 'error',
      first: true,
    },
    {
      name: 'no-op update from IaC drift',
      snapshot: build({ logLines: [err('API_AND_CONFIG_MAP', 'API_AND_CONFIG_MAP')] }),
      messageId: 'noop',
      severity: 'error',
      first: true,
    },
    {
      name: 'rollback from API to CONFIG_MAP',
      snapshot: build({ mode: 'API', logLines: [err('API', 'CONFIG_MAP')] }),
      messageId: 'backward',
      severity: 'error',
    },
  ],
});

describe('auth-mode-transition-one-way migration plan', () => {
  it('lists an access entry per aws-auth mapping: EC2_LINUX for nodes, cluster admin for system:masters', () => {
    const { mine } = findingsOf(rule, { name: 'x', snapshot: skipped });
    const texts = mine[0]?.fixes.flatMap((f) => f.commands.map((c) => c.text)) ?? [];
    expect(texts).toEqual([
      'aws eks update-cluster-config --name platform-prod --region ap-northeast-2 --access-config authenticationMode=API_AND_CONFIG_MAP',
      `aws eks create-access-entry --cluster-name platform-prod --region ap-northeast-2 --principal-arn ${role('platform-prod-node-role')} --type EC2_LINUX`,
      `aws eks create-access-entry --cluster-name platform-prod --region ap-northeast-2 --principal-arn ${role('ops-admins')} --type STANDARD --username 'admin:{{SessionName}}'`,
      `aws eks associate-access-policy --cluster-name platform-prod --region ap-northeast-2 --principal-arn ${role('ops-admins')} --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy --access-scope type=cluster`,
      'aws eks update-cluster-config --name platform-prod --region ap-northeast-2 --access-config authenticationMode=API',
    ]);
  });
});
