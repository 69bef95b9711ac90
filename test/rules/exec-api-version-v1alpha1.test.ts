import rule from '../../rules/exec-api-version-v1alpha1.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, CA, entry, role, session } from '../helpers/build.js';
import { kubeconfig, withEvidence } from '../helpers/client.js';

const BOB = session('data-analysts', 'bob');
const ALPHA = 'client.authentication.k8s.io/v1alpha1';
const withKubeconfig = (snapshot: ReturnType<typeof build>, apiVersion: string) =>
  withEvidence(snapshot, { kubeconfig: { status: 'ok', data: kubeconfig({ apiVersion }) } });

runRuleTests(rule, {
  valid: [
    {
      name: 'a v1beta1 kubeconfig and an SSO failure',
      snapshot: withKubeconfig(
        build({
          principal: BOB,
          logLines: [
            'Error loading SSO Token: The SSO access token has either expired or is otherwise invalid.',
          ],
        }),
        'client.authentication.k8s.io/v1beta1',
      ),
    },
    {
      name: 'a v1beta1 kubeconfig that works',
      snapshot: withKubeconfig(
        build({
          principal: BOB,
          entries: [entry(role('data-analysts'), { policies: [[CA, { type: 'cluster' }]] })],
        }),
        'client.authentication.k8s.io/v1beta1',
      ),
    },
  ],
  invalid: [
    {
      name: 'kubectl 1.24+ refuses v1alpha1',
      snapshot: withKubeconfig(
        build({ principal: BOB, logLines: [`error: exec plugin: invalid apiVersion "${ALPHA}"`] }),
        ALPHA,
      ),
      messageId: 'v1alpha1',
      severity: 'error',
      first: true,
      evidence: ['/incident/logLines/0', '/kubeconfig/data/users/0/user/exec/apiVersion'],
    },
    {
      name: 'the plugin returns another version than the kubeconfig asks for',
      snapshot: build({
        principal: BOB,
        logLines: [
          `Unable to connect to the server: getting credentials: exec plugin is configured to use API version ${ALPHA}, plugin returned version client.authentication.k8s.io/v1beta1`,
        ],
      }),
      messageId: 'mismatch',
      severity: 'error',
      first: true,
    },
    {
      name: 'v1alpha1 in the kubeconfig of a request that reached the cluster: latent',
      snapshot: withKubeconfig(build({ principal: BOB, status: 401 }), ALPHA),
      messageId: 'latent',
      severity: 'warning',
    },
  ],
});
