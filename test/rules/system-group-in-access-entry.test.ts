import rule from '../../rules/system-group-in-access-entry.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, VIEW } from '../helpers/build.js';

const OPS = role('ops-admins');
const CLI_ERROR =
  'An error occurred (InvalidParameterException) when calling the CreateAccessEntry operation: The kubernetes group name system:masters is invalid, it cannot start with system:';
const TF_NODES =
  '│ Error: creating EKS Access Entry (platform-prod:arn:aws:iam::111122223333:role/platform-prod-node-role): operation error EKS: CreateAccessEntry, https response error StatusCode: 400, RequestID: 5d1c, InvalidParameterException: The kubernetes group name system:nodes is invalid, it cannot start with system:';

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
      name: 'principal unknown: the fix says what is missing',
      snapshot: build({ logLines: [CLI_ERROR] }),
      messageId: 'rejected',
      severity: 'error',
    },
  ],
});
