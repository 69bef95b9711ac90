import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence, noEntryEvidence } from '../src/engine/evidence.js';
import { ACCESS_POLICY_ARN_PREFIX } from '../src/eks/access-policies.js';
import { accessEntryPlan } from '../src/fix/plans.js';
import { checkCommand } from '../src/fix/run-commands.js';
import type { Command } from '../src/model/report.js';

const ADMIN_VIEW = `${ACCESS_POLICY_ARN_PREFIX}AmazonEKSAdminViewPolicy`;
const CONSOLE_ACTIONS = ['eks:AccessKubernetesApi', 'eks:DescribeCluster', 'eks:ListClusters'];

/** FM-43: the EKS console shows Kubernetes objects with the signed-in principal's own Kubernetes access. */
export default defineRule({
  id: 'console-kubernetes-view-denied',
  stage: 'mapping',
  precedence: 20,
  summary:
    'The EKS console cannot show Kubernetes objects: the signed-in IAM principal is not mapped into the cluster (or lacks the IAM actions the console uses).',
  requires: ['cluster', 'accessEntries', 'awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/view-kubernetes-resources.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/security-iam-troubleshoot.html',
  ],
  messages: {
    notMapped:
      'The console principal {{arn}} has no access to Kubernetes objects: it is not mapped into the cluster',
    check:
      'The console shows no Kubernetes objects for {{arn}}: check its IAM permissions and Kubernetes access',
  },
  check({ sim, incident }, report) {
    if (!sim.facts.has('console-no-access')) return;
    const arn =
      sim.principal?.canonicalArn ?? sim.principal?.arn ?? incident.principalArn ?? 'the signed-in principal';
    const notMapped = sim.trace.some((s) => s.stage === 'mapping' && s.result === 'fail');
    const root = sim.principal?.parsed?.kind === 'root';
    const checks: Command[] = [checkCommand('aws', ['aws', 'sts', 'get-caller-identity'])];
    const policySource = sim.principal?.iam?.principal.arn ?? sim.principal?.canonicalArn;
    if (policySource && !root) {
      checks.push(
        checkCommand('aws', [
          'aws',
          'iam',
          'simulate-principal-policy',
          '--policy-source-arn',
          policySource,
          '--action-names',
          ...CONSOLE_ACTIONS,
          '--query',
          'EvaluationResults[].[EvalActionName,EvalDecision]',
        ]),
      );
    }
    const plan = notMapped
      ? accessEntryPlan(sim, {
          title: `Give the console principal an access entry with AmazonEKSAdminViewPolicy`,
          policyArn: ADMIN_VIEW,
          scope: { type: 'cluster' },
        })
      : undefined;
    if (plan) {
      plan.notes = [
        plan.notes,
        'AmazonEKSAdminViewPolicy lets the console list nodes, namespaces and every workload; AmazonEKSViewPolicy is enough for workloads but shows no nodes.',
      ].join(' ');
    }
    report({
      messageId: notMapped ? 'notMapped' : 'check',
      data: { arn },
      ...(notMapped ? {} : { severity: 'info' as const }),
      explanation:
        "The EKS console reads Kubernetes objects with the signed-in IAM principal's own identity (often an SSO permission-set role, sometimes the account root): " +
        'it needs the IAM actions eks:AccessKubernetesApi, eks:DescribeCluster and eks:ListClusters, and a Kubernetes mapping — an access entry or an aws-auth entry — ' +
        'with read access to nodes, namespaces and workloads. ' +
        (notMapped
          ? `${arn} is not mapped at all, so the console shows "Your current IAM principal doesn't have access to Kubernetes objects on this cluster."`
          : 'The replay cannot see which call the console made; the checks show the IAM side and what Kubernetes allows the principal.') +
        (root ? ' Prefer a role over the root user: create the entry for the role you sign in with.' : ''),
      evidence: compact([
        {
          source: 'incident',
          pointer: '/incident/logLines',
          note: 'EKS console: no access to Kubernetes objects',
        },
        noEntryEvidence(sim),
        modeEvidence(sim),
      ]),
      fixes: plan ? [plan] : [],
      checks: [
        { title: 'Which principal the console uses, and whether IAM allows what it calls', commands: checks },
      ],
    });
  },
});
