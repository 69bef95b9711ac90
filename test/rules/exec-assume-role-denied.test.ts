import rule from '../../rules/exec-assume-role-denied.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, session } from '../helpers/build.js';
import { kubeconfig, withEvidence } from '../helpers/client.js';

const ALICE = session('developer', 'alice');
const EXEC_FAILED =
  'Unable to connect to the server: getting credentials: exec: executable aws failed with exit code 255';
const DENIED =
  'An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::111122223333:assumed-role/developer/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/platform-admin';

runRuleTests(rule, {
  valid: [
    {
      name: 'an SSO failure',
      snapshot: build({
        principal: ALICE,
        logLines: [
          EXEC_FAILED,
          'Error loading SSO Token: The SSO access token has either expired or is otherwise invalid.',
        ],
      }),
    },
    { name: 'a 401 from the cluster', snapshot: build({ principal: ALICE, status: 401 }) },
  ],
  invalid: [
    {
      name: 'the role does not trust the caller',
      snapshot: withEvidence(build({ logLines: [EXEC_FAILED, DENIED] }), {
        kubeconfig: {
          status: 'ok',
          data: kubeconfig({ roleArn: 'arn:aws:iam::111122223333:role/platform-admin' }),
        },
      }),
      messageId: 'denied',
      severity: 'error',
      first: true,
      evidence: ['/incident/logLines/1', '/kubeconfig/data/users/0/user/exec'],
    },
    {
      name: 'the source session expired (AWS CLI)',
      snapshot: build({
        logLines: [
          'An error occurred (ExpiredToken) when calling the AssumeRole operation: The security token included in the request is expired',
        ],
      }),
      messageId: 'expired',
      severity: 'error',
      first: true,
    },
    {
      name: 'aws-iam-authenticator token -r',
      snapshot: build({
        logLines: [
          'could not get token: AccessDenied: Access denied\n\tstatus code: 403, request id: 8f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
        ],
      }),
      messageId: 'denied',
      severity: 'error',
    },
  ],
});
