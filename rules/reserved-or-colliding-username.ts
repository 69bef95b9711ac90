import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import {
  INSTANCE_ID_SESSION,
  isNodeEntryType,
  looksLikeNodeMapping,
  MANAGED_INSTANCE_SESSION,
  NODE_USERNAME,
} from '../src/eks/node-identity.js';
import type { FixPlan } from '../src/fix/actions.js';
import { accessEntryPlan, entryPrincipalArn, suggestedUsername } from '../src/fix/plans.js';
import { RESERVED_USERNAME_PREFIXES } from '../src/simulate/simulate.js';

/** Names of Kubernetes' own components: a person mapped to one is treated (and audited) as that component. */
const SYSTEM_IDENTITIES = [
  /^system:node:/,
  /^system:serviceaccount:/,
  /^system:kube-(controller-manager|scheduler|proxy)$/,
  /^system:apiserver$/,
  /^eks:/,
];

/**
 * FM-29: usernames starting with aws:, iam:, amazon:, system: or eks: are reserved — EKS rejects them on access
 * entries (400) and an authenticator with the reserve list rejects the mapping (401); in aws-auth, without the
 * list, such a name makes a person impersonate a node or controller (node authorizer limits, confusing audit).
 * A node role mapped as `system:node:{{EC2PrivateDNSName}}` (or `system:node:{{SessionName}}` for Fargate and
 * hybrid nodes) is not a collision: that is the identity EKS itself gives nodes, and renaming it would stop the
 * Node authorizer from recognising the kubelet.
 */
export default defineRule({
  id: 'reserved-or-colliding-username',
  stage: 'identity',
  precedence: 70,
  summary:
    'The mapping gives the principal a reserved (system:, eks:, aws:, amazon:, iam:) or system-component username, which is rejected or makes it look like a node or controller.',
  requires: ['awsAuth', 'accessEntries'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/set-custom-username.html',
  ],
  messages: {
    reserved:
      'The username "{{username}}" of {{arn}} starts with the reserved prefix "{{prefix}}", so the authenticator rejects it',
    rejected: 'EKS rejected the access-entry username: it starts with a reserved prefix',
    colliding: 'The username "{{username}}" of {{arn}} is the name of a Kubernetes system identity',
  },
  check({ sim, incident }, report) {
    const p = sim.principal;
    const m = sim.mapping;
    const reason = incident.reason ?? '';
    const apiRejected =
      (incident.awsAction === 'eks:CreateAccessEntry' || incident.awsAction === 'eks:UpdateAccessEntry') &&
      /username/i.test(reason) &&
      RESERVED_USERNAME_PREFIXES.some((prefix) => reason.includes(prefix));
    if (apiRejected) {
      report({
        messageId: 'rejected',
        severity: 'info',
        explanation:
          `EKS refuses access-entry usernames that begin with ${RESERVED_USERNAME_PREFIXES.join(', ')} (${reason}). ` +
          'Omit --username to let EKS generate one, or use a neutral prefix such as "admin:{{SessionName}}" (quoted).',
        evidence: [],
      });
      return;
    }
    if (!m || !p?.canonicalArn || !sim.identity) return;
    const username = sim.identity.username;
    const failed = sim.identity.renderError?.startsWith('invalid username');
    // A node role, by what does not depend on the username under test: {{EC2PrivateDNSName}} renders only for an
    // EC2 instance session; node groups (also run together by bad YAML, FM-41); an instance or hybrid session
    // (i-, mi-) with a system:node name; a node-type access entry (EKS generated that name).
    const session = p.sessionName ?? '';
    const nodeRole =
      m.usernameTemplate === NODE_USERNAME ||
      looksLikeNodeMapping({ groups: m.groupTemplates }) ||
      ((INSTANCE_ID_SESSION.test(session) || MANAGED_INSTANCE_SESSION.test(session)) &&
        username.startsWith('system:node:')) ||
      isNodeEntryType(m.accessEntry?.entry.type);
    const fixes = (): FixPlan[] => {
      const name = suggestedUsername(sim);
      if (m.source === 'aws-auth' && m.awsAuth) {
        const entry = m.awsAuth.mapping;
        return [
          {
            title: `Give the aws-auth entry for ${entry.arn} a neutral username`,
            actions: [
              {
                kind: 'aws-auth-put-mapping',
                section: entry.section,
                arn: entry.arn,
                username: name,
                groups: [...entry.groups],
                replacesExisting: true,
              },
            ],
            yamlSnippet: true,
            notes: 'RBAC bindings that name the old username as a User subject must name the new one.',
          },
        ];
      }
      const principalArn = entryPrincipalArn(sim);
      return m.source === 'access-entry' && principalArn
        ? [
            {
              title: `Give the access entry for ${principalArn} a neutral username`,
              actions: [{ kind: 'update-access-entry', principalArn, username: name }],
            },
          ]
        : [];
    };
    if (failed) {
      const prefix = RESERVED_USERNAME_PREFIXES.find((x) => username.startsWith(x)) ?? '';
      // A node cannot take a neutral name: it has to be a node entry, which gets its system:node name from EKS.
      const nodeFix = nodeRole ? accessEntryPlan(sim) : undefined;
      report({
        messageId: 'reserved',
        data: { username, arn: p.canonicalArn, prefix },
        explanation:
          `The authenticator's log shows its username reserve list is on: it refuses any mapping whose username begins with ${RESERVED_USERNAME_PREFIXES.join(', ')} ` +
          `("username must not begin with with the following prefixes"), and the caller gets 401. The mapping renders "${username}".` +
          (nodeRole
            ? ' This is a node role: a node must keep its system:node name, so give it a node access entry instead of renaming it.'
            : ''),
        evidence: compact([mappingEvidence(sim, `username "${username}"`)]),
        fixes: nodeRole ? compact([nodeFix]) : fixes(),
      });
      return;
    }
    // Node roles legitimately carry system:node names and node groups; wrong ones are FM-53's to report.
    if (nodeRole || !SYSTEM_IDENTITIES.some((re) => re.test(username))) return;
    report({
      messageId: 'colliding',
      data: { username, arn: p.canonicalArn },
      severity: 'warning',
      explanation:
        `The principal authenticates as "${username}", a name Kubernetes reserves for its own components: the built-in RBAC bindings for that component apply to this person, ` +
        'audit logs attribute its actions to a node or controller, and an authenticator with the reserve list (used for access entries) rejects the name outright. Use a neutral username.',
      evidence: compact([mappingEvidence(sim, `username "${username}"`)]),
      fixes: fixes(),
    });
  },
});
