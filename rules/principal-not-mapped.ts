import { defineRule, type RuleReport } from '../src/engine/define-rule.js';
import { checkOf, compact, modeEvidence, noEntryEvidence } from '../src/engine/evidence.js';
import type { Check, EvidenceRef, Severity } from '../src/model/report.js';
import type { Simulation } from '../src/simulate/simulate.js';
import { accessEntryPlan, awsAuthMappingPlan, entryPrincipalArn } from '../src/fix/plans.js';
import type { FixPlan } from '../src/fix/actions.js';
import {
  accessEntriesUnsupported,
  platformUpgradePlan,
  type AccessEntriesUnsupported,
} from '../src/eks/platform-versions.js';
import { logCitation } from '../src/evidence/logs.js';
import { findNearMisses, nearMissEvidence, nearMissFix } from '../src/simulate/near-miss.js';

type MappingSourceName = 'accessEntries' | 'awsAuth';

interface Unread {
  name: MappingSourceName;
  label: string;
  /** Why it could not be read, with the permission that would reveal it. */
  why: string;
}

function unread(sim: Simulation, name: MappingSourceName): Unread | undefined {
  const ev = sim.input.snapshot[name];
  const label = name === 'awsAuth' ? 'aws-auth' : 'access entries';
  if (ev?.status === 'ok') return undefined;
  const why =
    ev?.status === 'denied'
      ? `denied${ev.permission ? `: needs ${ev.permission}` : ''}`
      : ev?.status === 'error'
        ? `read failed: ${ev.message}`
        : 'not collected';
  return { name, label, why: `${label} ${why}` };
}

const MASTERS_NOTE =
  'system:masters grants full admin; choose a narrower group bound by RBAC when that is too much. Role ARNs in aws-auth must not contain a path.';

const READ_FIRST =
  'Read aws-auth first (an administrator can): if an entry for this principal exists but does not match, correct that entry; --no-duplicate-arns refuses to add a second one.';

/**
 * The aws-auth mapping of the principal: a node role as a node (its username and groups), anyone else with a
 * username and system:masters. `readFirst` when aws-auth could not be read: an entry may exist that needs correcting.
 */
function mappingPlan(sim: Simulation, title: string, readFirst: boolean): FixPlan | undefined {
  const notes = readFirst ? `${READ_FIRST} ${MASTERS_NOTE}` : MASTERS_NOTE;
  const plan = awsAuthMappingPlan(sim, { title, groups: ['system:masters'], notes });
  // A node role's plan carries its own note; reading aws-auth first still applies.
  if (plan && readFirst && !plan.notes?.includes(READ_FIRST)) {
    plan.notes = `${plan.notes ?? ''} ${READ_FIRST}`.trim();
  }
  return plan;
}

/**
 * On a cluster whose platform version predates access entries, every access-entry fix is refused: the aws-auth
 * mapping is the fix that works now, and the platform upgrade (after which access entries work) is the other.
 */
function fixesWithoutAccessEntries(
  sim: Simulation,
  unsupported: AccessEntriesUnsupported,
  readFirst: boolean,
): FixPlan[] {
  return compact([
    mappingPlan(
      sim,
      `Map it in aws-auth (Kubernetes ${unsupported.version} ${unsupported.platformVersion} has no access entries)`,
      readFirst,
    ),
    platformUpgradePlan(unsupported, { clusterName: sim.index.clusterName, region: sim.index.region }),
  ]);
}

function unsupportedSentence(unsupported: AccessEntriesUnsupported): string {
  return ` This cluster runs Kubernetes ${unsupported.version} ${unsupported.platformVersion}, which predates access entries (they need ${unsupported.needs}): EKS refuses every access-entry call and the switch from CONFIG_MAP, so aws-auth is the only way to map it until the cluster is upgraded.`;
}

/**
 * The observed 401 settled the verdict because the mapping sources could not all be read (the failing principal
 * cannot read kube-system/aws-auth, by definition). What was seen, what was not, and how sure that leaves us.
 */
function unseenMapping(
  sim: Simulation,
): { unseen: Unread[]; seenNone: MappingSourceName[]; severity: Severity } | undefined {
  const step = sim.trace.find((s) => s.stage === 'mapping');
  if (
    sim.mapping ||
    step?.result !== 'unknown' ||
    sim.failingStage !== 'mapping' ||
    sim.outcome !== 'unauthenticated' ||
    sim.facts.has('kubeconfig-endpoint-mismatch')
  ) {
    return undefined;
  }
  const mode = sim.index.authMode.mode;
  const relevant: MappingSourceName[] =
    mode === 'API' ? ['accessEntries'] : mode === 'CONFIG_MAP' ? ['awsAuth'] : ['accessEntries', 'awsAuth'];
  const unseen = compact(relevant.map((name) => unread(sim, name)));
  const seenNone = relevant.filter((name) => sim.input.snapshot[name]?.status === 'ok');
  // Some sources read and none of them matches: those are ruled out, the unread rest is likely. Nothing read: a
  // candidate only. (Every source read, only the mode unknown: nothing maps it in any mode, reported as decided.)
  const severity: Severity = seenNone.length > 0 ? 'warning' : 'info';
  return { unseen, seenNone, severity };
}

/** Read-only commands that decide what could not be seen; the failing principal cannot run the aws-auth ones. */
function unseenChecks(sim: Simulation, arn: string, principalArn: string | undefined): Check[] {
  const cluster = sim.index.clusterName;
  const region = sim.index.region;
  const regionArgs = region ? ['--region', region] : [];
  const mode = sim.index.authMode.mode;
  const checks: Check[] = [];
  if (mode !== 'API' && sim.input.snapshot.awsAuth?.status !== 'ok') {
    checks.push(
      checkOf(
        'As a cluster administrator, read the aws-auth mapping for the principal (Kubernetes get configmaps/aws-auth in kube-system; a principal that gets 401 cannot)',
        ...(cluster
          ? [['eksctl', 'get', 'iamidentitymapping', '--cluster', cluster, ...regionArgs, '--arn', arn]]
          : []),
        ['kubectl', 'get', 'configmap', 'aws-auth', '--namespace', 'kube-system', '--output', 'yaml'],
      ),
    );
  }
  if (mode !== 'CONFIG_MAP' && sim.input.snapshot.accessEntries?.status !== 'ok' && cluster && principalArn) {
    checks.push(
      checkOf(
        'Look up the access entry (eks:DescribeAccessEntry; ResourceNotFoundException means there is none)',
        [
          'aws',
          'eks',
          'describe-access-entry',
          '--cluster-name',
          cluster,
          ...regionArgs,
          '--principal-arn',
          principalArn,
        ],
      ),
    );
  }
  if (cluster) {
    checks.push(
      checkOf(
        'Read the authenticator\'s own reason: "identity is not mapped" confirms this, an STS or token error points elsewhere (logs:FilterLogEvents; the authenticator log type must be enabled)',
        [
          'aws',
          'logs',
          'filter-log-events',
          ...regionArgs,
          '--log-group-name',
          `/aws/eks/${cluster}/cluster`,
          '--log-stream-name-prefix',
          'authenticator',
          '--filter-pattern',
          `"${arn}"`,
        ],
      ),
    );
  }
  return checks;
}

/** The partial-evidence finding: the best-fitting cause, what was not seen, what decides it, the fix right either way. */
function reportUnseen(
  sim: Simulation,
  arn: string,
  partial: NonNullable<ReturnType<typeof unseenMapping>>,
  report: (r: RuleReport<'notMapped' | 'unseen'>) => void,
): void {
  const mode = sim.index.authMode.mode;
  const modeText = mode ?? 'authentication mode unknown';
  const principalArn = entryPrincipalArn(sim);
  const unsupported = accessEntriesUnsupported(sim.input.snapshot);
  const noEntrySeen = partial.seenNone.includes('accessEntries') && !sim.accessEntryCandidate;
  const badly =
    'or its entry does not match (a role ARN written with a path or as an STS session ARN, a typo, a section dropped by a YAML error)';
  const where =
    mode === 'API'
      ? `In API mode only access entries count, and they could not be read: either there is no access entry for ${arn}, or it no longer matches (a re-created principal).`
      : mode === 'CONFIG_MAP'
        ? `In CONFIG_MAP mode only aws-auth counts, and it could not be read: either aws-auth has no entry for ${arn}, ${badly}.`
        : noEntrySeen
          ? `There is no access entry for ${arn}, so the authenticator goes on to aws-auth, which could not be read: either it has no entry for ${arn}, ${badly}.`
          : `Neither ${partial.unseen.map((u) => u.label).join(' nor ')} could be read: either nothing maps ${arn}, ${badly}.`;
  const eitherWay = unsupported
    ? unsupportedSentence(unsupported).trim()
    : mode === 'CONFIG_MAP'
      ? 'An access entry is the fix either way once the cluster allows access entries (API_AND_CONFIG_MAP, a one-way switch); staying in CONFIG_MAP, read aws-auth first and correct the entry rather than add a second one.'
      : 'An access entry is the fix either way: EKS tries access entries before aws-auth, so it works whether aws-auth lacks the principal or maps it badly.';
  const entryPlan = accessEntryPlan(sim, {
    title: `Fix either way: grant ${principalArn ?? arn} an access entry`,
  });
  if (entryPlan && mode !== 'CONFIG_MAP' && !partial.seenNone.includes('accessEntries')) {
    entryPlan.notes =
      `${entryPlan.notes ?? ''} If create-access-entry answers ResourceInUseException, an entry already exists: then the principal was probably deleted and re-created after it (FM-22), so delete the entry and create it again.`.trim();
  }
  const evidence: EvidenceRef[] = compact<EvidenceRef>([
    mode !== 'CONFIG_MAP' && noEntryEvidence(sim),
    ...partial.unseen.map((u) => ({ source: u.name, pointer: `/${u.name}`, note: u.why })),
    modeEvidence(sim),
  ]);
  report({
    messageId: 'unseen',
    data: { arn, mode: modeText, unseen: partial.unseen.map((u) => u.label).join(' and ') },
    severity: partial.severity,
    explanation:
      `The client saw 401 Unauthorized, and the mapping stage could not be checked. ${where} ` +
      'A token or STS failure gives the same 401; the authenticator log tells them apart (checks below). ' +
      eitherWay,
    evidence,
    fixes: unsupported
      ? fixesWithoutAccessEntries(sim, unsupported, true)
      : compact([
          entryPlan,
          mode !== 'API' && principalArn
            ? mappingPlan(sim, 'Alternative: map it in aws-auth (always with a username)', true)
            : undefined,
        ]),
    checks: [
      ...unseenChecks(sim, arn, principalArn),
      checkOf('Confirm which identity the client really uses', ['aws', 'sts', 'get-caller-identity']),
    ],
  });
}

/** FM-15: neither an access entry nor an aws-auth entry (nor mapAccounts) matches the caller. */
export default defineRule({
  id: 'principal-not-mapped',
  stage: 'mapping',
  precedence: 10,
  summary:
    'No access entry and no aws-auth mapping matches the principal, so the authenticator denies it (401).',
  requires: ['cluster', 'accessEntries', 'awsAuth'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html#unauthorized',
  ],
  messages: {
    notMapped: '{{arn}} is not mapped to any Kubernetes identity ({{mode}})',
    unseen:
      '{{arn}} is probably not mapped: nothing read explains the 401, and {{unseen}} could not be read ({{mode}})',
  },
  check({ sim, incident }, report) {
    const failed = sim.trace.find((s) => s.stage === 'mapping' && s.result === 'fail');
    // The authenticator's own "not mapped" line is proof even when the mapping evidence is missing.
    // Pasted lines and the principal's authenticator log lines (sim.facts holds both).
    const saysNotMapped =
      (incident.facts?.includes('identity-not-mapped') || sim.facts.has('identity-not-mapped')) &&
      !sim.mapping;
    // The mapping could not be evaluated and the observed 401 settled the verdict: still the best-fitting cause.
    const partial = failed || saysNotMapped ? undefined : unseenMapping(sim);
    if (!failed && !saysNotMapped && !partial) return;
    const decided = partial?.unseen.length === 0;
    const arn = sim.principal?.canonicalArn ?? sim.principal?.arn ?? incident.principalArn ?? 'the principal';
    const mode = sim.index.authMode.mode ?? 'authentication mode unknown';
    if (partial && !decided) {
      reportUnseen(sim, arn, partial, report);
      return;
    }
    const considered =
      mode === 'API'
        ? 'access entries (API mode)'
        : mode === 'CONFIG_MAP'
          ? 'aws-auth mapRoles, mapUsers and mapAccounts (CONFIG_MAP mode)'
          : 'access entries first, then aws-auth mapRoles, mapUsers and mapAccounts';
    const principalArn = entryPrincipalArn(sim);
    const unsupported = accessEntriesUnsupported(sim.input.snapshot);
    // Issue item 5: name the entry that was meant and correct it rather than adding another.
    const nearMiss = findNearMisses(sim)[0];
    const corrective = nearMiss ? nearMissFix(sim, nearMiss) : undefined;
    report({
      messageId: 'notMapped',
      data: { arn, mode },
      explanation:
        `The authenticator canonicalizes the caller to ${arn} and looks it up in ${considered}; nothing matches, ` +
        'so it answers "identity is not mapped" and the client sees 401 Unauthorized for every request.' +
        (nearMiss ? ` The entry that was probably meant: ${nearMiss.detail}.` : '') +
        (unsupported ? unsupportedSentence(unsupported) : ''),
      evidence: compact([
        logCitation(sim, 'identity-not-mapped'),
        nearMiss && nearMissEvidence(nearMiss),
        noEntryEvidence(sim),
        sim.input.snapshot.awsAuth?.status === 'ok' && mode !== 'API'
          ? { source: 'awsAuth', pointer: '/awsAuth/data', note: `no mapRoles/mapUsers entry for ${arn}` }
          : undefined,
        modeEvidence(sim),
      ]),
      fixes: corrective
        ? compact([
            corrective,
            nearMiss?.source === 'aws-auth' && mode === 'API_AND_CONFIG_MAP'
              ? accessEntryPlan(sim, { title: 'Or replace the aws-auth entry by an access entry' })
              : undefined,
          ])
        : unsupported
          ? fixesWithoutAccessEntries(sim, unsupported, false)
          : compact([
              accessEntryPlan(sim),
              mode !== 'API' && principalArn
                ? mappingPlan(sim, 'Alternative: map it in aws-auth (always with a username)', false)
                : undefined,
            ]),
      checks: [
        {
          title: 'Confirm which identity the client really uses',
          commands: [
            { tool: 'aws', argv: ['aws', 'sts', 'get-caller-identity'], text: 'aws sts get-caller-identity' },
          ],
        },
      ],
    });
  },
});
