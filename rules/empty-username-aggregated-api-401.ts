import { defineRule, type RuleReport } from '../src/engine/define-rule.js';
import { checkOf, compact, mappingEvidence, modeEvidence, noEntryEvidence } from '../src/engine/evidence.js';
import { accessEntryPlan, suggestedUsername } from '../src/fix/plans.js';
import { logCitation } from '../src/evidence/logs.js';
import type { Check, EvidenceRef } from '../src/model/report.js';
import type { Simulation } from '../src/simulate/simulate.js';

type MessageId = 'failing' | 'latent' | 'possible';

/** Read-only commands that show the empty username and the aws-auth entry behind it (FM §1 detection recipe). */
function confirmChecks(sim: Simulation, arn: string): Check[] {
  const cluster = sim.index.clusterName;
  const region = sim.index.region;
  return compact([
    checkOf('Confirm the empty username as the failing principal', [
      'kubectl',
      'auth',
      'whoami',
      '-o',
      'yaml',
    ]),
    sim.input.snapshot.awsAuth?.status !== 'ok' && cluster !== undefined
      ? checkOf(
          "As a cluster administrator, read the principal's aws-auth entry: a blank USERNAME is this cause (Kubernetes get configmaps/aws-auth in kube-system)",
          [
            'eksctl',
            'get',
            'iamidentitymapping',
            '--cluster',
            cluster,
            ...(region ? ['--region', region] : []),
            '--arn',
            arn,
          ],
        )
      : undefined,
  ]);
}

/**
 * The mapping could not be read and no authenticator line shows it, but the observed 401 is on a Service-backed
 * API: an empty username is one of the two causes that fit (the other: not mapped at all, where every API fails).
 */
function reportPossible(sim: Simulation, report: (r: RuleReport<MessageId>) => void): void {
  const step = sim.trace.find((s) => s.stage === 'mapping');
  const gv = sim.aggregation.groupVersion;
  if (
    sim.mapping ||
    step?.result !== 'unknown' ||
    sim.outcome !== 'unauthenticated' ||
    sim.aggregation.aggregated === false ||
    !gv ||
    sim.index.authMode.mode === 'API' ||
    sim.facts.has('identity-not-mapped') ||
    sim.facts.has('kubeconfig-endpoint-mismatch')
  ) {
    return;
  }
  const arn = sim.principal?.canonicalArn ?? sim.principal?.arn ?? 'the principal';
  const apiService = sim.aggregation.apiService;
  report({
    messageId: 'possible',
    data: { arn, groupVersion: gv },
    severity: 'info',
    explanation:
      `The 401 was seen on ${gv}, ${apiService ? `which APIService ${apiService.name} proxies to Service ${apiService.service}` : 'an API usually served by an aggregated server'}. ` +
      'aws-auth could not be read and no authenticator line shows how the principal was mapped, so two causes fit. ' +
      `If aws-auth maps ${arn} without a "username", the authenticator accepts it with username "", built-in APIs keep working, ` +
      'and only Service-backed APIs answer 401 (kube-aggregator forwards an empty X-Remote-User, which the backend treats as no identity). ' +
      `If every API answers 401 (kubectl get --raw /api/v1 too), ${arn} is not mapped at all (principal-not-mapped). ` +
      'The checks decide: kubectl auth whoami prints username "" for this cause, and the aws-auth entry shows a blank USERNAME.',
    evidence: compact<EvidenceRef>([
      logCitation(sim, 'unauthorized'),
      apiService && {
        source: 'apiServices',
        pointer: apiService.pointer,
        note: `${apiService.name} is served by Service ${apiService.service}`,
      },
      {
        source: 'awsAuth',
        pointer: '/awsAuth',
        note: `aws-auth ${sim.input.snapshot.awsAuth?.status ?? 'absent'}`,
      },
      sim.index.authMode.mode !== 'CONFIG_MAP' && noEntryEvidence(sim),
      modeEvidence(sim),
    ]),
    fixes: compact([
      accessEntryPlan(sim, {
        title: 'Fix either way: give the principal an access entry (EKS generates a non-empty username)',
      }),
    ]),
    checks: [
      ...confirmChecks(sim, arn),
      checkOf(
        'Compare a built-in API with the aggregated one',
        ['kubectl', 'get', '--raw', '/api/v1'],
        ['kubectl', 'get', '--raw', `/apis/${gv}`],
      ),
    ],
  });
}

/** FM-45: a mapping without username renders "", which aggregated API backends reject with 401. */
export default defineRule({
  id: 'empty-username-aggregated-api-401',
  stage: 'aggregation',
  precedence: 80,
  summary:
    'The principal is mapped with an empty username, so aggregated APIs (metrics, custom metrics) answer 401.',
  requires: ['awsAuth', 'apiServices', 'accessEntries', 'cluster'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/view-raw-metrics.html',
    'https://github.com/kubernetes-sigs/metrics-server/issues/541',
  ],
  messages: {
    failing:
      'aws-auth maps {{arn}} with no username, so the aggregated API {{groupVersion}} rejects it with 401',
    latent: 'aws-auth maps {{arn}} with no username: every aggregated API (e.g. metrics) will answer 401',
    possible:
      'The 401 on the aggregated API {{groupVersion}} fits an aws-auth mapping of {{arn}} without username (aws-auth could not be read)',
  },
  check({ sim }, report) {
    const m = sim.mapping;
    if (!m) {
      reportPossible(sim, report);
      return;
    }
    const template = m.usernameTemplate;
    // aws-auth read, or unreadable but the authenticator logged the grant with `username=` (FM §0.2 AGG).
    const fromLog = m.source === 'authenticator-log';
    if ((m.source !== 'aws-auth' && !fromLog) || (template !== undefined && template !== '')) return;
    if (sim.identity?.username !== '') return;
    const entry = m.awsAuth?.mapping;
    const arn = entry?.arn ?? sim.principal?.canonicalArn ?? '';
    const isRole = sim.principal?.parsed?.kind === 'role' || sim.principal?.parsed?.kind === 'assumed-role';
    const section = entry?.section ?? (isRole ? 'mapRoles' : 'mapUsers');
    const failingHere = sim.failingStage === 'aggregation';
    const gv = sim.aggregation.groupVersion ?? 'metrics.eks.amazonaws.com/v1';
    const apiService = sim.aggregation.apiService;
    const username = suggestedUsername(sim);
    const groups = entry?.groups ?? (fromLog ? m.groupTemplates : []);
    const entryPlan = accessEntryPlan(sim, {
      title: 'Recommended: give the principal an access entry (EKS generates a non-empty username)',
    });
    report({
      messageId: failingHere ? 'failing' : 'latent',
      data: { arn, groupVersion: gv },
      explanation:
        (fromLog
          ? `aws-auth could not be read, but the authenticator's own log shows it granted ${arn} access with "username=" (empty), so its aws-auth ${section} entry has no "username" (an access entry always has one), and the authenticator has no default: `
          : `The aws-auth ${section} entry for ${arn} has no "username", and the authenticator has no default: `) +
        'it authenticates the caller with username "" and groups ' +
        `[${groups.join(', ')}]. kube-apiserver accepts that (so ${groups.includes('system:masters') ? 'system:masters makes ' : ''}every built-in API work${groups.includes('system:masters') ? '' : ' as RBAC allows'}), ` +
        `but for an APIService backed by a Service${apiService ? ` (${apiService.name} → ${apiService.service})` : ''} it forwards the identity in X-Remote-User. ` +
        'The backend treats an empty X-Remote-User as no identity and answers 401 Unauthorized. ' +
        (gv.startsWith('metrics.eks.amazonaws.com/')
          ? 'The metrics.eks.amazonaws.com API arrived with newer platform versions (1.31 eks.10, 1.30 eks.18, 1.29 eks.21, 1.28 eks.27 and new clusters), ' +
            'which is why this appears after an upgrade while everything else keeps working. '
          : '') +
        'An access entry takes precedence over aws-auth and gets a generated, non-empty username.',
      evidence: compact([
        mappingEvidence(
          sim,
          fromLog
            ? `the authenticator granted ${arn} access with username= (empty), groups [${groups.join(', ')}]`
            : `${section} entry for ${arn} has no username`,
        ),
        // The grant line is the mapping evidence itself when aws-auth could not be read.
        !fromLog && logCitation(sim, 'empty-username'),
        apiService && {
          source: 'apiServices',
          pointer: apiService.pointer,
          note: `${apiService.name} is served by Service ${apiService.service}`,
        },
        noEntryEvidence(sim),
        modeEvidence(sim),
      ]),
      fixes: compact([
        entryPlan,
        {
          title: 'Alternative: keep aws-auth but give the mapping a username',
          actions: [
            {
              kind: 'aws-auth-put-mapping',
              section,
              arn,
              username,
              groups,
              replacesExisting: true,
            },
          ],
          yamlSnippet: true,
          notes:
            'Quote templates and keep a prefix before {{SessionName}}. eksctl delete removes every entry for this ARN (--all) before re-creating it once.',
        },
      ]),
      checks: confirmChecks(sim, arn),
    });
  },
});
