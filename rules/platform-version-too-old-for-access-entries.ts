import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence, describeClusterArgv } from '../src/engine/evidence.js';
import { accessEntriesUnsupported, platformUpgradePlan } from '../src/eks/platform-versions.js';
import { awsAuthMappingPlan } from '../src/fix/plans.js';
import { checkCommand } from '../src/fix/run-commands.js';
import type { Incident } from '../src/model/incident.js';

/** The EKS calls a cluster without access entries refuses; UpdateClusterConfig only when its error is about them. */
const ACCESS_ENTRY_CALL =
  /^eks:(?:(?:Create|Update|Delete|Describe)AccessEntry|ListAccessEntries|(?:Associate|Disassociate)AccessPolicy|ListAssociatedAccessPolicies)$/i;

/** A pasted EKS 400 for an access-entry call, or for a mode switch that names access entries or the mode. */
function refusedAccessEntryCall(incident: Incident): boolean {
  const action = incident.awsAction ?? '';
  const reason = incident.reason ?? '';
  if (incident.status !== 400 && !/Invalid(?:Request|Parameter)Exception/.test(reason)) return false;
  if (ACCESS_ENTRY_CALL.test(action)) return true;
  return (
    /^eks:UpdateClusterConfig$/i.test(action) &&
    /access ?entr|authentication ?mode|accessConfig/i.test(reason)
  );
}

/** FM-50: clusters below a minimum platform version have no access entries: the API mode cannot be enabled yet. */
export default defineRule({
  id: 'platform-version-too-old-for-access-entries',
  stage: 'mapping',
  precedence: 35,
  summary:
    "The cluster's platform version predates access entries, so the authentication mode cannot leave CONFIG_MAP until the cluster is upgraded.",
  requires: ['cluster'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/platform-versions.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html',
  ],
  messages: {
    blocked:
      'Kubernetes {{version}} {{platform}} predates access entries (needs {{minimum}}): upgrade before switching from CONFIG_MAP',
    latent:
      'Kubernetes {{version}} {{platform}} predates access entries (needs {{minimum}}): only aws-auth can grant access on this cluster',
  },
  check({ sim, incident, clusterName, region }, report) {
    const unsupported = accessEntriesUnsupported(sim.input.snapshot);
    if (!unsupported) return;
    const mode = sim.index.authMode.mode;
    if (mode !== 'CONFIG_MAP') return;
    const facts = incident.facts ?? [];
    const refused =
      facts.includes('auth-mode-config-map-only') ||
      sim.facts.has('auth-mode-transition-rejected') ||
      refusedAccessEntryCall(incident);
    if (!refused && (sim.outcome === 'allowed' || sim.failingStage !== 'mapping')) return;
    const { version, platformVersion: platform, needs: minimum } = unsupported;
    // The fix that works now: map the unmapped principal in aws-auth; the upgrade makes access entries possible.
    const mapNow =
      sim.failingStage === 'mapping' && !sim.mapping
        ? awsAuthMappingPlan(sim, {
            title: 'Map it in aws-auth now (the only mapping this cluster has)',
            groups: ['system:masters'],
            notes:
              'system:masters grants full admin; choose a narrower group bound by RBAC when that is too much. Read aws-auth first: correct an entry for this principal rather than add a second one.',
          })
        : undefined;
    report({
      messageId: refused ? 'blocked' : 'latent',
      data: { version, platform, minimum },
      ...(refused ? {} : { severity: 'warning' as const }),
      explanation:
        `Access entries need at least platform version 1.30 eks.2, 1.29 eks.1, 1.28 eks.6, 1.27 eks.10, 1.26 eks.11, 1.25 eks.12, 1.24 eks.15 or 1.23 eks.17; this cluster runs ${version} ${platform}. ` +
        'Until it reaches one, the authentication mode stays CONFIG_MAP, every access-entry call is refused, and only aws-auth can map principals. ' +
        'A Kubernetes version upgrade lands on the newest platform version of the target version, which supports access entries (EKS then also creates an admin entry for the cluster creator).' +
        (refused && incident.awsAction ? ` EKS refused ${incident.awsAction} for that reason.` : '') +
        ' Any fix that creates an access entry has to wait for that upgrade; an aws-auth mapping works now.',
      evidence: compact([
        {
          source: 'cluster',
          pointer: '/cluster/data/platformVersion',
          note: `version ${version}, platform ${platform}`,
        },
        modeEvidence(sim),
      ]),
      fixes: compact([mapNow, platformUpgradePlan(unsupported, { clusterName, region })]),
      checks: clusterName
        ? [
            {
              title: 'Confirm the version and platform version',
              commands: [
                checkCommand(
                  'aws',
                  describeClusterArgv(clusterName, region, 'cluster.[version,platformVersion,accessConfig]'),
                ),
              ],
            },
          ]
        : [],
    });
  },
});
