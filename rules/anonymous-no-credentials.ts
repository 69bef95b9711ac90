import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { okData } from '../src/model/snapshot.js';
import { readKubeconfig, type KubeconfigFacts } from '../src/parse/kubeconfig.js';
import { checkCommand } from '../src/fix/run-commands.js';

function kubeconfigFacts(data: Record<string, unknown> | undefined): KubeconfigFacts | undefined {
  if (!data) return undefined;
  try {
    return readKubeconfig(data);
  } catch {
    return undefined;
  }
}

/** FM-42: a request with no credentials is not a 401: Kubernetes runs it as system:anonymous and answers 403. */
export default defineRule({
  id: 'anonymous-no-credentials',
  stage: 'token',
  precedence: 50,
  summary:
    'The client sent no credentials, so the API server treated the request as system:anonymous (403, not 401).',
  requires: ['kubeconfig'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/create-kubeconfig.html',
    'https://github.com/kubernetes/client-go/issues/542',
    'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests',
  ],
  messages: {
    anonymous: 'The request reached the API server without credentials and ran as system:anonymous',
    likely: 'The kubeconfig user has no credentials: requests would run as system:anonymous',
  },
  check({ sim, incident, clusterName, region }, report) {
    const kubeconfig = kubeconfigFacts(okData(sim.input.snapshot, 'kubeconfig'));
    const noCredentials = kubeconfig?.token === 'none' || sim.facts.has('kubeconfig-no-credentials');
    const anonymous = sim.facts.has('anonymous');
    if (!anonymous && !(noCredentials && sim.input.observedStatus === 403)) return;
    const cluster = clusterName ?? kubeconfig?.clusterName;
    const where = region ?? kubeconfig?.region;
    const updateKubeconfig = cluster
      ? `aws eks update-kubeconfig --name ${cluster}${where ? ` --region ${where}` : ''}`
      : "aws eks update-kubeconfig with --name set to the cluster's name (not known here)";
    report({
      messageId: anonymous ? 'anonymous' : 'likely',
      ...(anonymous ? {} : { severity: 'info' as const }),
      explanation:
        'A request without an Authorization header is not rejected as unauthenticated: the API server runs it as user "system:anonymous" in group ' +
        '"system:unauthenticated", which may only read public paths such as /version, so everything else answers 403 Forbidden. A token that is sent but invalid never ' +
        'falls back to anonymous (that is a 401). So the client did not send the EKS token at all: typically a kubeconfig user without an exec section, ' +
        'a library that loaded the kubeconfig without running its exec plugin (some Python and JavaScript clients), or the wrong user selected by the context.' +
        (kubeconfig?.user
          ? ` The context uses kubeconfig user "${kubeconfig.user}"${noCredentials ? ', which has no exec plugin, token or certificate' : ''}.`
          : ''),
      evidence: compact([
        anonymous
          ? {
              source: 'incident',
              pointer: '/incident/logLines',
              note: 'the error names User "system:anonymous"',
            }
          : undefined,
        noCredentials && kubeconfig
          ? {
              source: 'kubeconfig',
              pointer: '/kubeconfig/data/users',
              note: `user ${kubeconfig.user ?? ''} has no credentials`,
            }
          : undefined,
      ]),
      fixes: [
        {
          title: 'Give the kubeconfig user the EKS exec plugin again',
          actions: [],
          notes:
            `Run ${updateKubeconfig}${incident.principalArn ? '' : ' with the AWS identity that should reach the cluster'}; it writes a user whose exec section runs aws eks get-token. ` +
            'Programs that build their own client must run that exec plugin (or pass a token from aws eks get-token as the bearer token).',
        },
      ],
      checks: [
        {
          title: 'See which user the current context uses and whether it has an exec section',
          commands: [
            checkCommand('kubectl', [
              'kubectl',
              'config',
              'view',
              '--minify',
              '-o',
              'jsonpath={.users[0].user}',
            ]),
          ],
        },
      ],
    });
  },
});
