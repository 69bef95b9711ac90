import rule from '../../rules/role-path-in-aws-auth.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session } from '../helpers/build.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { describe, expect, it } from 'vitest';

const withPath = (arn: string) => `- rolearn: ${arn}\n  username: deployer\n  groups:\n  - system:masters\n`;
const caller = session('deployer', 'gitlab-runner-8812');
const NODE_PATH = role('warehouse-ng-NodeInstanceRole-1XYZ', '/eks/nodes/');
const nodePathSnapshot = build({
  mode: 'CONFIG_MAP',
  principal: session('warehouse-ng-NodeInstanceRole-1XYZ', 'i-0aa11bb22cc33dd44'),
  path: '/api/v1/nodes',
  verb: 'POST',
  status: 401,
  mapRoles: `- rolearn: ${NODE_PATH}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n`,
});
const teamPath = build({
  mode: 'API_AND_CONFIG_MAP',
  principal: caller,
  path: '/api/v1/namespaces/ci/pods',
  status: 401,
  mapRoles: withPath(role('deployer', '/teams/platform/')),
});

runRuleTests(rule, {
  valid: [
    {
      name: 'path-less rolearn',
      snapshot: build({ principal: caller, mapRoles: withPath(role('deployer')) }),
    },
    {
      name: 'another role with a path',
      snapshot: build({ principal: caller, mapRoles: withPath(role('other', '/teams/')) }),
    },
    {
      name: 'IAM user with a path matches (paths kept for users)',
      snapshot: build({
        principal: 'arn:aws:iam::111122223333:user/ops/jane',
        mapUsers:
          '- userarn: arn:aws:iam::111122223333:user/ops/jane\n  username: jane\n  groups:\n  - system:masters\n',
      }),
    },
  ],
  invalid: [
    {
      name: 'team path',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: caller,
        status: 401,
        mapRoles: withPath(role('deployer', '/teams/platform/')),
      }),
      messageId: 'path',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'a node role written with its path',
      snapshot: nodePathSnapshot,
      messageId: 'path',
      severity: 'error',
      first: true,
    },
    {
      name: 'SSO permission-set role with its reserved path and region',
      snapshot: build({
        principal: session('AWSReservedSSO_AdministratorAccess_0123456789abcdef', 'jane@example.com'),
        mapRoles: withPath(
          role(
            'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
            '/aws-reserved/sso.amazonaws.com/ap-northeast-2/',
          ),
        ),
      }),
      messageId: 'path',
      severity: 'error',
      first: true,
    },
  ],
});

describe('role-path-in-aws-auth access-entry alternative', () => {
  const fixesOf = (snapshot: ReturnType<typeof build>) =>
    diagnose(snapshot).findings.find((f) => f.ruleId === rule.id)?.fixes ?? [];

  it('uses the ARN with its path, as its title says, and the access the aws-auth entry gave', () => {
    const alt = fixesOf(teamPath)[1];
    const arn = role('deployer', '/teams/platform/');
    expect(alt?.title).toContain(`${arn} (access entries take the ARN with its path)`);
    const commands = alt?.commands.map((c) => c.text) ?? [];
    expect(commands[0]).toContain(`--principal-arn ${arn} --type STANDARD --username deployer`);
    expect(commands[1]).toContain('AmazonEKSClusterAdminPolicy --access-scope type=cluster');
  });

  it('gives a node role a node entry, never STANDARD with a policy', () => {
    const commands = fixesOf(nodePathSnapshot).flatMap((f) => f.commands.map((c) => c.text));
    expect(commands.some((c) => c.includes(`--principal-arn ${NODE_PATH} --type EC2_LINUX`))).toBe(true);
    expect(
      commands.filter((c) => c.includes('--type STANDARD') || c.includes('associate-access-policy')),
    ).toEqual([]);
  });
});
