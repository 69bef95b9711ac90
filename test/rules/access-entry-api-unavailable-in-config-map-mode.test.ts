import rule from '../../rules/access-entry-api-unavailable-in-config-map-mode.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session } from '../helpers/build.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { describe, expect, it } from 'vitest';

const REFUSED =
  "An error occurred (InvalidRequestException) when calling the CreateAccessEntry operation: The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.";
const caller = session('data-analysts', 'bob');
const kubelet = session('edge-workers', 'i-0123456789abcdef0');
/** The cluster was not collected: the mode is unknown, and the error itself proves CONFIG_MAP. */
function clusterUnknown(snapshot: Snapshot): Snapshot {
  delete snapshot.cluster;
  return snapshot;
}
function onPlatform(snapshot: Snapshot, version: string, platformVersion: string): Snapshot {
  if (snapshot.cluster?.status === 'ok') Object.assign(snapshot.cluster.data, { version, platformVersion });
  return snapshot;
}
const fixTexts = (snapshot: Snapshot) =>
  (diagnose(snapshot).findings.find((f) => f.ruleId === rule.id)?.fixes ?? []).map((f) =>
    f.commands.map((c) => c.text).join('\n'),
  );

runRuleTests(rule, {
  valid: [
    { name: 'no such error pasted', snapshot: build({ mode: 'CONFIG_MAP', principal: caller, status: 401 }) },
    {
      name: 'the mode has been switched since',
      snapshot: build({ mode: 'API_AND_CONFIG_MAP', principal: caller, logLines: [REFUSED] }),
    },
  ],
  invalid: [
    {
      name: 'create-access-entry refused on a CONFIG_MAP cluster',
      snapshot: build({ mode: 'CONFIG_MAP', principal: caller, logLines: [REFUSED] }),
      messageId: 'configMapOnly',
      severity: 'error',
      first: true,
      evidence: ['/cluster/data/accessConfig/authenticationMode'],
    },
    {
      name: 'refused while the caller is mapped by a role path entry: the path is the cause',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: caller,
        logLines: [REFUSED],
        mapRoles: `- rolearn: ${role('data-analysts', '/teams/')}\n  username: bob\n  groups:\n  - system:masters\n`,
      }),
      messageId: 'configMapOnly',
      severity: 'error',
    },
    {
      name: 'cluster without accessConfig (CONFIG_MAP)',
      snapshot: build({ mode: 'none', principal: caller, logLines: [REFUSED] }),
      messageId: 'configMapOnly',
      severity: 'error',
      first: true,
    },
    {
      name: 'mode unknown, a node role: its node entry',
      snapshot: clusterUnknown(
        build({ principal: kubelet, path: '/api/v1/services', verb: 'list', logLines: [REFUSED] }),
      ),
      messageId: 'configMapOnly',
      // The replay needs the cluster's mode to consult the new entry.
      fixesPass: false,
    },
  ],
});

describe('access-entry-api-unavailable-in-config-map-mode fixes', () => {
  it('mode unknown: a node role gets the mode switch and an EC2_LINUX entry, no policy', () => {
    const [fix] = fixTexts(
      clusterUnknown(
        build({ principal: kubelet, path: '/api/v1/services', verb: 'list', logLines: [REFUSED] }),
      ),
    );
    expect(fix).toContain('authenticationMode=API_AND_CONFIG_MAP');
    expect(fix).toContain('--type EC2_LINUX');
    expect(fix).not.toContain('STANDARD');
    expect(fix).not.toContain('associate-access-policy');
  });

  it('mode unknown: a person still gets STANDARD and a policy', () => {
    const [fix] = fixTexts(clusterUnknown(build({ principal: caller, logLines: [REFUSED] })));
    expect(fix).toContain('--type STANDARD');
    expect(fix).toContain('associate-access-policy');
  });

  it('a platform version without access entries: aws-auth first, the upgrade second, no switch', () => {
    const fixes = fixTexts(
      onPlatform(build({ mode: 'CONFIG_MAP', principal: caller, logLines: [REFUSED] }), '1.28', 'eks.5'),
    );
    expect(fixes[0]).toMatch(/^eksctl create iamidentitymapping /);
    expect(fixes[1]).toContain('aws eks update-cluster-version');
    expect(fixes.join('\n')).not.toMatch(/create-access-entry|authenticationMode=API/);
  });
});
