/**
 * DESIGN §7 Correct: the suggested AWS CLI fix commands, run with the real AWS CLI against the local EKS endpoint,
 * make the request pass when eksdoctor collects and diagnoses again. Skipped, visibly, where the AWS CLI is not
 * installed, except in CI, where its absence fails the test.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { collectSnapshot } from '../../src/collect/index.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { loadSample } from '../helpers/samples.js';
import { startFakes, type Fakes } from '../support/scenario.js';
import { withEnv } from '../support/env.js';

const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const run = promisify(execFile);

async function collectAndDiagnose(fakes: Fakes, sample: Snapshot) {
  const incident = sample.incident ?? {};
  const collected = await withEnv(fakes.env, () =>
    collectSnapshot({
      cluster: fakes.clusterName,
      region: fakes.region,
      principalArn: incident.principalArn,
      path: incident.path,
      verb: incident.verb,
      cloudTrail: false,
    }),
  );
  return diagnose({
    ...collected,
    incident: { ...collected.incident, status: incident.status, logLines: incident.logLines },
  });
}

// A new entry with a namespace-scoped policy, and a cluster-scoped policy added to an existing entry.
describe.each(['principal-not-mapped', 'namespace-scoped-policy'])('fix for %s', (name) => {
  it.skipIf(!hasAwsCli && !process.env.CI)(
    'applied with the AWS CLI (--endpoint-url), lets the request through (needs the AWS CLI)',
    async () => {
      expect(hasAwsCli, 'the AWS CLI is not installed').toBe(true);
      const sample = loadSample(name).snapshot;
      const fakes = await startFakes(sample);
      try {
        const before = await collectAndDiagnose(fakes, sample);
        expect(before.verdict.outcome).not.toBe('allowed');
        const fix = before.findings[0]?.fixes.find(
          (f) => f.commands.length > 0 && f.commands.every((c) => c.tool === 'aws'),
        );
        expect(fix, 'an AWS CLI fix').toBeDefined();
        for (const command of fix?.commands ?? []) {
          const [tool, ...args] = command.argv;
          expect(tool).toBe('aws');
          await run('aws', [...args, '--endpoint-url', fakes.aws.url, '--output', 'json'], {
            env: { ...process.env, ...fakes.env },
            timeout: 60_000,
          });
        }
        const writes = fakes.aws.log.filter((r) =>
          /^(Create|Associate|Update|Delete|Disassociate)/.test(r.operation),
        );
        expect(writes.length).toBe(fix?.commands.length);
        expect(writes.every((r) => r.status === 200 && r.region === fakes.region)).toBe(true);
        const after = await collectAndDiagnose(fakes, sample);
        expect(after.verdict.outcome).toBe('allowed');
      } finally {
        await fakes.close();
      }
    },
    120_000,
  );
});
