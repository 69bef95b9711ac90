import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence } from '../src/engine/evidence.js';
import { modeRank, nextModeStep, pastedTexts, rejectedModeTransition } from '../src/eks/eks-api-errors.js';
import { awsAuthOnlyMappings, entryActionsForMapping } from '../src/eks/migration.js';
import type { FixAction, FixPlan } from '../src/fix/actions.js';
import { asRun, checkCommand } from '../src/fix/run-commands.js';
import type { AuthenticationMode } from '../src/model/snapshot.js';

const SHOWN_MIGRATIONS = 10;

/** FM-49: authentication modes only move forward, CONFIG_MAP → API_AND_CONFIG_MAP → API. */
export default defineRule({
  id: 'auth-mode-transition-one-way',
  stage: 'client',
  precedence: 60,
  summary:
    'UpdateClusterConfig was rejected: authentication modes only move forward (CONFIG_MAP → API_AND_CONFIG_MAP → API), one step at a time.',
  requires: ['cluster', 'awsAuth', 'accessEntries'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html#set-cam',
    'https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html',
  ],
  messages: {
    skipped: 'EKS cannot switch {{from}} straight to {{to}}: go through API_AND_CONFIG_MAP first',
    backward: 'EKS cannot switch the authentication mode back from {{from}} to {{to}}',
    noop: 'The cluster already uses {{from}}: the update asks for no change',
    unknown: 'EKS rejected the authentication mode change (modes only move forward)',
  },
  check({ sim, incident, clusterName, region, index }, report) {
    if (!sim.facts.has('auth-mode-transition-rejected')) return;
    const transition = rejectedModeTransition(pastedTexts(incident, sim.input.snapshot.incident?.logLines));
    const current: AuthenticationMode | undefined = index.authMode.mode ?? transition?.from;
    const from = transition?.from ?? current;
    const to = transition?.to;
    const ctx = { clusterName, region };
    const fixes: FixPlan[] = [];
    const pending = awsAuthOnlyMappings(index, Infinity);
    const pendingNote = pending.length
      ? `${pending.length} aws-auth mapping(s) have no access entry yet; API mode ignores aws-auth, so create them before the last step.`
      : index.awsAuth
        ? 'Every aws-auth mapping already has an access entry.'
        : 'aws-auth was not collected: check that every principal in it (node roles included) has an access entry before switching to API.';
    const migrations: FixAction[] = pending
      .slice(0, SHOWN_MIGRATIONS)
      .flatMap((m) => entryActionsForMapping(m))
      .flatMap((a) => asRun(a, ctx));
    const mode = (m: 'API_AND_CONFIG_MAP' | 'API') =>
      asRun({ kind: 'update-authentication-mode', mode: m }, ctx);

    let messageId: 'skipped' | 'backward' | 'noop' | 'unknown' = 'unknown';
    let why: string;
    if (from && to && from === to) {
      messageId = 'noop';
      why = `The request asked for ${to}, which the cluster already has; EKS answers 400 instead of doing nothing. This is usually infrastructure-as-code drift (the template sets the mode the cluster already reached) or a retried update.`;
      fixes.push({
        title: `Nothing to change: make the template say ${from}`,
        actions: [],
        notes: `Set authenticationMode to ${from} in the template (Terraform authentication_mode, CloudFormation AccessConfig.AuthenticationMode) or drop the update.`,
      });
    } else if (from && to && modeRank(to) < modeRank(from)) {
      messageId = 'backward';
      why = `Modes only move forward: CONFIG_MAP → API_AND_CONFIG_MAP → API, never back, and a cluster created without the ConfigMap method can never enable it. ${from} → ${to} is therefore refused, and a CloudFormation rollback cannot undo a mode change either.`;
      fixes.push({
        title: `Keep ${from}: grant access with access entries instead of aws-auth`,
        actions: [],
        notes:
          from === 'API'
            ? 'In API mode only access entries map principals: create one per principal (aws eks create-access-entry, then associate-access-policy).'
            : 'API_AND_CONFIG_MAP still reads aws-auth, so nothing needs to move back; access entries take precedence where both exist.',
      });
    } else if (from && to) {
      messageId = 'skipped';
      const step = nextModeStep(from, to) ?? 'API_AND_CONFIG_MAP';
      why = `Modes move one step at a time: ${from} → API_AND_CONFIG_MAP → API. ${from} → ${to} skips a step and is refused; nothing changed.`;
      fixes.push({
        title: `Step 1: switch to ${step}`,
        actions: mode(step === 'API' ? 'API' : 'API_AND_CONFIG_MAP'),
        notes: `One-way: the cluster can never go back to ${from}. aws-auth keeps working alongside access entries in API_AND_CONFIG_MAP. Wait until aws eks describe-update shows the update Successful.`,
      });
      if (to === 'API') {
        fixes.push({
          title: 'Step 2: give every aws-auth principal an access entry, then switch to API',
          actions: [...migrations, ...mode('API')],
          notes: [
            pendingNote,
            pending.length > SHOWN_MIGRATIONS
              ? `Only the first ${SHOWN_MIGRATIONS} are listed; eksctl get iamidentitymapping lists them all.`
              : undefined,
            'Role ARNs in aws-auth carry no path; if a role has an IAM path, use its full ARN (aws iam get-role). Node roles need iam:PassRole.',
          ]
            .filter(Boolean)
            .join(' '),
        });
      }
    } else {
      why =
        'Modes only move forward, one step at a time: CONFIG_MAP → API_AND_CONFIG_MAP → API; the pasted message does not say which change was asked.';
      const step = current ? nextModeStep(current, 'API') : undefined;
      fixes.push({
        title: step ? `Take the next allowed step: ${step}` : 'Change the mode one step forward at a time',
        actions: step ? mode(step === 'API' ? 'API' : 'API_AND_CONFIG_MAP') : [],
        notes:
          step === 'API'
            ? pendingNote
            : 'One-way: a cluster never returns to an earlier mode. Check the current mode with aws eks describe-cluster.',
      });
    }
    report({
      messageId,
      data: { from: from ?? '?', to: to ?? '?' },
      explanation: `The EKS API answered 400 to UpdateClusterConfig. ${why}${current ? ` The cluster's mode is ${current}.` : ''}`,
      evidence: compact([
        {
          source: 'incident',
          pointer: '/incident/logLines',
          note: incident.reason ?? 'Unsupported authentication mode update',
        },
        modeEvidence(sim),
      ]),
      fixes,
      checks: [
        {
          title: 'See the mode changes already made',
          commands: clusterName
            ? [
                checkCommand('aws', [
                  'aws',
                  'eks',
                  'list-updates',
                  '--name',
                  clusterName,
                  ...(region ? ['--region', region] : []),
                ]),
              ]
            : [],
        },
      ],
    });
  },
});
