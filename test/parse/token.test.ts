import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/errors.js';
import { accountFromAccessKeyId, analyzeTokenUrl, decodeToken, parseLogLine } from '../../src/parse/index.js';
import { SESSION_TOKEN, makeToken, presignedUrl, tokenFor } from './token-fixtures.js';

const SIGNED_AT = new Date('2026-01-01T00:00:00Z');
const minutesLater = (m: number): Date => new Date(SIGNED_AT.getTime() + m * 60_000);
const facts = (t: { problems: Array<{ fact: string }> }): string[] => t.problems.map((p) => p.fact);

describe('decodeToken', () => {
  it('decodes a token as aws eks get-token makes it, with nothing to complain about', async () => {
    const token = await makeToken({ cluster: 'prod', region: 'us-west-2' });
    const t = decodeToken(token, minutesLater(3));
    expect(t.problems).toEqual([]);
    expect(t.host).toBe('sts.us-west-2.amazonaws.com');
    expect(t.region).toBe('us-west-2');
    expect(t.partition).toBe('aws');
    expect(t.stsGlobal).toBe(false);
    expect(t.action).toBe('GetCallerIdentity');
    expect(t.date).toBe('2026-01-01T00:00:00.000Z');
    expect(t.ageSeconds).toBe(180);
    expect(t.expiresSeconds).toBe(60);
    expect(t.accessKeyId).toBe('ASIAQNZGKIQY56JQ7WML');
    expect(t.accessKeyAccount).toBe('029608264753');
    expect(t.temporaryCredentials).toBe(true);
    expect(t.signedHeaders).toEqual(['host', 'x-k8s-aws-id']);
    expect(t.clusterIdSigned).toBe(true);
    expect(t.clusterIdInQuery).toBeUndefined();
    expect(t.length).toBe(Buffer.byteLength(token));
  });

  it('never keeps the signature or the session token', async () => {
    const token = await makeToken();
    const t = decodeToken(token, SIGNED_AT);
    expect(t.url).not.toMatch(/X-Amz-Signature/i);
    expect(t.url).toContain('X-Amz-Security-Token=***');
    expect(t.url).not.toContain(encodeURIComponent(SESSION_TOKEN));
    expect(JSON.stringify(t)).not.toContain('SessionToken');
    expect(JSON.stringify(t)).not.toContain(token.slice(11, 60));
  });

  it.each([
    ['just signed', 0, []],
    ['14 minutes old', 14, []],
    ['15 minutes old (boundary)', 15, []],
    ['16 minutes old', 16, ['token-expired']],
    ['a day old', 24 * 60, ['token-expired']],
    ['4 minutes in the future', -4, []],
    ['10 minutes in the future', -10, ['clock-skew']],
  ])('age check: %s', async (_label, minutes, expected) => {
    const token = await makeToken();
    expect(facts(decodeToken(token, minutesLater(minutes)))).toEqual(expected);
  });

  it('reports the expiry the way the authenticator logs it', async () => {
    const t = decodeToken(await makeToken(), minutesLater(20));
    expect(t.problems[0]?.message).toBe(
      'X-Amz-Date parameter is expired (15 minute expiration) 2026-01-01 00:00:00 +0000 UTC',
    );
  });

  it.each([
    [
      'hoisted x-k8s-aws-id (SDK presigner default in custom generators)',
      { hoistClusterId: true },
      ['token-non-whitelisted-parameter', 'token-cluster-id-not-signed'],
    ],
    ['cluster header not signed at all', { signClusterId: false }, ['token-cluster-id-not-signed']],
    ['X-Amz-Expires over 900', { expiresIn: 3600 }, ['token-invalid-expires']],
    [
      'STS VPC endpoint host',
      { host: 'vpce-0abc-xyz.sts.us-east-1.vpce.amazonaws.com' },
      ['sts-endpoint-rejected'],
    ],
  ])('flags %s', async (_label, options, expected) => {
    const t = decodeToken(await makeToken(options), SIGNED_AT);
    expect(facts(t)).toEqual(expected);
  });

  it('reads the hoisted cluster id, which names the cluster the token was made for', async () => {
    const t = decodeToken(await makeToken({ hoistClusterId: true, cluster: 'staging' }), SIGNED_AT);
    expect(t.clusterIdInQuery).toBe('staging');
    expect(t.clusterIdSigned).toBe(false);
  });

  it.each([
    ['global endpoint', 'sts.amazonaws.com', { stsGlobal: true, partition: 'aws', region: 'us-east-1' }],
    [
      'FIPS endpoint',
      'sts-fips.us-east-1.amazonaws.com',
      { stsGlobal: false, partition: 'aws', region: 'us-east-1' },
    ],
    [
      'dual-stack endpoint',
      'sts.eu-west-1.api.aws',
      { stsGlobal: false, partition: 'aws', region: 'eu-west-1' },
    ],
    [
      'GovCloud',
      'sts.us-gov-west-1.amazonaws.com',
      { stsGlobal: false, partition: 'aws-us-gov', region: 'us-gov-west-1' },
    ],
    [
      'China',
      'sts.cn-north-1.amazonaws.com.cn',
      { stsGlobal: false, partition: 'aws-cn', region: 'cn-north-1' },
    ],
  ])('knows the %s', async (_label, host, expected) => {
    const region = expected.region;
    const t = decodeToken(await makeToken({ host, region }), SIGNED_AT);
    expect(t.problems).toEqual([]);
    expect({ stsGlobal: t.stsGlobal, partition: t.partition, region: t.region }).toEqual(expected);
  });

  it('marks a long-term key as not temporary and still decodes its account', async () => {
    const t = decodeToken(
      await makeToken({ accessKeyId: 'AKIAQNZGKIQY56JQ7WML', sessionToken: undefined }),
      SIGNED_AT,
    );
    expect(t.temporaryCredentials).toBe(false);
    expect(t.accessKeyAccount).toBe('029608264753');
    expect(t.url).not.toContain('X-Amz-Security-Token');
  });

  it('flags a token over 4096 bytes (large session tokens, FM-10)', async () => {
    const t = decodeToken(await makeToken({ sessionToken: 'x'.repeat(4000) }), SIGNED_AT);
    expect(facts(t)).toContain('token-too-large');
  });

  it('accepts Bearer headers and get-token JSON output', async () => {
    const token = await makeToken();
    const json = JSON.stringify({ kind: 'ExecCredential', status: { expirationTimestamp: 'x', token } });
    expect(decodeToken(`Bearer ${token}`, SIGNED_AT).problems).toEqual([]);
    expect(decodeToken(json, SIGNED_AT).accessKeyId).toBe('ASIAQNZGKIQY56JQ7WML');
  });

  it('flags a missing prefix and a padded or standard-alphabet body', async () => {
    const url = await presignedUrl();
    const bare = Buffer.from(url).toString('base64url');
    expect(facts(decodeToken(bare, SIGNED_AT))).toEqual(['token-missing-prefix']);
    const padded = `k8s-aws-v1.${Buffer.from(`${url}&`).toString('base64')}`;
    expect(facts(decodeToken(padded, SIGNED_AT))).toContain('token-malformed');
  });

  it.each(['', 'hello world', 'k8s-aws-v1.', 'k8s-aws-v1.!!!!', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig'])(
    'throws InputError on a non-token: %j',
    (input) => {
      expect(() => decodeToken(input, SIGNED_AT)).toThrow(InputError);
    },
  );
});

describe('analyzeTokenUrl', () => {
  it('checks snapshot evidence, which never holds the signature', async () => {
    const url = (await presignedUrl()).replace(/&X-Amz-Signature=[^&]*/, '');
    const t = analyzeTokenUrl(url, 1500, minutesLater(30));
    expect(facts(t)).toEqual(['token-expired']);
    expect(t.length).toBe(1500);
  });

  it.each([
    [
      'http scheme',
      'http://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity',
      'unexpected scheme "http" in pre-signed URL',
    ],
    [
      'other path',
      'https://sts.us-east-1.amazonaws.com/x?Action=GetCallerIdentity',
      'unexpected path in pre-signed URL',
    ],
    [
      'semicolon query',
      'https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity;x=1',
      'malformed query parameter',
    ],
    [
      'other action',
      'https://sts.us-east-1.amazonaws.com/?Action=GetSessionToken',
      'unexpected action parameter in pre-signed URL',
    ],
    [
      'no date',
      'https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity',
      'X-Amz-Date parameter must be present in pre-signed URL',
    ],
    [
      'bad date',
      'https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Date=20261301T000000Z',
      'error parsing X-Amz-Date parameter 20261301T000000Z into format 20060102T150405Z',
    ],
    [
      'duplicate by case',
      'https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&action=GetCallerIdentity',
      'duplicate query parameter found: "action"',
    ],
    [
      'repeated key',
      'https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Action=GetCallerIdentity',
      'query parameter with multiple values not supported',
    ],
    [
      'global endpoint with a port',
      'https://sts.amazonaws.com:443/?Action=GetCallerIdentity',
      'unexpected hostname "sts.amazonaws.com:443" in pre-signed URL',
    ],
  ])('reports %s in the authenticator’s words', (_label, url, message) => {
    const t = analyzeTokenUrl(url, undefined, SIGNED_AT);
    expect(t.problems.map((p) => p.message)).toContain(message);
  });
});

describe('accountFromAccessKeyId', () => {
  it.each([
    ['ASIAQNZGKIQY56JQ7WML', '029608264753'],
    ['AKIAQNZGKIQY56JQ7WML', '029608264753'],
    ['AKIAIOSFODNN7EXAMPLE', undefined], // pre-2019 id: no account inside
    ['not-a-key', undefined],
    ['ASIAQ', undefined],
  ])('%s → %s', (id, account) => {
    expect(accountFromAccessKeyId(id)).toBe(account);
  });
});

describe('tokens inside pasted text', () => {
  it('decodes the token, records the sanitized URL and proves expiry (explain --log)', async () => {
    const token = await makeToken();
    const incident = parseLogLine(`curl -H "Authorization: Bearer ${token}" https://x`, {
      now: minutesLater(40),
    });
    expect(incident.source).toBe('token');
    expect(incident.facts).toContain('token-expired');
    expect(incident.accessKeyId).toBe('ASIAQNZGKIQY56JQ7WML');
    expect(incident.token?.url).toContain('X-Amz-Security-Token=***');
    expect(JSON.stringify(incident)).not.toContain(token);
  });

  it('a fresh token proves nothing wrong', async () => {
    const incident = parseLogLine(await makeToken(), { now: minutesLater(1) });
    expect(incident.facts).toBeUndefined();
    expect(incident.token?.length).toBeGreaterThan(100);
  });

  it('a truncated token is malformed, not a crash', () => {
    const incident = parseLogLine(
      tokenFor('https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2').slice(0, 60),
    );
    expect(incident.facts).toContain('token-malformed');
  });
});
