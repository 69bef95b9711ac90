import rule from '../../rules/platform-version-too-old-for-access-entries.js';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import { build, session, user } from '../helpers/build.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { accessEntrySupport } from '../../src/eks/platform-versions.js';
import { describe, expect, it } from 'vitest';

const CONFIG_MAP_ONLY =
  "An error occurred (InvalidRequestException) when calling the CreateAccessEntry operation: The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.";
const caller = session('data-analysts', 'bob');
/** QA fm50-1: the mode switch refused with a 400 that names access entries (no fact of its own). */
const SWITCH_REFUSED =
  "An error occurred (InvalidParameterException) when calling the UpdateClusterConfig operation: Access entries are not supported on this cluster's platform version; upgrade the cluster first";
const ASSOCIATE_REFUSED =
  'An error occurred (InvalidRequestException) when calling the AssociateAccessPolicy operation: The specified access entry is not supported on this cluster.';
const UNRELATED_UPDATE_REFUSED =
  'An error occurred (InvalidParameterException) when calling the UpdateClusterConfig operation: Subnets specified must be in at least two different AZs';
const IAM_DENIED =
  'An error occurred (AccessDeniedException) when calling the CreateAccessEntry operation: User: arn:aws:sts::111122223333:assumed-role/data-analysts/bob is not authorized to perform: eks:CreateAccessEntry on resource: arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod';

function onPlatform(snapshot: Snapshot, version: string, platformVersion: string): Snapshot {
  if (snapshot.cluster?.status === 'ok') Object.assign(snapshot.cluster.data, { version, platformVersion });
  return snapshot;
}

runRuleTests(rule, {
  valid: [
    {
      name: 'recent platform version',
      snapshot: onPlatform(
        build({ mode: 'CONFIG_MAP', principal: caller, logLines: [CONFIG_MAP_ONLY] }),
        '1.28',
        'eks.6',
      ),
    },
    {
      name: 'old platform, but the request is allowed and no EKS API error',
      snapshot: onPlatform(
        build({
          mode: 'CONFIG_MAP',
          principal: session('admins', 'kim'),
          mapRoles: `- rolearn: arn:aws:iam::111122223333:role/admins\n  username: a:{{SessionName}}\n  groups:\n  - system:masters\n`,
        }),
        '1.27',
        'eks.3',
      ),
    },
    {
      name: 'old platform, mapped principal, an unrelated UpdateClusterConfig 400',
      snapshot: onPlatform(
        build({
          mode: 'CONFIG_MAP',
          principal: session('admins', 'kim'),
          mapRoles: `- rolearn: arn:aws:iam::111122223333:role/admins\n  username: a:{{SessionName}}\n  groups:\n  - system:masters\n`,
          logLines: [UNRELATED_UPDATE_REFUSED],
        }),
        '1.27',
        'eks.3',
      ),
    },
  ],
  invalid: [
    {
      name: 'create-access-entry refused on 1.28 eks.5',
      snapshot: onPlatform(
        build({ mode: 'CONFIG_MAP', principal: caller, logLines: [CONFIG_MAP_ONLY] }),
        '1.28',
        'eks.5',
      ),
      messageId: 'blocked',
      severity: 'error',
      first: true,
      evidence: ['/cluster/data/platformVersion'],
    },
    {
      name: 'the mode switch refused with a 400 naming access entries (QA fm50-1): it leads',
      snapshot: onPlatform(
        build({ mode: 'CONFIG_MAP', principal: user('yamada'), logLines: [SWITCH_REFUSED] }),
        '1.27',
        'eks.9',
      ),
      messageId: 'blocked',
      severity: 'error',
      first: true,
    },
    {
      name: 'any access-entry call refused with a 400 on an old platform',
      snapshot: onPlatform(
        build({ mode: 'CONFIG_MAP', principal: caller, logLines: [ASSOCIATE_REFUSED] }),
        '1.26',
        'eks.10',
      ),
      messageId: 'blocked',
      severity: 'error',
      first: true,
    },
    {
      name: 'an IAM denial of CreateAccessEntry is not the refusal: the unmapped principal stays latent',
      snapshot: onPlatform(
        build({ mode: 'CONFIG_MAP', principal: caller, status: 401, logLines: [IAM_DENIED] }),
        '1.25',
        'eks.9',
      ),
      messageId: 'latent',
      severity: 'warning',
    },
    {
      name: 'principal not mapped on an old platform: access-entry fixes must wait',
      snapshot: onPlatform(build({ mode: 'CONFIG_MAP', principal: caller, status: 401 }), '1.25', 'eks.9'),
      messageId: 'latent',
      severity: 'warning',
    },
  ],
});

describe('accessEntrySupport', () => {
  it.each([
    ['1.30', 'eks.2', true, undefined],
    ['1.30', 'eks.1', false, '1.31'],
    ['1.23', 'eks.16', false, '1.24'],
    ['1.22', 'eks.12', false, '1.23'],
    ['1.31', 'eks.1', true, undefined],
    ['1.29', 'weird', undefined, undefined],
  ] as const)('%s %s → supported %s', (version, platform, supported, upgradeTo) => {
    const r = accessEntrySupport(version, platform);
    expect(r.supported).toBe(supported);
    expect(r.upgradeTo).toBe(upgradeTo);
  });

  it('prints the upgrade command with the next Kubernetes version', () => {
    const { mine } = findingsOf(rule, {
      name: 'x',
      snapshot: onPlatform(
        build({ mode: 'CONFIG_MAP', principal: caller, logLines: [CONFIG_MAP_ONLY] }),
        '1.28',
        'eks.5',
      ),
    });
    const upgrade = mine[0]?.fixes.find((f) => f.title.startsWith('Upgrade'));
    expect(upgrade?.commands[0]?.text).toBe(
      'aws eks update-cluster-version --name platform-prod --region ap-northeast-2 --kubernetes-version 1.29',
    );
  });

  it('QA fm50-1: the aws-auth mapping comes first (it works now), the upgrade second', () => {
    const snapshot = onPlatform(
      build({ mode: 'CONFIG_MAP', principal: user('yamada'), logLines: [SWITCH_REFUSED] }),
      '1.27',
      'eks.9',
    );
    const { report, mine } = findingsOf(rule, { name: 'x', snapshot });
    const texts = (mine[0]?.fixes ?? []).map((f) => f.commands.map((c) => c.text).join('\n'));
    expect(texts[0]).toMatch(
      /^eksctl create iamidentitymapping .*--arn arn:aws:iam::111122223333:user\/yamada/,
    );
    expect(texts[1]).toContain('--kubernetes-version 1.28');
    // Every finding's first fix must work on this cluster: none starts with an access-entry call.
    for (const finding of report.findings) {
      const first = finding.fixes[0]?.commands.map((c) => c.text).join('\n') ?? '';
      expect(first, finding.ruleId).not.toMatch(/create-access-entry|authenticationMode=API/);
    }
  });
});
