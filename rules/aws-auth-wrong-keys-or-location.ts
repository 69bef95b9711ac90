import { defineRule } from '../src/engine/define-rule.js';
import { checkOf, compact, modeEvidence } from '../src/engine/evidence.js';
import { accountMapped, findMapping, parseAwsAuth } from '../src/eks/aws-auth.js';
import type { FixPlan } from '../src/fix/actions.js';
import { suggestedUsername } from '../src/fix/plans.js';
import { okData } from '../src/model/snapshot.js';

const PATCH_NOTE =
  'Save the snippet as aws-auth-patch.yaml and apply it with: kubectl patch configmap aws-auth -n kube-system --type merge --patch-file aws-auth-patch.yaml (null removes the misnamed key).';

/**
 * FM-25: the authenticator reads only the data keys mapRoles, mapUsers and mapAccounts (case-sensitive) of the
 * ConfigMap kube-system/aws-auth; other keys, other names and other namespaces are silently ignored.
 */
export default defineRule({
  id: 'aws-auth-wrong-keys-or-location',
  stage: 'mapping',
  precedence: 88,
  summary:
    'The mapping sits under a data key the authenticator ignores (top-level keys are case-sensitive), or kube-system/aws-auth does not exist.',
  requires: ['awsAuth', 'cluster'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/blob/master/README.md',
  ],
  messages: {
    wrongKey:
      'aws-auth maps {{arn}} under the data key "{{key}}", which the authenticator ignores (it reads only "{{section}}")',
    missing: 'kube-system/aws-auth does not exist, so in CONFIG_MAP mode nobody is mapped',
  },
  check({ sim, timeline }, report) {
    const mode = sim.index.authMode.mode;
    const p = sim.principal;
    if (mode === 'API' || !p?.canonicalArn || !p.parsed) return;
    if (sim.mapping && sim.mapping.source !== 'map-accounts') return;
    const canonical = p.canonicalArn;
    const parsed = sim.index.awsAuth;
    if (!parsed) return;

    if (!parsed.found) {
      if (mode !== 'CONFIG_MAP' || sim.mapping) return;
      const deleted = [...timeline]
        .reverse()
        .find((e) => e.event === 'AwsAuthEdit' && /deleted/.test(e.detail));
      const isRole = p.parsed.kind === 'role' || p.parsed.kind === 'assumed-role';
      report({
        messageId: 'missing',
        explanation:
          'The authenticator watches only the ConfigMap named aws-auth in kube-system; when it is deleted every ConfigMap mapping is reset, and one created under another name or namespace is never read. ' +
          `In CONFIG_MAP mode nothing else maps IAM principals, so ${canonical} gets 401` +
          (deleted
            ? ` (the audit log shows aws-auth deleted on ${deleted.time}${deleted.actor ? ` by ${deleted.actor}` : ''})`
            : '') +
          '. Node roles lose their mapping too, so nodes go NotReady.',
        evidence: compact([
          { source: 'awsAuth', pointer: '/awsAuth/data', note: 'kube-system/aws-auth not found' },
          modeEvidence(sim),
          deleted?.pointer
            ? { source: deleted.source, pointer: deleted.pointer, note: deleted.detail }
            : undefined,
        ]),
        fixes: [
          {
            title: 'Re-create kube-system/aws-auth with a mapping for the principal',
            actions: [
              {
                kind: 'aws-auth-put-mapping',
                section: isRole ? 'mapRoles' : 'mapUsers',
                arn: canonical,
                username: suggestedUsername(sim),
                groups: ['system:masters'],
                replacesExisting: false,
              },
            ],
            yamlSnippet: true,
            notes:
              'Restore the node role entries as well (username system:node:{{EC2PrivateDNSName}}, groups system:bootstrappers and system:nodes), from infrastructure code or a backup. system:masters grants full admin; choose a narrower group when that is too much.',
          },
        ],
        checks: [
          checkOf('Look for an aws-auth ConfigMap in another namespace', [
            'kubectl',
            'get',
            'configmap',
            '-A',
            '--field-selector',
            'metadata.name=aws-auth',
          ]),
        ],
      });
      return;
    }

    const data = okData(sim.input.snapshot, 'awsAuth')?.data ?? {};
    for (const problem of parsed.problems) {
      if (problem.kind !== 'wrong-key-case' && problem.kind !== 'unknown-data-key') continue;
      const key = problem.key;
      const section = problem.suggestion;
      const text = key !== undefined ? data[key] : undefined;
      if (!key || !section || typeof text !== 'string' || problem.pointer.includes('/binaryData/')) continue;
      const alone = parseAwsAuth({ data: { [section]: text } });
      const account = p.parsed.accountId;
      const match = section === 'mapAccounts' ? undefined : findMapping(alone, canonical);
      const accountListed = section === 'mapAccounts' && accountMapped(alone, account);
      if (!match && !accountListed) continue;
      const fixes: FixPlan[] = [];
      const correctTaken = typeof data[section] === 'string';
      if (!correctTaken) {
        fixes.push({
          title: `Rename the data key "${key}" to "${section}"`,
          actions: [{ kind: 'aws-auth-set-data', data: { [section]: text, [key]: null } }],
          notes: PATCH_NOTE,
        });
      } else if (match) {
        const m = match.mapping;
        fixes.push({
          title: `Move the entry for ${m.arn} into ${section}`,
          actions: [
            {
              kind: 'aws-auth-put-mapping',
              section: m.section,
              arn: canonical,
              username: m.username ? m.username : suggestedUsername(sim),
              groups: [...m.groups],
              replacesExisting: false,
            },
          ],
          yamlSnippet: true,
          notes: `Then move any other entries of "${key}" into ${section} and delete the "${key}" key (kubectl edit -n kube-system configmap/aws-auth).`,
        });
      } else {
        fixes.push({
          title: `Move the account ${account} into ${section}`,
          actions: [],
          notes: `Add "${account}" to ${section} and delete the "${key}" key with kubectl edit -n kube-system configmap/aws-auth.`,
        });
      }
      report({
        messageId: 'wrongKey',
        data: { arn: match?.mapping.arn ?? account, key, section },
        explanation:
          `The authenticator reads exactly the data keys mapRoles, mapUsers and mapAccounts; top-level keys are case-sensitive (keys inside entries are not), ` +
          `and any other key is ignored without a log line. The entries under "${key}" are never loaded, so ${canonical} is not mapped and gets 401.`,
        evidence: compact([
          { source: 'awsAuth', pointer: problem.pointer, note: problem.message },
          modeEvidence(sim),
        ]),
        fixes,
      });
      return;
    }
  },
});
