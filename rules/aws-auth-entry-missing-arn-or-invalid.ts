import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence } from '../src/engine/evidence.js';
import type { AwsAuthProblem } from '../src/eks/aws-auth.js';
import { suggestedUsername } from '../src/fix/plans.js';
import { okData } from '../src/model/snapshot.js';
import { matchKey } from '../src/simulate/context.js';
import {
  findNearMisses,
  namesKey,
  nearMissEvidence,
  nearMissFix,
  recoverEntries,
  SSO_ROLE,
  type RecoveredEntry,
} from '../src/simulate/near-miss.js';

const ENTRY_PROBLEMS = new Set<AwsAuthProblem['kind']>(['entry-missing-arn', 'entry-invalid', 'sso-entry']);

/**
 * FM-26: each aws-auth entry is validated on its own (a role needs rolearn or sso, a user needs userarn); an
 * invalid entry is skipped while the rest of the section loads. An ARN with whitespace or invisible characters
 * is kept but compared as written, so it never matches either.
 */
export default defineRule({
  id: 'aws-auth-entry-missing-arn-or-invalid',
  stage: 'mapping',
  precedence: 86,
  summary:
    "The principal's aws-auth entry is skipped or can never match: no rolearn/userarn (typo, wrong section), an unsupported sso matcher, or stray whitespace in the ARN.",
  requires: ['awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/blob/master/docs/sso_role_matcher.md',
  ],
  messages: {
    skipped:
      '{{section}} entry {{entry}} (line {{line}}) for {{arn}} is skipped by the authenticator: it {{problem}}',
    spelling: 'The aws-auth entry for {{arn}} never matches: {{problem}}',
  },
  check({ sim }, report) {
    const mode = sim.index.authMode.mode;
    const p = sim.principal;
    const parsed = sim.index.awsAuth;
    if (mode === 'API' || !parsed || !p?.canonicalArn || !p.parsed) return;
    if (sim.mapping && sim.mapping.source !== 'map-accounts') return;
    const canonical = p.canonicalArn;
    const isRole = p.parsed.kind === 'role' || p.parsed.kind === 'assumed-role';

    // Whitespace or invisible characters in the ARN: kept, but compared as written.
    const spelt = findNearMisses(sim).find((m) => m.kind === 'spelling');
    if (spelt) {
      const fix = nearMissFix(sim, spelt);
      report({
        messageId: 'spelling',
        data: { arn: canonical, problem: spelt.detail },
        explanation:
          'The authenticator lower-cases the ARNs it compares but does not trim or normalize them, so an ARN pasted with a trailing space, a non-breaking space or a zero-width character ' +
          `looks right in an editor and never matches. ${spelt.detail}.`,
        evidence: compact([nearMissEvidence(spelt), modeEvidence(sim)]),
        fixes: compact([fix]),
      });
      return;
    }

    const data = okData(sim.input.snapshot, 'awsAuth')?.data ?? {};
    const key = matchKey(canonical);
    const sso = SSO_ROLE.exec(p.parsed.name);
    const blocks = new Map<string, RecoveredEntry[]>();
    for (const problem of parsed.problems) {
      if (!ENTRY_PROBLEMS.has(problem.kind) || problem.line === undefined) continue;
      if (problem.section !== 'mapRoles' && problem.section !== 'mapUsers') continue;
      const text = data[problem.section];
      if (typeof text !== 'string') continue;
      let entries = blocks.get(problem.section);
      if (!entries) {
        entries = recoverEntries(text);
        blocks.set(problem.section, entries);
      }
      const line = problem.line;
      const block = entries.find((e) => e.line <= line && line < e.endLine);
      if (!block) continue;
      const names = block.arns.some((arn) => namesKey(arn, key));
      const ssoMatch =
        problem.kind === 'sso-entry' &&
        sso?.[1] !== undefined &&
        new RegExp(`permissionSetName\\s*:\\s*["']?${escape(sso[1])}["']?\\s*$`, 'im').test(block.text) &&
        block.text.includes(p.parsed.accountId);
      if (!names && !ssoMatch) continue;
      const username = block.username ? block.username : suggestedUsername(sim);
      const entryNo = (problem.index ?? 0) + 1;
      const reason = problem.message
        .replace(/^(?:mapRoles|mapUsers) entry \d+(?: \(line \d+\))?:?\s*/, '')
        .replace(/; (?:the authenticator|it matches nothing).*$/, '');
      report({
        messageId: 'skipped',
        data: { section: problem.section, entry: entryNo, line, arn: canonical, problem: reason },
        explanation:
          'The authenticator validates every aws-auth entry on its own: a mapRoles entry needs rolearn (or the sso matcher, which EKS does not enable), a mapUsers entry needs userarn, ' +
          `and an entry that fails is skipped while the rest of the section loads. ${problem.message}. So ${canonical} is not mapped and gets 401.`,
        evidence: compact([
          {
            source: 'awsAuth',
            pointer: problem.pointer,
            note: problem.message,
          },
          modeEvidence(sim),
        ]),
        fixes: [
          {
            title: `Write the entry for ${canonical} with ${isRole ? 'rolearn under mapRoles' : 'userarn under mapUsers'}`,
            actions: [
              {
                kind: 'aws-auth-put-mapping',
                section: isRole ? 'mapRoles' : 'mapUsers',
                arn: canonical,
                username,
                groups: [...block.groups],
                replacesExisting: false,
              },
            ],
            yamlSnippet: true,
            notes: `Then delete the skipped ${problem.section} entry ${entryNo} (line ${line}) with kubectl edit -n kube-system configmap/aws-auth.${block.username ? '' : ` It had no username; ${username} is set so that aggregated APIs accept the caller.`}`,
          },
        ],
      });
      return;
    }
  },
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
