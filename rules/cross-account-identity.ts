import { defineRule } from '../src/engine/define-rule.js';
import { checkOf, compact, modeEvidence } from '../src/engine/evidence.js';
import { parseClusterArn } from '../src/eks/arn.js';
import type { FixPlan } from '../src/fix/actions.js';
import { accessEntryPlan } from '../src/fix/plans.js';
import { okData } from '../src/model/snapshot.js';
import { findNearMisses, nearMissEvidence, nearMissFix } from '../src/simulate/near-miss.js';

/**
 * FM-31: the grant names the role in one account while the client signs its token as the same-named identity of
 * another (a missing --role-arn in the kubeconfig, the wrong profile), or the caller is simply from another account.
 */
export default defineRule({
  id: 'cross-account-identity',
  stage: 'mapping',
  precedence: 75,
  summary:
    'The caller is an identity of another AWS account than the one its mapping names (a missing --role-arn or the wrong profile), so nothing matches.',
  requires: ['cluster', 'accessEntries', 'awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/cli/latest/reference/eks/update-kubeconfig.html',
  ],
  messages: {
    otherAccount:
      '{{arn}} is from account {{callerAccount}}, but the mapping names {{written}} in account {{mappedAccount}}',
    foreign:
      '{{arn}} is from account {{callerAccount}}, not the cluster account {{clusterAccount}}, and nothing maps it',
  },
  check({ sim, clusterName, region }, report) {
    const p = sim.principal;
    if (!p?.parsed || !p.canonicalArn) return;
    if (sim.mapping && sim.mapping.source !== 'map-accounts') return;
    const mappingFailed = sim.trace.some((s) => s.stage === 'mapping' && s.result === 'fail');
    if (!mappingFailed && sim.failingStage !== 'mapping') return;
    const clusterArn = okData(sim.input.snapshot, 'cluster')?.arn;
    const clusterAccount = clusterArn ? parseClusterArn(clusterArn)?.accountId : undefined;
    const callerAccount = p.parsed.accountId;
    const miss = findNearMisses(sim).find((m) => m.kind === 'other-account');
    const checks = [
      checkOf('See which identity and account the client signs with', ['aws', 'sts', 'get-caller-identity']),
      checkOf('See whether the kubeconfig assumes a role (--role-arn in the exec args)', [
        'kubectl',
        'config',
        'view',
        '--minify',
        '-o',
        'jsonpath={.users[0].user.exec.args}',
      ]),
    ];
    const roleArnNote = (arn: string) =>
      clusterName
        ? `Or make the client assume the mapped role (its trust policy must allow ${p.canonicalArn}): aws eks update-kubeconfig --name ${clusterName}${region ? ` --region ${region}` : ''} --role-arn ${arn}`
        : undefined;
    if (miss) {
      const mappedAccount = /:(\d{12}):/.exec(miss.written)?.[1] ?? '?';
      const fix = nearMissFix(sim, miss);
      const fixes: FixPlan[] = compact([
        fix && { ...fix, notes: compact([fix.notes, roleArnNote(miss.written)]).join(' ') },
      ]);
      report({
        messageId: 'otherAccount',
        data: { arn: p.canonicalArn, callerAccount, written: miss.written, mappedAccount },
        explanation:
          `The authenticator matches the exact ARN, account included. ${miss.detail}. ` +
          'Usually the kubeconfig should assume the role in the mapped account (aws eks update-kubeconfig --role-arn, or the exec args of the user entry) and does not, ' +
          'or the wrong AWS profile is active. Cross-account principals may be mapped directly too (STANDARD access entries and aws-auth accept them).',
        evidence: compact([nearMissEvidence(miss), modeEvidence(sim)]),
        fixes,
        checks,
      });
      return;
    }
    if (!clusterAccount || clusterAccount === callerAccount) return;
    report({
      messageId: 'foreign',
      data: { arn: p.canonicalArn, callerAccount, clusterAccount },
      severity: 'info',
      explanation:
        `The cluster is in account ${clusterAccount} and the caller is ${p.canonicalArn} in account ${callerAccount}. ` +
        'Nothing maps that identity; if access was granted to a role in the cluster account, the client must assume it (aws eks update-kubeconfig --role-arn); ' +
        'otherwise the foreign principal needs its own STANDARD access entry or aws-auth mapping.',
      evidence: compact([
        { source: 'cluster', pointer: '/cluster/data/arn', note: `cluster account ${clusterAccount}` },
        modeEvidence(sim),
      ]),
      fixes: compact([
        accessEntryPlan(sim, { title: `Grant the foreign principal ${p.canonicalArn} an access entry` }),
      ]),
      checks,
    });
  },
});
