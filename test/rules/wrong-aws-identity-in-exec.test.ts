import rule from '../../rules/wrong-aws-identity-in-exec.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session, user } from '../helpers/build.js';
import { kubeconfig, withEvidence } from '../helpers/client.js';

const CI = session('ci-deployer', 'GitLabRunner-4821');
const ADMIN = session('PlatformAdmin', 'jiwoo.kim');
const adminEntry = entry(role('PlatformAdmin'), { policies: [[CA, { type: 'cluster' }]] });
const caller = (arn: string, userId = 'AROARJ2VQ7MXADMIN001:jiwoo.kim') => ({
  callerIdentity: { status: 'ok' as const, data: { Arn: arn, Account: '111122223333', UserId: userId } },
});

runRuleTests(rule, {
  valid: [
    {
      name: 'the shell signs as the failing principal too',
      snapshot: withEvidence(build({ principal: CI, status: 401, entries: [adminEntry] }), caller(CI)),
    },
    {
      name: 'the shell identity is not mapped either',
      snapshot: withEvidence(
        build({ principal: CI, status: 401, entries: [adminEntry] }),
        caller(session('Developer', 'sam')),
      ),
    },
    {
      name: 'an allowed request with no observed failure',
      snapshot: withEvidence(build({ principal: ADMIN, entries: [adminEntry] }), caller(ADMIN)),
    },
  ],
  invalid: [
    {
      name: 'the kubeconfig pins AWS_PROFILE=ci-deployer while the shell is the admin',
      snapshot: withEvidence(build({ principal: CI, status: 401, entries: [adminEntry] }), {
        ...caller(ADMIN),
        kubeconfig: { status: 'ok', data: kubeconfig({ profile: 'ci-deployer' }) },
      }),
      messageId: 'signsAsOther',
      severity: 'error',
      first: true,
      evidence: ['/callerIdentity/data/Arn', '/accessEntries/data/0', '/kubeconfig/data/users/0/user/exec'],
    },
    {
      name: 'IAM users: env keys of another user win over the profile (CONFIG_MAP)',
      snapshot: withEvidence(
        build({
          mode: 'CONFIG_MAP',
          principal: user('build-bot'),
          status: 401,
          mapUsers: `- userarn: ${user('alice')}\n  username: alice\n  groups:\n  - system:masters\n`,
        }),
        caller(user('alice'), 'AIDARJ2VQ7MXALICE0001'),
      ),
      messageId: 'signsAsOther',
      severity: 'error',
      first: true,
    },
    {
      name: 'the principal would be allowed, yet the client saw 401',
      snapshot: build({ principal: ADMIN, status: 401, entries: [adminEntry] }),
      messageId: 'allowedButObserved',
      severity: 'info',
    },
  ],
});
