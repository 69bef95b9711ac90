/**
 * `redact`: stable pseudonyms for account ids, ARN names, cluster names, endpoints, session names and key ids,
 * consistent across the whole snapshot (structured fields, aws-auth YAML, log lines, CloudTrail JSON strings), so
 * the diagnosis reads the same; AWS-managed ARNs, system: groups and Kubernetes built-in names stay.
 */
import { describe, expect, it } from 'vitest';
import { redactSnapshot } from '../../src/collect/redact.js';
import { eksToken } from '../../src/collect/kube/presign.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { validateSnapshot } from '../../src/model/load.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { accountFromAccessKeyId, decodeToken } from '../../src/parse/index.js';
import { loadSample, loadSamples } from '../helpers/samples.js';

const ARN = /arn:aws[a-z-]*:(?:iam|sts|eks):[a-z0-9-]*:(\d{12}):([A-Za-z0-9_+=,.@/{}-]+)/g;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const STRUCTURAL = new Set([
  'user',
  'role',
  'assumed-role',
  'federated-user',
  'instance-profile',
  'policy',
  'group',
  'oidc-provider',
  'cluster',
  'access-entry',
  'nodegroup',
  'addon',
  'fargateprofile',
  '{{SessionName}}',
  '{{EC2PrivateDNSName}}',
  '{{AccountID}}',
  'aws-reserved',
  'sso.amazonaws.com',
  'service-role',
  'aws-service-role',
]);

/** Account ids, names in ARNs, cluster names and endpoint ids of a snapshot: what must not survive redaction. */
function secretsOf(snapshot: Snapshot): string[] {
  const text = JSON.stringify(snapshot);
  const found = new Set<string>();
  for (const m of text.matchAll(ARN)) {
    if (m[1]) found.add(m[1]);
    for (const part of (m[2] ?? '').split('/')) {
      if (
        part.length >= 3 &&
        !STRUCTURAL.has(part) &&
        !/^[0-9a-f-]{36}$/.test(part) &&
        !REGION.test(part) &&
        !/^\d{12}$/.test(part)
      ) {
        found.add(part);
      }
    }
  }
  const cluster = snapshot.cluster?.status === 'ok' ? snapshot.cluster.data : undefined;
  if (cluster?.name) found.add(cluster.name);
  const host = /^https:\/\/([A-Za-z0-9]+)\./.exec(cluster?.endpoint ?? '')?.[1];
  if (host) found.add(host);
  return [...found];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe.each(loadSamples())('redacting sample $name', ({ snapshot }) => {
  const redacted = redactSnapshot(snapshot);
  const text = JSON.stringify(redacted);

  it('is still a valid snapshot', () => {
    expect(() => validateSnapshot(JSON.parse(text), 'redacted')).not.toThrow();
  });

  it('leaves no account id, principal, session or cluster name, or endpoint id', () => {
    const secrets = secretsOf(snapshot);
    expect(secrets.length).toBeGreaterThan(2);
    for (const secret of secrets) {
      expect(text, secret).not.toMatch(
        new RegExp(`(?<![A-Za-z0-9_+=,.@-])${escape(secret)}(?![A-Za-z0-9_+=@-])`),
      );
    }
  });

  it('gives the same diagnosis', () => {
    const now = new Date(snapshot.collectedAt ?? Date.now());
    const before = diagnose(snapshot, { now });
    const after = diagnose(redacted, { now });
    expect(after.verdict.outcome).toBe(before.verdict.outcome);
    expect(after.verdict.expectedStatus).toBe(before.verdict.expectedStatus);
    expect(after.findings.map((f) => [f.ruleId, f.severity])).toEqual(
      before.findings.map((f) => [f.ruleId, f.severity]),
    );
    expect(after.trace.map((t) => [t.stage, t.result])).toEqual(before.trace.map((t) => [t.stage, t.result]));
    expect(after.findings.map((f) => f.fixes.length)).toEqual(before.findings.map((f) => f.fixes.length));
  });

  it('is stable: the same input gives the same pseudonyms, and redacting twice changes nothing', () => {
    expect(JSON.stringify(redactSnapshot(snapshot))).toBe(text);
    expect(JSON.stringify(redactSnapshot(redacted))).toBe(text);
  });

  it('keeps AWS-managed policy ARNs, system: groups and built-in role names', () => {
    const original = JSON.stringify(snapshot);
    for (const keep of original.match(
      /arn:aws:eks::aws:cluster-access-policy\/[A-Za-z]+|system:[a-z:-]+|"(?:cluster-admin|admin|edit|view)"/g,
    ) ?? []) {
      expect(text).toContain(keep);
    }
  });
});

describe('redaction inside free text', () => {
  const base = loadSample('namespace-scoped-policy').snapshot;

  it('rewrites ARNs, accounts and names the same way in aws-auth YAML, log lines and CloudTrail JSON', () => {
    const snapshot: Snapshot = {
      ...base,
      awsAuth: {
        status: 'ok',
        data: {
          data: {
            mapRoles:
              '- rolearn: arn:aws:iam::111122223333:role/platform-developers\n  username: dev:{{SessionName}}\n  groups:\n  - system:masters\n',
          },
        },
      },
      authenticatorLogs: {
        status: 'ok',
        data: [
          {
            timestamp: '2025-06-02T03:00:00Z',
            message:
              'level=warning msg="access denied" client="198.18.0.1:1" error="ARN is not mapped: arn:aws:iam::111122223333:role/platform-developers" method=POST',
          },
          {
            timestamp: '2025-06-02T03:00:01Z',
            message:
              'msg="STS response" accountid=111122223333 arn="arn:aws:sts::111122223333:assumed-role/platform-developers/minji.park@example.com" session=minji.park@example.com userid=AROARJ2VQ7MXDEVELOP1 accesskeyid=ASIARJ2VQ7MXABCDEFGH client="52.95.110.1:443"',
          },
        ],
      },
      cloudTrail: {
        status: 'ok',
        data: [
          {
            EventName: 'AssociateAccessPolicy',
            CloudTrailEvent: JSON.stringify({
              sourceIPAddress: '52.95.110.1',
              requestParameters: {
                name: 'platform-prod',
                principalArn: encodeURIComponent('arn:aws:iam::111122223333:role/platform-developers'),
              },
            }),
          },
        ],
      },
    };
    const redacted = redactSnapshot(snapshot);
    const role =
      /role\/([\w-]+)/.exec(
        String((redacted.accessEntries as { data: Array<{ principalArn: string }> }).data[0]?.principalArn),
      )?.[1] ?? '';
    expect(role).toMatch(/^role-\d+$/);
    const yaml = (redacted.awsAuth as unknown as { data: { data: { mapRoles: string } } }).data.data.mapRoles;
    expect(yaml).toBe(
      `- rolearn: arn:aws:iam::100000000001:role/${role}\n  username: dev:{{SessionName}}\n  groups:\n  - system:masters\n`,
    );
    const [denied, sts] = (redacted.authenticatorLogs as { data: Array<{ message: string }> }).data.map(
      (l) => l.message,
    );
    expect(denied).toContain(`ARN is not mapped: arn:aws:iam::100000000001:role/${role}"`);
    expect(denied).toContain('client="198.18.0.1:1"');
    expect(sts).toContain(`assumed-role/${role}/session-1@example.com" session=session-1@example.com`);
    expect(sts).toMatch(/accountid=100000000001 /);
    expect(sts).toContain('client="203.0.113.1:443"');
    expect(sts).not.toMatch(/AROARJ2VQ7MXDEVELOP1|ASIARJ2VQ7MXABCDEFGH|minji/);
    const event = JSON.parse(
      String((redacted.cloudTrail as { data: Array<{ CloudTrailEvent: string }> }).data[0]?.CloudTrailEvent),
    ) as { sourceIPAddress: string; requestParameters: { name: string; principalArn: string } };
    expect(event.requestParameters.name).toBe('cluster-1');
    expect(decodeURIComponent(event.requestParameters.principalArn)).toBe(
      `arn:aws:iam::100000000001:role/${role}`,
    );
    expect(event.sourceIPAddress).toBe('203.0.113.1');
  });

  it('keeps the rendered session name in step ({{SessionName}} turns @ into -)', () => {
    const redacted = redactSnapshot(base);
    const line = redacted.incident?.logLines?.[0] ?? '';
    expect(redacted.incident?.principalArn).toMatch(/assumed-role\/role-\d+\/session-1@example\.com$/);
    expect(line).toMatch(/assumed-role\/role-\d+\/session-1-example\.com"/);
  });

  it('matches lower-cased ARNs (older authenticators log them) to the same pseudonym', () => {
    const snapshot: Snapshot = {
      schemaVersion: 1,
      incident: {
        principalArn: 'arn:aws:iam::111122223333:role/PlatformAdmin',
        logLines: ['ARN is not mapped: arn:aws:iam::111122223333:role/platformadmin'],
      },
    };
    const redacted = redactSnapshot(snapshot);
    expect(redacted.incident?.principalArn).toBe('arn:aws:iam::100000000001:role/role-1');
    expect(redacted.incident?.logLines?.[0]).toBe('ARN is not mapped: arn:aws:iam::100000000001:role/role-1');
  });

  it('keeps the SSO role shape, so permission-set near misses still match', () => {
    const snapshot: Snapshot = {
      schemaVersion: 1,
      incident: {
        principalArn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_DataEng_0123456789abcdef/kim',
      },
      accessEntries: {
        status: 'ok',
        data: [
          {
            principalArn:
              'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/ap-northeast-2/AWSReservedSSO_DataEng_fedcba9876543210',
          },
        ],
      },
    };
    const redacted = redactSnapshot(snapshot);
    expect(redacted.incident?.principalArn).toBe(
      'arn:aws:sts::100000000001:assumed-role/AWSReservedSSO_PermissionSet1_0000000000000001/session-1',
    );
    expect((redacted.accessEntries as { data: Array<{ principalArn: string }> }).data[0]?.principalArn).toBe(
      'arn:aws:iam::100000000001:role/aws-reserved/sso.amazonaws.com/ap-northeast-2/AWSReservedSSO_PermissionSet1_0000000000000002',
    );
  });

  it('keeps a pasted token decodable but without its signature, session token or real key id', async () => {
    const token = await eksToken({
      clusterId: 'platform-prod',
      region: 'ap-northeast-2',
      credentials: {
        accessKeyId: 'ASIARJ2VQ7MXABCDEFGH',
        secretAccessKey: 'secret',
        sessionToken: 'SESSION-TOKEN-VALUE',
      },
      now: new Date('2025-06-02T03:00:00Z'),
    });
    const snapshot: Snapshot = {
      schemaVersion: 1,
      incident: { logLines: [`Authorization: Bearer ${token}`] },
    };
    const line = redactSnapshot(snapshot).incident?.logLines?.[0] ?? '';
    const redactedToken = /k8s-aws-v1\.[\w-]+/.exec(line)?.[0] ?? '';
    const url = Buffer.from(redactedToken.slice(11), 'base64url').toString('utf8');
    expect(url).not.toMatch(/SESSION-TOKEN-VALUE|ASIARJ2VQ7MXABCDEFGH/);
    expect(url).toMatch(/X-Amz-Signature=0{64}/);
    const decoded = decodeToken(redactedToken, new Date('2025-06-02T03:00:30Z'));
    expect(decoded.host).toBe('sts.ap-northeast-2.amazonaws.com');
    expect(decoded.region).toBe('ap-northeast-2');
  });

  it('gives access key ids that encode the pseudonymous account', () => {
    // A key id issued since 2019 encodes its account; the pseudonym encodes the pseudonymous account.
    const key = 'ASIAY34FZKBOKMUTVV7A';
    const original = accountFromAccessKeyId(key);
    expect(original).toMatch(/^\d{12}$/);
    const snapshot: Snapshot = {
      schemaVersion: 1,
      incident: { principalArn: `arn:aws:iam::${original}:user/alice`, logLines: [`accesskeyid=${key}`] },
    };
    const redacted = redactSnapshot(snapshot);
    const pseudo = /accesskeyid=(\w+)/.exec(redacted.incident?.logLines?.[0] ?? '')?.[1] ?? '';
    expect(pseudo).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(pseudo).not.toBe(key);
    expect(accountFromAccessKeyId(pseudo)).toBe('100000000001');
    expect(redacted.incident?.principalArn).toBe('arn:aws:iam::100000000001:user/user-1');
  });
});
