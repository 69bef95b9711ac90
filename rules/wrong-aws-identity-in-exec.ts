import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence } from '../src/engine/evidence.js';
import { canonicalArn, parseArn } from '../src/eks/arn.js';
import { clientEvidence, execEvidence } from '../src/evidence/client.js';
import { logCitation, principalKey } from '../src/evidence/logs.js';
import type { FixPlan } from '../src/fix/actions.js';
import { accessEntryPlan } from '../src/fix/plans.js';
import { regeneratedUser } from '../src/fix/kubeconfig.js';
import { commandText } from '../src/fix/quote.js';
import type { EvidenceRef, Stage } from '../src/model/report.js';
import { okData } from '../src/model/snapshot.js';
import { simulate, type Simulation } from '../src/simulate/simulate.js';

/** Stages a wrong signer can fail: not mapped (401), a template it cannot render (401), fewer rights (403). */
const SIGNER_STAGES: readonly Stage[] = ['mapping', 'identity', 'authorization'];

/** The IAM role an ARN names (an assumed-role session's role), or undefined for users and other principals. */
function roleOf(arn: string, sim: Simulation): string | undefined {
  try {
    const parsed = parseArn(arn);
    if (parsed.kind !== 'role' && parsed.kind !== 'assumed-role') return undefined;
  } catch {
    return undefined;
  }
  // A role's full ARN (with its path) is what --role-arn needs; IAM evidence has it when the given ARN lacks it.
  const given = sim.signedBy?.given;
  const withPath =
    given && principalKey(given.arn) === principalKey(arn) ? given.iam?.principal.arn : undefined;
  return withPath ?? canonicalArn(arn);
}

/** The evidence once per pointer (the signer's line is often also the log citation). */
function uniquePointers(items: Array<EvidenceRef | undefined | false>): EvidenceRef[] {
  const seen = new Set<string>();
  return compact(items).filter((e) => !seen.has(e.pointer) && Boolean(seen.add(e.pointer)));
}

function withNote(plan: FixPlan | undefined, note: string | undefined): FixPlan | undefined {
  if (!plan || !note) return plan;
  return { ...plan, notes: [note, plan.notes].filter(Boolean).join(' ') };
}

/**
 * FM-03: the token is signed by another principal than the one that was granted access (a kubeconfig that pins
 * AWS_PROFILE, env credentials that win over the profile, a missing --role-arn, CI running as the runner's role).
 */
export default defineRule({
  id: 'wrong-aws-identity-in-exec',
  stage: 'mapping',
  // Proof that another identity signed, while the intended one would pass, outranks what is wrong with the signer.
  precedence: 92,
  summary:
    'kubectl signs its token as a different IAM principal than the one that has access (AWS_PROFILE pinned in the kubeconfig, env credentials, missing --role-arn).',
  requires: ['callerIdentity', 'kubeconfig', 'accessEntries', 'awsAuth', 'authenticatorLogs'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/create-kubeconfig.html',
    'https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html#unauthorized',
  ],
  messages: {
    signsAsOther: 'kubectl signs as {{principal}}, but the identity with access is {{caller}}{{whose}}',
    signedByOther:
      'The token is signed by {{principal}}, not by {{given}}; {{given}} would not be allowed either',
    likelySigner:
      'The authenticator denied {{signer}} near the failure and never logged {{given}}: kubectl probably signs as {{signer}}',
    alsoDenied:
      'The authenticator also denied {{signer}} near the failure; check that kubectl signs as {{given}}',
    allowedButObserved:
      '{{principal}} would be allowed, yet the client got {{status}}: the token is probably signed by another identity',
  },
  check({ sim, index }, report) {
    const principal = sim.principal;
    if (!principal?.canonicalArn) return;
    const snapshot = sim.input.snapshot;
    const exec = clientEvidence(snapshot).kubeconfig?.facts.exec;
    const observed = sim.input.observedStatus;
    const whoami = [
      'aws',
      'sts',
      'get-caller-identity',
      ...(exec?.profile ? ['--profile', exec.profile] : []),
    ];
    const checks = [
      {
        title: 'Ask STS who the exec plugin signs as (with the kubeconfig exec environment)',
        commands: [{ tool: 'aws', argv: whoami, text: commandText(whoami) }],
      },
    ];
    const signedBy = sim.signedBy;
    const signerEvidence: EvidenceRef | undefined = signedBy
      ? { source: signedBy.signer.source, pointer: signedBy.signer.pointer, note: signedBy.signer.note }
      : undefined;
    const failing =
      sim.outcome !== 'allowed' && sim.failingStage !== undefined && SIGNER_STAGES.includes(sim.failingStage);

    // Who should be signing: the principal the user named (when the evidence shows another signer), else the
    // identity the shell uses (callerIdentity, who collected the evidence).
    const caller = okData(snapshot, 'callerIdentity');
    const candidates: Array<{ arn: string; whose: 'given' | 'shell'; pointer?: string }> = [];
    if (signedBy) candidates.push({ arn: signedBy.given.arn, whose: 'given' });
    if (caller?.Arn && principalKey(caller.Arn) !== principalKey(principal.arn)) {
      candidates.push({ arn: caller.Arn, whose: 'shell', pointer: '/callerIdentity/data/Arn' });
    }
    if (failing) {
      for (const candidate of candidates) {
        if (
          candidate.whose === 'given' &&
          candidates.some((c) => c.whose === 'shell' && principalKey(c.arn) === principalKey(candidate.arn))
        ) {
          continue; // the shell identity is the given one: say it once, as the shell's
        }
        // Would that identity get through? Replay it without the failing client's token, kubeconfig and logs.
        const alternative = simulate({
          snapshot: {
            ...snapshot,
            token: undefined,
            kubeconfig: undefined,
            authenticatorLogs: undefined,
            auditEvents: undefined,
          },
          principalArn: candidate.arn,
          path: sim.input.path,
          verb: sim.input.verb,
          namespace: sim.input.namespace,
          now: sim.input.now,
          index,
        });
        if (alternative.outcome !== 'allowed') continue;
        const shell = candidate.whose === 'shell';
        const pinned = exec?.profile;
        const role = shell ? undefined : roleOf(candidate.arn, sim);
        const signerRole = roleOf(principal.arn, sim);
        // The shell's identity signs by itself once nothing overrides it; another role is assumed with --role.
        const assume = role && principalKey(role) !== principalKey(signerRole) ? role : undefined;
        // A snippet only when it changes the entry: the shell's identity without overrides, or --role added.
        const user =
          shell || assume
            ? regeneratedUser(
                sim,
                { clusterName: sim.index.clusterName, region: sim.index.region },
                shell ? { profile: null, roleArn: null } : { roleArn: assume },
              )
            : undefined;
        const how = shell
          ? pinned
            ? `Remove the AWS_PROFILE=${pinned} env entry from the kubeconfig user (the snippet shows the entry without it), or set it to the profile that signs as ${candidate.arn}. `
            : `Unset AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN if they belong to another identity, or add \`--role <granted role ARN>\` to the exec args. `
          : assume
            ? `Let the exec plugin assume ${assume}: the snippet adds \`--role ${assume}\` to its args. ${principal.canonicalArn} must be allowed to assume it (the role's trust policy and sts:AssumeRole), or kubectl fails before sending anything. `
            : `Make the exec plugin run with ${candidate.arn}'s credentials: ${pinned ? `the kubeconfig pins AWS_PROFILE=${pinned}, which signs as ${principal.arn}; point it at a profile of ${candidate.arn}` : `unset AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or set AWS_PROFILE to a profile of ${candidate.arn}`}. `;
        const canonical =
          principal.canonicalArn !== principal.arn ? ` (canonical ${principal.canonicalArn})` : '';
        const sawWhere = signedBy ? `: the token is signed by it, not by ${signedBy.given.arn} as given` : '';
        report({
          messageId: 'signsAsOther',
          data: {
            principal: principal.arn,
            caller: candidate.arn,
            whose: shell ? ' (the one your shell uses)' : ' (the principal given)',
          },
          ...(sim.failingStage ? { stage: sim.failingStage } : {}),
          explanation:
            `The cluster saw ${principal.arn}${canonical}${sawWhere}. ${candidate.arn} is the identity ` +
            `${shell ? 'your shell uses and the one ' : ''}this cluster grants access, and it would be allowed. The authenticator maps whoever signed the token, ` +
            'and the exec plugin signs with whatever credentials its own environment resolves: ' +
            (pinned
              ? `this kubeconfig sets AWS_PROFILE=${pinned} for it (written by \`update-kubeconfig --profile ${pinned}\`), which overrides your shell. `
              : 'AWS_ACCESS_KEY_ID/AWS_SESSION_TOKEN in the environment win over any profile, and a kubeconfig without --role signs as the base identity. ') +
            'Either make the exec plugin sign as the granted identity, or grant the identity it really uses.',
          evidence: uniquePointers([
            signerEvidence,
            logCitation(sim, 'identity-not-mapped', 'access-granted', 'forbidden', 'unauthorized'),
            candidate.pointer
              ? {
                  source: 'callerIdentity',
                  pointer: candidate.pointer,
                  note: `your shell signs as ${candidate.arn}`,
                }
              : undefined,
            mappingEvidence(alternative, `${candidate.arn} is mapped here`),
            execEvidence(snapshot),
          ]),
          fixes: compact([
            {
              title: `Make the exec plugin sign as ${assume ?? candidate.arn}`,
              actions: [],
              ...(user ? { snippet: user.snippet } : {}),
              notes: how + (user ? `Regenerating with \`${user.command}\` writes the same entry.` : ''),
            },
            withNote(
              accessEntryPlan(sim, {
                title: `Alternative: grant the identity kubectl really uses (${principal.canonicalArn})`,
              }),
              // A 403 shows the signer authenticated, so it has a mapping the evidence did not include.
              sim.mapping || sim.input.observedStatus !== 403
                ? undefined
                : `If ${principal.canonicalArn} already has an access entry (the 403 says it is mapped somewhere), skip create-access-entry and only associate the policy.`,
            ),
          ]),
          checks,
        });
        return;
      }
    }

    // Tied to the failure by time only: name it and how to check, never grant it anything.
    const likely = sim.likelySigner;
    if (likely) {
      const given = principal.arn;
      const likelyEvidence: EvidenceRef = {
        source: likely.source,
        pointer: likely.pointer,
        note: likely.note,
      };
      const stsUndecided = sim.trace.find((s) => s.stage === 'sts')?.result === 'unknown';
      if (stsUndecided) {
        const role = roleOf(given, sim);
        const assume =
          role && exec && principalKey(exec.roleArn ?? '') !== principalKey(role) ? role : undefined;
        const user = assume
          ? regeneratedUser(
              sim,
              { clusterName: sim.index.clusterName, region: sim.index.region },
              { roleArn: assume },
            )
          : undefined;
        report({
          messageId: 'likelySigner',
          data: { signer: likely.arn, given },
          stage: 'sts',
          severity: 'warning',
          explanation:
            `Replaying EKS's decision for ${given} allows the request, yet the client saw 401, and ${likely.note}. ` +
            'The authenticator maps ' +
            'whoever signed the token, and the exec plugin signs with whatever credentials its environment resolves ' +
            '(AWS_ACCESS_KEY_ID/AWS_SESSION_TOKEN win over any profile; without --role it signs as the base identity). ' +
            'Only the time ties that denial to this request, so confirm who kubectl signs as before changing anything; ' +
            `do not grant ${likely.arn} access unless it is meant to have it.`,
          evidence: uniquePointers([
            likelyEvidence,
            mappingEvidence(sim, `${given} is mapped here`),
            execEvidence(snapshot),
          ]),
          fixes: [
            {
              title: `Make the exec plugin sign as ${assume ?? given}`,
              actions: [],
              ...(user ? { snippet: user.snippet } : {}),
              notes:
                (assume
                  ? `Let the exec plugin assume ${assume}: the snippet adds \`--role ${assume}\` to its args. `
                  : `Run the exec plugin with ${given}'s credentials: unset AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN if they belong to another identity, or set AWS_PROFILE to a profile of ${given}. `) +
                (user ? `Regenerating with \`${user.command}\` writes the same entry.` : ''),
            },
          ],
          checks,
        });
        return;
      }
      if (sim.outcome !== 'allowed') {
        report({
          messageId: 'alsoDenied',
          data: { signer: likely.arn, given },
          severity: 'info',
          explanation:
            `The authenticator denied ${likely.arn} near the failure (${likely.note}). The replay of ${given} explains the ` +
            `failure by itself, so this is only an alternative: if \`aws sts get-caller-identity\` in kubectl's exec ` +
            `environment answers ${likely.arn}, the token is signed by it and ${given}'s mapping is not what decided.`,
          evidence: [likelyEvidence],
          checks,
        });
        return;
      }
    }

    if (signedBy && failing) {
      report({
        messageId: 'signedByOther',
        data: { principal: principal.arn, given: signedBy.given.arn },
        severity: 'info',
        explanation:
          `The evidence shows the token signed by ${principal.arn}, not by ${signedBy.given.arn} (${signedBy.signer.note}); ` +
          `EKS decided for the signer. Replaying ${signedBy.given.arn} does not allow the request either, so signing as it ` +
          'alone would not help: see the other findings for what the signer (or the intended identity) lacks.',
        evidence: compact([signerEvidence, execEvidence(snapshot)]),
        checks,
      });
      return;
    }

    if (sim.outcome === 'allowed' && (observed === 401 || observed === 403)) {
      report({
        messageId: 'allowedButObserved',
        data: { principal: principal.arn, status: observed },
        severity: 'info',
        explanation:
          `Replaying EKS's decision for ${principal.arn} allows the request, but the client saw ${observed}. The usual reason ` +
          'is that the token was not signed by this principal: a kubeconfig that pins AWS_PROFILE, credentials in the ' +
          'environment, or a CI job that runs the exec plugin as its runner role. The authenticator log names the ARN it saw ' +
          '(`msg="access denied" arn=...`, or `msg="STS response" arn=...` with the access key), and a 403 names the user.',
        evidence: compact([execEvidence(snapshot)]),
        checks,
      });
    }
  },
});
