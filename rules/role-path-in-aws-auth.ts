import { defineRule } from '../src/engine/define-rule.js';
import { compact } from '../src/engine/evidence.js';
import { parseArn } from '../src/eks/arn.js';
import { matchKey } from '../src/simulate/context.js';
import { entryActionsForMapping } from '../src/eks/migration.js';
import { nodeRoleOf } from '../src/eks/node-identity.js';
import {
  entryPrincipalArn,
  equivalentEntryPlan,
  nodeEntryPlan,
  suggestedUsername,
} from '../src/fix/plans.js';

/** FM-19/FM-21a: aws-auth role ARNs with an IAM path never match, because the canonical ARN has no path. */
export default defineRule({
  id: 'role-path-in-aws-auth',
  stage: 'mapping',
  precedence: 70,
  summary:
    'The aws-auth rolearn includes an IAM path; the authenticator compares against the path-less ARN, so it never matches.',
  requires: ['awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/issues/268',
  ],
  messages: {
    path: 'aws-auth maps {{written}}, but the authenticator looks for {{canonical}} (role ARNs there must not have a path)',
  },
  check({ sim, incident }, report) {
    const p = sim.principal;
    if (!p?.canonicalArn || !p.parsed || (p.parsed.kind !== 'role' && p.parsed.kind !== 'assumed-role')) {
      return;
    }
    if (sim.mapping?.source === 'aws-auth' || sim.mapping?.source === 'access-entry') return;
    const candidates = (sim.index.awsAuthByKey.get(matchKey(p.canonicalArn)) ?? []).filter((m) => {
      try {
        const parsed = parseArn(m.arn);
        return parsed.kind === 'role' && parsed.path !== '/';
      } catch {
        return false;
      }
    });
    const written = candidates[candidates.length - 1];
    if (!written) return;
    const username = written.username || suggestedUsername(sim);
    // The access-entry alternative: the ARN with the path (IAM's, else the one aws-auth wrote), the same access as
    // the entry (a node role gets its node type).
    const entryArn = entryPrincipalArn(sim) ?? written.arn.trim();
    const withPath = parseArn(entryArn).path !== '/';
    const node = nodeRoleOf(sim, incident);
    const entryPlan =
      sim.index.authMode.mode === undefined
        ? undefined
        : node
          ? nodeEntryPlan(sim, node, { title: 'Or', principalArn: entryArn })
          : equivalentEntryPlan(sim, written, entryActionsForMapping({ ...written, arn: entryArn }), {
              title: withPath
                ? `Or use an access entry for ${entryArn} (access entries take the ARN with its path)`
                : `Or use an access entry for ${entryArn}`,
            });
    report({
      messageId: 'path',
      data: { written: written.arn, canonical: p.canonicalArn },
      explanation:
        `STS reports an assumed role as arn:…:assumed-role/${p.parsed.name}/<session>, which carries no IAM path, so the authenticator ` +
        `canonicalizes the caller to ${p.canonicalArn} and compares it, case-insensitively but otherwise exactly, with each rolearn. ` +
        `The entry ${written.arn} includes the path ${parseArn(written.arn).path} and can never match. ` +
        'Access entries are different: they take the full ARN with its path and match by unique id.',
      evidence: [
        {
          source: 'awsAuth',
          pointer: written.pointer,
          note: `${written.section} entry ${written.index}: ${written.arn}${written.line ? ` (line ${written.line})` : ''}`,
        },
      ],
      fixes: compact([
        {
          title: 'Rewrite the aws-auth entry without the path',
          actions: [
            {
              kind: 'aws-auth-put-mapping',
              section: 'mapRoles',
              arn: p.canonicalArn,
              username,
              groups: written.groups,
              replaceArn: written.arn,
              replacesExisting: true,
            },
          ],
          yamlSnippet: true,
        },
        entryPlan,
      ]),
    });
  },
});
