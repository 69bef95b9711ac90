import { defineRule, type RuleReport } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { narrowestPolicyAllowing } from '../src/eks/access-policies.js';
import type { FixPlan } from '../src/fix/actions.js';
import { accessEntryPlan, entryPrincipalArn } from '../src/fix/plans.js';
import { canICommand, serviceAccountBinding } from '../src/fix/run-commands.js';
import { aggregatedTarget, type AggregatedTarget } from '../src/k8s/aggregated.js';
import type { RequestAttributes } from '../src/k8s/request-info.js';
import type { EvidenceRef } from '../src/model/report.js';
import { okData } from '../src/model/snapshot.js';
import type { Simulation } from '../src/simulate/simulate.js';
import { describeRequest } from '../src/k8s/rbac.js';
import { bindingName, clusterRoleAllowing, USER_FACING_CLUSTER_ROLES } from '../src/k8s/role-suggest.js';

/** ClusterRoles that commonly grant the metrics groups (metrics-server installs the first); never cluster-admin. */
const METRICS_ROLES = [
  'system:aggregated-metrics-reader',
  ...USER_FACING_CLUSTER_ROLES.filter((r) => r !== 'cluster-admin'),
];

/** FM-47: authenticated, but no access policy or RBAC rule covers the aggregated API group (metrics). */
export default defineRule({
  id: 'aggregated-api-permission-missing',
  stage: 'authorization',
  precedence: 75,
  summary:
    'The caller may not use an aggregated API group such as metrics.eks.amazonaws.com or metrics.k8s.io: only AdminView/ClusterAdmin policies or explicit RBAC cover it.',
  requires: ['apiServices', 'accessEntries', 'rbac'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/view-raw-metrics.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html',
  ],
  messages: {
    missing: 'No access policy or RBAC rule allows {{request}} on the aggregated API {{groupVersion}}',
    serviceAccount:
      'ServiceAccount {{namespace}}/{{name}} may not {{request}} on the aggregated API {{groupVersion}}: no RBAC rule allows it',
    serviceAccountUndecided:
      'ServiceAccount {{namespace}}/{{name}} may lack RBAC to {{request}} on the aggregated API {{groupVersion}} (RBAC not collected)',
    undecided: '{{request}} on the aggregated API {{groupVersion}} may be missing from RBAC (not collected)',
  },
  check({ sim, incident }, report) {
    // A ServiceAccount (a Prometheus scraper) is no IAM principal: the replay has no identity for it.
    const saUser = incident.username?.startsWith(SA_PREFIX) ? incident.username : undefined;
    if (saUser && !sim.identity) {
      checkServiceAccount(sim, saUser, report);
      return;
    }
    if (sim.authorization?.allowed === true || !sim.authorization || !sim.identity) return;
    const target = aggregatedTarget(sim.input.snapshot, sim.request);
    if (!target) return;
    const groupVersion = `${target.group}/${target.version}`;
    const request = describeRequest(sim.request);
    const undecided = sim.authorization.allowed === undefined;
    const entry = sim.mapping?.source === 'access-entry' ? sim.mapping.accessEntry?.entry : undefined;
    const policy = narrowestPolicyAllowing(sim.request);
    const fixes: FixPlan[] = [];
    const principalArn = entryPrincipalArn(sim);
    if (entry && policy && principalArn) {
      fixes.push({
        title: `Associate ${policy.name} at cluster scope`,
        actions: [
          {
            kind: 'associate-access-policy',
            principalArn,
            policyArn: policy.arn,
            scope: { type: 'cluster' },
          },
        ],
        notes: `${policy.name} is the narrowest managed policy that includes ${target.group}; View, Edit and Admin never do.`,
      });
    } else if (!entry && policy) {
      const plan = accessEntryPlan(sim, {
        title: `Give the principal an access entry with ${policy.name}`,
        policyArn: policy.arn,
        scope: { type: 'cluster' },
      });
      if (plan) {
        const groups = (sim.mapping?.groupTemplates ?? []).filter((g) => !g.startsWith('system:'));
        plan.notes = [
          plan.notes,
          `An access entry takes precedence over aws-auth for this principal${groups.length ? `: add its groups (${groups.join(', ')}) with aws eks update-access-entry --kubernetes-groups so its RBAC keeps applying` : ''}.`,
        ].join(' ');
        fixes.push(plan);
      }
    }
    const role = clusterRoleAllowing(sim.index.rbac, sim.request, METRICS_ROLES);
    // Groups only: a binding to a session-specific username would break with the next session.
    const group = sim.identity.groups.find((g) => !g.startsWith('system:'));
    if (role && group) {
      fixes.push({
        title: `Or bind group ${group} to ClusterRole ${role}`,
        actions: [
          {
            kind: 'create-rbac-binding',
            bindingKind: 'ClusterRoleBinding',
            name: bindingName(group, role),
            roleRef: { kind: 'ClusterRole', name: role },
            subject: { kind: 'Group', name: group },
          },
        ],
        notes: 'Run it as a cluster administrator.',
      });
    }
    report({
      messageId: undecided ? 'undecided' : 'missing',
      data: { request, groupVersion },
      ...(undecided ? { severity: 'info' as const } : {}),
      explanation:
        `${groupVersion} is an aggregated API${target.apiService ? ` (APIService ${target.apiService.name} → Service ${target.apiService.service})` : ''}; ` +
        `kube-apiserver authorizes the request before proxying it, and nothing allows ${request}. ` +
        'Among the access policies only AmazonEKSAdminViewPolicy (read) and AmazonEKSClusterAdminPolicy include every API group; View, Edit and Admin never cover ' +
        'metrics.eks.amazonaws.com (control-plane metrics: get on kcm/metrics and ksh/metrics) or metrics.k8s.io (kubectl top). ' +
        (fixes.length === 0
          ? `For a scraper or workload, add a ClusterRole rule {apiGroups: [${target.group}], resources: [kcm/metrics, ksh/metrics], verbs: [get]} (or the resources it reads) and bind it.`
          : ''),
      evidence: compact([mappingEvidence(sim), apiServiceEvidence(target)]),
      fixes,
      checks: [
        { title: 'Ask the API server, as the failing principal', commands: [canICommand(sim.request)] },
      ],
    });
  },
});

const SA_PREFIX = 'system:serviceaccount:';

/** What EKS documents a control-plane metrics scraper needs (EKSUG view-raw-metrics): get on both endpoints. */
const EKS_METRICS_RULE = {
  verbs: ['get'],
  apiGroups: ['metrics.eks.amazonaws.com'],
  resources: ['kcm/metrics', 'ksh/metrics'],
};

/** The RBAC rule the request needs, as a ClusterRole rule. */
function neededRule(request: RequestAttributes): {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
} {
  if (request.apiGroup === EKS_METRICS_RULE.apiGroups[0] && request.verb === 'get') return EKS_METRICS_RULE;
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  return { verbs: [request.verb], apiGroups: [request.apiGroup], resources: [resource] };
}

/** `get kcm/metrics "container"` rather than the resource.group form, which reads badly for these names. */
function shortRequest(request: RequestAttributes): string {
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  return `${request.verb} ${resource}${request.name ? ` "${request.name}"` : ''}`;
}

type Report = (r: RuleReport<'missing' | 'undecided' | 'serviceAccount' | 'serviceAccountUndecided'>) => void;

/**
 * FM-47 for a ServiceAccount: RBAC is all it has. Extend the ClusterRole it is already bound to (what AWS documents
 * for Prometheus), bind it to a ClusterRole that already allows the request, or create both.
 */
function checkServiceAccount(sim: Simulation, username: string, report: Report): void {
  if (sim.impersonation || sim.facts.has('impersonation')) return; // someone impersonated it: FM-40
  const [namespace = '', name = ''] = username.slice(SA_PREFIX.length).split(':');
  const target = aggregatedTarget(sim.input.snapshot, sim.request);
  if (!namespace || !name || !target || !sim.request.isResourceRequest) return;
  const groups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];
  const rbac = sim.index.rbac;
  const decision = sim.index.rbacCollected ? rbac.authorize({ username, groups }, sim.request) : undefined;
  if (decision?.allowed) return;
  const groupVersion = `${target.group}/${target.version}`;
  const request = shortRequest(sim.request);
  const rule = neededRule(sim.request);
  const rawRoles = okData(sim.input.snapshot, 'rbac')?.clusterRoles ?? [];
  const aggregatedRole = (roleName: string) =>
    rawRoles.some(
      (r) => r.metadata?.name === roleName && (r as { aggregationRule?: unknown }).aggregationRule,
    );
  // A ClusterRole the ServiceAccount already has cluster-wide, with rules to extend (an aggregated role's rules are
  // rewritten by its controller, so adding to it would not last).
  const bound = rbac
    .bindingsForUser(username)
    .find(
      (b) =>
        b.kind === 'ClusterRoleBinding' &&
        b.roleRef.kind === 'ClusterRole' &&
        !b.builtin &&
        (rbac.rulesOf(b.roleRef)?.length ?? 0) > 0 &&
        !aggregatedRole(b.roleRef.name),
    );
  const fixes: FixPlan[] = [];
  if (bound) {
    const patch = JSON.stringify([{ op: 'add', path: '/rules/-', value: rule }]);
    fixes.push({
      title: `Add the rule to ClusterRole ${bound.roleRef.name}, which ${namespace}/${name} is bound to`,
      actions: [
        {
          kind: 'run',
          tool: 'kubectl',
          argv: ['kubectl', 'patch', 'clusterrole', bound.roleRef.name, '--type=json', `-p=${patch}`],
        },
      ],
      notes: `ClusterRoleBinding ${bound.name} already gives ${namespace}/${name} this ClusterRole, cluster-wide. If the role is managed by a Helm chart or an operator, add the rule there too, or the next upgrade drops it. Run it as a cluster administrator.`,
    });
  }
  // A ClusterRole that already allows the request (metrics-server's reader, a chart's scraper role), never a
  // wildcard one such as cluster-admin: binding it grants no more than needed.
  const wildcard = (roleName: string) =>
    (rbac.rulesOf({ kind: 'ClusterRole', name: roleName }) ?? []).some((r) =>
      [...(r.apiGroups ?? []), ...(r.resources ?? []), ...(r.verbs ?? [])].includes('*'),
    );
  const names = [...METRICS_ROLES, ...rawRoles.map((r) => r.metadata?.name ?? '')].filter(
    (n, i, all) => n !== '' && all.indexOf(n) === i && !aggregatedRole(n) && !wildcard(n),
  );
  const existing = clusterRoleAllowing(rbac, sim.request, names);
  if (existing) {
    fixes.push({
      title: `${bound ? 'Or bind' : 'Bind'} ClusterRole ${existing} to ServiceAccount ${namespace}/${name}`,
      actions: [
        serviceAccountBinding({
          name: bindingName(name, existing),
          clusterRole: existing,
          serviceAccount: { namespace, name },
        }),
      ],
      notes: `${target.group} resources are cluster-scoped: only a ClusterRoleBinding grants them. Run it as a cluster administrator.`,
    });
  }
  if (!bound && !existing) {
    const roleName =
      target.group === EKS_METRICS_RULE.apiGroups[0]
        ? 'eks-control-plane-metrics-reader'
        : bindingName(sim.request.resource, target.group, 'reader');
    const manifest = [
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRole',
      'metadata:',
      `  name: ${roleName}`,
      'rules:',
      `  - apiGroups: [${rule.apiGroups.map((g) => JSON.stringify(g)).join(', ')}]`,
      `    resources: [${rule.resources.map((r) => JSON.stringify(r)).join(', ')}]`,
      `    verbs: [${rule.verbs.map((v) => JSON.stringify(v)).join(', ')}]`,
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRoleBinding',
      'metadata:',
      `  name: ${bindingName(name, roleName)}`,
      'roleRef:',
      '  apiGroup: rbac.authorization.k8s.io',
      '  kind: ClusterRole',
      `  name: ${roleName}`,
      'subjects:',
      '  - kind: ServiceAccount',
      `    name: ${name}`,
      `    namespace: ${namespace}`,
    ].join('\n');
    fixes.push({
      title: `Create ClusterRole ${roleName} and bind it to ServiceAccount ${namespace}/${name}`,
      actions: [{ kind: 'run', tool: 'kubectl', argv: ['kubectl', 'apply', '-f', `${roleName}.yaml`] }],
      snippet: { language: 'yaml', content: manifest },
      notes: `Save the snippet as ${roleName}.yaml first. ${target.group} resources are cluster-scoped: a RoleBinding cannot grant them, only a ClusterRoleBinding. Run it as a cluster administrator.`,
    });
  }
  const undecided = decision === undefined;
  report({
    messageId: undecided ? 'serviceAccountUndecided' : 'serviceAccount',
    data: { namespace, name, request, groupVersion },
    ...(undecided ? { severity: 'info' as const } : {}),
    explanation:
      `The request runs as ServiceAccount ${namespace}/${name} (its token, not IAM), so only Kubernetes RBAC can allow it: access entries and access policies apply to IAM principals. ` +
      `${groupVersion} is an aggregated API${target.apiService ? ` (APIService ${target.apiService.name} → Service ${target.apiService.service})` : ''}; ` +
      `kube-apiserver authorizes the request before proxying it, and ${undecided ? 'RBAC was not collected to show whether' : 'no binding of the ServiceAccount or its groups'} allows ${request}` +
      (target.group === EKS_METRICS_RULE.apiGroups[0]
        ? '. A control-plane metrics scraper needs get on kcm/metrics and ksh/metrics in metrics.eks.amazonaws.com (EKS documents this rule for Prometheus).'
        : '.'),
    evidence: compact([
      { source: 'incident', pointer: '/incident/logLines', note: `the error names User "${username}"` },
      bound
        ? {
            source: 'rbac',
            pointer: bound.pointer,
            note: `ClusterRoleBinding ${bound.name} binds ClusterRole ${bound.roleRef.name}, which lacks the rule`,
          }
        : decision
          ? { source: 'rbac', pointer: '/rbac/data', note: decision.reason }
          : undefined,
      apiServiceEvidence(target),
    ]),
    fixes,
    checks: [
      {
        title: 'What RBAC allows the ServiceAccount (as a cluster administrator)',
        commands: [canICommand(sim.request, { user: username })],
      },
    ],
  });
}

/** The APIService that serves the group, when collected. */
function apiServiceEvidence(target: AggregatedTarget): EvidenceRef | undefined {
  const api = target.apiService;
  return api
    ? { source: 'apiServices', pointer: api.pointer, note: `${api.name} is served by ${api.service}` }
    : undefined;
}
