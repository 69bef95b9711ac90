import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence, noEntryEvidence } from '../src/engine/evidence.js';
import { accessEntryPlan, entryPrincipalArn, suggestedUsername } from '../src/fix/plans.js';
import { logCitation } from '../src/evidence/logs.js';
import { findNearMisses, nearMissEvidence, nearMissFix } from '../src/simulate/near-miss.js';

/** FM-15: neither an access entry nor an aws-auth entry (nor mapAccounts) matches the caller. */
export default defineRule({
  id: 'principal-not-mapped',
  stage: 'mapping',
  precedence: 10,
  summary:
    'No access entry and no aws-auth mapping matches the principal, so the authenticator denies it (401).',
  requires: ['cluster', 'accessEntries', 'awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html#unauthorized',
  ],
  messages: {
    notMapped: '{{arn}} is not mapped to any Kubernetes identity ({{mode}})',
  },
  check({ sim, incident }, report) {
    const failed = sim.trace.find((s) => s.stage === 'mapping' && s.result === 'fail');
    // The authenticator's own "not mapped" line is proof even when the mapping evidence is missing.
    // Pasted lines and the principal's authenticator log lines (sim.facts holds both).
    const saysNotMapped =
      (incident.facts?.includes('identity-not-mapped') || sim.facts.has('identity-not-mapped')) &&
      !sim.mapping;
    if (!failed && !saysNotMapped) return;
    const arn = sim.principal?.canonicalArn ?? sim.principal?.arn ?? incident.principalArn ?? 'the principal';
    const mode = sim.index.authMode.mode ?? 'authentication mode unknown';
    const considered =
      mode === 'API'
        ? 'access entries (API mode)'
        : mode === 'CONFIG_MAP'
          ? 'aws-auth mapRoles, mapUsers and mapAccounts (CONFIG_MAP mode)'
          : 'access entries first, then aws-auth mapRoles, mapUsers and mapAccounts';
    const principalArn = entryPrincipalArn(sim);
    const isRole = sim.principal?.parsed?.kind === 'role' || sim.principal?.parsed?.kind === 'assumed-role';
    // Issue item 5: name the entry that was meant and correct it rather than adding another.
    const nearMiss = findNearMisses(sim)[0];
    const corrective = nearMiss ? nearMissFix(sim, nearMiss) : undefined;
    report({
      messageId: 'notMapped',
      data: { arn, mode },
      explanation:
        `The authenticator canonicalizes the caller to ${arn} and looks it up in ${considered}; nothing matches, ` +
        'so it answers "identity is not mapped" and the client sees 401 Unauthorized for every request.' +
        (nearMiss ? ` The entry that was probably meant: ${nearMiss.detail}.` : ''),
      evidence: compact([
        logCitation(sim, 'identity-not-mapped'),
        nearMiss && nearMissEvidence(nearMiss),
        noEntryEvidence(sim),
        sim.input.snapshot.awsAuth?.status === 'ok' && mode !== 'API'
          ? { source: 'awsAuth', pointer: '/awsAuth/data', note: `no mapRoles/mapUsers entry for ${arn}` }
          : undefined,
        modeEvidence(sim),
      ]),
      fixes: corrective
        ? compact([
            corrective,
            nearMiss?.source === 'aws-auth' && mode === 'API_AND_CONFIG_MAP'
              ? accessEntryPlan(sim, { title: 'Or replace the aws-auth entry by an access entry' })
              : undefined,
          ])
        : compact([
            accessEntryPlan(sim),
            mode !== 'API' && principalArn
              ? {
                  title: 'Alternative: map it in aws-auth (always with a username)',
                  actions: [
                    {
                      kind: 'aws-auth-put-mapping' as const,
                      section: isRole ? ('mapRoles' as const) : ('mapUsers' as const),
                      arn: sim.principal?.canonicalArn ?? principalArn,
                      username: suggestedUsername(sim),
                      groups: ['system:masters'],
                      replacesExisting: false,
                    },
                  ],
                  yamlSnippet: true,
                  notes:
                    'system:masters grants full admin; choose a narrower group bound by RBAC when that is too much. Role ARNs in aws-auth must not contain a path.',
                }
              : undefined,
          ]),
      checks: [
        {
          title: 'Confirm which identity the client really uses',
          commands: [
            { tool: 'aws', argv: ['aws', 'sts', 'get-caller-identity'], text: 'aws sts get-caller-identity' },
          ],
        },
      ],
    });
  },
});
