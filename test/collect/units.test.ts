/** The small pieces of collection: durations, bounded concurrency, the CloudTrail pacer, failures, config files. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/errors.js';
import { parseDuration } from '../../src/collect/index.js';
import { mapLimit, Pacer } from '../../src/collect/concurrency.js';
import {
  classifyError,
  describeError,
  failureFor,
  oneLine,
  scrubSecrets,
} from '../../src/collect/failure.js';
import { parseIni } from '../../src/collect/aws/config-file.js';
import { enabledLogTypes, filterPattern } from '../../src/collect/aws/logs.js';
import { eventConcernsCluster } from '../../src/collect/aws/cloudtrail.js';
import { callWithRetry } from '../../src/collect/retry.js';
import { matchesFilterPattern } from '../support/fake-aws.js';

describe('parseDuration', () => {
  it.each([
    ['24h', 86_400_000],
    ['90m', 5_400_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['45s', 45_000],
    ['2w', 1_209_600_000],
    ['366d', 31_622_400_000],
    ['1.5h', 5_400_000],
    [' 10M ', 600_000],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['24', '', 'h', '0h', '-1h', '1y', '24 h', '1h-', '367d', '99999999999999999d'])(
    'rejects %j with an InputError',
    (text) => {
      expect(() => parseDuration(text)).toThrow(InputError);
    },
  );
});

describe('mapLimit', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (n, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return `${i}:${n}`;
    });
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6']);
    expect(peak).toBe(3);
  });

  it('handles an empty list', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});

describe('Pacer', () => {
  it('lets at most 2 requests through per window, counting from their completion', async () => {
    const pacer = new Pacer(2, 200);
    const starts: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const release = await pacer.acquire();
        starts.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 30));
        release();
      }),
    );
    starts.sort((a, b) => a - b);
    for (let i = 2; i < starts.length; i++) {
      // the request two places earlier completed 30 ms after it started, and 200 ms must pass after that
      expect((starts[i] as number) - (starts[i - 2] as number)).toBeGreaterThanOrEqual(225);
    }
  });

  it('stops waiting when aborted, without blocking later callers', async () => {
    const pacer = new Pacer(1, 10_000);
    const hold = await pacer.acquire();
    const controller = new AbortController();
    const waiting = pacer.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    hold();
  });
});

describe('failure classification', () => {
  const err = (props: Record<string, unknown>) =>
    Object.assign(new Error(String(props.message ?? '')), props);
  it.each([
    [err({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }), 'denied'],
    [err({ name: 'AccessDenied', Code: 'AccessDenied' }), 'denied'],
    [err({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }), 'throttled'],
    [err({ name: 'Throttling' }), 'throttled'],
    [err({ name: 'Whatever', $metadata: { httpStatusCode: 429 } }), 'throttled'],
    [err({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }), 'server'],
    [err({ name: 'Error', code: 'ECONNRESET' }), 'network'],
    [err({ name: 'TimeoutError' }), 'timeout'],
    [err({ name: 'ExpiredTokenException' }), 'credentials'],
    [err({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } }), 'other'],
  ])('%s is %s', (error, kind) => {
    expect(classifyError(error)).toBe(kind);
  });

  it('names the exact permission for a denial', () => {
    expect(
      failureFor(
        'eks:ListAccessEntries',
        err({ name: 'AccessDeniedException', message: 'User: x is not authorized\nsecond line' }),
      ),
    ).toEqual({
      status: 'denied',
      permission: 'eks:ListAccessEntries',
      message: 'User: x is not authorized second line',
    });
  });

  it('describes anything else in one line', () => {
    const message = describeError(
      'eks:DescribeCluster',
      err({
        name: 'InvalidParameterException',
        message: 'bad\n<html>name</html>',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    expect(message).not.toMatch(/\n/);
    expect(message).toMatch(/^eks:DescribeCluster: /);
  });

  it.each([
    ['Authorization: Bearer k8s-aws-v1.aHR0cHM6Ly9zdHMu', 'Authorization: Bearer ***', 'aHR0'],
    ['token=k8s-aws-v1.aHR0cHM6Ly9zdHMu rest', 'token=k8s-aws-v1.*** rest', 'aHR0'],
    ['X-Amz-Signature=0123abcd&', 'X-Amz-Signature=***&', '0123abcd'],
    ['X-Amz-Security-Token=IQoJb3JpZ2luX2VjE%2F&x', 'X-Amz-Security-Token=***&x', 'IQoJ'],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG', 'aws_secret_access_key = ***', 'wJalr'],
  ])('scrubs %s', (text, expected, secret) => {
    expect(scrubSecrets(text)).toBe(expected);
    expect(oneLine(`<b>${text}</b>\nmore`)).not.toContain(secret);
  });

  it('retries throttling with backoff up to 4 attempts, and nothing that is not transient', async () => {
    let calls = 0;
    await expect(
      callWithRetry(
        async () => {
          calls++;
          throw err({ name: 'ThrottlingException' });
        },
        { timeoutMs: 1000, backoffMs: 5 },
      ),
    ).rejects.toThrow();
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      callWithRetry(
        async () => {
          calls++;
          throw err({ name: 'AccessDeniedException' });
        },
        { timeoutMs: 1000, backoffMs: 5 },
      ),
    ).rejects.toThrow();
    expect(calls).toBe(1);
  });

  it('turns a hung call into a TimeoutError', async () => {
    await expect(
      callWithRetry(
        (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        { timeoutMs: 50 },
      ),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});

describe('shared config file', () => {
  it('reads profiles like the AWS CLI, ignoring comments and nested values', () => {
    const sections = parseIni(
      [
        '# comment',
        '[default]',
        'region = eu-west-1',
        '[profile dev]',
        'Region=ap-northeast-2',
        's3 =',
        '  region = wrong',
        '; x',
        '[sso-session corp]',
        'sso_region = us-east-1',
      ].join('\n'),
    );
    expect(sections.get('default')?.get('region')).toBe('eu-west-1');
    expect(sections.get('profile dev')?.get('region')).toBe('ap-northeast-2');
    expect(sections.get('sso-session corp')?.get('sso_region')).toBe('us-east-1');
  });
});

describe('log and CloudTrail filters', () => {
  it.each([
    [['Admin'], '"Admin"'],
    [['Admin', 'admin'], '?"Admin" ?"admin"'],
    [['A', 'A'], '"A"'],
    [[], undefined],
  ])('filter pattern for %j', (terms, pattern) => {
    expect(filterPattern(terms)).toBe(pattern);
  });

  it('the fake endpoint reads the patterns the same way CloudWatch Logs does (for these shapes)', () => {
    expect(matchesFilterPattern('?"Admin" ?"admin"', 'arn=role/admin')).toBe(true);
    expect(matchesFilterPattern('"Admin"', 'arn=role/admin')).toBe(false);
  });

  it('reads which log types are on', () => {
    expect([
      ...enabledLogTypes({
        logging: {
          clusterLogging: [
            { types: ['api', 'audit'], enabled: true },
            { types: ['authenticator'], enabled: false },
          ],
        },
      }),
    ]).toEqual(['api', 'audit']);
    expect(enabledLogTypes({}).size).toBe(0);
  });

  it.each([
    [{ CloudTrailEvent: JSON.stringify({ requestParameters: { name: 'prod' } }) }, true],
    [{ CloudTrailEvent: JSON.stringify({ requestParameters: { clusterName: 'prod' } }) }, true],
    [{ CloudTrailEvent: { requestParameters: { name: 'prod%2Dx' } } }, false],
    [{ CloudTrailEvent: JSON.stringify({ requestParameters: { name: 'other' } }) }, false],
    [
      {
        Resources: [{ ResourceName: 'arn:aws:eks:us-east-1:111122223333:cluster/prod' }],
        CloudTrailEvent: '{}',
      },
      true,
    ],
    [{ CloudTrailEvent: 'not json' }, true],
  ])('event %j concerns cluster prod: %s', (event, yes) => {
    expect(eventConcernsCluster(event, 'prod')).toBe(yes);
  });
});
