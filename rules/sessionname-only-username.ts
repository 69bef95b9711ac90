import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence, noEntryEvidence } from '../src/engine/evidence.js';
import { accessEntryPlan, suggestedUsername } from '../src/fix/plans.js';

const SESSION_ONLY = /^\s*\{\{SessionName(Raw)?\}\}\s*$/;

/** FM-46: a username that is only {{SessionName}} renders empty for IAM users (no session) and is fragile for roles. */
export default defineRule({
  id: 'sessionname-only-username',
  stage: 'aggregation',
  precedence: 85,
  summary:
    'The mapping\'s username is only "{{SessionName}}": empty for IAM users, so aggregated APIs answer 401.',
  requires: ['awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://github.com/kubernetes-sigs/metrics-server/issues/541',
  ],
  messages: {
    emptyForUser:
      'aws-auth maps IAM user {{arn}} with username "{{template}}", which renders empty (users have no session name)',
    roleWithoutPrefix:
      'aws-auth maps {{arn}} with username "{{template}}" and no prefix; aggregated APIs are reported to reject such names',
  },
  check({ sim }, report) {
    const m = sim.mapping;
    if (!m || m.source !== 'aws-auth' || !m.usernameTemplate || !SESSION_ONLY.test(m.usernameTemplate)) {
      return;
    }
    const entry = m.awsAuth?.mapping;
    const arn = entry?.arn ?? sim.principal?.canonicalArn ?? '';
    const isUser = sim.principal?.parsed?.kind === 'user';
    const template = m.usernameTemplate.trim();
    const fixUsername = suggestedUsername(sim);
    report({
      messageId: isUser ? 'emptyForUser' : 'roleWithoutPrefix',
      data: { arn, template },
      // For roles upstream renders a non-empty name; the reports are observations, so it is a warning only.
      ...(isUser ? {} : { severity: 'warning' as const }),
      explanation: isUser
        ? `{{SessionName}} is the part of an assumed-role session after the role name. IAM users have no session, so the authenticator renders "${template}" to "" ` +
          'and the request reaches aggregated APIs with an empty X-Remote-User, which their backends reject with 401 (the same mechanism as a missing username).'
        : `A username that is only ${template} has no prefix. Upstream renders it to the session name, but users report 401s from aggregated APIs with such mappings, ` +
          'fixed by a prefix with a colon (e.g. "admin:{{SessionName}}"), which EKS also requires for access-entry usernames.',
      evidence: compact([mappingEvidence(sim, `username "${template}"`), noEntryEvidence(sim)]),
      fixes: compact([
        {
          title: `Give the mapping a prefixed username: ${fixUsername}`,
          actions: [
            {
              kind: 'aws-auth-put-mapping',
              section: entry?.section ?? (isUser ? 'mapUsers' : 'mapRoles'),
              arn,
              username: fixUsername,
              groups: entry?.groups ?? [],
              replacesExisting: true,
            },
          ],
          yamlSnippet: true,
        },
        accessEntryPlan(sim, { title: 'Or move the principal to an access entry (generated username)' }),
      ]),
    });
  },
});
