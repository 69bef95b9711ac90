/** The package's public API works from `import ... from 'eksdoctor'` (DESIGN §6), through its exports map. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';

const ROOT = join(import.meta.dirname, '..');

describe('library exports', () => {
  it('package.json version matches VERSION', () => {
    expect(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    ).toBe(VERSION);
  });

  it('resolves through the exports map after a build', () => {
    // Self-reference by package name exercises "exports" exactly as a consumer's import would.
    const script = `
      import { canonicalArn, requestAttributes, policyRulesAllow, parseLogLine, diagnose } from 'eksdoctor';
      import { readFileSync } from 'node:fs';
      const out = {
        canonical: canonicalArn('arn:aws:sts::111122223333:assumed-role/Admin/alice'),
        attrs: requestAttributes('/api/v1/namespaces/dev/pods/web-1/log', 'GET'),
        allowed: policyRulesAllow([{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }], requestAttributes('/api/v1/namespaces/dev/pods/web-1/log')),
        parsed: parseLogLine('error: You must be logged in to the server (Unauthorized)').status,
        outcome: diagnose(JSON.parse(readFileSync('samples/seed-metrics-api-empty-username.json', 'utf8'))).verdict.outcome,
      };
      console.log(JSON.stringify(out));`;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out.canonical).toBe('arn:aws:iam::111122223333:role/Admin');
    expect(out.attrs).toEqual({
      isResourceRequest: true,
      path: '/api/v1/namespaces/dev/pods/web-1/log',
      verb: 'get',
      apiPrefix: 'api',
      apiGroup: '',
      apiVersion: 'v1',
      namespace: 'dev',
      resource: 'pods',
      subresource: 'log',
      name: 'web-1',
    });
    expect(out.allowed).toBe(true);
    expect(out.parsed).toBe(401);
    expect(out.outcome).toBe('unauthenticated');
  });
});
