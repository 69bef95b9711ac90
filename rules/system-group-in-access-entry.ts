import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence } from '../src/engine/evidence.js';
import {
  hasAccessEntry,
  pastedTexts,
  principalOfCall,
  rejectedSystemGroup,
} from '../src/eks/eks-api-errors.js';
import {
  NODE_GROUPS,
  FARGATE_GROUP,
  WINDOWS_GROUP,
  nodeRoleOf,
  nodeUsernameFor,
  type NodeEntryType,
} from '../src/eks/node-identity.js';
import type { FixAction, FixPlan } from '../src/fix/actions.js';
import { CLUSTER_ADMIN_POLICY } from '../src/fix/plans.js';
import { asRun } from '../src/fix/run-commands.js';

/** FM-36: EKS rejects access entries whose Kubernetes groups start with `system:` (e.g. migrating system:masters). */
export default defineRule({
  id: 'system-group-in-access-entry',
  stage: 'client',
  precedence: 60,
  summary:
    'CreateAccessEntry/UpdateAccessEntry was rejected because a Kubernetes group starts with system: (e.g. system:masters).',
  requires: ['cluster', 'accessEntries'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html',
    'https://github.com/terraform-aws-modules/terraform-aws-eks/issues/2915',
  ],
  messages: {
    rejected: 'EKS rejected the access entry: Kubernetes group {{group}} cannot start with system:',
  },
  check({ sim, incident, clusterName, region }, report) {
    if (!sim.facts.has('system-group-rejected')) return;
    const group =
      rejectedSystemGroup(pastedTexts(incident, sim.input.snapshot.incident?.logLines)) ?? 'system:masters';
    const principalArn = principalOfCall(sim, incident);
    const ctx = { clusterName, region };
    const exists = principalArn !== undefined && hasAccessEntry(sim, principalArn);
    const groupNodeType: NodeEntryType | undefined = NODE_GROUPS.includes(group)
      ? 'EC2_LINUX'
      : group === FARGATE_GROUP
        ? 'FARGATE_LINUX'
        : group === WINDOWS_GROUP
          ? 'EC2_WINDOWS'
          : undefined;
    // The rejected group says "node" but not which kind: the role's aws-auth entry (eks:kube-proxy-windows,
    // system:node-proxier), its session (mi-: hybrid) or an existing entry decide, and the type is immutable.
    const nodeRole = groupNodeType && sim.principal ? nodeRoleOf(sim, incident) : undefined;
    const nodeType = nodeRole?.type ?? groupNodeType;
    const fixes: FixPlan[] = [];
    const needs = !principalArn
      ? 'the principal ARN (pass --principal, or take it from the failing create-access-entry call)'
      : !clusterName
        ? 'the cluster name (pass --cluster)'
        : undefined;
    const run = (actions: FixAction[]): FixAction[] => (needs ? [] : actions.flatMap((a) => asRun(a, ctx)));
    const arn = principalArn ?? '';
    if (group === 'system:masters') {
      fixes.push({
        title: 'Grant cluster admin with AmazonEKSClusterAdminPolicy instead of the system:masters group',
        actions: run([
          ...(exists ? [] : [{ kind: 'create-access-entry' as const, principalArn: arn, type: 'STANDARD' }]),
          {
            kind: 'associate-access-policy',
            principalArn: arn,
            policyArn: CLUSTER_ADMIN_POLICY,
            scope: { type: 'cluster' },
          },
        ]),
        notes: [
          needs ? `Needs ${needs}.` : undefined,
          'Drop system:masters from --kubernetes-groups (Terraform: kubernetes_groups) and associate the policy instead.',
        ]
          .filter(Boolean)
          .join(' '),
      });
      fixes.push({
        title: 'Alternative: a custom group bound to the cluster-admin ClusterRole',
        actions: [
          {
            kind: 'run',
            tool: 'kubectl',
            argv: [
              'kubectl',
              'create',
              'clusterrolebinding',
              'eks-admins',
              '--clusterrole=cluster-admin',
              '--group=eks-admins',
            ],
          },
          ...run([
            exists
              ? { kind: 'update-access-entry', principalArn: arn, kubernetesGroups: ['eks-admins'] }
              : {
                  kind: 'create-access-entry',
                  principalArn: arn,
                  type: 'STANDARD',
                  kubernetesGroups: ['eks-admins'],
                },
          ]),
        ],
        notes: [
          needs ? `Needs ${needs} for the EKS step.` : undefined,
          'Run the kubectl command as an existing cluster administrator.',
        ]
          .filter(Boolean)
          .join(' '),
      });
    } else if (nodeType) {
      fixes.push({
        title: `Create the entry with type ${nodeType}, which grants the node groups itself`,
        actions: run([
          ...(exists ? [{ kind: 'delete-access-entry' as const, principalArn: arn }] : []),
          { kind: 'create-access-entry', principalArn: arn, type: nodeType },
        ]),
        notes: [
          needs ? `Needs ${needs}.` : undefined,
          nodeRole?.typeFrom ? `${nodeType} follows from ${nodeRole.typeFrom}.` : undefined,
          `Node entries get username ${nodeUsernameFor(nodeType)} and group system:nodes from their type${exists ? '; the type cannot be changed later, hence delete and re-create' : ' (which cannot be changed later)'}. The caller needs iam:PassRole on the node role.`,
        ]
          .filter(Boolean)
          .join(' '),
      });
    } else {
      const renamed = group.replace(/^system:/, '');
      fixes.push({
        title: `Use a group name without the system: prefix (e.g. ${renamed}) and bind it with RBAC`,
        actions: run([
          exists
            ? { kind: 'update-access-entry', principalArn: arn, kubernetesGroups: [renamed] }
            : {
                kind: 'create-access-entry',
                principalArn: arn,
                type: 'STANDARD',
                kubernetesGroups: [renamed],
              },
        ]),
        notes: [
          needs ? `Needs ${needs}.` : undefined,
          `Bind ${renamed} to the ClusterRole or Role that ${group} was meant to get (kubectl create clusterrolebinding ... --group=${renamed}).`,
        ]
          .filter(Boolean)
          .join(' '),
      });
    }
    report({
      messageId: 'rejected',
      data: { group },
      explanation:
        `The EKS API answered 400 InvalidParameterException: access entries accept any Kubernetes group name except those starting with "system:" ` +
        `(${group}). That is why system:masters from aws-auth cannot be carried over as a group: the access-entry way to be cluster admin is ` +
        'the AmazonEKSClusterAdminPolicy access policy at cluster scope, and node permissions come from the entry type (EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX), ' +
        'not from groups. ' +
        (exists
          ? 'The call changed nothing: the existing entry stays as it was.'
          : 'Nothing was created: the principal still has no access entry.'),
      evidence: compact([
        {
          source: 'incident',
          pointer: '/incident/logLines',
          note: incident.reason ?? `kubernetes group name ${group} is invalid`,
        },
        modeEvidence(sim),
      ]),
      fixes,
    });
  },
});
