import rule from '../../rules/anonymous-no-credentials.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry, CA } from '../helpers/build.js';
import type { Snapshot } from '../../src/model/snapshot.js';

const ANON =
  'Error from server (Forbidden): pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"';

function withKubeconfig(snapshot: Snapshot, user: Record<string, unknown>): Snapshot {
  snapshot.kubeconfig = {
    status: 'ok',
    data: {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod',
      contexts: [
        {
          name: 'arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod',
          context: {
            cluster: 'arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod',
            user: 'ci-user',
          },
        },
      ],
      clusters: [
        {
          name: 'arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod',
          cluster: {
            server: 'https://0F3A9C1B7D2E4F5A6B8C9D0E1F2A3B4C.gr7.ap-northeast-2.eks.amazonaws.com',
          },
        },
      ],
      users: [{ name: 'ci-user', user }],
    },
  };
  return snapshot;
}

const EXEC = {
  exec: {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: 'aws',
    args: ['--region', 'ap-northeast-2', 'eks', 'get-token', '--cluster-name', 'platform-prod'],
  },
};

runRuleTests(rule, {
  valid: [
    {
      name: 'an ordinary 403 for a mapped principal',
      snapshot: build({ principal: session('ops', 'kim'), status: 403, entries: [entry(role('ops'))] }),
    },
    {
      name: 'kubeconfig with an exec plugin and a 403',
      snapshot: withKubeconfig(
        build({
          status: 403,
          principal: session('ops', 'kim'),
          entries: [entry(role('ops'), { policies: [[CA, { type: 'cluster' }]] })],
        }),
        EXEC,
      ),
    },
    {
      name: 'kubeconfig without credentials but no 403 observed',
      snapshot: withKubeconfig(build({}), {}),
    },
  ],
  invalid: [
    {
      name: 'kubectl 403 naming system:anonymous',
      snapshot: build({ logLines: [ANON] }),
      messageId: 'anonymous',
      severity: 'error',
      first: true,
    },
    {
      name: 'anonymous 403 with the kubeconfig user lacking credentials',
      snapshot: withKubeconfig(build({ logLines: [ANON] }), {}),
      messageId: 'anonymous',
      severity: 'error',
      first: true,
      evidence: ['/kubeconfig/data/users'],
    },
    {
      name: 'a 403 and a kubeconfig user without credentials: likely anonymous',
      snapshot: withKubeconfig(build({ status: 403 }), {}),
      messageId: 'likely',
      severity: 'info',
    },
  ],
});
