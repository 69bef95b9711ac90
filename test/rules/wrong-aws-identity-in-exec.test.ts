import rule from '../../rules/wrong-aws-identity-in-exec.js';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import { describe, expect, it } from 'vitest';
import { diagnoseDetailed } from '../../src/engine/diagnose.js';
import { build, CA, EDIT, entry, role, session, user, VIEW } from '../helpers/build.js';
import {
  deniedLine,
  grantedLine,
  kubeconfig,
  stsLine,
  tokenUrl,
  withEvidence,
  withIncident,
} from '../helpers/client.js';

const CI = session('ci-deployer', 'GitLabRunner-4821');
const ADMIN = session('PlatformAdmin', 'jiwoo.kim');
const adminEntry = entry(role('PlatformAdmin'), { policies: [[CA, { type: 'cluster' }]] });
const caller = (arn: string, userId = 'AROARJ2VQ7MXADMIN001:jiwoo.kim') => ({
  callerIdentity: { status: 'ok' as const, data: { Arn: arn, Account: '111122223333', UserId: userId } },
});

const DEPLOY = role('eks-deploy');
const DEPLOYMENTS = '/apis/apps/v1/namespaces/checkout/deployments';
const PATCH_API = '/apis/apps/v1/namespaces/checkout/deployments/api';
const deployEntry = entry(DEPLOY, { policies: [[EDIT, { type: 'namespace', namespaces: ['checkout'] }]] });
const READONLY_403 =
  'Error from server (Forbidden): deployments.apps "api" is forbidden: User "arn:aws:sts::111122223333:assumed-role/ReadOnly/botocore-session-1772641800" cannot patch resource "deployments" in API group "apps" in the namespace "checkout"';

runRuleTests(rule, {
  valid: [
    {
      name: 'the shell signs as the failing principal too',
      snapshot: withEvidence(build({ principal: CI, status: 401, entries: [adminEntry] }), caller(CI)),
    },
    {
      name: 'the shell identity is not mapped either',
      snapshot: withEvidence(
        build({ principal: CI, status: 401, entries: [adminEntry] }),
        caller(session('Developer', 'sam')),
      ),
    },
    {
      name: 'an allowed request with no observed failure',
      snapshot: withEvidence(build({ principal: ADMIN, entries: [adminEntry] }), caller(ADMIN)),
    },
  ],
  invalid: [
    {
      name: 'the kubeconfig pins AWS_PROFILE=ci-deployer while the shell is the admin',
      snapshot: withEvidence(build({ principal: CI, status: 401, entries: [adminEntry] }), {
        ...caller(ADMIN),
        kubeconfig: { status: 'ok', data: kubeconfig({ profile: 'ci-deployer' }) },
      }),
      messageId: 'signsAsOther',
      severity: 'error',
      first: true,
      evidence: ['/callerIdentity/data/Arn', '/accessEntries/data/0', '/kubeconfig/data/users/0/user/exec'],
    },
    {
      name: 'IAM users: env keys of another user win over the profile (CONFIG_MAP)',
      snapshot: withEvidence(
        build({
          mode: 'CONFIG_MAP',
          principal: user('build-bot'),
          status: 401,
          mapUsers: `- userarn: ${user('alice')}\n  username: alice\n  groups:\n  - system:masters\n`,
        }),
        caller(user('alice'), 'AIDARJ2VQ7MXALICE0001'),
      ),
      messageId: 'signsAsOther',
      severity: 'error',
      first: true,
    },
    {
      name: 'the authenticator denied another principal, the given role has access (QA fm03-1)',
      snapshot: withEvidence(
        build({ mode: 'API', principal: DEPLOY, status: 401, path: DEPLOYMENTS, entries: [deployEntry] }),
        {
          authenticatorLogs: {
            status: 'ok',
            data: [
              stsLine(
                '2026-11-20T09:21:02Z',
                user('build-bot'),
                '',
                'AIDARJ2VQ7MXBUILDBOT1',
                'AKIARJ2VQ7MXBUILD001',
              ),
              deniedLine('2026-11-20T09:21:02Z', 'identity is not mapped', user('build-bot')),
            ],
          },
          kubeconfig: { status: 'ok', data: kubeconfig() },
        },
      ),
      // Tied to the failure by time only: named as the likely signer, with a check, and never granted anything.
      messageId: 'likelySigner',
      severity: 'warning',
      first: true,
      evidence: ['/authenticatorLogs/data/1', '/accessEntries/data/0'],
    },
    {
      name: 'the given principal is not mapped itself: another principal denied 1 s earlier is only an alternative (QA noise b11)',
      snapshot: withIncident(
        withEvidence(build({ mode: 'API', principal: DEPLOY, status: 401, path: DEPLOYMENTS }), {
          authenticatorLogs: {
            status: 'ok',
            data: [deniedLine('2026-11-20T09:21:04Z', 'identity is not mapped', role('ci-runner'))],
          },
        }),
        { observedAt: '2026-11-20T09:21:05Z' },
      ),
      messageId: 'alsoDenied',
      severity: 'info',
    },
    {
      name: 'a pasted 403 names another role; the kubeconfig pins AWS_PROFILE (QA fm03-2)',
      snapshot: withEvidence(
        build({
          principal: ADMIN,
          status: 403,
          path: PATCH_API,
          verb: 'PATCH',
          entries: [adminEntry, entry(role('ReadOnly'), { policies: [[VIEW, { type: 'cluster' }]] })],
          logLines: [READONLY_403],
        }),
        { ...caller(ADMIN), kubeconfig: { status: 'ok', data: kubeconfig({ profile: 'readonly' }) } },
      ),
      messageId: 'signsAsOther',
      severity: 'error',
      first: true,
      evidence: ['/incident/logLines/0', '/callerIdentity/data/Arn'],
    },
    {
      name: "the token's access key in an STS response names the signer, whatever the time",
      snapshot: withEvidence(
        build({ mode: 'API', principal: DEPLOY, status: 401, path: DEPLOYMENTS, entries: [deployEntry] }),
        {
          token: { status: 'ok', data: { url: tokenUrl({ date: '2026-11-20T09:29:00Z' }), length: 1212 } },
          authenticatorLogs: {
            status: 'ok',
            data: [stsLine('2026-11-20T06:00:00Z', user('build-bot'), '', 'AIDARJ2VQ7MXBUILDBOT1')],
          },
        },
      ),
      messageId: 'signsAsOther',
      severity: 'error',
      first: true,
    },
    {
      name: 'another identity signed, and the given one would not be allowed either',
      snapshot: build({
        principal: ADMIN,
        status: 403,
        path: PATCH_API,
        verb: 'PATCH',
        entries: [entry(role('ReadOnly'), { policies: [[VIEW, { type: 'cluster' }]] })],
        logLines: [READONLY_403],
      }),
      messageId: 'signedByOther',
      severity: 'info',
    },
    {
      name: 'the principal would be allowed, yet the client saw 401',
      snapshot: build({ principal: ADMIN, status: 401, entries: [adminEntry] }),
      messageId: 'allowedButObserved',
      severity: 'info',
    },
  ],
});

describe('wrong-aws-identity-in-exec: who signed', () => {
  const deployed = (lines: Array<{ timestamp: string; message: string }>, observedAt?: string) =>
    withIncident(
      withEvidence(
        build({ mode: 'API', principal: DEPLOY, status: 401, path: DEPLOYMENTS, entries: [deployEntry] }),
        { authenticatorLogs: { status: 'ok', data: lines } },
      ),
      observedAt ? { observedAt } : {},
    );

  it('does not replay a principal tied to the failure by time only: the sts stage stays undecided', () => {
    const { report, simulation } = diagnoseDetailed(
      deployed([deniedLine('2026-11-20T09:21:02Z', 'identity is not mapped', user('build-bot'))]),
    );
    expect(report.verdict.outcome).toBe('unauthenticated');
    expect(simulation.principal?.arn).toBe(DEPLOY);
    expect(simulation.signedBy).toBeUndefined();
    expect(simulation.likelySigner?.arn).toBe(user('build-bot'));
    const sts = report.trace.find((s) => s.stage === 'sts');
    expect(sts?.result).toBe('unknown');
    expect(sts?.detail).toContain('probably signed by another principal');
  });

  it('suggests --role for the given role, and grants nothing to a principal matched by time (QA noise M2)', () => {
    const snapshot = withEvidence(
      deployed([deniedLine('2026-11-20T09:21:02Z', 'identity is not mapped', user('build-bot'))]),
      { kubeconfig: { status: 'ok', data: kubeconfig() } },
    );
    const { mine, report } = findingsOf(rule, { name: 'x', snapshot });
    expect(mine[0]?.fixes[0]?.snippet?.content).toContain(`- --role\n        - ${DEPLOY}`);
    const commands = report.findings.flatMap((f) => f.fixes.flatMap((x) => x.commands.map((c) => c.text)));
    expect(commands.filter((c) => c.includes('build-bot'))).toEqual([]);
  });

  it('a principal denied near the failure is never replayed when the given one is not mapped (QA noise b11)', () => {
    const { report, simulation } = diagnoseDetailed(
      withIncident(
        withEvidence(build({ mode: 'API', principal: DEPLOY, status: 401, path: DEPLOYMENTS }), {
          authenticatorLogs: {
            status: 'ok',
            data: [deniedLine('2026-11-20T09:21:04Z', 'identity is not mapped', role('ci-runner'))],
          },
        }),
        { observedAt: '2026-11-20T09:21:05Z' },
      ),
    );
    expect(simulation.principal?.arn).toBe(DEPLOY);
    expect(report.findings[0]?.ruleId).toBe('principal-not-mapped');
    const commands = report.findings.flatMap((f) => f.fixes.flatMap((x) => x.commands.map((c) => c.text)));
    expect(commands.some((c) => c.includes('ci-runner'))).toBe(false);
  });

  it("the given principal's own denial far from the failure time keeps it the signer (QA noise b3)", () => {
    const { report, simulation } = diagnoseDetailed(
      withIncident(
        withEvidence(build({ mode: 'API', principal: DEPLOY, status: 401, path: DEPLOYMENTS }), {
          authenticatorLogs: {
            status: 'ok',
            data: [
              deniedLine('2026-11-20T09:21:04Z', 'identity is not mapped', role('ci-runner')),
              deniedLine('2026-11-20T09:23:35Z', 'identity is not mapped', DEPLOY),
            ],
          },
        }),
        { observedAt: '2026-11-20T09:21:05Z' },
      ),
    );
    expect(simulation.principal?.arn).toBe(DEPLOY);
    expect(simulation.likelySigner).toBeUndefined();
    expect(report.findings[0]?.ruleId).toBe('principal-not-mapped');
  });

  it('does not follow another denial when the given principal itself is in the log near the failure', () => {
    const { simulation } = diagnoseDetailed(
      deployed(
        [
          deniedLine('2026-11-20T09:21:02Z', 'identity is not mapped', user('build-bot')),
          grantedLine('2026-11-20T09:21:10Z', DEPLOY, 'deploy', []),
        ],
        '2026-11-20T09:21:05Z',
      ),
    );
    expect(simulation.signedBy).toBeUndefined();
  });

  it('does not guess between two denied principals', () => {
    const { simulation } = diagnoseDetailed(
      deployed(
        [
          deniedLine('2026-11-20T09:21:02Z', 'identity is not mapped', user('build-bot')),
          deniedLine('2026-11-20T09:21:20Z', 'identity is not mapped', user('other-bot')),
        ],
        '2026-11-20T09:21:05Z',
      ),
    );
    expect(simulation.signedBy).toBeUndefined();
  });

  it('ignores a denial far from the known failure time', () => {
    const { simulation } = diagnoseDetailed(
      deployed(
        [deniedLine('2026-11-20T08:01:02Z', 'identity is not mapped', user('build-bot'))],
        '2026-11-20T09:21:05Z',
      ),
    );
    expect(simulation.signedBy).toBeUndefined();
  });

  it('a 403 proves the signer authenticated: its uncollected mapping is unknown, not missing', () => {
    const { report, simulation } = diagnoseDetailed(
      withEvidence(
        build({
          principal: ADMIN,
          status: 403,
          path: PATCH_API,
          verb: 'PATCH',
          entries: [adminEntry],
          logLines: [READONLY_403],
        }),
        caller(ADMIN),
      ),
    );
    expect(simulation.principal?.arn).toContain('assumed-role/ReadOnly/');
    expect(report.trace.find((s) => s.stage === 'mapping')?.result).toBe('unknown');
    expect(report.verdict.outcome).toBe('forbidden');
    expect(report.findings[0]?.ruleId).toBe('wrong-aws-identity-in-exec');
    expect(report.findings[0]?.severity).toBe('error');
  });

  it('does not take an impersonated user for the signer', () => {
    const { simulation } = diagnoseDetailed(
      build({
        principal: ADMIN,
        status: 403,
        path: PATCH_API,
        verb: 'PATCH',
        entries: [adminEntry],
        logLines: [
          READONLY_403,
          'kubectl patch deployment api -n checkout --as arn:aws:sts::111122223333:assumed-role/ReadOnly/botocore-session-1772641800',
        ],
      }),
    );
    expect(simulation.signedBy).toBeUndefined();
    expect(simulation.impersonation?.user).toContain('ReadOnly');
  });
});
