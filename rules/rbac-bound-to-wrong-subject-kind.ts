import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { describeBinding, describeRequest, type BindingRef } from '../src/k8s/rbac.js';
import { bindingName, bindingWouldAllow } from '../src/k8s/role-suggest.js';
import { actualIdentity } from '../src/k8s/subject-names.js';

type Kind = 'User' | 'Group';

/** FM-44: the binding names the right string with the wrong subject kind (ServiceAccount, User for a group, ...). */
export default defineRule({
  id: 'rbac-bound-to-wrong-subject-kind',
  stage: 'authorization',
  precedence: 68,
  summary:
    'An RBAC binding names the username or group, but with the wrong subject kind (e.g. ServiceAccount or User for a group), so it never applies.',
  requires: ['rbac'],
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/issues/139',
  ],
  messages: {
    wrongKind:
      '{{binding}} names "{{name}}" as a {{written}}, but it is the {{expected}} the principal authenticates with',
  },
  check({ sim, incident }, report) {
    if (sim.authorization?.allowed !== false || !sim.index.rbacCollected) return;
    const actual = actualIdentity(sim, incident);
    const identity = sim.identity;
    if (!identity) return;
    const username = actual?.username ?? identity.username;
    const groups = (actual?.groups.length ? actual.groups : identity.groups).filter(
      (g) => g !== 'system:authenticated',
    );
    const wanted: Array<{ name: string; kind: Kind }> = [
      ...(username ? [{ name: username, kind: 'User' as const }] : []),
      ...groups.map((g) => ({ name: g, kind: 'Group' as const })),
    ];
    let hit: { binding: BindingRef; kind: Kind; name: string } | undefined;
    for (const w of wanted) {
      const binding = sim.index.rbac
        .bindingsNamingSubject(w.name)
        .find((b) => b.subject.kind !== w.kind && bindingWouldAllow(sim.index.rbac, b, sim.request));
      if (binding) {
        hit = { binding, ...w };
        break;
      }
    }
    if (!hit) return;
    const { binding, kind, name } = hit;
    const written = binding.subject.kind;
    const misspelt = written.toLowerCase() === kind.toLowerCase();
    report({
      messageId: 'wrongKind',
      data: {
        binding: `${binding.kind} ${binding.name}`,
        name,
        written: written || '(no kind)',
        expected: kind === 'User' ? 'username' : 'group',
      },
      explanation:
        `${describeBinding(binding)} would allow ${describeRequest(sim.request)}, but RBAC matches a subject only when both kind and name fit: ` +
        `the EKS authenticator hands Kubernetes a ${kind === 'User' ? 'username' : 'group'} "${name}", which only a subject of kind ${kind} matches. ` +
        (misspelt
          ? `"${written}" is not a kind Kubernetes knows (kinds are case-sensitive: User, Group, ServiceAccount), so the subject is ignored.`
          : written === 'ServiceAccount'
            ? 'A ServiceAccount subject only matches in-cluster service-account tokens (system:serviceaccount:<ns>:<name>), never an IAM identity.'
            : `A ${written} subject never matches a ${kind === 'User' ? 'username' : 'group'}.`),
      evidence: compact([
        actual?.evidence,
        mappingEvidence(sim, `username "${identity.username}", groups [${identity.groups.join(', ')}]`),
        {
          source: 'rbac',
          pointer: binding.pointer,
          note: `subject kind ${written || '(none)'} "${binding.subject.name}"`,
        },
      ]),
      fixes: [
        {
          title: `Bind ${binding.roleRef.kind} ${binding.roleRef.name} to ${kind} "${name}"`,
          actions: [
            {
              kind: 'create-rbac-binding',
              bindingKind: binding.kind,
              name: bindingName(binding.name, kind),
              ...(binding.kind === 'RoleBinding' && binding.namespace
                ? { namespace: binding.namespace }
                : {}),
              roleRef: {
                kind: binding.roleRef.kind === 'Role' ? 'Role' : 'ClusterRole',
                name: binding.roleRef.name,
              },
              subject: { kind, name },
            },
          ],
          notes: `Or edit ${binding.name}: subjects: [{kind: ${kind}, name: ${name}, apiGroup: rbac.authorization.k8s.io}].`,
        },
      ],
    });
  },
});
