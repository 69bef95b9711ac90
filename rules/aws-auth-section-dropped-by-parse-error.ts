import { defineRule } from '../src/engine/define-rule.js';
import { checkOf, compact, modeEvidence } from '../src/engine/evidence.js';
import type { AwsAuthProblem } from '../src/eks/aws-auth.js';
import type { FixPlan } from '../src/fix/actions.js';
import { accessEntryPlan, suggestedUsername } from '../src/fix/plans.js';
import { okData } from '../src/model/snapshot.js';
import { rebuildSection, recoverCallerEntry, recoverEntries } from '../src/simulate/near-miss.js';

const SECTIONS = ['mapRoles', 'mapUsers'] as const;

const PATCH_NOTE =
  'Save the snippet as aws-auth-patch.yaml and apply it with: kubectl patch configmap aws-auth -n kube-system --type merge --patch-file aws-auth-patch.yaml. ' +
  'eksctl cannot edit aws-auth while a section does not parse. Run it as a principal that still has access (an access-entry admin, the cluster creator, or a mapping in a section that still loads).';

/**
 * FM-24: the authenticator converts mapRoles, mapUsers and mapAccounts one by one; a YAML error inside one value
 * drops that whole section (the others still load), so every principal mapped there gets 401 at once.
 */
export default defineRule({
  id: 'aws-auth-section-dropped-by-parse-error',
  stage: 'mapping',
  precedence: 90,
  summary:
    'A YAML error in an aws-auth section makes the authenticator drop that whole section, so every principal mapped there gets 401.',
  requires: ['awsAuth', 'cluster'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://repost.aws/knowledge-center/amazon-eks-cluster-access',
  ],
  messages: {
    dropped:
      '{{section}} does not parse, so the authenticator drops all of it, including the entry for {{arn}} (line {{line}})',
    droppedOthers: '{{section}} does not parse, so the authenticator drops all {{count}} of its entries',
    logged:
      'The authenticator logged an aws-auth parse error, and aws-auth was not collected to see which section',
  },
  check({ sim, incident, timeline }, report) {
    const mode = sim.index.authMode.mode;
    if (mode === 'API') return;
    const parsed = sim.index.awsAuth;
    const p = sim.principal;
    if (!parsed) {
      if (!incident.facts?.includes('aws-auth-parse-error') || sim.mapping) return;
      report({
        messageId: 'logged',
        severity: 'info',
        explanation:
          'The authenticator reads mapRoles, mapUsers and mapAccounts one by one and drops a section that does not parse, logging "Errors parsing configmap". ' +
          'Without the ConfigMap it cannot be told which section, and whether it held this principal.',
        evidence: [],
        checks: [
          checkOf('Read aws-auth as the authenticator does', [
            'kubectl',
            'get',
            'configmap',
            'aws-auth',
            '-n',
            'kube-system',
            '-o',
            'yaml',
          ]),
        ],
      });
      return;
    }
    const data = okData(sim.input.snapshot, 'awsAuth')?.data ?? {};
    const canonical = p?.canonicalArn;
    const dropped = SECTIONS.filter((s) => parsed.sections[s] === 'dropped').map((section) => {
      const text = data[section];
      const problem = parsed.problems.find(
        (x) => x.section === section && (x.kind === 'yaml-error' || x.kind === 'not-a-list'),
      );
      const mine = typeof text === 'string' && canonical ? recoverCallerEntry(text, canonical) : undefined;
      return { section, text: typeof text === 'string' ? text : '', problem, mine };
    });
    const unmapped = !sim.mapping || sim.mapping.source === 'map-accounts';
    const hit = unmapped ? dropped.find((d) => d.mine) : undefined;
    const first = hit ?? dropped[0];
    if (!first) return;
    const entries = recoverEntries(first.text);
    const why = problemText(first.problem);
    const mechanism =
      'The authenticator converts each of mapRoles, mapUsers and mapAccounts on its own; when one value is not valid YAML (a tab, a broken indent, ' +
      'an unquoted {{SessionName}}, which YAML reads as a mapping), it logs "Errors parsing configmap" and drops every entry of that section while the other sections still load. ';
    if (!hit || !canonical || !p?.parsed) {
      report({
        messageId: 'droppedOthers',
        data: { section: first.section, count: entries.length },
        severity: 'warning',
        explanation: `${mechanism}${first.section} fails: ${why}. Its ${entries.length} entr${entries.length === 1 ? 'y is' : 'ies are'} ignored, node roles included, which makes nodes NotReady.`,
        evidence: compact([first.problem && problemEvidence(first.problem)]),
      });
      return;
    }
    const mine = hit.mine;
    if (!mine) return;
    const edit = [...timeline].reverse().find((e) => e.event === 'AwsAuthEdit');
    // A bare {{SessionName}} (the usual culprit, unquoted) is empty for users and trips aggregated APIs: prefix it.
    const username =
      mine.username && !/^\{\{\w+\}\}$/.test(mine.username) ? mine.username : suggestedUsername(sim);
    const rebuilt = rebuildSection(hit.text, hit.section, { arn: canonical, username, groups: mine.groups });
    const fixes: FixPlan[] = [];
    if (rebuilt !== undefined) {
      fixes.push({
        title: `Repair ${hit.section}: rewrite its ${entries.length} entries as valid YAML`,
        actions: [{ kind: 'aws-auth-set-data', data: { [hit.section]: rebuilt } }],
        notes: `${PATCH_NOTE}${username === mine.username ? '' : ` The entry for ${canonical} gets the username ${username} (quoted, with a prefix), which aggregated APIs accept.`}`,
      });
    } else {
      fixes.push({
        title: `Correct ${hit.section} at line ${hit.problem?.line ?? mine.line}`,
        actions: [],
        notes: `${why}. Edit it with: kubectl edit -n kube-system configmap/aws-auth (indent with spaces, quote values that contain {{...}}).`,
      });
    }
    if (mode === 'API_AND_CONFIG_MAP') {
      const plan = accessEntryPlan(sim, {
        title: 'Also give people access entries, which a YAML mistake in aws-auth cannot take away',
      });
      if (plan) fixes.push(plan);
    }
    report({
      messageId: 'dropped',
      data: { section: hit.section, arn: canonical, line: mine.line },
      explanation:
        `${mechanism}${hit.section} fails: ${why}. The entry at line ${mine.line} maps ${mine.arns[0] ?? canonical}` +
        `${mine.groups.length ? ` to groups [${mine.groups.join(', ')}]` : ''}, but the authenticator never sees it, so ${canonical} is not mapped and gets 401, ` +
        `together with the other ${Math.max(0, entries.length - 1)} entr${entries.length === 2 ? 'y' : 'ies'} of ${hit.section}.` +
        (edit ? ` aws-auth was last changed on ${edit.time}${edit.actor ? ` by ${edit.actor}` : ''}.` : ''),
      evidence: compact([
        hit.problem && problemEvidence(hit.problem),
        {
          source: 'awsAuth',
          pointer: hit.problem?.pointer ?? '/awsAuth/data',
          note: `entry for ${canonical} at line ${mine.line}`,
        },
        edit?.pointer
          ? { source: edit.source, pointer: edit.pointer, note: `${edit.detail} on ${edit.time}` }
          : undefined,
        modeEvidence(sim),
      ]),
      fixes,
    });
  },
});

function problemText(problem: AwsAuthProblem | undefined): string {
  return (problem?.message ?? 'the section is not valid YAML').replace(
    /; the authenticator (?:drops|loads).*$/,
    '',
  );
}

function problemEvidence(problem: AwsAuthProblem) {
  return {
    source: 'awsAuth',
    pointer: problem.pointer,
    note: `${problem.message}${problem.line ? ` (line ${problem.line})` : ''}`,
  };
}
