/**
 * Credentials, region and endpoints resolve like the AWS CLI (DESIGN §2): static keys, AWS_PROFILE, --profile,
 * credential_process, role_arn + source_profile, IAM Identity Center (SSO), AWS_REGION / AWS_DEFAULT_REGION /
 * profile region, and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>. The fake endpoint tells which access key
 * signed each request.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/errors.js';
import { collectSnapshot } from '../../src/collect/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { loadSample } from '../helpers/samples.js';
import { COLLECTOR, startFakes, type Fakes } from '../support/scenario.js';
import { withEnv } from '../support/env.js';
import { startTestProxy } from '../support/proxy.js';

const SAMPLE = loadSample('access-entry-without-policy');
const ACCOUNT = '111122223333';
const KEYS = {
  profile: { id: 'AKIAPROFILESTATIC001', secret: 'profileSecret/0000000000000000000000000' },
  base: { id: 'AKIABASEPROFILE00001', secret: 'baseSecret/00000000000000000000000000000' },
  assumed: {
    id: 'ASIAASSUMEDROLE00001',
    secret: 'assumedSecret/0000000000000000000000000',
    token: 'assumedSessionToken000',
  },
  process: {
    id: 'ASIACREDPROCESS00001',
    secret: 'processSecret/0000000000000000000000000',
    token: 'processSessionToken000',
  },
  sso: {
    id: 'ASIASSOROLECREDS0001',
    secret: 'ssoSecret/000000000000000000000000000000',
    token: 'ssoSessionToken0000000',
  },
};
const SSO_ACCESS_TOKEN = 'sso-cached-access-token-for-tests';

let fakes: Fakes;
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);

beforeAll(async () => {
  process.on('warning', onWarning);
  fakes = await startFakes(SAMPLE.snapshot);
  const identities = fakes.aws.state.identities;
  identities[KEYS.profile.id] = {
    Arn: `arn:aws:iam::${ACCOUNT}:user/profile-user`,
    UserId: 'AIDAPROFILEUSER00001',
    Account: ACCOUNT,
  };
  identities[KEYS.base.id] = {
    Arn: `arn:aws:iam::${ACCOUNT}:user/base-user`,
    UserId: 'AIDABASEUSER00000001',
    Account: ACCOUNT,
  };
  identities[KEYS.process.id] = {
    Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/proc/p`,
    UserId: 'AROAPROC00000001:p',
    Account: ACCOUNT,
  };
  fakes.aws.state.assumableRoles = {
    [`arn:aws:iam::${ACCOUNT}:role/deploy`]: {
      accessKeyId: KEYS.assumed.id,
      secretAccessKey: KEYS.assumed.secret,
      sessionToken: KEYS.assumed.token,
      userId: 'AROADEPLOY0000000001',
    },
  };
  fakes.aws.state.sso = {
    accessToken: SSO_ACCESS_TOKEN,
    roles: {
      [`${ACCOUNT}/Admin`]: {
        accessKeyId: KEYS.sso.id,
        secretAccessKey: KEYS.sso.secret,
        sessionToken: KEYS.sso.token,
        identity: {
          Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice`,
          UserId: 'AROASSO00000000001:alice',
          Account: ACCOUNT,
        },
      },
    },
  };
  const home = fakes.env.HOME ?? '';
  const script = join(home, 'creds.mjs');
  writeFileSync(
    script,
    `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: '${KEYS.process.id}', SecretAccessKey: '${KEYS.process.secret}', SessionToken: '${KEYS.process.token}', Expiration: new Date(Date.now() + 3600e3).toISOString() }));\n`,
  );
  writeFileSync(
    fakes.env.AWS_CONFIG_FILE ?? '',
    [
      '[default]',
      'region = eu-central-1',
      '[profile static]',
      'region = ap-northeast-2',
      '[profile base]',
      '[profile deploy]',
      `role_arn = arn:aws:iam::${ACCOUNT}:role/deploy`,
      'source_profile = base',
      '[profile proc]',
      `credential_process = ${process.execPath} ${script}`,
      '[profile sso]',
      'sso_session = corp',
      `sso_account_id = ${ACCOUNT}`,
      'sso_role_name = Admin',
      'region = ap-northeast-2',
      '[sso-session corp]',
      'sso_start_url = https://example.awsapps.com/start',
      'sso_region = us-east-1',
      'sso_registration_scopes = sso:account:access',
      '[profile noregion]',
      '',
    ].join('\n'),
  );
  writeFileSync(
    fakes.env.AWS_SHARED_CREDENTIALS_FILE ?? '',
    [
      `[static]`,
      `aws_access_key_id = ${KEYS.profile.id}`,
      `aws_secret_access_key = ${KEYS.profile.secret}`,
      `[base]`,
      `aws_access_key_id = ${KEYS.base.id}`,
      `aws_secret_access_key = ${KEYS.base.secret}`,
      '',
    ].join('\n'),
  );
  const cache = join(home, '.aws', 'sso', 'cache');
  mkdirSync(cache, { recursive: true });
  writeFileSync(
    join(cache, `${createHash('sha1').update('corp').digest('hex')}.json`),
    JSON.stringify({
      startUrl: 'https://example.awsapps.com/start',
      region: 'us-east-1',
      accessToken: SSO_ACCESS_TOKEN,
      expiresAt: new Date(Date.now() + 3600e3).toISOString(),
    }),
  );
});

afterAll(async () => {
  process.off('warning', onWarning);
  await fakes?.close();
});

async function collectWith(
  env: Record<string, string | undefined>,
  options: { profile?: string; region?: string } = {},
): Promise<Snapshot> {
  fakes.aws.log.length = 0;
  return withEnv({ ...fakes.env, ...env }, () =>
    collectSnapshot({
      cluster: fakes.clusterName,
      ...options,
      principalArn: SAMPLE.snapshot.incident?.principalArn,
      cloudTrail: false,
      logs: false,
      kubernetes: false,
    }),
  );
}

/** Keys that signed the collection's own requests (not the credential exchanges before them). */
const keysUsed = () => [
  ...new Set(
    fakes.aws.log
      .filter((r) => r.service !== 'sso' && r.operation !== 'AssumeRole')
      .map((r) => r.accessKeyId),
  ),
];

describe('credentials resolve like the AWS CLI', () => {
  it.each([
    { name: 'static keys in the environment', env: {}, profile: undefined, key: COLLECTOR.accessKeyId },
    {
      name: 'environment keys win over AWS_PROFILE',
      env: { AWS_PROFILE: 'static' },
      profile: undefined,
      key: COLLECTOR.accessKeyId,
    },
    {
      name: 'AWS_PROFILE without environment keys',
      env: { AWS_PROFILE: 'static', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
      profile: undefined,
      key: KEYS.profile.id,
    },
    { name: '--profile wins over environment keys', env: {}, profile: 'static', key: KEYS.profile.id },
    { name: 'credential_process', env: {}, profile: 'proc', key: KEYS.process.id },
    {
      name: 'role_arn with source_profile (sts:AssumeRole)',
      env: {},
      profile: 'deploy',
      key: KEYS.assumed.id,
    },
    { name: 'IAM Identity Center (SSO) profile', env: {}, profile: 'sso', key: KEYS.sso.id },
  ])('$name', async ({ env, profile, key }) => {
    const snapshot = await collectWith({ AWS_REGION: 'ap-northeast-2', ...env }, profile ? { profile } : {});
    expect(snapshot.callerIdentity?.status).toBe('ok');
    expect(keysUsed()).toEqual([key]);
    if (profile === 'deploy') {
      const assume = fakes.aws.log.filter((r) => r.operation === 'AssumeRole');
      expect(assume, 'one AssumeRole shared by every client').toHaveLength(1);
      expect(assume[0]?.accessKeyId).toBe(KEYS.base.id);
    }
  });

  it('sends the AssumeRole of a role_arn profile through the proxy too', async () => {
    const refusing = await startTestProxy({ refuse: true });
    try {
      const unset = Object.fromEntries(
        ['no_proxy', 'NO_PROXY', 'all_proxy', 'ALL_PROXY'].map((n) => [n, undefined]),
      );
      const snapshot = await collectWith(
        { AWS_REGION: 'ap-northeast-2', ...unset, HTTP_PROXY: refusing.url, HTTPS_PROXY: refusing.url },
        { profile: 'deploy' },
      );
      // Had the credential exchange gone direct, the fake would have answered AssumeRole.
      expect(fakes.aws.log.filter((r) => r.operation === 'AssumeRole')).toEqual([]);
      expect(refusing.connects.length).toBeGreaterThan(0);
      expect(snapshot.callerIdentity?.status).toBe('error');
      expect((snapshot.callerIdentity as { message: string }).message).toContain(
        `127.0.0.1:${refusing.port}`,
      );
    } finally {
      await refusing.close();
    }
  });

  it('names the missing credentials in one line per source when there are none', async () => {
    const snapshot = await collectWith({
      AWS_REGION: 'ap-northeast-2',
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });
    expect(snapshot.cluster).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/no usable AWS credentials.*--profile/),
    });
  });
});

describe('region resolves like the AWS CLI', () => {
  it.each([
    {
      name: '--region wins',
      env: { AWS_REGION: 'eu-west-1' },
      flag: 'ap-northeast-2',
      profile: undefined,
      region: 'ap-northeast-2',
    },
    {
      name: 'AWS_REGION',
      env: { AWS_REGION: 'ap-northeast-2', AWS_DEFAULT_REGION: 'eu-west-1' },
      flag: undefined,
      profile: undefined,
      region: 'ap-northeast-2',
    },
    {
      name: 'AWS_DEFAULT_REGION',
      env: { AWS_DEFAULT_REGION: 'ap-northeast-2' },
      flag: undefined,
      profile: undefined,
      region: 'ap-northeast-2',
    },
    { name: "the profile's region", env: {}, flag: undefined, profile: 'static', region: 'ap-northeast-2' },
    {
      name: "the default profile's region",
      env: {},
      flag: undefined,
      profile: undefined,
      region: 'eu-central-1',
    },
  ])('$name', async ({ env, flag, profile, region }) => {
    const snapshot = await collectWith(env, {
      ...(flag ? { region: flag } : {}),
      ...(profile ? { profile } : {}),
    });
    expect(snapshot.incident?.region).toBe(region);
    expect(new Set(fakes.aws.log.filter((r) => r.service === 'eks').map((r) => r.region))).toEqual(
      new Set([region]),
    );
  });

  it('fails with one line when no region is configured anywhere', async () => {
    await expect(collectWith({}, { profile: 'noregion' })).rejects.toThrow(InputError);
    await expect(collectWith({}, { profile: 'noregion' })).rejects.toThrow(/no AWS region: pass --region/);
  });
});

describe('endpoints from the environment', () => {
  it('AWS_ENDPOINT_URL_<SERVICE> wins over AWS_ENDPOINT_URL', async () => {
    const snapshot = await collectWith({
      AWS_REGION: 'ap-northeast-2',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_EKS: fakes.aws.url,
    });
    expect(snapshot.cluster?.status).toBe('ok');
    expect(snapshot.callerIdentity).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/cannot reach the endpoint \(ECONNREFUSED\)/),
    });
  });
});

describe('the SDK on Node 20', () => {
  it('prints no NodeVersionSupportWarning (the opt-out is set before the SDK loads)', async () => {
    await withEnv({ ...fakes.env, AWS_REGION: 'ap-northeast-2' }, async () => {
      await collectSnapshot({
        cluster: fakes.clusterName,
        cloudTrail: false,
        logs: false,
        kubernetes: false,
      });
      expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
    });
    expect(warnings.filter((w) => /NodeVersionSupport/.test(w))).toEqual([]);
  });
});
