import { defineRule } from '../src/engine/define-rule.js';
import { checkOf, compact } from '../src/engine/evidence.js';
import type { AwsAuthMapping } from '../src/eks/aws-auth.js';
import { renderTemplate } from '../src/eks/templates.js';
import { suggestedUsername } from '../src/fix/plans.js';
import { matchKey } from '../src/simulate/context.js';
import type { Simulation } from '../src/simulate/simulate.js';

/**
 * FM-27: role entries are stored by lower-cased ARN (the last duplicate wins); user entries by the ARN as written
 * and looked up by iterating a Go map (duplicates differing in case: a random winner per request); a role mapped
 * in both sections is always taken from mapRoles. The winner decides username and groups.
 */
export default defineRule({
  id: 'aws-auth-duplicate-mappings',
  stage: 'authorization',
  precedence: 75,
  summary:
    'aws-auth maps the principal more than once; the authenticator uses only one of the entries (the last, or a random one), and it is not the one that grants access.',
  requires: ['awsAuth', 'rbac'],
  references: [
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/issues/102',
    'https://eksctl.io/usage/iam-identity-mappings/',
  ],
  messages: {
    shadowed:
      'aws-auth maps {{arn}} {{count}} times; the authenticator uses {{winner}}, not {{loser}}, which would allow the request',
    random:
      'aws-auth maps {{arn}} {{count}} times in spellings that differ only in case; the authenticator picks one at random on every request',
    latent:
      'aws-auth maps {{arn}} {{count}} times with different usernames or groups; only {{winner}} is used',
  },
  check({ sim, index }, report) {
    const match = sim.mapping?.source === 'aws-auth' ? sim.mapping.awsAuth : undefined;
    if (!match || !sim.principal?.parsed) return;
    const winner = match.mapping;
    // Every entry for the same ARN, in either section (mapRoles is looked up first), from the index.
    const others = (index.awsAuthByKey.get(matchKey(winner.arn)) ?? []).filter(
      (m) => m !== winner && m.rawArn === undefined && m.arn.toLowerCase() === winner.arn.toLowerCase(),
    );
    const differing = others.filter(
      (m) => m.username !== winner.username || m.groups.join('\n') !== winner.groups.join('\n'),
    );
    if (differing.length === 0) return;
    const count = others.length + 1;
    const label = (m: AwsAuthMapping) =>
      `${m.section} entry ${m.index + 1}${m.line ? ` (line ${m.line})` : ''}`;
    const denied = sim.authorization?.allowed === false || sim.failingStage === 'aggregation';
    const better = denied ? differing.find((m) => wouldAllow(sim, m)) : undefined;
    const keep = better ?? differing.find((m) => m.groups.length > winner.groups.length) ?? winner;
    const username = keep.username ? keep.username : suggestedUsername(sim);
    const how = match.nondeterministic
      ? 'mapUsers keeps one slot per exact spelling of the ARN and the lookup walks a Go map, whose order is random, so each request may get a different entry'
      : winner.section === 'mapRoles' && others.some((m) => m.section === 'mapUsers')
        ? 'mapRoles is searched before mapUsers, and within mapRoles the last entry for an ARN replaces the earlier ones'
        : `Within ${winner.section} the last entry for an ARN replaces the earlier ones`;
    report({
      messageId: match.nondeterministic ? 'random' : better ? 'shadowed' : 'latent',
      data: { arn: winner.arn, count, winner: label(winner), loser: label(better ?? keep) },
      ...(better || match.nondeterministic ? {} : { severity: 'warning' as const }),
      explanation:
        `The principal has ${count} aws-auth entries. ${how}; the entry in use is ${label(winner)} with username "${winner.username ?? ''}" and groups [${winner.groups.join(', ')}]` +
        (better
          ? `, while ${label(better)} (groups [${better.groups.join(', ')}]) would allow the request.`
          : '.') +
        ' eksctl delete iamidentitymapping removes only the first match unless --all is given, which is how such duplicates pile up.',
      evidence: compact([
        { source: 'awsAuth', pointer: winner.pointer, note: `${label(winner)}: the entry in use` },
        ...others.map((m) => ({ source: 'awsAuth', pointer: m.pointer, note: `${label(m)}: duplicate` })),
      ]),
      fixes: [
        {
          title: `Keep one entry for ${winner.arn}`,
          actions: [
            {
              kind: 'aws-auth-put-mapping',
              section: winner.section,
              arn: winner.arn,
              username,
              groups: [...keep.groups],
              replacesExisting: true,
            },
          ],
          yamlSnippet: true,
          notes:
            'eksctl delete with --all removes every entry for the ARN; the create then adds exactly one (--no-duplicate-arns).',
        },
      ],
      checks: index.clusterName
        ? [
            checkOf('List every mapping of this ARN', [
              'eksctl',
              'get',
              'iamidentitymapping',
              '--cluster',
              index.clusterName,
              ...(index.region ? ['--region', index.region] : []),
              '--arn',
              winner.arn,
            ]),
          ]
        : [],
    });
  },
});

/** Whether the identity an entry renders would be allowed (system:masters, or RBAC). */
function wouldAllow(sim: Simulation, m: AwsAuthMapping): boolean {
  const parsed = sim.principal?.parsed;
  if (!parsed) return false;
  const ctx = { accountId: parsed.accountId, sessionName: sim.principal?.sessionName };
  const user = renderTemplate(m.username ?? '', ctx);
  if (!user.ok || user.value === '') return false;
  const groups = m.groups.map((g) => renderTemplate(g, ctx)).flatMap((r) => (r.ok ? [r.value] : []));
  if (groups.includes('system:masters')) return true;
  return sim.index.rbac.authorize(
    { username: user.value, groups: [...groups, 'system:authenticated'] },
    sim.request,
  ).allowed;
}
