import { defineRule } from '../src/engine/define-rule.js';
import { compact, modeEvidence, noEntryEvidence } from '../src/engine/evidence.js';
import {
  instanceProfileMappings,
  nodeCallerEvidence,
  nodeGroupsFor,
  nodeRoleOf,
  nodeUsernameFor,
} from '../src/eks/node-identity.js';
import type { FixPlan } from '../src/fix/actions.js';
import { entryPrincipalArn, nodeEntryPlan } from '../src/fix/plans.js';
import { matchKey } from '../src/simulate/context.js';

/** FM-52: the node role is not mapped at all, or aws-auth names the instance profile instead of the role. */
export default defineRule({
  id: 'node-role-not-mapped-or-wrong-arn',
  stage: 'mapping',
  precedence: 30,
  summary:
    'The node role is not mapped (or aws-auth names its instance profile instead of the role): kubelets get 401 and nodes never join.',
  requires: ['cluster', 'accessEntries', 'awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
  ],
  messages: {
    instanceProfile: 'aws-auth maps instance profile {{profile}}, not node role {{arn}}',
    missing: 'Node role {{arn}} is mapped neither in aws-auth nor by an access entry',
  },
  check({ sim, incident }, report) {
    const p = sim.principal;
    if (!p?.canonicalArn || !p.parsed || sim.mapping) return;
    if (!sim.trace.some((s) => s.stage === 'mapping' && s.result === 'fail')) return;
    const why = nodeCallerEvidence(sim, incident);
    if (!why) return;
    // A near miss in aws-auth (path, STS ARN, ...) is explained by its own rule.
    if (sim.index.awsAuthByKey.has(matchKey(p.canonicalArn))) return;
    const mode = sim.index.authMode.mode;
    const node = nodeRoleOf(sim, incident) ?? { type: 'EC2_LINUX' as const, why };
    const type = node.type;
    const roleArn = p.canonicalArn;
    const entryArn = entryPrincipalArn(sim) ?? roleArn;
    const profiles = mode === 'API' ? [] : instanceProfileMappings(sim.index.awsAuth);
    const profile = profiles.find((m) => m.arn.split('/').pop() === p.parsed?.name) ?? profiles[0];
    const fixes: FixPlan[] = [];
    if (mode !== 'API') {
      fixes.push({
        title: profile
          ? 'Map the node role instead of the instance profile'
          : 'Map the node role in aws-auth',
        actions: [
          {
            kind: 'aws-auth-put-mapping',
            section: 'mapRoles',
            arn: roleArn,
            username: nodeUsernameFor(type),
            groups: nodeGroupsFor(type),
            ...(profile ? { replaceArn: profile.arn } : {}),
            replacesExisting: Boolean(profile),
          },
        ],
        yamlSnippet: true,
        notes:
          'rolearn takes the IAM role ARN without a path (arn:aws:iam::<account>:role/<name>), never arn:...:instance-profile/...; the role is the one in the instance profile (aws iam get-instance-profile).',
      });
    }
    if (mode === 'API' || mode === 'API_AND_CONFIG_MAP') {
      const plan = nodeEntryPlan(sim, node, {
        principalArn: entryArn,
        ...(mode === 'API' ? {} : { title: 'Or' }),
      });
      if (plan) fixes.push(plan);
    }
    report({
      messageId: profile ? 'instanceProfile' : 'missing',
      data: { arn: roleArn, profile: profile?.arn ?? '' },
      explanation:
        `The caller is a node (${why}); the authenticator canonicalizes it to ${roleArn} and finds no mapping. ` +
        (profile
          ? `aws-auth has ${profile.arn}, an instance profile ARN: the authenticator only ever sees role ARNs, so that entry never matches. `
          : `A node role must be in aws-auth (username ${nodeUsernameFor(type)}, groups ${nodeGroupsFor(type).join(', ')}) or have a node access entry (EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX or HYBRID_LINUX). `) +
        'Until it maps, every kubelet call is 401 ("Unable to register node ... Unauthorized") and the node never becomes Ready.',
      evidence: compact([
        profile
          ? {
              source: 'awsAuth',
              pointer: profile.pointer,
              note: `${profile.section} entry ${profile.index}: ${profile.arn}`,
            }
          : sim.index.awsAuth
            ? { source: 'awsAuth', pointer: '/awsAuth/data', note: `no mapRoles entry for ${roleArn}` }
            : undefined,
        noEntryEvidence(sim),
        modeEvidence(sim),
      ]),
      fixes,
    });
  },
});
