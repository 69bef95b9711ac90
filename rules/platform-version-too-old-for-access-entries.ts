import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence, describeClusterArgv } from '../src/engine/evidence.js';
import { accessEntrySupport } from '../src/eks/platform-versions.js';
import { checkCommand } from '../src/fix/run-commands.js';
import { okData } from '../src/model/snapshot.js';

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
    const cluster = okData(sim.input.snapshot, 'cluster');
    if (!cluster) return;
    const support = accessEntrySupport(cluster.version, cluster.platformVersion);
    if (support.supported !== false) return;
    const mode = sim.index.authMode.mode;
    if (mode !== 'CONFIG_MAP') return;
    const facts = incident.facts ?? [];
    const refused =
      facts.includes('auth-mode-config-map-only') || sim.facts.has('auth-mode-transition-rejected');
    if (!refused && (sim.outcome === 'allowed' || sim.failingStage !== 'mapping')) return;
    const version = cluster.version ?? '?';
    const platform = cluster.platformVersion ?? '';
    const minimum = support.minimum ? `${version} ${support.minimum}` : 'Kubernetes 1.23 or later';
    report({
      messageId: refused ? 'blocked' : 'latent',
      data: { version, platform, minimum },
      ...(refused ? {} : { severity: 'warning' as const }),
      explanation:
        `Access entries need at least platform version 1.30 eks.2, 1.29 eks.1, 1.28 eks.6, 1.27 eks.10, 1.26 eks.11, 1.25 eks.12, 1.24 eks.15 or 1.23 eks.17; this cluster runs ${version} ${platform}. ` +
        'Until it reaches one, the authentication mode stays CONFIG_MAP, every access-entry call is refused, and only aws-auth can map principals. ' +
        'A Kubernetes version upgrade lands on the newest platform version of the target version, which supports access entries (EKS then also creates an admin entry for the cluster creator).' +
        (refused
          ? ''
          : ' Any fix that creates an access entry has to wait for that upgrade; an aws-auth mapping works now.'),
      evidence: compact([
        {
          source: 'cluster',
          pointer: '/cluster/data/platformVersion',
          note: `version ${version}, platform ${platform}`,
        },
        modeEvidence(sim),
      ]),
      fixes: support.upgradeTo
        ? [
            {
              title: `Upgrade the cluster to Kubernetes ${support.upgradeTo}, then switch to API_AND_CONFIG_MAP`,
              actions: clusterName
                ? [
                    {
                      kind: 'run',
                      tool: 'aws',
                      argv: [
                        'aws',
                        'eks',
                        'update-cluster-version',
                        '--name',
                        clusterName,
                        ...(region ? ['--region', region] : []),
                        '--kubernetes-version',
                        support.upgradeTo,
                      ],
                    },
                  ]
                : [],
              notes:
                'Upgrade one minor version at a time and check add-on and node compatibility first. Afterwards: aws eks update-cluster-config --access-config authenticationMode=API_AND_CONFIG_MAP (one-way). Until then, map the principal in aws-auth.',
            },
          ]
        : [],
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
