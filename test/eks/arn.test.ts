import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalArn, parseArn, stripPath, parseClusterArn, ArnError } from '../../src/eks/arn.js';

describe('canonicalArn (the authenticator canonical form)', () => {
  const cases: Array<[string, string]> = [
    ['arn:aws:sts::111122223333:assumed-role/Admin/alice', 'arn:aws:iam::111122223333:role/Admin'],
    [
      'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane@example.com',
      'arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef',
    ],
    ['arn:aws-cn:sts::111122223333:assumed-role/Admin/s', 'arn:aws-cn:iam::111122223333:role/Admin'],
    ['arn:aws:iam::111122223333:role/teams/Admin', 'arn:aws:iam::111122223333:role/teams/Admin'],
    ['arn:aws:iam::111122223333:user/ops/jane', 'arn:aws:iam::111122223333:user/ops/jane'],
    ['arn:aws:iam::111122223333:root', 'arn:aws:iam::111122223333:root'],
    ['arn:aws:sts::111122223333:federated-user/bob', 'arn:aws:sts::111122223333:federated-user/bob'],
    ['arn:aws-us-gov:sts::111122223333:assumed-role/R/x:y', 'arn:aws-us-gov:iam::111122223333:role/R'],
  ];
  it.each(cases)('%s → %s', (input, expected) => expect(canonicalArn(input)).toBe(expected));

  const rejected: Array<[string, RegExp]> = [
    ['arn:aws:iam::12345:user/x', /12 digits/],
    ['arn:aws:s3:::bucket', /service must be iam or sts/],
    ['arn:azure:iam::111122223333:user/x', /partition/],
    ['arn:aws:iam::111122223333:group/devs', /unrecognized IAM resource/],
    ['arn:aws:sts::111122223333:assumed-role/OnlyRole', /unrecognized STS resource/],
    ['not an arn', /not an ARN/],
    ['', /not an ARN/],
  ];
  it.each(rejected)('rejects %s', (input, message) => {
    expect(() => canonicalArn(input)).toThrow(ArnError);
    expect(() => canonicalArn(input)).toThrow(message);
  });

  it('never throws anything but ArnError', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          canonicalArn(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ArnError);
        }
      }),
    );
  });
});

describe('parseArn / stripPath / parseClusterArn', () => {
  it('keeps the path of IAM ARNs and strips it on request', () => {
    expect(parseArn('arn:aws:iam::111122223333:role/a/b/Admin')).toMatchObject({
      kind: 'role',
      path: '/a/b/',
      name: 'Admin',
    });
    expect(stripPath('arn:aws:iam::111122223333:role/a/b/Admin')).toBe(
      'arn:aws:iam::111122223333:role/Admin',
    );
    expect(parseArn('arn:aws:sts::111122223333:assumed-role/R/s')).toMatchObject({
      kind: 'assumed-role',
      sessionName: 's',
    });
  });
  it('reads region and name from a cluster ARN', () => {
    expect(parseClusterArn('arn:aws:eks:eu-west-1:111122223333:cluster/prod')).toEqual({
      region: 'eu-west-1',
      accountId: '111122223333',
      name: 'prod',
    });
    expect(parseClusterArn('arn:aws:eks:eu-west-1:111122223333:nodegroup/prod/x')).toBeUndefined();
  });
});
