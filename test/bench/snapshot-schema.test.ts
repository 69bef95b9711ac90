/**
 * The snapshot checker (src/model/schema.ts) replaced zod for start-up time; this differential test holds it to
 * zod's verdicts: the same success or failure, the same output, and the same issues (code, path, message, and
 * the union branches load.ts walks) on every sample and on random damage done to them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateSnapshot } from '../../src/model/load.js';
import { snapshotSchema } from '../../src/model/snapshot.js';
import { snapshotSchema as zodSnapshotSchema } from './zod-reference.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const samples = readdirSync(SAMPLES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({
    name: f,
    value: JSON.parse(readFileSync(join(SAMPLES, f), 'utf8')) as Record<string, unknown>,
  }));

interface Plain {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: Plain[][];
}

function plain(issues: ReadonlyArray<Record<string, unknown>>): Plain[] {
  return issues.map((issue) => ({
    code: String(issue.code),
    path: [...(issue.path as PropertyKey[])],
    message: String(issue.message),
    ...(Array.isArray(issue.errors)
      ? { errors: (issue.errors as Array<Array<Record<string, unknown>>>).map((branch) => plain(branch)) }
      : {}),
  }));
}

function both(value: unknown) {
  const ours = snapshotSchema.safeParse(value);
  const theirs = zodSnapshotSchema.safeParse(value);
  return {
    ours: ours.success ? { ok: true, data: ours.data } : { ok: false, issues: plain(ours.error.issues) },
    zod: theirs.success
      ? { ok: true, data: theirs.data }
      : { ok: false, issues: plain(theirs.error.issues as unknown as Array<Record<string, unknown>>) },
  };
}

/** Every path to a value in a JSON tree (objects and arrays), root excluded. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}

const DELETE = Symbol('delete');
const REPLACEMENTS: unknown[] = [
  DELETE,
  7,
  1.5,
  -0,
  'x',
  '',
  '2025-03-04T01:22:09+09:00',
  '2025-03-04 01:22',
  'not-a-time',
  null,
  true,
  [],
  ['a', 1],
  {},
  { status: 'ok' },
  { status: 'denied' },
  { status: 'bogus' },
  { status: 'error', message: 3 },
  new Date('2024-05-06T07:08:09.123Z'),
  new Date(Number.NaN),
];

function damaged(root: Record<string, unknown>, path: Array<string | number>, replacement: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (replacement === DELETE) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    node[last] = replacement instanceof Date ? new Date(replacement.getTime()) : replacement;
  }
  return copy;
}

describe('snapshot checker agrees with the zod schema it replaced', () => {
  it.each(samples)('accepts $name unchanged, returning the same objects', ({ value }) => {
    const { ours, zod } = both(value);
    expect(ours).toEqual(zod);
    expect(ours.ok).toBe(true);
    expect(validateSnapshot(value, 'sample')).toStrictEqual(value);
  });

  it.each([
    { name: 'not an object', value: [] },
    { name: 'wrong schemaVersion', value: { schemaVersion: 2 } },
    { name: 'non-integer status', value: { schemaVersion: 1, incident: { status: 401.5 } } },
    { name: 'unsafe integer status', value: { schemaVersion: 1, incident: { status: 2 ** 60 } } },
    { name: 'unknown evidence status', value: { schemaVersion: 1, cluster: { status: 'nope' } } },
    { name: 'evidence that is a string', value: { schemaVersion: 1, rbac: 'ok' } },
    {
      name: 'bad timestamp inside a union',
      value: { schemaVersion: 1, cloudTrail: { status: 'ok', data: [{ EventTime: 'yesterday' }] } },
    },
    {
      name: 'CloudTrailEvent neither string nor object',
      value: { schemaVersion: 1, cloudTrail: { status: 'ok', data: [{ CloudTrailEvent: 5 }] } },
    },
    {
      name: 'enum',
      value: {
        schemaVersion: 1,
        iamPrincipals: { status: 'ok', data: [{ arn: 'a', exists: true, type: 'group' }] },
      },
    },
    {
      name: 'Dates from the SDK become ISO strings',
      value: {
        schemaVersion: 1,
        collectedAt: new Date('2025-01-02T03:04:05Z'),
        cluster: { status: 'ok', data: { createdAt: new Date('2024-01-02T03:04:05.678Z') } },
      },
    },
  ])('$name', ({ value }) => {
    const { ours, zod } = both(value);
    expect(ours).toEqual(zod);
  });

  it('agrees on random damage to every sample', () => {
    const cases = samples.map(({ value }) => ({ value, paths: paths(value) }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: cases.length - 1 }),
        fc.nat(),
        fc.constantFrom(...REPLACEMENTS),
        (which, at, replacement) => {
          const { value, paths: all } = cases[which] as (typeof cases)[number];
          const path = all[at % all.length] as Array<string | number>;
          const { ours, zod } = both(damaged(value, path, replacement));
          expect(ours).toEqual(zod);
        },
      ),
      { numRuns: 1500, seed: 20261128 },
    );
  });

  it('does not copy a valid snapshot, and copies only what a Date changes', () => {
    const value = structuredClone(samples[0]?.value) as Record<string, unknown>;
    const result = snapshotSchema.safeParse(value);
    expect(result.success && result.data).toBe(value);
    const withDate = { ...value, collectedAt: new Date('2025-01-02T03:04:05Z') };
    const dated = snapshotSchema.safeParse(withDate);
    expect(dated.success).toBe(true);
    if (!dated.success) return;
    expect(dated.data).not.toBe(withDate);
    expect(dated.data.collectedAt).toBe('2025-01-02T03:04:05.000Z');
    expect(withDate.collectedAt).toBeInstanceOf(Date);
    expect(dated.data.rbac).toBe(value.rbac);
  });
});
