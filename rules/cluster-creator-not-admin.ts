import { defineRule } from '../src/engine/define-rule.js';
import { checkOf, compact, modeEvidence, describeClusterArgv } from '../src/engine/evidence.js';
import { canonicalArn } from '../src/eks/arn.js';
import { accessEntryPlan, CLUSTER_ADMIN_POLICY } from '../src/fix/plans.js';
import type { EvidenceRef, TimelineEvent } from '../src/model/report.js';
import { okData, type Snapshot } from '../src/model/snapshot.js';
import { matchKey } from '../src/simulate/context.js';

/**
 * FM-30: the principal that created the cluster is not an admin: it was created with
 * bootstrapClusterCreatorAdminPermissions=false, or the creator's access entry was deleted — or the creator was
 * another principal (a CI or CloudFormation role) that can grant access.
 */
export default defineRule({
  id: 'cluster-creator-not-admin',
  stage: 'mapping',
  precedence: 50,
  summary:
    "The cluster creator has no access: the cluster was created without the creator's admin grant, or its access entry was deleted.",
  requires: ['cluster', 'cloudTrail', 'accessEntries'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessConfigRequest.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html',
    'https://repost.aws/knowledge-center/eks-api-server-unauthorized-error',
  ],
  messages: {
    noBootstrap:
      '{{arn}} created the cluster with bootstrapClusterCreatorAdminPermissions=false, so it got no access',
    entryDeleted: "The cluster creator's access entry for {{arn}} was deleted{{when}}",
    entryMissing: '{{arn}} created the cluster, but its access entry is gone',
    otherCreator: 'The cluster was created by {{creator}}, which can grant {{arn}} access',
    unknownCreator: 'The cluster was created with bootstrapClusterCreatorAdminPermissions=false',
  },
  check({ sim, timeline, clusterName, region }, report) {
    const p = sim.principal;
    const mode = sim.index.authMode.mode;
    if (!p?.canonicalArn || (sim.mapping && sim.mapping.source !== 'map-accounts')) return;
    // An entry for the principal exists (stale after a recreation, say): its access is not "gone" and creating
    // one would fail with ResourceInUseException; the rules for that entry explain the failure.
    if (sim.accessEntryCandidate || sim.accessEntryStale) return;
    const mappingFailed = sim.trace.some((s) => s.stage === 'mapping' && s.result === 'fail');
    if (!mappingFailed && sim.failingStage !== 'mapping') return;
    const cluster = okData(sim.input.snapshot, 'cluster');
    const created = timeline.find((e) => e.event === 'CreateCluster' && !e.detail.includes('(failed:'));
    const creator = created?.actor ? canonicalOrSelf(created.actor) : undefined;
    const isCreator = creator !== undefined && matchKey(creator) === matchKey(p.canonicalArn);
    const bootstrapFlag =
      cluster?.accessConfig?.bootstrapClusterCreatorAdminPermissions ??
      (created ? bootstrapInTrail(sim.input.snapshot, created) : undefined);
    const deleted = [...timeline]
      .reverse()
      .find((e) => e.event === 'DeleteAccessEntry' && !e.detail.includes('(failed:'));
    const evidence: EvidenceRef[] = compact([
      created?.pointer
        ? {
            source: 'cloudTrail',
            pointer: created.pointer,
            note: `CreateCluster on ${created.time}${created.actor ? ` by ${created.actor}` : ''}`,
          }
        : undefined,
      bootstrapFlag === false && cluster
        ? {
            source: 'cluster',
            pointer: '/cluster/data/accessConfig/bootstrapClusterCreatorAdminPermissions',
            note: 'bootstrapClusterCreatorAdminPermissions is false',
          }
        : undefined,
      modeEvidence(sim),
    ]);
    const grant = accessEntryPlan(sim, {
      title: `Give ${p.canonicalArn} cluster admin through an access entry`,
      policyArn: CLUSTER_ADMIN_POLICY,
      scope: { type: 'cluster' },
    });
    const checks = [
      checkOf(
        'Find who created the cluster and with which access configuration',
        [
          'aws',
          'cloudtrail',
          'lookup-events',
          ...(region ? ['--region', region] : []),
          '--lookup-attributes',
          'AttributeKey=EventName,AttributeValue=CreateCluster',
          '--max-results',
          '50',
        ],
        ...(clusterName ? [describeClusterArgv(clusterName, region, 'cluster.accessConfig')] : []),
      ),
    ];
    const mechanism =
      'EKS makes the IAM principal that calls CreateCluster a cluster admin unless bootstrapClusterCreatorAdminPermissions is false (the default is true; some IaC tools sent false). ' +
      'With access entries that grant is an ordinary access entry with AmazonEKSClusterAdminPolicy, which anyone with eks:DeleteAccessEntry can remove. ';
    if (isCreator && bootstrapFlag === false) {
      report({
        messageId: 'noBootstrap',
        data: { arn: p.canonicalArn },
        explanation: `${mechanism}${p.canonicalArn} created the cluster${created ? ` on ${created.time}` : ''} with the flag set to false, so no entry was ever made for it and it gets 401.`,
        evidence,
        fixes: compact([grant]),
        checks,
      });
      return;
    }
    if (isCreator && mode !== 'CONFIG_MAP') {
      const when = deleted ? ` on ${deleted.time}${deleted.actor ? ` by ${deleted.actor}` : ''}` : '';
      report({
        messageId: deleted ? 'entryDeleted' : 'entryMissing',
        data: { arn: p.canonicalArn, when },
        explanation:
          `${mechanism}${p.canonicalArn} created the cluster${created ? ` on ${created.time}` : ''}, but has no access entry now` +
          (deleted
            ? ` — DeleteAccessEntry${when} removed it.`
            : ' (it was deleted before the CloudTrail window).'),
        evidence: compact([
          ...evidence,
          deleted?.pointer
            ? { source: 'cloudTrail', pointer: deleted.pointer, note: deleted.detail }
            : undefined,
        ]),
        fixes: compact([grant]),
        checks,
      });
      return;
    }
    if (creator && !isCreator) {
      report({
        messageId: 'otherCreator',
        data: { creator, arn: p.canonicalArn },
        severity: 'info',
        explanation:
          `${mechanism}The cluster was created by ${created?.actor ?? creator}` +
          `${bootstrapFlag === false ? ' (without the admin grant)' : ''}, not by ${p.canonicalArn}: that principal — often a CI, CloudFormation or Terraform role — holds the creator's access and can grant it.`,
        evidence,
        checks,
      });
      return;
    }
    if (!creator && bootstrapFlag === false) {
      report({
        messageId: 'unknownCreator',
        severity: 'info',
        explanation: `${mechanism}This cluster has the flag set to false; if ${p.canonicalArn} created it, that is why it has no access. CloudTrail's CreateCluster event names the creator.`,
        evidence,
        checks,
      });
    }
  },
});

function canonicalOrSelf(arn: string): string {
  try {
    return canonicalArn(arn);
  } catch {
    return arn;
  }
}

/** requestParameters.accessConfig.bootstrapClusterCreatorAdminPermissions of the CreateCluster event. */
function bootstrapInTrail(snapshot: Snapshot, e: TimelineEvent): boolean | undefined {
  const at = /^\/cloudTrail\/data\/(\d+)$/.exec(e.pointer ?? '')?.[1];
  const raw = at === undefined ? undefined : okData(snapshot, 'cloudTrail')?.[Number(at)];
  let detail: unknown = raw?.CloudTrailEvent;
  if (typeof detail === 'string') {
    try {
      detail = JSON.parse(detail);
    } catch {
      return undefined;
    }
  }
  const params = (detail as { requestParameters?: { accessConfig?: Record<string, unknown> } } | undefined)
    ?.requestParameters;
  const flag = params?.accessConfig?.bootstrapClusterCreatorAdminPermissions;
  return typeof flag === 'boolean' ? flag : undefined;
}
