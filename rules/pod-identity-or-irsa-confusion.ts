import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import type { FixPlan } from '../src/fix/actions.js';
import { canICommand, serviceAccountBinding } from '../src/fix/run-commands.js';
import { aggregatedTarget } from '../src/k8s/aggregated.js';
import { describeRequest } from '../src/k8s/rbac.js';
import { bindingName, clusterRoleAllowing, USER_FACING_CLUSTER_ROLES } from '../src/k8s/role-suggest.js';

const SA_PREFIX = 'system:serviceaccount:';

/** FM-54: a pod's in-cluster calls use its ServiceAccount token, authorized by RBAC only, whatever IRSA/Pod Identity grants. */
export default defineRule({
  id: 'pod-identity-or-irsa-confusion',
  stage: 'authorization',
  precedence: 85,
  summary:
    "A pod's in-cluster request runs as its ServiceAccount and is authorized by RBAC only: access entries or aws-auth for its IRSA / Pod Identity role do not apply.",
  requires: ['rbac'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/service-accounts.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html',
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#service-account-permissions',
  ],
  messages: {
    serviceAccount:
      'The request runs as ServiceAccount {{namespace}}/{{name}}, which RBAC does not allow to {{request}}',
    undecided:
      'The request runs as ServiceAccount {{namespace}}/{{name}}; only RBAC can allow it (not collected)',
  },
  check({ sim, incident }, report) {
    const username = incident.username;
    if (!username?.startsWith(SA_PREFIX)) return;
    // Someone impersonated the ServiceAccount (kubectl --as): no pod and no IAM role is involved (FM-40).
    if (sim.impersonation || sim.authorization?.impersonated) return;
    // A ServiceAccount missing RBAC for an aggregated API (a scraper on kcm/metrics) is FM-47's case, unless an IAM
    // role's mapping shows the IRSA / Pod Identity confusion this rule is about.
    if (!sim.mapping && aggregatedTarget(sim.input.snapshot, sim.request)) return;
    const [namespace = '', name = ''] = username.slice(SA_PREFIX.length).split(':');
    if (!namespace || !name) return;
    const request = sim.request;
    const groups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];
    const decision = sim.index.rbacCollected
      ? sim.index.rbac.authorize({ username, groups }, request)
      : undefined;
    if (decision?.allowed) return;
    const what = describeRequest(request);
    const role = clusterRoleAllowing(
      sim.index.rbac,
      request,
      USER_FACING_CLUSTER_ROLES.filter((r) => r !== 'cluster-admin'),
    );
    const target = request.isResourceRequest ? request.namespace : '';
    const fixes: FixPlan[] = role
      ? [
          {
            title: `Bind ClusterRole ${role} to ServiceAccount ${namespace}/${name}${target ? ` in namespace ${target}` : ''}`,
            actions: [
              serviceAccountBinding({
                name: bindingName(name, role),
                namespace: target || undefined,
                clusterRole: role,
                serviceAccount: { namespace, name },
              }),
            ],
            notes:
              'Or a Role/ClusterRole with just the verbs and resources the workload needs. Run it as a cluster administrator.',
          },
        ]
      : [
          {
            title: `Grant ServiceAccount ${namespace}/${name} an RBAC role that allows ${what}`,
            actions: [],
            notes: `Create a Role (or ClusterRole) with that rule and bind it: kubectl create rolebinding ... --serviceaccount=${namespace}:${name}.`,
          },
        ];
    const mapped = sim.mapping
      ? ` The snapshot maps ${sim.principal?.canonicalArn ?? 'the IAM role'} (via ${sim.mapping.source === 'access-entry' ? 'an access entry' : 'aws-auth'}), which only matters when the pod itself mints an EKS token with that role (aws eks get-token), e.g. to reach another cluster.`
      : '';
    report({
      messageId: decision ? 'serviceAccount' : 'undecided',
      data: { namespace, name, request: what },
      ...(decision ? {} : { severity: 'info' as const }),
      explanation:
        `The API server saw user ${username}: the pod used its ServiceAccount token, not IAM. IRSA and EKS Pod Identity hand pods AWS credentials for AWS APIs; ` +
        'calls to the Kubernetes API from inside the cluster authenticate with the ServiceAccount token and are authorized by Kubernetes RBAC only, ' +
        `so access entries, access policies and aws-auth entries of the pod's IAM role play no part. ${decision ? `No RoleBinding or ClusterRoleBinding of the ServiceAccount (or its groups) allows ${what}.` : 'RBAC was not collected.'}` +
        mapped,
      evidence: compact([
        { source: 'incident', pointer: '/incident/logLines', note: `the error names User "${username}"` },
        sim.mapping ? mappingEvidence(sim) : undefined,
        decision ? { source: 'rbac', pointer: '/rbac/data', note: decision.reason } : undefined,
      ]),
      fixes,
      checks: [
        {
          title: 'What RBAC allows the ServiceAccount (as a cluster administrator)',
          commands: [canICommand(request, { user: username })],
        },
      ],
    });
  },
});
