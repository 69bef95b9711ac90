import rule from '../../rules/rbac-bound-to-wrong-subject-kind.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session, entry } from '../helpers/build.js';
import type { Snapshot } from '../../src/model/snapshot.js';

const ADMINS = role('platform-admins');
const caller = session('platform-admins', 'jiwoo');

function withBinding(
  snapshot: Snapshot,
  b: {
    name: string;
    role: string;
    subject: { kind: string; name: string; namespace?: string };
    namespace?: string;
  },
): Snapshot {
  if (snapshot.rbac?.status !== 'ok') return snapshot;
  const binding = {
    kind: b.namespace ? 'RoleBinding' : 'ClusterRoleBinding',
    metadata: { name: b.name, ...(b.namespace ? { namespace: b.namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: b.role },
    subjects: [b.subject],
  };
  if (b.namespace) snapshot.rbac.data.roleBindings.push(binding);
  else snapshot.rbac.data.clusterRoleBindings.push(binding);
  return snapshot;
}

const adminsEntry = [entry(ADMINS, { groups: ['eks-admins'] })];

runRuleTests(rule, {
  valid: [
    {
      name: 'group bound as a Group',
      snapshot: withBinding(build({ principal: caller, entries: adminsEntry }), {
        name: 'eks-admins',
        role: 'cluster-admin',
        subject: { kind: 'Group', name: 'eks-admins' },
      }),
    },
    {
      name: 'wrong kind, but the role would not allow the request anyway',
      snapshot: withBinding(build({ principal: caller, path: '/api/v1/nodes', entries: adminsEntry }), {
        name: 'eks-admins-view',
        role: 'view',
        subject: { kind: 'User', name: 'eks-admins' },
      }),
    },
  ],
  invalid: [
    {
      name: 'group bound as a User',
      snapshot: withBinding(build({ principal: caller, status: 403, entries: adminsEntry }), {
        name: 'eks-admins',
        role: 'cluster-admin',
        subject: { kind: 'User', name: 'eks-admins' },
      }),
      messageId: 'wrongKind',
      severity: 'error',
      first: true,
      evidence: ['/rbac/data/clusterRoleBindings/1'],
    },
    {
      name: 'aws-auth group bound as a ServiceAccount in a RoleBinding',
      snapshot: withBinding(
        build({
          principal: session('platform-devs', 'sora'),
          path: '/api/v1/namespaces/dev/pods',
          mapRoles: `- rolearn: ${role('platform-devs')}\n  username: dev:{{SessionName}}\n  groups:\n  - platform-devs\n`,
        }),
        {
          name: 'platform-devs-edit',
          role: 'edit',
          namespace: 'dev',
          subject: { kind: 'ServiceAccount', name: 'platform-devs', namespace: 'dev' },
        },
      ),
      messageId: 'wrongKind',
      severity: 'error',
      first: true,
    },
    {
      name: 'kind written in lower case',
      snapshot: withBinding(build({ principal: caller, entries: adminsEntry }), {
        name: 'eks-admins',
        role: 'edit',
        subject: { kind: 'group', name: 'eks-admins' },
      }),
      messageId: 'wrongKind',
      severity: 'error',
      first: true,
    },
  ],
});
