import { defineRule } from '../src/engine/define-rule.js';
import { checkOf, compact } from '../src/engine/evidence.js';
import { recreateEntryPlan } from '../src/simulate/near-miss.js';
import type { EvidenceRef, TimelineEvent } from '../src/model/report.js';

const RECREATE_EVENTS = new Set(['CreateRole', 'CreateUser']);
const DELETE_EVENTS = new Set(['DeleteRole', 'DeleteUser']);

/**
 * FM-22: EKS stores the principal's unique id (AROA…/AIDA…) with an access entry and authenticates by it; a role or
 * user deleted and created again under the same ARN has a new id, so the old entry no longer matches.
 */
export default defineRule({
  id: 'principal-recreated-unique-id-mismatch',
  stage: 'mapping',
  precedence: 95,
  summary:
    'The IAM principal was deleted and re-created after its access entry was made; the entry still holds the old unique id, so it no longer matches (401).',
  requires: ['accessEntries', 'iamPrincipals', 'cloudTrail'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_AccessEntry.html',
    'https://github.com/aws/containers-roadmap/issues/185',
  ],
  messages: {
    recreated:
      '{{arn}} was re-created on {{principalCreated}}, after its access entry ({{entryCreated}}): the entry still holds the old unique id',
    trail:
      'CloudTrail shows {{name}} re-created on {{created}}, after its access entry ({{entryCreated}}): the entry may hold the old unique id',
  },
  check({ sim, timeline }, report) {
    const candidate = sim.accessEntryCandidate;
    const p = sim.principal;
    if (!candidate || !p?.parsed) return;
    const entry = candidate.entry;
    const entryCreated = entry.createdAt;
    const stale = sim.accessEntryStale;
    const after = (e: TimelineEvent) =>
      entryCreated !== undefined && Date.parse(e.time) > Date.parse(entryCreated);
    // A CreateRole that failed (EntityAlreadyExists, AccessDenied) re-created nothing.
    const recreatedInTrail = timeline.filter(
      (e) => RECREATE_EVENTS.has(e.event) && after(e) && !e.detail.includes('(failed:'),
    );
    const deletedInTrail = timeline.filter((e) => DELETE_EVENTS.has(e.event) && after(e));
    const created = recreatedInTrail[recreatedInTrail.length - 1];
    if (!stale && !created) return;

    const isUser = p.parsed.kind === 'user';
    const name = p.parsed.name;
    const trailEvidence: EvidenceRef[] = [...deletedInTrail, ...recreatedInTrail].flatMap((e) =>
      e.pointer
        ? [
            {
              source: 'cloudTrail',
              pointer: e.pointer,
              note: `${e.event} ${name} on ${e.time}${e.actor ? ` by ${e.actor}` : ''}`,
            },
          ]
        : [],
    );
    const iam = p.iam;
    const principalArn = entry.principalArn;
    const fallback =
      sim.mapping?.source === 'aws-auth'
        ? ' aws-auth still maps the principal, so it falls back to that mapping.'
        : '';
    report({
      messageId: stale ? 'recreated' : 'trail',
      data: stale
        ? { arn: principalArn, principalCreated: stale.principalCreated, entryCreated: stale.entryCreated }
        : { name, created: created?.time ?? '', entryCreated: entryCreated ?? '' },
      explanation:
        `EKS records the unique id of the IAM ${isUser ? 'user (AIDA…)' : 'role (AROA…)'} when an access entry is created and authenticates callers by that id, then checks the ARN. ` +
        `The access entry for ${principalArn} was created on ${entryCreated ?? '?'}, but ${name} ` +
        (stale?.provenBy === 'cloudTrail'
          ? `was created again on ${stale.principalCreated} according to CloudTrail${stale.principalId ? ` (new id ${stale.principalId})` : ''}; IAM itself could not be read, and an entry can only be made for a principal that exists, so a later creation is a re-creation`
          : stale
            ? `was created on ${stale.principalCreated}${iam?.principal.id ? ` (current id ${iam.principal.id})` : ''}`
            : `was created again on ${created?.time ?? '?'} according to CloudTrail`) +
        '. A deleted and re-created principal gets a new unique id even with the same name and ARN, and EKS does not delete or update the entry, ' +
        `so describe-access-entry still looks healthy while the authenticator answers "identity is not mapped".${fallback}`,
      evidence: compact<EvidenceRef>([
        { source: 'accessEntries', pointer: candidate.pointer, note: `created ${entryCreated ?? '?'}` },
        iam && {
          source: 'iamPrincipals',
          pointer: iam.pointer,
          note: `created ${iam.principal.createDate ?? '?'}${iam.principal.id ? `, id ${iam.principal.id}` : ''}`,
        },
        ...trailEvidence,
      ]),
      fixes: [
        recreateEntryPlan(sim, entry, principalArn, {
          title: `Delete the access entry for ${principalArn} and create it again for the current principal`,
          notes:
            'Deleting and re-creating the entry binds it to the new unique id. Infrastructure code that replaces the role should replace the access entry with it.',
        }),
      ],
      checks: [
        checkOf(
          'Compare the principal creation time with the entry creation time',
          isUser
            ? ['aws', 'iam', 'get-user', '--user-name', name, '--query', 'User.[UserId,CreateDate]']
            : ['aws', 'iam', 'get-role', '--role-name', name, '--query', 'Role.[RoleId,CreateDate]'],
          ...(sim.index.clusterName
            ? [
                [
                  'aws',
                  'eks',
                  'describe-access-entry',
                  '--cluster-name',
                  sim.index.clusterName,
                  ...(sim.index.region ? ['--region', sim.index.region] : []),
                  '--principal-arn',
                  principalArn,
                  '--query',
                  'accessEntry.[createdAt,modifiedAt]',
                ],
              ]
            : []),
        ),
      ],
    });
  },
});
