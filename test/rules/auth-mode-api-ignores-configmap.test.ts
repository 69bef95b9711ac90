import rule from '../../rules/auth-mode-api-ignores-configmap.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, CA } from '../helpers/build.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { describe, expect, it } from 'vitest';

const OPS = role('ops-oncall');
const mapped = `- rolearn: ${OPS}\n  username: ops:{{SessionName}}\n  groups:\n  - system:masters\n`;

// A former system:masters user whose failing request happens to be namespaced (QA fm16-1).
const formerAdmin = build({
  mode: 'API',
  principal: 'arn:aws:iam::111122223333:user/ana.souza',
  path: '/api/v1/namespaces/reports/pods',
  status: 401,
  mapUsers:
    '- userarn: arn:aws:iam::111122223333:user/ana.souza\n  username: ana.souza\n  groups:\n  - system:masters\n',
});
const windowsNode = build({
  mode: 'API',
  principal: session('win-nodes', 'i-0a1b2c3d4e5f60718'),
  path: '/api/v1/services',
  verb: 'list',
  status: 401,
  mapRoles: `- rolearn: ${role('win-nodes')}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - eks:kube-proxy-windows\n  - system:bootstrappers\n  - system:nodes\n`,
});

runRuleTests(rule, {
  valid: [
    {
      name: 'both modes: aws-auth is read',
      snapshot: build({ principal: session('ops-oncall', 'h'), mapRoles: mapped }),
    },
    {
      name: 'API mode with an access entry',
      snapshot: build({
        mode: 'API',
        principal: session('ops-oncall', 'h'),
        mapRoles: mapped,
        entries: [entry(OPS, { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
    {
      name: 'API mode, principal not in aws-auth either',
      snapshot: build({ mode: 'API', principal: session('other', 'h'), mapRoles: mapped }),
    },
  ],
  invalid: [
    {
      name: 'API mode, role only in aws-auth',
      snapshot: build({
        mode: 'API',
        principal: session('ops-oncall', 'hyunwoo'),
        path: '/api/v1/nodes',
        status: 401,
        mapRoles: mapped,
      }),
      messageId: 'ignored',
      severity: 'error',
      first: true,
      evidence: ['/cluster/data/accessConfig/authenticationMode', '/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'API mode, former system:masters user, namespaced request',
      snapshot: formerAdmin,
      messageId: 'ignored',
      severity: 'error',
      first: true,
    },
    {
      name: 'API mode, Windows node role only in aws-auth',
      snapshot: windowsNode,
      messageId: 'ignored',
      severity: 'error',
    },
    {
      name: 'API mode, user only in mapUsers',
      snapshot: build({
        mode: 'API',
        principal: 'arn:aws:iam::111122223333:user/erin',
        mapUsers:
          '- userarn: arn:aws:iam::111122223333:user/erin\n  username: erin\n  groups:\n  - system:masters\n',
      }),
      messageId: 'ignored',
      severity: 'error',
      first: true,
    },
  ],
});

describe('auth-mode-api-ignores-configmap equivalent entry', () => {
  const commandsOf = (snapshot: ReturnType<typeof build>) =>
    diagnose(snapshot)
      .findings.find((f) => f.ruleId === rule.id)
      ?.fixes.flatMap((f) => f.commands.map((c) => c.text)) ?? [];

  it('gives system:masters as cluster admin at cluster scope and keeps the username', () => {
    const commands = commandsOf(formerAdmin);
    expect(commands[0]).toContain('--type STANDARD --username ana.souza');
    expect(commands[1]).toContain(`--policy-arn ${CA} --access-scope type=cluster`);
  });

  it('gives a node role its node type', () => {
    const commands = commandsOf(windowsNode);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toContain('--type EC2_WINDOWS');
  });
});
