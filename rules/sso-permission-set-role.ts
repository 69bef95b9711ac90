import { defineRule } from '../src/engine/define-rule.js';
import { checkOf, compact, modeEvidence } from '../src/engine/evidence.js';
import type { FixPlan } from '../src/fix/actions.js';
import { accessEntryPlan } from '../src/fix/plans.js';
import { findNearMisses, nearMissEvidence, nearMissFix, SSO_ROLE } from '../src/simulate/near-miss.js';

/**
 * FM-21: IAM Identity Center provisions one role per permission set and account, named
 * AWSReservedSSO_<PermissionSet>_<16 hex>. Deleting and re-assigning the permission set (or re-provisioning it)
 * creates a role with a new suffix and a new unique id, so aws-auth (exact ARN) and access entries (unique id)
 * made for the old one stop matching. (The path case is role-path-in-aws-auth.)
 */
export default defineRule({
  id: 'sso-permission-set-role',
  stage: 'mapping',
  precedence: 82,
  summary:
    'The mapping names an older IAM Identity Center role of the same permission set (another random suffix): the permission set was re-provisioned.',
  requires: ['awsAuth', 'accessEntries', 'cloudTrail'],
  references: [
    'https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://github.com/terraform-aws-modules/terraform-aws-eks/issues/2915',
  ],
  messages: {
    suffix:
      'The {{where}} names {{written}}, but permission set {{permissionSet}} now provisions {{current}} (new suffix)',
  },
  check({ sim, timeline }, report) {
    const p = sim.principal;
    const sso = p?.parsed ? SSO_ROLE.exec(p.parsed.name) : null;
    if (!p?.parsed || !p.canonicalArn || !sso?.[1]) return;
    const miss = findNearMisses(sim).find((m) => m.kind === 'sso-suffix');
    if (!miss) return;
    const created = timeline.filter((e) => e.event === 'CreateRole');
    const provisioned = created[created.length - 1];
    const fix = nearMissFix(sim, miss);
    const fixes: FixPlan[] = compact([
      fix,
      miss.source === 'aws-auth' && sim.index.authMode.mode === 'API_AND_CONFIG_MAP'
        ? accessEntryPlan(sim, { title: 'Or use an access entry for the current role' })
        : undefined,
    ]);
    const where = miss.source === 'access-entry' ? 'access entry' : 'aws-auth entry';
    report({
      messageId: 'suffix',
      data: { where, written: miss.written, permissionSet: sso[1], current: miss.intended },
      explanation:
        `IAM Identity Center gives each permission set in each account its own IAM role, AWSReservedSSO_${sso[1]}_<random suffix>. ` +
        'When the permission set is deleted and assigned again (or re-provisioned by IaC), the role is replaced by one with a new suffix and a new unique id. ' +
        `${miss.detail}` +
        (provisioned
          ? `; CloudTrail shows CreateRole for it on ${provisioned.time}${provisioned.actor ? ` by ${provisioned.actor}` : ''}`
          : '') +
        `. aws-auth compares exact ARNs and access entries hold the unique id, so the old ${where} matches nothing and the caller gets 401. ` +
        'Map the role without its /aws-reserved/sso.amazonaws.com/ path in aws-auth; access entries take the full ARN.',
      evidence: compact([
        nearMissEvidence(miss),
        provisioned?.pointer
          ? { source: 'cloudTrail', pointer: provisioned.pointer, note: provisioned.detail }
          : undefined,
        modeEvidence(sim),
      ]),
      fixes,
      checks: [
        checkOf('List the current Identity Center roles of this account', [
          'aws',
          'iam',
          'list-roles',
          '--path-prefix',
          '/aws-reserved/sso.amazonaws.com/',
          '--query',
          'Roles[].[RoleName,RoleId,CreateDate,Arn]',
        ]),
      ],
    });
  },
});
