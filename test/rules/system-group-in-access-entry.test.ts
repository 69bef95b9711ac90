import rule from '../../rules/system-group-in-access-entry.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, VIEW } from '../helpers/build.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { describe, expect, it } from 'vitest';

const OPS = role('ops-admins');
const CLI_ERROR =
  'An error occurred (InvalidParameterException) when calling the CreateAccessEntry operation: The kubernetes group name system:masters is invalid, it cannot start with system:';
const TF_NODES =
  '│ Error: creating EKS Access Entry (platform-prod:arn:aws:iam::111122223333:role/platform-prod-node-role): operation error EKS: CreateAccessEntry, https response error StatusCode: 400, RequestID: 5d1c, InvalidParameterException: The kubernetes group name system:nodes is invalid, it cannot start with system:';

const WINDOWS = role('core-banking-windows-nodes');
const CLI_NODES =
  'An error occurred (InvalidParameterException) when calling the CreateAccessEntry operation: The kubernetes group name system:nodes is invalid, it cannot start with system:';
const windowsMigration = build({
  principal: WINDOWS,
  logLines: [CLI_NODES],
  mapRoles: `- rolearn: ${WINDOWS}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - eks:kube-proxy-windows\n  - system:bootstrappers\n  - system:nodes\n`,
});

runRuleTests(rule, {
  valid: [
    {
      name: 'an ordinary 403 with an access entry',
      snapshot: build({
        principal: session('ops-admins', 'kim'),
        entries: [entry(OPS, { policies: [[VIEW, { type: 'namespace', namespaces: ['dev'] }]] })],
        status: 403,
      }),
    },
    {
      name: 'another EKS API 400 (mode transition)',
      snapshot: build({
        principal: session('ops-admins', 'kim'),
        logLines: [
          'An error occurred (InvalidParameterException) when calling the UpdateClusterConfig operation: Unsupported authentication mode update from CONFIG_MAP to API',
        ],
      }),
    },
  ],
  invalid: [
    {
      name: 'migrating system:masters with the AWS CLI',
      snapshot: build({ principal: OPS, logLines: [CLI_ERROR] }),
      messageId: 'rejected',
      severity: 'error',
      first: true,
    },
    {
      name: 'Terraform node role entry with system:nodes (principal from the resource id)',
      snapshot: build({ logLines: [TF_NODES] }),
      messageId: 'rejected',
      severity: 'error',
      first: true,
    },
    {
      name: 'a Windows node role (aws-auth has eks:kube-proxy-windows) rejected for system:nodes',
      snapshot: windowsMigration,
      messageId: 'rejected',
      severity: 'error',
      first: true,
    },
    {
      name: 'principal unknown: the fix says what is missing',
      snapshot: build({ logLines: [CLI_ERROR] }),
      messageId: 'rejected',
      severity: 'error',
    },
  ],
});

describe('system-group-in-access-entry node type', () => {
  const commandsOf = (snapshot: ReturnType<typeof build>) =>
    diagnose(snapshot)
      .findings.find((f) => f.ruleId === rule.id)
      ?.fixes.flatMap((f) => f.commands.map((c) => c.text)) ?? [];

  it('creates an EC2_WINDOWS entry for a Windows node role (the type cannot be changed later)', () => {
    const commands = commandsOf(windowsMigration);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toContain(`--principal-arn ${WINDOWS} --type EC2_WINDOWS`);
  });

  it('keeps EC2_LINUX for a Linux node role', () => {
    expect(commandsOf(build({ logLines: [TF_NODES] }))[0]).toContain('--type EC2_LINUX');
  });
});
