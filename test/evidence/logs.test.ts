import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnoseDetailed } from '../../src/engine/diagnose.js';
import { citeFact, logEvidenceFor, principalKey } from '../../src/evidence/logs.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { ACCT, CA, build, entry, role, session, user } from '../helpers/build.js';
import { authLine, deniedLine, grantedLine, stsFailure, stsLine, withEvidence } from '../helpers/client.js';
import { loadSample } from '../helpers/samples.js';

const BOB = session('data-analysts', 'bob');
const BOB_ROLE = role('data-analysts');

function withLogs(
  lines: Array<{ timestamp: string; message: string }>,
  base: Snapshot = build({ principal: BOB }),
) {
  return withEvidence(base, { authenticatorLogs: { status: 'ok', data: lines } });
}

function facts(
  snapshot: Snapshot,
  principalArn: string | undefined,
  observedAt?: string,
  observedStatus?: number,
) {
  return [...logEvidenceFor(snapshot, { principalArn, observedAt, observedStatus }).facts].sort();
}

describe('principalKey', () => {
  it.each([
    [BOB, BOB_ROLE.toLowerCase()],
    ['ARN:AWS:IAM::111122223333:ROLE/Data-Analysts', undefined],
    ['arn:aws:iam::111122223333:role/Data-Analysts', 'arn:aws:iam::111122223333:role/data-analysts'],
    [user('alice', '/eng/'), `arn:aws:iam::${ACCT}:user/eng/alice`],
    ['not an arn', undefined],
    [undefined, undefined],
  ])('%s → %s', (arn, key) => {
    expect(principalKey(arn)).toBe(key);
  });
});

describe('every generation of the "not mapped" message is read and tied to the principal', () => {
  const t = '2026-11-20T09:14:02Z';
  it.each([
    ['HEAD (lower-case)', deniedLine(t, 'identity is not mapped', BOB_ROLE)],
    ['v0.6.30+ "Identity is not mapped"', deniedLine(t, 'Identity is not mapped', BOB_ROLE)],
    ['v0.5 "ARN is not mapped"', deniedLine(t, 'ARN is not mapped', BOB_ROLE)],
    [
      'v0.4 "ARN is not mapped: <lower-cased arn>" without arn= field',
      authLine(
        t,
        `level=warning msg="access denied" client="127.0.0.1:50312" error="ARN is not mapped: ${BOB_ROLE.toLowerCase()}" method=POST path=/authenticate sts=sts.amazonaws.com`,
      ),
    ],
    [
      'v0.1 (heptio) "access denied because ARN is not mapped"',
      authLine(
        t,
        `level=warning msg="access denied because ARN is not mapped" arn="${BOB_ROLE}" client="127.0.0.1:50312" method=POST path=/authenticate`,
      ),
    ],
  ])('%s', (_name, line) => {
    const snapshot = withLogs([line]);
    expect(facts(snapshot, BOB)).toContain('identity-not-mapped');
    const cited = citeFact(logEvidenceFor(snapshot, { principalArn: BOB }), 'identity-not-mapped');
    expect(cited?.pointer).toBe('/authenticatorLogs/data/0');
    expect(cited?.source).toBe('authenticatorLogs');
  });
});

describe('matching lines to the failing principal', () => {
  it('compares canonical ARNs case-insensitively (an STS session matches its role line)', () => {
    const snapshot = withLogs([
      deniedLine('2026-11-20T09:14:02Z', 'identity is not mapped', role('Data-Analysts')),
    ]);
    expect(facts(snapshot, BOB)).toContain('identity-not-mapped');
    expect(facts(snapshot, BOB_ROLE)).toContain('identity-not-mapped');
  });

  it('leaves other principals alone', () => {
    const snapshot = withLogs([
      deniedLine('2026-11-20T09:14:02Z', 'identity is not mapped', role('ci-deployer')),
    ]);
    expect(facts(snapshot, BOB)).toEqual([]);
    expect(logEvidenceFor(snapshot, { principalArn: BOB }).citations).toEqual([]);
  });

  it('reads "access granted ... username=" with an empty name', () => {
    const snapshot = withLogs([grantedLine('2026-11-20T09:14:02Z', BOB_ROLE, '', ['system:masters'])]);
    expect(facts(snapshot, BOB)).toEqual(['access-granted', 'empty-username']);
    expect(citeFact(logEvidenceFor(snapshot, { principalArn: BOB }), 'empty-username')?.note).toMatch(
      /username="" \(empty\) groups=\[system:masters\]/,
    );
  });

  it('reads the STS response line (access key) without treating it as a decision', () => {
    const snapshot = withLogs([stsLine('2026-11-20T09:14:02Z', BOB, 'bob', 'AROARJ2VQ7MXANALYST1')]);
    expect(facts(snapshot, BOB)).toEqual([]);
  });

  it.each([
    ['ARN does not match User ID', 'ARN does not match User ID', 'arn-does-not-match-user-id'],
    [
      'template render error',
      'mapper EKSConfigMap renderTemplates error: error rendering username template "system:node:{{EC2PrivateDNSName}}": SessionName did not contain an instance id',
      'template-render-failed',
    ],
  ])('reads %s', (_name, error, fact) => {
    const snapshot = withLogs([deniedLine('2026-11-20T09:14:02Z', error, BOB_ROLE)]);
    expect(facts(snapshot, BOB)).toContain(fact);
  });
});

describe('which line decides', () => {
  const lines = [
    deniedLine('2026-11-20T06:00:00Z', 'identity is not mapped', BOB_ROLE),
    grantedLine('2026-11-20T09:10:00Z', BOB_ROLE, 'bob', ['analysts']),
    deniedLine('2026-11-20T09:20:00Z', 'identity is not mapped', BOB_ROLE),
  ];
  it('the one nearest the incident time, within 15 minutes', () => {
    expect(facts(withLogs(lines), BOB, '2026-11-20T09:11:00Z')).toEqual(['access-granted']);
    expect(facts(withLogs(lines), BOB, '2026-11-20T09:19:00Z')).toEqual([
      'identity-not-mapped',
      'unauthorized',
    ]);
  });
  it('none when every line is far from the incident', () => {
    expect(facts(withLogs(lines), BOB, '2026-11-19T09:00:00Z')).toEqual([]);
  });
  it('the latest when the incident time is unknown', () => {
    expect(facts(withLogs(lines), BOB)).toEqual(['identity-not-mapped', 'unauthorized']);
  });
  it('counts the other lines with the same fact instead of citing each', () => {
    const evidence = logEvidenceFor(withLogs(lines), {
      principalArn: BOB,
      observedAt: '2026-11-20T09:11:00Z',
    });
    const notMapped = evidence.citations.filter((c) => c.fact === 'identity-not-mapped');
    expect(notMapped).toHaveLength(1);
    expect(notMapped[0]).toMatchObject({ pointer: '/authenticatorLogs/data/2', more: 1 });
  });
});

describe('token and STS denials name nobody: tied by time only', () => {
  const expired = deniedLine(
    '2026-11-20T09:14:02Z',
    'input token was not properly formatted: X-Amz-Date parameter is expired (15 minute expiration) 2026-11-20 08:51:40 +0000 UTC',
  );
  it('a denial within two minutes of an observed 401 counts, and says how it was matched', () => {
    const snapshot = withLogs([expired]);
    expect(facts(snapshot, BOB, '2026-11-20T09:15:00Z', 401)).toContain('token-expired');
    const evidence = logEvidenceFor(snapshot, {
      principalArn: BOB,
      observedAt: '2026-11-20T09:15:00Z',
      observedStatus: 401,
    });
    expect(evidence.citations[0]).toMatchObject({ match: 'time', pointer: '/authenticatorLogs/data/0' });
    expect(evidence.citations[0]?.note).toMatch(/names no principal/);
    expect(evidence.weak).toBe(true);
  });
  it('not with a 403 or no status: nothing about a token to explain (QA noise a7, b5)', () => {
    const snapshot = withLogs([expired]);
    expect(facts(snapshot, BOB, '2026-11-20T09:15:00Z')).toEqual([]);
    expect(facts(snapshot, BOB, '2026-11-20T09:15:00Z', 403)).toEqual([]);
  });
  it('counts the other nameless denials of the burst', () => {
    const burst = [0, 1, 2].map((i) =>
      deniedLine(
        `2026-11-20T09:14:0${i}Z`,
        'sts getCallerIdentity was throttled: {"Error":{"Code":"Throttling"}}',
      ),
    );
    const evidence = logEvidenceFor(withLogs(burst), {
      principalArn: BOB,
      observedAt: '2026-11-20T09:14:03Z',
      observedStatus: 401,
    });
    expect(evidence.citations.find((c) => c.fact === 'sts-throttled')).toMatchObject({
      pointer: '/authenticatorLogs/data/2',
      more: 2,
    });
  });
  it('not when the incident time is unknown or far away', () => {
    const snapshot = withLogs([expired]);
    expect(facts(snapshot, BOB)).toEqual([]);
    expect(facts(snapshot, BOB, '2026-11-20T09:30:00Z', 401)).toEqual([]);
  });
  it("an expired token closer to the incident than the principal's last grant wins (tokens expire one by one)", () => {
    const snapshot = withLogs([grantedLine('2026-11-20T09:13:00Z', BOB_ROLE, 'bob', ['analysts']), expired]);
    expect(facts(snapshot, BOB, '2026-11-20T09:14:05Z', 401)).toContain('token-expired');
    expect(facts(snapshot, BOB, '2026-11-20T09:13:10Z', 401)).toEqual(['access-granted']);
  });
  it("an STS answer blaming the credentials never beats the principal's grant near the incident (QA noise c1)", () => {
    const stsExpired = deniedLine(
      '2026-11-20T09:14:02Z',
      stsFailure('ExpiredToken', 'The security token included in the request is expired'),
    );
    const near = withLogs([grantedLine('2026-11-20T09:13:30Z', BOB_ROLE, 'bob', ['analysts']), stsExpired]);
    expect(facts(near, BOB, '2026-11-20T09:14:01Z', 401)).toEqual(['access-granted']);
    // A grant minutes before shows the credentials worked then, not that they still do.
    const older = withLogs([grantedLine('2026-11-20T09:08:00Z', BOB_ROLE, 'bob', ['analysts']), stsExpired]);
    expect(facts(older, BOB, '2026-11-20T09:14:01Z', 401)).toContain('sts-expired-token');
  });
  it("not when the principal's own line is near the incident", () => {
    const snapshot = withLogs([
      expired,
      deniedLine('2026-11-20T09:14:30Z', 'identity is not mapped', BOB_ROLE),
    ]);
    expect(facts(snapshot, BOB, '2026-11-20T09:15:00Z', 401)).toEqual([
      'identity-not-mapped',
      'unauthorized',
    ]);
  });
  it.each([
    [
      'sts-throttled',
      'sts getCallerIdentity was throttled: {"Error":{"Code":"Throttling","Message":"Rate exceeded","Type":"Sender"}}',
    ],
    [
      'sts-signature-mismatch',
      stsFailure(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      ),
    ],
    [
      'sts-expired-token',
      stsFailure('ExpiredToken', 'The security token included in the request is expired'),
    ],
    [
      'sts-invalid-client-token',
      stsFailure('InvalidClientTokenId', 'The security token included in the request is invalid.'),
    ],
  ])('%s', (fact, error) => {
    const snapshot = withLogs([deniedLine('2026-11-20T09:14:02Z', error)]);
    expect(facts(snapshot, BOB, '2026-11-20T09:14:30Z', 401)).toContain(fact);
  });
});

describe('nameless denials without an incident time: the latest stands in for an observed 401', () => {
  const invalid = (time: string) =>
    deniedLine(
      time,
      stsFailure('InvalidClientTokenId', 'The security token included in the request is invalid.'),
    );
  const evidenceOf = (snapshot: Snapshot, observedStatus?: number) =>
    logEvidenceFor(snapshot, { principalArn: BOB, observedStatus });

  it('is used when the user saw 401 and no line of the principal explains it, and says it is weaker', () => {
    const evidence = evidenceOf(withLogs([invalid('2026-11-20T09:29:10Z')]), 401);
    expect([...evidence.facts]).toContain('sts-invalid-client-token');
    const cited = citeFact(evidence, 'sts-invalid-client-token');
    expect(cited?.pointer).toBe('/authenticatorLogs/data/0');
    expect(cited?.note).toMatch(/incident time is unknown.*likely, not certain/);
    expect(evidence.citations[0]?.match).toBe('latest');
  });
  it('works without a principal too (STS failures name nobody)', () => {
    const snapshot = withLogs([invalid('2026-11-20T09:29:10Z')]);
    expect([...logEvidenceFor(snapshot, { observedStatus: 401 }).facts]).toContain(
      'sts-invalid-client-token',
    );
  });
  it('is not used without an observed 401', () => {
    const snapshot = withLogs([invalid('2026-11-20T09:29:10Z')]);
    expect([...evidenceOf(snapshot).facts]).toEqual([]);
    expect([...evidenceOf(snapshot, 403).facts]).toEqual([]);
  });
  it('picks the latest of several and counts the others of its burst', () => {
    const expired = deniedLine(
      '2026-11-20T06:00:00Z',
      'input token was not properly formatted: X-Amz-Date parameter is expired (15 minute expiration) 2026-11-20 05:40:00 +0000 UTC',
    );
    const snapshot = withLogs([invalid('2026-11-20T09:29:05Z'), invalid('2026-11-20T09:29:10Z'), expired]);
    const evidence = evidenceOf(snapshot, 401);
    expect([...evidence.facts]).not.toContain('token-expired');
    expect(citeFact(evidence, 'sts-invalid-client-token')).toMatchObject({
      pointer: '/authenticatorLogs/data/1',
    });
    expect(evidence.citations.find((c) => c.fact === 'sts-invalid-client-token')?.more).toBe(1);
  });
  it("never when the principal's own grant is later", () => {
    const snapshot = withLogs([
      invalid('2026-11-20T09:20:00Z'),
      grantedLine('2026-11-20T09:25:00Z', BOB_ROLE, 'bob', ['analysts']),
    ]);
    expect([...evidenceOf(snapshot, 401).facts]).toEqual(['access-granted']);
  });
  it("never when the principal's grant is less than a token lifetime older (QA noise c2)", () => {
    const snapshot = withLogs([
      grantedLine('2026-11-20T09:15:00Z', BOB_ROLE, 'bob', ['analysts']),
      invalid('2026-11-20T09:20:00Z'),
    ]);
    expect([...evidenceOf(snapshot, 401).facts]).toEqual(['access-granted']);
  });
  it("when the principal's grant is older than the denial", () => {
    const snapshot = withLogs([
      grantedLine('2026-11-20T08:00:00Z', BOB_ROLE, 'bob', ['analysts']),
      invalid('2026-11-20T09:20:00Z'),
    ]);
    expect([...evidenceOf(snapshot, 401).facts]).toContain('sts-invalid-client-token');
  });
  it("never over the principal's own denial", () => {
    const snapshot = withLogs([
      deniedLine('2026-11-20T09:00:00Z', 'identity is not mapped', BOB_ROLE),
      invalid('2026-11-20T09:20:00Z'),
    ]);
    expect([...evidenceOf(snapshot, 401).facts].sort()).toEqual(['identity-not-mapped', 'unauthorized']);
  });
  it('the simulator fails the STS stage instead of replaying an allowed request (QA fm13-1)', () => {
    const snapshot = withLogs(
      [invalid('2026-11-20T09:29:10Z')],
      build({
        principal: BOB,
        status: 401,
        entries: [entry(BOB_ROLE, { policies: [[CA, { type: 'cluster' }]] })],
      }),
    );
    const { simulation, report } = diagnoseDetailed(snapshot);
    expect(simulation.failingStage).toBe('sts');
    expect(report.verdict.outcome).toBe('unauthenticated');
    expect(report.findings[0]?.severity).toBe('error');
  });
});

describe('the grant that decides', () => {
  it('exposes the username and groups of the principal\'s "access granted" line', () => {
    const snapshot = withLogs([grantedLine('2026-11-20T09:14:02Z', BOB_ROLE, '', ['system:masters'])]);
    expect(logEvidenceFor(snapshot, { principalArn: BOB }).granted).toEqual({
      pointer: '/authenticatorLogs/data/0',
      time: '2026-11-20T09:14:02.000Z',
      username: '',
      groups: ['system:masters'],
    });
  });
  it('none when the deciding line is a denial', () => {
    const snapshot = withLogs([
      grantedLine('2026-11-20T09:00:00Z', BOB_ROLE, 'bob', []),
      deniedLine('2026-11-20T09:14:02Z', 'identity is not mapped', BOB_ROLE),
    ]);
    expect(logEvidenceFor(snapshot, { principalArn: BOB }).granted).toBeUndefined();
  });
});

describe('audit events', () => {
  const event = (code: number, username: string, extra: Record<string, unknown> = {}) => ({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `id-${code}-${username}`,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/analytics/pods',
    verb: 'list',
    user: {
      username,
      groups: ['system:authenticated'],
      extra: { arn: [BOB], canonicalArn: [BOB_ROLE], sessionName: ['bob'] },
    },
    objectRef: { resource: 'pods', namespace: 'analytics', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code },
    requestReceivedTimestamp: '2026-11-20T09:14:02.000000Z',
    annotations: {
      'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow',
      'authorization.k8s.io/reason': '',
    },
    ...extra,
  });
  const awsAuthEdit = (verb: string, at: string) => ({
    ...event(200, 'arn:aws:sts::111122223333:assumed-role/PlatformAdmin/jiwoo.kim'),
    verb,
    requestURI: '/api/v1/namespaces/kube-system/configmaps/aws-auth',
    objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', apiVersion: 'v1' },
    requestReceivedTimestamp: at,
  });
  const snapshot = withEvidence(build({ principal: BOB }), {
    auditEvents: {
      status: 'ok',
      data: [
        event(200, 'bob'),
        event(403, 'bob'),
        { ...event(401, ''), user: { username: '', groups: [] } },
        awsAuthEdit('patch', '2026-11-20T09:05:00Z'),
        awsAuthEdit('get', '2026-11-20T09:06:00Z'),
        awsAuthEdit('update', '2026-11-20T08:00:00Z'),
        event(200, '', {
          user: {
            username: '',
            groups: ['system:masters', 'system:authenticated'],
            extra: { canonicalArn: [BOB_ROLE] },
          },
        }),
      ],
    },
  });
  const evidence = logEvidenceFor(snapshot, { principalArn: BOB });

  it('cites a 403 with its user and decision', () => {
    expect(citeFact(evidence, 'forbidden')).toMatchObject({
      source: 'auditEvents',
      pointer: '/auditEvents/data/1',
    });
    expect(citeFact(evidence, 'forbidden')?.note).toMatch(
      /403 list \/api\/v1\/namespaces\/analytics\/pods as user "bob" decision=forbid/,
    );
  });
  it('cites an empty username that kube-apiserver accepted', () => {
    expect(citeFact(evidence, 'empty-username')?.pointer).toBe('/auditEvents/data/6');
  });
  it('does not blame the failing principal for a nameless 401', () => {
    expect(evidence.citations.some((c) => c.pointer === '/auditEvents/data/2')).toBe(false);
  });
  it('lists aws-auth edits (update, patch, delete), oldest first, whoever made them', () => {
    expect(evidence.awsAuthEdits.map((e) => [e.verb, e.pointer])).toEqual([
      ['update', '/auditEvents/data/5'],
      ['patch', '/auditEvents/data/3'],
    ]);
    expect(evidence.awsAuthEdits[1]?.user).toBe(
      'arn:aws:sts::111122223333:assumed-role/PlatformAdmin/jiwoo.kim',
    );
  });
  it('never feeds audit facts to the simulator', () => {
    expect([...evidence.facts]).toEqual([]);
  });
});

describe('pasted lines', () => {
  it('are cited by their index in incident.logLines', () => {
    const snapshot = build({
      principal: BOB,
      logLines: ['some noise', 'error: You must be logged in to the server (Unauthorized)'],
    });
    expect(citeFact(logEvidenceFor(snapshot, { principalArn: BOB }), 'unauthorized')).toMatchObject({
      source: 'incident',
      pointer: '/incident/logLines/1',
    });
  });
});

describe('indexing once', () => {
  it('answers repeated questions from the same index', () => {
    const snapshot = withLogs([deniedLine('2026-11-20T09:14:02Z', 'identity is not mapped', BOB_ROLE)]);
    const first = logEvidenceFor(snapshot, { principalArn: BOB });
    expect(logEvidenceFor(snapshot, { principalArn: BOB })).toBe(first);
    // The same canonical ARN is the same question.
    expect(logEvidenceFor(snapshot, { principalArn: BOB_ROLE })).toBe(first);
    expect(logEvidenceFor(snapshot, { principalArn: BOB, observedAt: '2026-11-20T09:15:00Z' })).not.toBe(
      first,
    );
  });

  it('reads 20,000 lines in one pass', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      deniedLine(
        new Date(Date.parse('2026-11-20T00:00:00Z') + i * 1000).toISOString(),
        'identity is not mapped',
        role(`r${i % 500}`),
      ),
    );
    const snapshot = withLogs(lines);
    for (let i = 0; i < 50; i++) logEvidenceFor(snapshot, { principalArn: role(`r${i}`) });
    // A rescan per question would parse 50 × 20,000 lines (minutes); one pass plus 50 × 40 parses takes well under this.
    expect(facts(snapshot, role('r7'))).toContain('identity-not-mapped');
  });
});

describe('the simulator and rules use the log evidence', () => {
  it('a token-expired line of the principal fails the token stage like a pasted line', () => {
    const snapshot = withLogs(
      [
        deniedLine(
          '2026-11-20T09:14:02Z',
          'input token was not properly formatted: X-Amz-Date parameter is expired (15 minute expiration) 2026-11-20 08:51:40 +0000 UTC',
        ),
      ],
      build({
        principal: BOB,
        entries: [],
        mapRoles: `- rolearn: ${BOB_ROLE}\n  username: bob\n  groups:\n  - system:masters\n`,
      }),
    );
    const withTime = {
      ...snapshot,
      incident: { ...snapshot.incident, observedAt: '2026-11-20T09:14:30Z', status: 401 },
    };
    expect(diagnoseDetailed(withTime).simulation.failingStage).toBe('token');
    expect(diagnoseDetailed(snapshot).simulation.outcome).toBe('allowed');
  });

  it('principal-not-mapped cites the authenticator line', () => {
    const snapshot = withLogs([deniedLine('2026-11-20T09:14:02Z', 'identity is not mapped', BOB_ROLE)]);
    const finding = diagnoseDetailed(snapshot).report.findings.find(
      (f) => f.ruleId === 'principal-not-mapped',
    );
    expect(finding?.evidence.map((e) => e.pointer)).toContain('/authenticatorLogs/data/0');
  });

  describe('a nameless denial tied by time only fills a gap, never overrides (QA noise)', () => {
    const seedWith = (extra: Array<{ timestamp: string; message: string }>, observedAt?: string) => {
      const { snapshot } = loadSample('seed-metrics-api-empty-username');
      const logs = snapshot.authenticatorLogs?.status === 'ok' ? snapshot.authenticatorLogs.data : [];
      const incident = { ...snapshot.incident };
      if (observedAt) incident.observedAt = observedAt;
      else delete incident.observedAt;
      return {
        ...withEvidence(snapshot, { authenticatorLogs: { status: 'ok', data: [...logs, ...extra] } }),
        incident,
      };
    };
    const stsExpired = (time: string) =>
      deniedLine(time, stsFailure('ExpiredToken', 'The security token included in the request is expired'));
    const lead = (snapshot: Snapshot) => {
      const { report } = diagnoseDetailed(snapshot);
      return [report.verdict.outcome, report.findings.find((f) => f.severity === 'error')?.ruleId];
    };

    it('c1: an expired-credentials line nearer than the seed grant does not hide the empty username', () => {
      const snapshot = seedWith([stsExpired('2025-03-04T01:15:40.300Z')], '2025-03-04T01:15:40Z');
      expect(lead(snapshot)).toEqual(['unauthenticated', 'empty-username-aggregated-api-401']);
    });
    it('c2-like: without a time, a later nameless denial does not replace what the grant explains', () => {
      // 20 minutes after the grant: past the token lifetime, so only the replay keeps it out.
      const snapshot = seedWith([stsExpired('2025-03-04T01:35:40Z')]);
      expect(
        logEvidenceFor(snapshot, { principalArn: snapshot.incident?.principalArn, observedStatus: 401 }).weak,
      ).toBe(true);
      expect(lead(snapshot)).toEqual(['unauthenticated', 'empty-username-aggregated-api-401']);
    });
    it('b4: a burst of nameless expired tokens does not override a principal that is not mapped', () => {
      const snapshot = withLogs(
        [stsExpired('2026-11-20T09:20:00Z'), stsExpired('2026-11-20T09:25:00Z')],
        build({ principal: BOB, status: 401, entries: [] }),
      );
      expect(lead(snapshot)).toEqual(['unauthenticated', 'principal-not-mapped']);
    });
    it('b5: a 403 is never turned into a 401 by a nameless STS denial', () => {
      const snapshot = withLogs(
        [stsExpired('2026-11-20T09:14:02Z')],
        build({ principal: BOB, status: 403, entries: [entry(BOB_ROLE)] }),
      );
      const withTime = {
        ...snapshot,
        incident: { ...snapshot.incident, observedAt: '2026-11-20T09:14:03Z' },
      };
      expect(lead(withTime)).toEqual(['forbidden', 'access-entry-without-policy-or-groups']);
    });
  });

  it('empty-username-aggregated-api-401 cites the "username=" line of the seed sample', () => {
    const { snapshot } = loadSample('seed-metrics-api-empty-username');
    const finding = diagnoseDetailed(snapshot).report.findings[0];
    expect(finding?.ruleId).toBe('empty-username-aggregated-api-401');
    expect(finding?.evidence.map((e) => e.pointer)).toContain('/authenticatorLogs/data/0');
  });
});

describe('robustness', () => {
  it('never throws on arbitrary log messages, audit events and pasted lines', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom('msg="access denied" arn="arn:aws:iam::111122223333:role/x"', 'arn:aws:'),
          ),
          {
            maxLength: 8,
          },
        ),
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        fc.option(fc.string(), { nil: undefined }),
        (messages, events, observedAt) => {
          const snapshot = withEvidence(build({ principal: BOB, logLines: messages }), {
            authenticatorLogs: {
              status: 'ok',
              data: messages.map((message, i) => ({ timestamp: `2026-11-20T09:14:0${i % 10}Z`, message })),
            },
            auditEvents: { status: 'ok', data: events as never },
          });
          const evidence = logEvidenceFor(snapshot, { principalArn: BOB, observedAt });
          expect(evidence.facts).toBeInstanceOf(Set);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('skips records that are not log records (unvalidated library input)', () => {
    const snapshot = withEvidence(build({ principal: BOB }), {
      authenticatorLogs: { status: 'ok', data: [null, { timestamp: 'x', message: 42 }] as never },
      auditEvents: { status: 'ok', data: [null, 'text'] as never },
    });
    expect(logEvidenceFor(snapshot, { principalArn: BOB }).citations).toEqual([]);
  });
});
