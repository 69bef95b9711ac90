import { describe, expect, it } from 'vitest';
import { tokenSigner } from '../../src/evidence/client.js';
import { parseLogLines } from '../../src/parse/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { build, role, session, user } from '../helpers/build.js';
import { deniedLine, grantedLine, KEY_ID, stsLine, withEvidence } from '../helpers/client.js';

const DEPLOY = role('eks-deploy');
const now = new Date('2026-11-20T09:30:00Z');

function signer(snapshot: Snapshot, opts: { given?: string; status?: number; accessKeyId?: string } = {}) {
  const lines = snapshot.incident?.logLines ?? [];
  return tokenSigner({
    snapshot,
    incident: lines.length ? parseLogLines(lines, { now }) : undefined,
    givenArn: opts.given ?? DEPLOY,
    observedStatus: 'status' in opts ? opts.status : 401,
    accessKeyId: opts.accessKeyId,
    impersonating: false,
  });
}

const logs = (...lines: Array<{ timestamp: string; message: string }>) =>
  withEvidence(build({ principal: DEPLOY }), { authenticatorLogs: { status: 'ok', data: lines } });

describe('tokenSigner', () => {
  it('a pasted audit event names the caller in user.extra.arn', () => {
    const audit = JSON.stringify({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      stage: 'ResponseComplete',
      requestURI: '/api/v1/pods',
      verb: 'list',
      user: { username: 'ci', extra: { arn: [session('ci-runner', 'job-7')] } },
      responseStatus: { code: 403 },
    });
    const found = signer(build({ principal: DEPLOY, logLines: [audit] }), { status: 403 });
    expect(found).toMatchObject({
      arn: session('ci-runner', 'job-7'),
      match: 'error',
      pointer: '/incident/logLines/0',
    });
  });

  it('a pasted authenticator denial names the signer', () => {
    const line = deniedLine('2026-11-20T09:20:00Z', 'identity is not mapped', user('build-bot')).message;
    expect(signer(build({ principal: DEPLOY, logLines: [line] }))?.arn).toBe(user('build-bot'));
  });

  it("the token's access key answered for the given principal: no other signer, whatever else the log shows", () => {
    const snapshot = logs(
      stsLine('2026-11-20T09:20:00Z', session('eks-deploy', 'sam'), 'sam', 'AROARJ2VQ7MXDEPLOY01'),
      deniedLine('2026-11-20T09:20:01Z', 'identity is not mapped', user('build-bot')),
    );
    expect(signer(snapshot, { accessKeyId: KEY_ID })).toBeUndefined();
  });

  it('prefers the STS session ARN of the denied principal', () => {
    const snapshot = logs(
      stsLine('2026-11-20T09:20:00Z', session('ci-runner', 'job-7'), 'job-7', 'AROARJ2VQ7MXCIRUN001'),
      deniedLine('2026-11-20T09:20:00Z', 'identity is not mapped', role('ci-runner')),
    );
    expect(signer(snapshot)).toMatchObject({ arn: session('ci-runner', 'job-7'), match: 'time' });
  });

  it('a role given with a path is the same principal as the path-less ARN the authenticator logs', () => {
    const snapshot = logs(deniedLine('2026-11-20T09:20:00Z', 'identity is not mapped', DEPLOY));
    expect(signer(snapshot, { given: role('eks-deploy', '/teams/') })).toBeUndefined();
  });

  it("the given principal's own line anywhere in the collected log blocks a match by time (QA noise b2, b3)", () => {
    const snapshot = logs(
      deniedLine('2026-11-20T09:05:00Z', 'identity is not mapped', session('eks-deploy', 'sam')),
      deniedLine('2026-11-20T09:29:00Z', 'identity is not mapped', role('ci-runner')),
    );
    expect(signer(snapshot)).toBeUndefined();
  });

  it('an old grant of the given principal blocks a match by time too (QA noise c4)', () => {
    const snapshot = logs(
      grantedLine('2026-11-20T09:13:00Z', DEPLOY, 'deploy', []),
      deniedLine('2026-11-20T09:28:00Z', 'identity is not mapped', role('ci-runner')),
    );
    expect(signer(snapshot)).toBeUndefined();
  });

  const forbidden = (arn: string) =>
    `Error from server (Forbidden): nodes is forbidden: User "${arn}" cannot list resource "nodes" in API group "" at the cluster scope`;

  it("a colleague's Forbidden pasted above the user's own does not replace the given principal (QA noise b7)", () => {
    const lines = [forbidden(session('dev', 'minji')), forbidden(session('eks-deploy', 'sam'))];
    expect(signer(build({ principal: DEPLOY, logLines: lines }), { status: 403 })).toBeUndefined();
  });

  it('a pasted Forbidden naming another principal still names the signer of a 403', () => {
    const lines = [forbidden(session('ReadOnly', 'sam'))];
    expect(signer(build({ principal: DEPLOY, logLines: lines }), { status: 403 })).toMatchObject({
      arn: session('ReadOnly', 'sam'),
      match: 'error',
    });
  });

  it('a Forbidden line does not explain a 401, nor two different principals a 403', () => {
    const one = [forbidden(session('ReadOnly', 'sam'))];
    expect(signer(build({ principal: DEPLOY, logLines: one }), { status: 401 })).toBeUndefined();
    const two = [forbidden(session('ReadOnly', 'sam')), forbidden(session('dev', 'minji'))];
    expect(signer(build({ principal: DEPLOY, logLines: two }), { status: 403 })).toBeUndefined();
  });

  it('a pasted authenticator denial of another principal needs an observed 401 (QA noise a5)', () => {
    const line = deniedLine('2026-11-20T09:20:00Z', 'identity is not mapped', role('ci-runner')).message;
    const snapshot = build({ principal: DEPLOY, logLines: [line] });
    expect(signer(snapshot, { status: undefined })).toBeUndefined();
    expect(signer(snapshot, { status: 403 })).toBeUndefined();
  });

  it("the given principal's own pasted line keeps it the signer, whatever else is pasted (QA noise a5)", () => {
    const lines = [
      deniedLine('2026-11-20T09:20:00Z', 'identity is not mapped', role('ci-runner')).message,
      grantedLine('2026-11-20T09:20:01Z', DEPLOY, 'deploy', []).message,
    ];
    expect(signer(build({ principal: DEPLOY, logLines: lines }))).toBeUndefined();
  });

  it('only for a 401: a 403 is never explained by an authenticator denial', () => {
    const snapshot = logs(deniedLine('2026-11-20T09:20:00Z', 'identity is not mapped', user('build-bot')));
    expect(signer(snapshot, { status: 403 })).toBeUndefined();
  });
});
