import rule from '../../rules/platform-version-too-old-for-access-entries.js';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import { build, session } from '../helpers/build.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { accessEntrySupport } from '../../src/eks/platform-versions.js';
import { describe, expect, it } from 'vitest';

const CONFIG_MAP_ONLY =
  "An error occurred (InvalidRequestException) when calling the CreateAccessEntry operation: The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.";
const caller = session('data-analysts', 'bob');

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
    expect(mine[0]?.fixes[0]?.commands[0]?.text).toBe(
      'aws eks update-cluster-version --name platform-prod --region ap-northeast-2 --kubernetes-version 1.29',
    );
  });
});
