import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../src/cli/errors.js';
import { FACTS, type Incident } from '../../src/model/incident.js';
import {
  analyzeTokenUrl,
  decodeToken,
  formatIncident,
  parseLogLines,
  readKubeconfig,
} from '../../src/parse/index.js';

const corpus = (
  parseYaml(
    readFileSync(fileURLToPath(new URL('../fixtures/corpus/lines.yaml', import.meta.url)), 'utf8'),
  ) as Array<{
    text: string;
  }>
).map((e) => e.text);

const MB = 1024 * 1024;
const KEYS = new Set([
  'source',
  'status',
  'principalArn',
  'username',
  'groups',
  'uid',
  'clusterName',
  'region',
  'endpoint',
  'path',
  'verb',
  'apiGroup',
  'resource',
  'subresource',
  'namespace',
  'name',
  'awsAction',
  'facts',
  'reason',
  'time',
  'token',
  'hint',
  'accessKeyId',
  'awsUserId',
]);
const DECLARED = new Set<string>(FACTS);

/** Fragments that steer the parsers into their interesting branches, plus delimiters that end them early. */
const FRAGMENTS = [
  'forbidden: User "',
  '" cannot ',
  'list ',
  'resource "',
  '" in API group "',
  '" in the namespace "',
  ' at the cluster scope',
  'is forbidden',
  'arn:aws:iam::',
  'arn:aws:sts::',
  ':assumed-role/',
  'user/',
  'role/',
  'arn:aws:eks:us-east-1:1:cluster/',
  'https://',
  '.gr7.us-west-2.eks.amazonaws.com',
  '/apis/',
  '/api/v1/namespaces/',
  '{"kind":"Status","code":',
  '{"log":"',
  '{"kind":"Event","apiVersion":"audit.k8s.io/v1","requestURI":"',
  'msg="access denied"',
  'msg="access granted"',
  'username=',
  'groups="[',
  'error="',
  'An error occurred (',
  ') when calling the ',
  ' operation: ',
  'AccessDenied',
  'k8s-aws-v1.',
  'aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_',
  'getting credentials: exec: ',
  'executable aws failed with exit code ',
  "couldn't get resource list for ",
  'Error from server (',
  'Unauthorized',
  'Proxy request for clusterId="',
  '" to url="',
  'has statusCode=',
  'clusters:\n',
  'users:\n',
  'Get "',
  '│ ',
  ' │',
  '\u001b[31m',
  '\u001b[0m',
  'Forbidden (user=',
  ', verb=',
  'User "',
  '" cannot list pods in the namespace "',
  'operation error STS: GetCallerIdentity, ',
  'failed to retrieve credentials',
  'is not authorized to perform: ',
  '"Code": "SignatureDoesNotMatch"',
  '<Code>ExpiredToken</Code>',
  'ts=2021-01-18T13:50:37.349Z ',
  '2020-12-11 15:06:31 UTC+0200 ',
  'aws eks ',
  'eksctl get cluster ',
  '--cluster-name ',
  '-c ',
  'Failed to watch *v1.Node: ',
  'failed to list nodes: ',
  'error getting node "',
  'proxy_server.go:147] Error while proxying request: ',
  '[CLUSTER]: Failed to connect to "',
  'getting credentials: decoding stdout: ',
  '"',
  '\\"',
  '\n',
  '\r\n',
  ' ',
  ':',
  '/',
  '{',
  '}',
  '[',
  ']',
];

function assertWellFormed(incident: Incident): void {
  for (const key of Object.keys(incident)) expect(KEYS).toContain(key);
  for (const fact of incident.facts ?? []) expect(DECLARED).toContain(fact);
  if (incident.status !== undefined) {
    expect(Number.isInteger(incident.status)).toBe(true);
    expect(incident.status).toBeGreaterThanOrEqual(100);
    expect(incident.status).toBeLessThan(600);
  }
  expect(typeof formatIncident(incident)).toBe('string');
}

describe('parse never throws and always returns a well-formed incident', () => {
  it('on arbitrary text, including astral characters and lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), (text) => {
        assertWellFormed(parseLogLines(text));
      }),
      { numRuns: 400 },
    );
  });

  it('on text assembled from parser-steering fragments', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 12 })), { maxLength: 80 }),
        (parts) => {
          assertWellFormed(parseLogLines(parts.join('')));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('on corpus lines cut and spliced with noise', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...corpus),
        fc.nat(),
        fc.nat(),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (line, a, b, noise) => {
          const cut = a % (line.length + 1);
          const end = cut + (b % (line.length - cut + 1));
          assertWellFormed(parseLogLines(line.slice(0, cut) + noise + line.slice(end)));
          assertWellFormed(parseLogLines([line.slice(cut), noise, line.slice(0, cut)]));
        },
      ),
      { numRuns: 800 },
    );
  });

  it('on JSON values of any shape', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assertWellFormed(parseLogLines(JSON.stringify(value)));
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    ['10 MB of binary noise (latin1)', () => randomBytes(10 * MB).toString('latin1')],
    ['10 MB of binary noise (utf8, invalid sequences)', () => randomBytes(10 * MB).toString('utf8')],
    ['10 MB of corpus lines', () => repeatTo(corpus.join('\n'), 10 * MB)],
    [
      'one 10 MB line of fragments',
      () => repeatTo(FRAGMENTS.filter((f) => !f.includes('\n')).join(''), 10 * MB),
    ],
    ['10 MB of deeply nested JSON', () => `${'['.repeat(5 * MB)}${']'.repeat(5 * MB)}`],
    [
      '10 MB that looks like a kubeconfig',
      () => `clusters:\nusers:\n${repeatTo('- name: x\n  user: {token: y}\n', 10 * MB)}`,
    ],
  ])('on %s', (_label, make) => {
    const incident = parseLogLines(make());
    assertWellFormed(incident);
  });
});

describe('parse runs in linear time', () => {
  // Loose bound: a linear parser takes about 10x as long for 10x the input; quadratic behaviour would be ~100x.
  it.each([
    ['corpus lines', corpus.join('\n')],
    ['fragment soup, one fragment per line', FRAGMENTS.join('\n')],
    [
      'adversarial openers without closers',
      'forbidden: User "x arn:aws:iam::1 https://a.eks.amazonaws.com An error occurred ( k8s-aws-v1.aGVsbG8 {"kind" msg="access denied\n',
    ],
    [
      'boxes, colour codes, commands and unclosed quotes',
      '│ User " cannot list Forbidden (user=a, verb= aws eks --x y eksctl -c \u001b[31m\u001b] ts=2021-01-01T00:00:00 "Code": " <Code> │\n',
    ],
  ])('%s: 10 MB costs at most ~25x of 1 MB', (_label, unit) => {
    const small = repeatTo(unit, 1 * MB);
    const large = repeatTo(unit, 10 * MB);
    parseLogLines(small); // warm-up
    const ratio = best(() => parseLogLines(large), 2) / best(() => parseLogLines(small), 3);
    expect(ratio).toBeLessThan(25);
  });
});

describe('tokens and kubeconfigs from arbitrary input', () => {
  it('decodeToken throws only InputError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 500 }),
          fc
            .string({ unit: 'binary', maxLength: 500 })
            .map((s) => `k8s-aws-v1.${Buffer.from(s).toString('base64url')}`),
          fc
            .string({ maxLength: 300 })
            .map((s) => `k8s-aws-v1.${Buffer.from(`https://${s}`).toString('base64url')}`),
        ),
        (text) => {
          try {
            const t = decodeToken(text, new Date(0));
            for (const p of t.problems) expect(DECLARED).toContain(p.fact);
          } catch (error) {
            expect(error).toBeInstanceOf(InputError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never keeps the signature or the session token, whatever the query looks like', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9%+/=._-]{0,12}$/);
    fc.assert(
      fc.property(
        fc.shuffledSubarray([
          'Action=GetCallerIdentity',
          'Version=2011-06-15',
          'X-Amz-Date=20260101T000000Z',
          'X-Amz-Expires=60',
        ]),
        fc.array(
          fc.tuple(part, part).map(([k, v]) => `${k}=${v}`),
          { maxLength: 4 },
        ),
        fc.constantFrom('X-Amz-Signature', 'x-amz-signature', 'X-AMZ-SIGNATURE'),
        fc.constantFrom('X-Amz-Security-Token', 'x-amz-security-token'),
        fc.boolean(),
        (base, extra, sigKey, tokKey, semicolon) => {
          const params = [...base, ...extra, `${sigKey}=SIGNATURE0123abcd`, `${tokKey}=SESSION0123secret`];
          const url = `https://sts.us-east-1.amazonaws.com/?${params.join('&')}${semicolon ? ';x=1' : ''}`;
          const t = analyzeTokenUrl(url, undefined, new Date(0));
          expect(t.url).not.toContain('SIGNATURE0123abcd');
          expect(t.url).not.toContain('SESSION0123secret');
          expect(JSON.stringify(t.problems)).not.toContain('SESSION0123secret');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('readKubeconfig returns or throws InputError on any JSON value or text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string({ unit: 'binary', maxLength: 400 })), (value) => {
        try {
          const facts = readKubeconfig(value);
          for (const p of facts.problems) expect(DECLARED).toContain(p.fact);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

function repeatTo(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

function best(run: () => void, times: number): number {
  let min = Infinity;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    run();
    min = Math.min(min, performance.now() - start);
  }
  return Math.max(min, 1);
}
