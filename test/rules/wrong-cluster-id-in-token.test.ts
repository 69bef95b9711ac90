import rule from '../../rules/wrong-cluster-id-in-token.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session } from '../helpers/build.js';
import {
  deniedLine,
  kubeconfig,
  stsFailure,
  withClusterFields,
  withEvidence,
  type KubeconfigOptions,
} from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const mapped = (logLines?: string[]) =>
  build({
    principal: BOB,
    entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
    ...(logLines ? { logLines } : {}),
  });
const withKubeconfig = (o: KubeconfigOptions, logLines?: string[]) =>
  withEvidence(mapped(logLines), { kubeconfig: { status: 'ok', data: kubeconfig(o) } });
const MISMATCH = deniedLine(
  '2026-11-20T09:29:30Z',
  stsFailure(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  ),
).message;
const OUTPOST_ID = '8f4c2a10-5b7e-4d2c-9a61-3e0f1b2c4d5e';

runRuleTests(rule, {
  valid: [
    { name: 'the exec plugin signs this cluster', snapshot: withKubeconfig({}) },
    {
      name: 'SignatureDoesNotMatch with a kubeconfig that names this cluster (the key is wrong)',
      snapshot: withKubeconfig({}, [MISMATCH]),
    },
  ],
  invalid: [
    {
      name: 'a typo in --cluster-name',
      snapshot: withKubeconfig({ signsFor: 'platform-prd' }),
      messageId: 'mismatch',
      severity: 'error',
      first: true,
      evidence: ['/kubeconfig/data/users/0/user/exec', '/cluster/data/name'],
    },
    {
      name: '--cluster-name on an Outposts local cluster',
      snapshot: withClusterFields(withKubeconfig({}), {
        id: OUTPOST_ID,
        outpostConfig: {
          outpostArns: ['arn:aws:outposts:ap-northeast-2:111122223333:outpost/op-0a1b2c3d4e5f67890'],
          controlPlaneInstanceType: 'm5.large',
        },
      }),
      messageId: 'mismatch',
      severity: 'error',
      first: true,
      evidence: ['/cluster/data/id'],
    },
    {
      name: 'SignatureDoesNotMatch without the kubeconfig: undecided',
      snapshot: mapped([MISMATCH]),
      messageId: 'undecided',
      severity: 'info',
    },
  ],
});
