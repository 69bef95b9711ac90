/**
 * Every suggested command must be accepted by the real tool. `aws` commands run against a recorder on 127.0.0.1
 * (the AWS CLI validates arguments before it sends anything, so a request reaching the recorder proves acceptance);
 * `kubectl` commands run with --dry-run=client. Skipped with a reason where a tool is missing, unless CI is set.
 */
import childProcess, { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as shellParse } from 'shell-quote';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Command } from '../../src/model/report.js';
import { loadSamples } from '../helpers/samples.js';

const has = (tool: string) => spawnSync(tool, ['--version'], { encoding: 'utf8' }).status === 0;
const awsAvailable = has('aws');
const kubectlAvailable = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

const commands: Command[] = [];
for (const sample of loadSamples()) {
  for (const f of diagnose(sample.snapshot).findings) {
    for (const fix of f.fixes) commands.push(...fix.commands);
  }
}
const unique = <T extends Command>(list: T[]) => [...new Map(list.map((c) => [c.text, c])).values()];
const awsCommands = unique(commands.filter((c) => c.tool === 'aws'));
const kubectlCommands = unique(commands.filter((c) => c.tool === 'kubectl'));

describe('command texts', () => {
  it('parse back to the same argv in a POSIX shell', () => {
    expect(commands.length).toBeGreaterThan(10);
    for (const c of commands) expect(shellParse(c.text)).toEqual(c.argv);
  });
});

describe.skipIf(!awsAvailable && !process.env.CI)(
  `aws commands are accepted by the AWS CLI${awsAvailable ? '' : ' (SKIPPED: aws not installed)'}`,
  () => {
    let server: Server;
    let endpoint = '';
    const seen: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('has aws commands to check', () => expect(awsCommands.length).toBeGreaterThan(3));
    // Each run starts Python and botocore (~2 s); run them side by side.
    for (const c of awsCommands) {
      it.concurrent(c.text, { timeout: 120_000 }, async () => {
        const child = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
          const { spawn } = childProcess;
          const p = spawn(c.argv[0] ?? 'aws', [...c.argv.slice(1), '--endpoint-url', endpoint], {
            env: {
              PATH: process.env.PATH,
              HOME: process.env.HOME,
              AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
              AWS_SECRET_ACCESS_KEY: 'test-secret-not-real',
              AWS_DEFAULT_REGION: 'us-east-1',
              AWS_PAGER: '',
              AWS_CONFIG_FILE: '/dev/null',
              AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
            },
          });
          let stderr = '';
          p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          p.on('close', (status) => resolve({ status, stderr }));
        });
        expect(child.stderr).not.toMatch(/Unknown options|invalid choice|usage:/);
        expect(child.status, child.stderr).toBe(0);
      });
    }
    it('every command reached the recorder once', () => {
      expect(seen.length).toBe(awsCommands.length);
    });
  },
);

describe.skipIf(!kubectlAvailable && !process.env.CI)(
  `kubectl commands are accepted${kubectlAvailable ? '' : ' (SKIPPED: kubectl not installed)'}`,
  () => {
    it('has kubectl commands to check', () => expect(kubectlCommands.length).toBeGreaterThan(0));
    for (const c of kubectlCommands) {
      it(c.text, () => {
        const r = spawnSync(c.argv[0] ?? 'kubectl', [...c.argv.slice(1), '--dry-run=client', '-o', 'yaml'], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: '/dev/null' },
        });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/kind: (Cluster)?RoleBinding/);
      });
    }
  },
);
