import { defineRule } from '../src/engine/define-rule.js';
import { compact, mappingEvidence, modeEvidence, noEntryEvidence } from '../src/engine/evidence.js';
import { accessEntryPlan, suggestedUsername } from '../src/fix/plans.js';
import { logCitation } from '../src/evidence/logs.js';

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
  },
  check({ sim }, report) {
    const m = sim.mapping;
    const template = m?.usernameTemplate;
    if (!m || m.source !== 'aws-auth' || (template !== undefined && template !== '')) return;
    if (sim.identity?.username !== '') return;
    const entry = m.awsAuth?.mapping;
    const arn = entry?.arn ?? sim.principal?.canonicalArn ?? '';
    const failingHere = sim.failingStage === 'aggregation';
    const gv = sim.aggregation.groupVersion ?? 'metrics.eks.amazonaws.com/v1';
    const apiService = sim.aggregation.apiService;
    const username = suggestedUsername(sim);
    const groups = entry?.groups ?? [];
    const entryPlan = accessEntryPlan(sim, {
      title: 'Recommended: give the principal an access entry (EKS generates a non-empty username)',
    });
    report({
      messageId: failingHere ? 'failing' : 'latent',
      data: { arn, groupVersion: gv },
      explanation:
        `The aws-auth ${entry?.section ?? 'mapping'} entry for ${arn} has no "username", and the authenticator has no default: ` +
        'it authenticates the caller with username "" and groups ' +
        `[${groups.join(', ')}]. kube-apiserver accepts that (so ${groups.includes('system:masters') ? 'system:masters makes ' : ''}every built-in API work${groups.includes('system:masters') ? '' : ' as RBAC allows'}), ` +
        `but for an APIService backed by a Service${apiService ? ` (${apiService.name} → ${apiService.service})` : ''} it forwards the identity in X-Remote-User. ` +
        'The backend treats an empty X-Remote-User as no identity and answers 401 Unauthorized. ' +
        'The metrics.eks.amazonaws.com API arrived with newer platform versions (1.31 eks.10, 1.30 eks.18, 1.29 eks.21, 1.28 eks.27 and new clusters), ' +
        'which is why this appears after an upgrade while everything else keeps working. An access entry takes precedence over aws-auth and gets a generated, non-empty username.',
      evidence: compact([
        mappingEvidence(sim, `${entry?.section ?? 'mapping'} entry for ${arn} has no username`),
        logCitation(sim, 'empty-username'),
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
              section: entry?.section ?? 'mapUsers',
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
      checks: [
        {
          title: 'Confirm the empty username as the failing principal',
          commands: [
            {
              tool: 'kubectl',
              argv: ['kubectl', 'auth', 'whoami', '-o', 'yaml'],
              text: 'kubectl auth whoami -o yaml',
            },
          ],
        },
      ],
    });
  },
});
