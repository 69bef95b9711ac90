import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { accessPoliciesAllow } from '../src/eks/access-policies.js';
import { isPrincipalArn } from '../src/eks/arn.js';
import type { FixAction, FixPlan } from '../src/fix/actions.js';
import { updateKubeconfigText } from '../src/fix/kubeconfig.js';
import { asRun, canICommand, serviceAccountBinding } from '../src/fix/run-commands.js';
import { describeRequest } from '../src/k8s/rbac.js';
import { bindingName, clusterRoleAllowing } from '../src/k8s/role-suggest.js';
import type { EvidenceRef } from '../src/model/report.js';
import { impersonateRequest, type Simulation } from '../src/simulate/simulate.js';

const SA_PREFIX = 'system:serviceaccount:';

/** `user "tester" with groups app-readers`: the impersonated identity as the user asked for it. */
function describeTarget(user: string, groups: readonly string[]): string {
  const own = groups.filter((g) => !g.startsWith('system:'));
  return `user "${user}"${own.length ? ` with group${own.length > 1 ? 's' : ''} ${own.join(', ')}` : ''}`;
}

/** The `impersonate` check an Impersonate-User value needs: on users, or on serviceaccounts for a ServiceAccount. */
function userCheck(user: string): { resource: 'users' | 'serviceaccounts'; name: string } {
  const sa = user.startsWith(SA_PREFIX) ? user.slice(SA_PREFIX.length).split(':') : undefined;
  return sa?.[0] && sa[1] ? { resource: 'serviceaccounts', name: sa[1] } : { resource: 'users', name: user };
}

/** A `{{Template}}` username as a pattern, so a rendered name can be compared with it. */
function templatePattern(template: string): RegExp {
  const parts = template.split(/\{\{\w+\}\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+')}$`);
}

/** Access entries named like the impersonated user or groups: what the user probably meant to test. */
function entriesNamedLike(sim: Simulation, names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const name of names) {
    for (const e of sim.index.entriesByName.get(name.toLowerCase()) ?? []) out.add(e.entry.principalArn);
  }
  return [...out];
}

/**
 * FM-40: requests made with --as / --as-group are authorized as the impersonated identity, by RBAC only: the
 * caller's access policies do not apply. The caller also needs `impersonate` on that user and those groups.
 */
export default defineRule({
  id: 'impersonation-drops-access-policies',
  stage: 'authorization',
  precedence: 80,
  summary:
    'The request impersonates (kubectl --as / --as-group), and impersonated requests are authorized by RBAC only: access policies do not count.',
  requires: ['accessEntries', 'rbac', 'auditEvents', 'kubeconfig'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html',
    'https://kubernetes.io/docs/reference/access-authn-authz/user-impersonation/',
  ],
  messages: {
    dropped:
      '{{policy}} would allow {{request}} for you, but the request impersonates {{target}}, which only RBAC can allow',
    rbacOnly:
      'The request impersonates {{target}}; impersonated requests are authorized by RBAC only, and no RBAC rule allows {{request}}',
    cannotImpersonate: '{{caller}} may not impersonate {{target}}',
    otherUser:
      'The 403 names user {{named}}, which {{principal}} is not mapped to: the request probably impersonated it (kubectl --as)',
  },
  check({ sim, incident, clusterName, region }, report) {
    const auth = sim.authorization;
    const imp = sim.impersonation;
    const identity = sim.identity;
    const request = describeRequest(sim.request);
    const impEvidence: EvidenceRef | undefined = imp
      ? { source: imp.source, pointer: imp.pointer, note: imp.note }
      : sim.facts.has('impersonation')
        ? {
            source: 'incident',
            pointer: '/incident/logLines',
            note:
              sim.request.verb === 'impersonate'
                ? 'the pasted 403 refuses the impersonate verb itself'
                : 'impersonated request (fact impersonation)',
          }
        : undefined;

    // The caller failed the `impersonate` check (replayed, or the pasted "cannot impersonate" error).
    const denied =
      auth?.allowed === false
        ? (auth.impersonateDenied ??
          (sim.request.verb === 'impersonate' &&
          ['users', 'groups', 'serviceaccounts'].includes(sim.request.resource) &&
          sim.request.name
            ? {
                resource: sim.request.resource as 'users' | 'groups' | 'serviceaccounts',
                name: sim.request.name,
                ...(sim.request.namespace ? { namespace: sim.request.namespace } : {}),
              }
            : undefined))
        : undefined;
    if (denied && identity) {
      const target =
        denied.resource === 'serviceaccounts'
          ? `ServiceAccount ${denied.namespace ?? ''}/${denied.name}`
          : `${denied.resource === 'users' ? 'user' : 'group'} "${denied.name}"`;
      // Everything the client asks to impersonate needs the verb: the user (or ServiceAccount) and each group.
      const wanted = imp
        ? [userCheck(imp.user), ...imp.requestedGroups.map((name) => ({ resource: 'groups', name }))]
        : [{ resource: denied.resource, name: denied.name }];
      const roleName = bindingName('impersonate', denied.name);
      const resources = [...new Set(wanted.map((w) => w.resource))];
      const names = [...new Set(wanted.map((w) => w.name))];
      const group = identity.groups.find((g) => !g.startsWith('system:'));
      const subject = group
        ? ({ kind: 'Group', name: group } as const)
        : identity.unknownParts.length === 0 && identity.username
          ? ({ kind: 'User', name: identity.username } as const)
          : undefined;
      const ctx = { clusterName, region };
      const actions: FixAction[] = subject
        ? [
            {
              kind: 'run',
              tool: 'kubectl',
              argv: [
                'kubectl',
                'create',
                'clusterrole',
                roleName,
                '--verb=impersonate',
                ...resources.map((r) => `--resource=${r}`),
                ...names.map((n) => `--resource-name=${n}`),
              ],
            },
            ...asRun(
              {
                kind: 'create-rbac-binding',
                bindingKind: 'ClusterRoleBinding',
                name: bindingName(roleName, subject.name.split('/').pop() ?? subject.name),
                roleRef: { kind: 'ClusterRole', name: roleName },
                subject,
              },
              ctx,
            ),
          ]
        : [];
      report({
        messageId: 'cannotImpersonate',
        data: { caller: identity.username || (sim.principal?.arn ?? 'the caller'), target },
        explanation:
          `Before it switches identity, the API server checks that the caller may use the verb impersonate on each thing the request asks to be: the user (or ServiceAccount) and every --as-group. ` +
          `Nothing allows ${identity.username || 'the caller'} to impersonate ${target}. ` +
          'Among the EKS access policies only AmazonEKSClusterAdminPolicy covers impersonating users and groups (Edit and Admin cover ServiceAccounts only); otherwise RBAC must grant it.',
        evidence: compact([impEvidence, mappingEvidence(sim)]),
        fixes: [
          {
            title: subject
              ? `Let ${subject.kind === 'Group' ? `group ${subject.name}` : subject.name} impersonate ${target} (RBAC)`
              : `Grant the caller impersonate on ${target}`,
            actions,
            notes:
              (subject?.kind === 'User'
                ? 'The binding names this session only; bind a group of the access entry (aws eks update-access-entry --kubernetes-groups) for every session. '
                : subject
                  ? ''
                  : `The caller's username depends on its session; give its access entry a group (aws eks update-access-entry --kubernetes-groups) and bind ClusterRole ${roleName} to that group. `) +
              'Run it as a cluster administrator. Impersonation is powerful: grant it only for the names listed.',
          },
        ],
        checks: [
          {
            title: 'Whether the caller may impersonate',
            commands: [canICommand(impersonateRequest(denied))],
          },
        ],
      });
      return;
    }

    const impersonated = auth?.impersonated;
    if (auth && auth.allowed !== true && (auth.policiesIgnored === 'impersonation' || impersonated)) {
      const mapped = sim.mapping?.accessEntry?.entry;
      const would = mapped ? accessPoliciesAllow(mapped.associatedPolicies ?? [], sim.request) : undefined;
      const policy = would?.allowed ? would.allowedBy?.policyArn.split('/').pop() : undefined;
      // Who is authorized: the impersonated identity when known; else the replay could only use the caller's name.
      const user = impersonated?.username ?? identity?.username ?? '';
      const groups = impersonated?.groups ?? identity?.groups ?? [];
      const requested = imp?.requestedGroups ?? [];
      const target = impersonated ? describeTarget(user, requested) : 'another identity';
      const role = clusterRoleAllowing(sim.index.rbac, sim.request);
      const ns = sim.request.isResourceRequest ? sim.request.namespace : '';
      const fixes: FixPlan[] = [];
      if (policy) {
        fixes.push({
          title: 'Run the command without --as / --as-group',
          actions: [],
          notes: `Without impersonation the access policies of your own access entry apply again (${policy} allows ${request}).`,
        });
      }
      const bindable = impersonated || identity?.unknownParts.length === 0;
      if (role && user && bindable) {
        const group = requested.find((g) => !g.startsWith('system:'));
        const sa = user.startsWith(SA_PREFIX) ? user.slice(SA_PREFIX.length).split(':') : undefined;
        const bindingKind = ns ? 'RoleBinding' : 'ClusterRoleBinding';
        let action: FixAction;
        let who: string;
        if (sa?.[0] && sa[1] && !group) {
          who = `ServiceAccount ${sa[0]}/${sa[1]}`;
          action = serviceAccountBinding({
            name: bindingName(sa[1], role),
            namespace: ns || undefined,
            clusterRole: role,
            serviceAccount: { namespace: sa[0], name: sa[1] },
          });
        } else {
          // A group serves everyone who is meant to have this access; the user alone otherwise.
          const subject = group
            ? ({ kind: 'Group', name: group } as const)
            : ({ kind: 'User', name: user } as const);
          who = `${subject.kind === 'Group' ? 'group' : 'user'} ${subject.name}`;
          action = {
            kind: 'create-rbac-binding',
            bindingKind,
            name: bindingName(subject.name.split('/').pop() ?? subject.name, role),
            ...(ns ? { namespace: ns } : {}),
            roleRef: { kind: 'ClusterRole', name: role },
            subject,
          };
        }
        fixes.push({
          title: `Grant the impersonated ${who} ClusterRole ${role} through RBAC${ns ? ` in namespace ${ns}` : ''}`,
          actions: [action],
          notes: 'The impersonated identity is authorized by RBAC alone. Run it as a cluster administrator.',
        });
      }
      const meant = entriesNamedLike(sim, [user, ...requested]);
      const tryRole = meant.find((arn) => /:role\//.test(arn));
      if (tryRole && clusterName) {
        fixes.push({
          title: `To test what ${tryRole} may do, assume that role instead of impersonating a name`,
          actions: [],
          notes:
            `Access policies belong to the IAM principal's access entry; impersonating a Kubernetes user or group named like it never reaches them. ` +
            `\`${updateKubeconfigText({ clusterName, region, roleArn: tryRole, alias: `${clusterName}-${tryRole.split('/').pop() ?? 'test'}` })}\` adds a context that signs as that role.`,
        });
      }
      if (fixes.length === 0) {
        fixes.push({
          title: `Grant the impersonated identity RBAC that allows ${request}`,
          actions: [],
          notes: `Create a Role or ClusterRole with that rule and bind it to ${impersonated ? describeTarget(user, requested) : 'the impersonated user (the name after --as)'}.`,
        });
      }
      report({
        messageId: policy ? 'dropped' : 'rbacOnly',
        data: { policy: policy ?? '', request, target },
        explanation:
          `The request was sent with impersonation headers (kubectl --as / --as-group, or Impersonate-User)${impersonated ? `: it ran as user "${user}", groups [${groups.join(', ')}]` : ''}. ` +
          "Kubernetes authorizes it as the impersonated identity, and EKS access policies, which belong to the caller's access entry, are not consulted: only RBAC (and system:masters) counts. " +
          (policy
            ? `Without impersonation, ${policy} on your access entry would allow ${request}. `
            : `No RBAC rule allows ${request} for the impersonated identity. `) +
          'Access-policy grants are also invisible to kubectl auth can-i --list.' +
          (meant.length
            ? ` An access entry is named like the impersonated identity (${meant.join(', ')}); impersonating its name does not apply its policies.`
            : ''),
        evidence: compact([impEvidence, mappingEvidence(sim, policy ? `associated ${policy}` : undefined)]),
        fixes,
        checks: [
          {
            title: 'What RBAC alone allows the impersonated identity (as a cluster administrator)',
            commands: [canICommand(sim.request, { user, groups: impersonated ? requested : [] })],
          },
        ],
      });
      return;
    }

    // No impersonation in the evidence, but the 403 names a user the caller's mapping cannot produce.
    const named = incident.username;
    if (
      imp ||
      sim.facts.has('impersonation') ||
      sim.signedBy ||
      sim.input.observedStatus !== 403 ||
      !named ||
      !identity ||
      identity.renderError ||
      isPrincipalArn(named) ||
      named.startsWith(SA_PREFIX) ||
      named.startsWith('system:node:') ||
      named === 'system:anonymous' ||
      templatePattern(sim.mapping?.usernameTemplate ?? identity.username).test(named) ||
      named === identity.username
    ) {
      return;
    }
    const principal = sim.principal?.arn ?? 'the principal';
    report({
      messageId: 'otherUser',
      data: { named, principal },
      severity: 'info',
      explanation:
        `The API server refused user "${named}", but ${principal} is mapped to "${identity.username}". A request runs as another ` +
        'username when it impersonates (kubectl --as, a kubeconfig user with `as:`), or when another credential signed it. ' +
        'An impersonated request is authorized by RBAC only: the access policies of your own access entry do not apply to it.',
      evidence: compact([
        { source: 'incident', pointer: '/incident/logLines', note: `the error names User "${named}"` },
        mappingEvidence(sim),
      ]),
      checks: [
        {
          title: 'What RBAC allows that user (as a cluster administrator)',
          commands: [canICommand(sim.request, { user: named })],
        },
      ],
    });
  },
});
