import rule from '../../rules/kubeconfig-endpoint-mismatch.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session } from '../helpers/build.js';
import { ENDPOINT, kubeconfig, withClusterFields, withEvidence } from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const snapshot = (server: string | undefined, status?: number) => {
  const base = withClusterFields(
    build({
      principal: BOB,
      ...(status ? { status } : {}),
      entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
    }),
    { endpoint: ENDPOINT },
  );
  return server === undefined
    ? base
    : withEvidence(base, { kubeconfig: { status: 'ok', data: kubeconfig({ server }) } });
};

runRuleTests(rule, {
  valid: [
    { name: 'the kubeconfig points at this cluster', snapshot: snapshot(ENDPOINT, 401) },
    { name: 'no kubeconfig collected', snapshot: snapshot(undefined, 401) },
  ],
  invalid: [
    {
      name: 'the cluster was re-created: the old endpoint answers 401',
      snapshot: snapshot(
        'https://7D1E6A2B9C3F4E5D8A0B1C2D3E4F5A6B.gr7.ap-northeast-2.eks.amazonaws.com',
        401,
      ),
      messageId: 'mismatch',
      severity: 'error',
      first: true,
      evidence: ['/kubeconfig/data/clusters/0/cluster/server', '/cluster/data/endpoint'],
    },
    {
      name: 'a same-named cluster in another region, status unknown',
      snapshot: snapshot('https://5B2E9D1C0A3F4B6E7D8C9A0B1E2F3D4C.yl4.ap-southeast-1.eks.amazonaws.com'),
      messageId: 'mismatch',
      severity: 'error',
      first: true,
    },
  ],
});
