import { defineRule } from '../src/engine/define-rule.js';
import { checkOf, compact, modeEvidence } from '../src/engine/evidence.js';
import { findNearMisses, nearMissEvidence, nearMissFix, renamesOf } from '../src/simulate/near-miss.js';

/**
 * FM-23: IAM users can be renamed or moved to another path and keep their unique id. EKS finds the access entry by
 * that id, sees a stored ARN that no longer equals the caller's and rejects it ("ARN does not match User ID");
 * aws-auth, which compares ARNs (user paths included), simply stops matching.
 */
export default defineRule({
  id: 'iam-user-renamed-or-moved',
  stage: 'mapping',
  precedence: 84,
  summary:
    'The IAM user was renamed or moved to another path; its access entry or aws-auth entry still names the old ARN (401).',
  requires: ['accessEntries', 'awsAuth', 'cloudTrail'],
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_rename.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
  ],
  messages: {
    renamed: 'The {{where}} names {{written}}, the old ARN of IAM user {{name}} (renamed or moved)',
    logged:
      'The authenticator found an access entry by unique id whose ARN differs from {{arn}}: the user was renamed or moved',
  },
  check({ sim, incident }, report) {
    const p = sim.principal;
    if (!p?.parsed || p.parsed.kind !== 'user' || !p.canonicalArn) return;
    const miss = findNearMisses(sim).find((m) => m.kind === 'user-renamed' || m.kind === 'user-path');
    const rename = renamesOf(sim.index, p.parsed.name).at(-1);
    const renameEvidence = rename
      ? {
          source: 'cloudTrail',
          pointer: rename.pointer,
          note: `UpdateUser ${rename.oldName}${rename.newName ? ` → ${rename.newName}` : ''}${rename.newPath ? ` (path ${rename.newPath})` : ''}${rename.time ? ` on ${rename.time}` : ''}`,
        }
      : undefined;
    const checks = [
      checkOf(
        'Find the rename in CloudTrail (IAM events are recorded in us-east-1)',
        [
          'aws',
          'cloudtrail',
          'lookup-events',
          '--region',
          'us-east-1',
          '--lookup-attributes',
          'AttributeKey=EventName,AttributeValue=UpdateUser',
          '--max-results',
          '50',
        ],
        ['aws', 'iam', 'get-user', '--user-name', p.parsed.name, '--query', 'User.[UserId,Path,CreateDate]'],
      ),
    ];
    const mechanism =
      'An IAM user keeps its unique id (AIDA…) when it is renamed or moved to another path. EKS looks access entries up by that id and then compares the stored ARN, ' +
      'rejecting a difference ("ARN does not match User ID"); aws-auth compares ARNs, and user ARNs keep their path.';
    if (miss) {
      const where = miss.source === 'access-entry' ? 'access entry' : 'aws-auth entry';
      report({
        messageId: 'renamed',
        data: { where, written: miss.written, name: p.parsed.name },
        explanation: `${mechanism} ${miss.detail}, so ${p.canonicalArn} gets 401.`,
        evidence: compact([nearMissEvidence(miss), renameEvidence, modeEvidence(sim)]),
        fixes: compact([nearMissFix(sim, miss)]),
        checks,
      });
      return;
    }
    if (!incident.facts?.includes('arn-does-not-match-user-id') || sim.mapping) return;
    report({
      messageId: 'logged',
      data: { arn: p.canonicalArn },
      severity: 'info',
      explanation: `${mechanism} The authenticator log says exactly that for ${p.canonicalArn}, but no access entry with an older name of this user was collected. List the access entries and look for the user's old name.`,
      evidence: compact([renameEvidence]),
      checks,
    });
  },
});
