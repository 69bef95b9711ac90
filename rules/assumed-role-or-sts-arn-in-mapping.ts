import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { parseArn } from '../src/eks/arn.js';
import { matchKey } from '../src/simulate/context.js';
import { accessEntryPlan, suggestedUsername } from '../src/fix/plans.js';

/** FM-20: an aws-auth entry written with the STS session ARN never matches; mappings take the IAM role ARN. */
export default defineRule({
  id: 'assumed-role-or-sts-arn-in-mapping',
  stage: 'mapping',
  precedence: 70,
  summary: 'The aws-auth entry uses an STS assumed-role ARN; the authenticator only matches IAM role ARNs.',
  requires: ['awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
  ],
  messages: {
    stsArn: 'aws-auth maps the STS session ARN {{written}}; it must be the IAM role ARN {{canonical}}',
  },
  check({ sim }, report) {
    const p = sim.principal;
    if (!p?.canonicalArn || sim.mapping?.source === 'aws-auth' || sim.mapping?.source === 'access-entry') {
      return;
    }
    const written = (sim.index.awsAuthByKey.get(matchKey(p.canonicalArn)) ?? []).find((m) => {
      try {
        return parseArn(m.arn).service === 'sts';
      } catch {
        return false;
      }
    });
    if (!written) return;
    report({
      messageId: 'stsArn',
      data: { written: written.arn, canonical: p.canonicalArn },
      explanation:
        `The authenticator converts the caller's STS ARN to the IAM role ARN ${p.canonicalArn} before it looks in aws-auth, ` +
        `so an entry written as ${written.arn} (one session of that role) is never compared with anything that could match. ` +
        'The EKS access-entry API likewise rejects STS session principals.',
      evidence: [
        {
          source: 'awsAuth',
          pointer: written.pointer,
          note: `${written.section} entry ${written.index}: ${written.arn}`,
        },
      ],
      fixes: compact([
        {
          title: 'Map the IAM role ARN instead of the session ARN',
          actions: [
            {
              kind: 'aws-auth-put-mapping',
              section: 'mapRoles',
              arn: p.canonicalArn,
              username: written.username || suggestedUsername(sim),
              groups: written.groups,
              replaceArn: written.arn,
              replacesExisting: true,
            },
          ],
          yamlSnippet: true,
        },
        accessEntryPlan(sim, { title: 'Or create an access entry for the IAM role ARN' }),
      ]),
    });
  },
});
