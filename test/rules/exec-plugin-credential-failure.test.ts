import rule from '../../rules/exec-plugin-credential-failure.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session } from '../helpers/build.js';
import { kubeconfig, withEvidence } from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const EXEC_FAILED =
  'Unable to connect to the server: getting credentials: exec: executable aws failed with exit code 255';
const withProfile = (lines: string[], profile = 'dev-admin') =>
  withEvidence(build({ principal: BOB, logLines: lines }), {
    kubeconfig: { status: 'ok', data: kubeconfig({ profile }) },
  });

runRuleTests(rule, {
  valid: [
    {
      name: 'the request reached the cluster (401, not mapped)',
      snapshot: build({
        principal: BOB,
        status: 401,
        logLines: ['error: You must be logged in to the server (Unauthorized)'],
      }),
    },
    {
      name: 'AssumeRole was denied: exec-assume-role-denied explains it',
      snapshot: build({
        principal: BOB,
        logLines: [
          EXEC_FAILED,
          'An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::111122223333:assumed-role/data-analysts/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/platform-admin',
        ],
      }),
    },
    {
      name: 'the kubeconfig apiVersion is the cause',
      snapshot: build({
        principal: BOB,
        logLines: ['error: exec plugin: invalid apiVersion "client.authentication.k8s.io/v1alpha1"'],
      }),
    },
    {
      name: 'a working principal',
      snapshot: build({
        principal: BOB,
        entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
      }),
    },
  ],
  invalid: [
    {
      name: 'expired IAM Identity Center session behind exit code 255',
      snapshot: withProfile([
        EXEC_FAILED,
        'Error loading SSO Token: The SSO access token has either expired or is otherwise invalid.',
      ]),
      messageId: 'ssoExpired',
      severity: 'error',
      first: true,
      evidence: ['/incident/logLines/1', '/kubeconfig/data/users/0/user/exec'],
    },
    {
      name: 'no credentials at all',
      snapshot: withProfile([
        EXEC_FAILED,
        'Unable to locate credentials. You can configure credentials by running "aws configure".',
      ]),
      messageId: 'noCredentials',
      severity: 'error',
      first: true,
    },
    {
      name: 'aws is not on the PATH (Lens)',
      snapshot: build({
        principal: BOB,
        logLines: ['Unable to connect to the server: getting credentials: exec: executable aws not found'],
      }),
      messageId: 'notFound',
      severity: 'error',
      first: true,
    },
    {
      name: 'the plugin failed without saying why',
      snapshot: build({ principal: BOB, logLines: [EXEC_FAILED] }),
      messageId: 'failed',
      severity: 'error',
      evidence: ['/incident/logLines/0'],
    },
  ],
});
