import { defineRule } from '../src/engine/define-rule.js';
import { checkOf, compact, mappingEvidence } from '../src/engine/evidence.js';
import type { FixPlan } from '../src/fix/actions.js';
import { entryPrincipalArn, suggestedUsername } from '../src/fix/plans.js';

const NODE_GROUPS = ['system:nodes', 'system:bootstrappers'];

/**
 * FM-28: `{{EC2PrivateDNSName}}` renders only for a session named after an EC2 instance (`i-…`); anything else
 * fails the whole authentication with "SessionName did not contain an instance id" (401). It happens when a person
 * or a CI job assumes the node role, or when a mapping for people borrows the node template.
 */
export default defineRule({
  id: 'template-render-failure',
  stage: 'identity',
  precedence: 80,
  summary:
    'The mapping renders its username or groups from {{EC2PrivateDNSName}}, which only works for sessions of EC2 instances; any other caller gets 401.',
  requires: ['awsAuth', 'accessEntries'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/blob/master/README.md',
  ],
  messages: {
    nodeRole:
      'Session {{session}} of the node role {{arn}} is not an EC2 instance, so {{template}} cannot be rendered',
    template: 'The mapping for {{arn}} uses {{template}}, which cannot be rendered for session {{session}}',
  },
  check({ sim, incident }, report) {
    const m = sim.mapping;
    const p = sim.principal;
    if (!m || !p?.parsed || !p.canonicalArn) return;
    const templates = [m.usernameTemplate ?? '', ...m.groupTemplates];
    const template = templates.find((t) => t.includes('{{EC2PrivateDNSName}}'));
    const failed = sim.identity?.renderError?.includes('did not contain an instance id');
    const logged = incident.facts?.includes('template-render-failed');
    if (!template || (!failed && !logged)) return;
    const session = p.sessionName ?? '(unknown session)';
    const entryType = (m.accessEntry?.entry.type ?? '').toUpperCase();
    const forNodes =
      m.groupTemplates.some((g) => NODE_GROUPS.includes(g)) ||
      entryType.startsWith('EC2') ||
      entryType === 'HYBRID_LINUX';
    const fixes: FixPlan[] = [];
    if (forNodes) {
      fixes.push({
        title: 'Use a role meant for people or CI, not the node role',
        actions: [],
        notes:
          `The caller assumed ${p.canonicalArn}, the role EC2 nodes use. Point the kubeconfig or the CI job at its own role ` +
          '(aws eks update-kubeconfig --role-arn <that role>) and give that role an access entry or an aws-auth mapping. ' +
          'Granting people the node role also gives them every permission of the nodes.',
      });
    } else if (m.source === 'aws-auth' && m.awsAuth) {
      const entry = m.awsAuth.mapping;
      fixes.push({
        title: `Give the aws-auth entry for ${entry.arn} a username that renders for people`,
        actions: [
          {
            kind: 'aws-auth-put-mapping',
            section: entry.section,
            arn: entry.arn,
            username: suggestedUsername(sim),
            groups: entry.groups.filter((g) => !g.includes('{{EC2PrivateDNSName}}')),
            replacesExisting: true,
          },
        ],
        yamlSnippet: true,
      });
    } else if (m.source === 'access-entry') {
      const principalArn = entryPrincipalArn(sim) ?? p.canonicalArn;
      fixes.push({
        title: `Give the access entry for ${principalArn} a username that renders for people`,
        actions: [{ kind: 'update-access-entry', principalArn, username: suggestedUsername(sim) }],
      });
    }
    report({
      messageId: forNodes ? 'nodeRole' : 'template',
      data: { session, arn: p.canonicalArn, template },
      ...(failed ? {} : { severity: 'info' as const }),
      explanation:
        `The authenticator renders ${template} by asking EC2 for the private DNS name of the instance named by the session, and refuses a session name that is not an instance id (i-…). ` +
        `The caller's session is ${session}, so rendering fails ("SessionName did not contain an instance id") and the request gets 401` +
        (forNodes
          ? ". This mapping is the node role's: a person or CI job assumed the node instance role."
          : '.'),
      evidence: compact([mappingEvidence(sim, `renders ${template}`)]),
      fixes,
      checks: [checkOf('See the session name the client signs with', ['aws', 'sts', 'get-caller-identity'])],
    });
  },
});
