import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import type { FixPlan } from '../src/fix/actions.js';
import { checkCommand } from '../src/fix/run-commands.js';
import { describeBinding, describeRequest, type BindingRef } from '../src/k8s/rbac.js';
import { bindingName, bindingWouldAllow } from '../src/k8s/role-suggest.js';
import {
  actualIdentity,
  looseDifference,
  usernameVariants,
  type NameVariant,
} from '../src/k8s/subject-names.js';

/** FM-39: an RBAC binding names a User that is not, character for character, the username the API server sees. */
export default defineRule({
  id: 'rbac-subject-name-mismatch',
  stage: 'authorization',
  precedence: 65,
  summary:
    'An RBAC binding would allow the request, but its User subject is spelled differently from the username the API server sees (e.g. @ vs - from {{SessionName}}).',
  requires: ['rbac', 'whoami'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/set-custom-username.html',
    'https://github.com/aws/containers-roadmap/issues/2386',
  ],
  messages: {
    mismatch: '{{binding}} names User "{{bound}}", but the API server sees "{{actual}}"',
  },
  check({ sim, incident }, report) {
    if (sim.authorization?.allowed !== false || !sim.index.rbacCollected) return;
    const actual = actualIdentity(sim, incident);
    if (!actual) return;
    let hit: { variant: NameVariant; binding: BindingRef } | undefined;
    for (const variant of usernameVariants(sim, actual.username)) {
      const binding = sim.index.rbac
        .bindingsNamingSubject(variant.name)
        .find((b) => b.subject.kind === 'User' && bindingWouldAllow(sim.index.rbac, b, sim.request));
      if (binding) {
        hit = { variant, binding };
        break;
      }
    }
    if (!hit) {
      const binding = sim.index.rbac
        .bindingsNamingSubjectLoosely(actual.username)
        .find((b) => b.subject.kind === 'User' && bindingWouldAllow(sim.index.rbac, b, sim.request));
      if (binding) {
        const why = looseDifference(binding.subject.name, actual.username);
        hit = { variant: { name: binding.subject.name, why }, binding };
      }
    }
    if (!hit) return;
    const { variant, binding } = hit;
    const fixes: FixPlan[] = [
      {
        title: `Bind ${binding.roleRef.kind} ${binding.roleRef.name} to User "${actual.username}"`,
        actions: [
          {
            kind: 'create-rbac-binding',
            bindingKind: binding.kind,
            name: bindingName(binding.name, 'user'),
            ...(binding.kind === 'RoleBinding' && binding.namespace ? { namespace: binding.namespace } : {}),
            roleRef: {
              kind: binding.roleRef.kind === 'Role' ? 'Role' : 'ClusterRole',
              name: binding.roleRef.name,
            },
            subject: { kind: 'User', name: actual.username },
          },
        ],
        notes:
          'Usernames are exact, case-sensitive strings. Binding a Group that the access entry (kubernetesGroups) or aws-auth entry carries is sturdier than per-session User names.',
      },
    ];
    report({
      messageId: 'mismatch',
      data: { binding: `${binding.kind} ${binding.name}`, bound: variant.name, actual: actual.username },
      explanation:
        `${describeBinding(binding)} would allow ${describeRequest(sim.request)}, but RBAC compares User subjects with the username character for character, ` +
        `and the API server sees "${actual.username}": ${variant.why}. ` +
        'Access-entry usernames default to the assumed-role ARN with {{SessionName}} for roles (no IAM path) and to the user ARN for IAM users, ' +
        'so bindings written for ARNs, e-mail style session names or the aws-auth username no longer match after a migration.',
      evidence: compact([
        actual.evidence,
        mappingEvidence(sim),
        { source: 'rbac', pointer: binding.pointer, note: `subject User "${variant.name}"` },
      ]),
      fixes,
      checks: [
        {
          title: 'Ask the API server which username it sees (as the failing principal)',
          commands: [
            checkCommand('kubectl', [
              'kubectl',
              'auth',
              'whoami',
              '-o',
              'jsonpath={.status.userInfo.username}',
            ]),
          ],
        },
      ],
    });
  },
});
