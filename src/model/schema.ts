/**
 * A minimal schema checker for the snapshot file: the handful of zod-like building blocks snapshot.ts needs, with
 * inferred types. It exists for speed (DESIGN §7 Fast): it checks values in place instead of copying them, costs
 * nothing at import time, and keeps a 70 MB snapshot's validation well under the time of its `JSON.parse`.
 *
 * Issues have the shape and default messages zod 4 gives (`code`, `path`, `message`; a union's branch issues
 * under `errors`, with paths relative to the union), so error reports read as they did when zod validated.
 * Outputs share structure with the input: a value is copied only where it changes (a `Date` becomes its ISO
 * string), so a valid JSON snapshot comes back as the very same objects.
 */

/** One problem found, where it is (`path`), and zod's default message for it. */
export type Issue = { path: PropertyKey[]; message: string } & (
  | { code: 'invalid_type'; expected: string }
  | { code: 'invalid_value'; values: readonly unknown[] }
  | {
      code: 'invalid_union';
      /** Each branch's issues, paths relative to the union (empty when no discriminator matched). */
      errors: Issue[][];
      note?: string;
      discriminator?: string;
      options?: unknown[];
    }
  | { code: 'too_big' | 'too_small' | 'custom' }
);

export interface SchemaError {
  issues: Issue[];
}

export type SafeParseResult<T> = { success: true; data: T } | { success: false; error: SchemaError };

/** Where a check is: the path so far (shared, pushed and popped) and the issues found. */
interface Run {
  path: PropertyKey[];
  issues: Issue[];
  /** Issues that stop a union branch (wrong type or value); refinements do not. */
  aborted: boolean;
}

function receivedType(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : String(value);
  if (typeof value !== 'object') return typeof value;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name) return name;
  }
  return 'object';
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : typeof value === 'bigint' ? `${value}n` : String(value);
}

function invalidType(run: Run, expected: string, input: unknown, abort = true): void {
  if (abort) run.aborted = true;
  run.issues.push({
    code: 'invalid_type',
    expected,
    path: [...run.path],
    message: `Invalid input: expected ${expected}, received ${receivedType(input)}`,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasPlainPrototype(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** zod's test for a record: an object literal (or one whose constructor's prototype looks like Object's). */
function isRecordLike(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  if (hasPlainPrototype(value)) return true;
  const ctor: unknown = value.constructor;
  if (typeof ctor !== 'function') return true;
  const proto: unknown = (ctor as { prototype?: unknown }).prototype;
  return isObject(proto) && Object.prototype.hasOwnProperty.call(proto, 'isPrototypeOf');
}

export abstract class Schema<T> {
  /** The output type; never set at run time. */
  declare readonly _output: T;

  /** Checks `value`, adding issues to `run`; returns the output (the input itself unless something changed). */
  abstract check(value: unknown, run: Run): unknown;

  safeParse(value: unknown): SafeParseResult<T> {
    const run: Run = { path: [], issues: [], aborted: false };
    const data = this.check(value, run);
    return run.issues.length
      ? { success: false, error: { issues: run.issues } }
      : { success: true, data: data as T };
  }

  optional(): OptionalSchema<T> {
    return new OptionalSchema(this);
  }

  nullable(): Schema<T | null> {
    return new NullableSchema(this);
  }

  /** A check that reports `message` (a zod `custom` issue) without stopping a union branch. */
  refine(test: (value: T) => boolean, params: { message: string }): Schema<T> {
    return new RefinedSchema(this, test, params.message);
  }
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export class OptionalSchema<T> extends Schema<T | undefined> {
  readonly isOptional = true;
  constructor(readonly inner: Schema<T>) {
    super();
  }
  check(value: unknown, run: Run): unknown {
    return value === undefined ? value : this.inner.check(value, run);
  }
}

class NullableSchema<T> extends Schema<T | null> {
  constructor(readonly inner: Schema<T>) {
    super();
  }
  check(value: unknown, run: Run): unknown {
    return value === null ? value : this.inner.check(value, run);
  }
}

class RefinedSchema<T> extends Schema<T> {
  constructor(
    readonly inner: Schema<T>,
    readonly test: (value: T) => boolean,
    readonly message: string,
  ) {
    super();
  }
  check(value: unknown, run: Run): unknown {
    const before = run.issues.length;
    const out = this.inner.check(value, run);
    if (run.issues.length === before && !this.test(out as T)) {
      run.issues.push({ code: 'custom', path: [...run.path], message: this.message });
    }
    return out;
  }
}

class TypeofSchema<T> extends Schema<T> {
  constructor(readonly type: 'string' | 'boolean' | 'number') {
    super();
  }
  check(value: unknown, run: Run): unknown {
    // zod's number rejects NaN and the infinities; JSON has neither, but a library caller might pass them.
    if (typeof value !== this.type || (this.type === 'number' && !Number.isFinite(value))) {
      invalidType(run, this.type, value);
    }
    return value;
  }
}

class IntSchema extends Schema<number> {
  check(value: unknown, run: Run): unknown {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      invalidType(run, 'number', value);
    } else if (!Number.isInteger(value)) {
      invalidType(run, 'int', value, false); // a check in zod: it does not stop a union branch
    } else if (!Number.isSafeInteger(value)) {
      const big = value > 0;
      run.issues.push({
        code: big ? 'too_big' : 'too_small',
        path: [...run.path],
        message: big
          ? `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`
          : `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`,
      });
    }
    return value;
  }
}

class UnknownSchema extends Schema<unknown> {
  check(value: unknown): unknown {
    return value;
  }
}

class ValuesSchema<T> extends Schema<T> {
  private readonly set: ReadonlySet<unknown>;
  constructor(readonly values: readonly T[]) {
    super();
    this.set = new Set(values);
  }
  check(value: unknown, run: Run): unknown {
    if (!this.set.has(value)) {
      run.aborted = true;
      run.issues.push({
        code: 'invalid_value',
        values: this.values,
        path: [...run.path],
        message:
          this.values.length === 1
            ? `Invalid input: expected ${show(this.values[0])}`
            : `Invalid option: expected one of ${this.values.map(show).join('|')}`,
      });
    }
    return value;
  }
}

/** A `Date` (what the AWS SDK returns) as its ISO 8601 string. */
class DateAsIsoSchema extends Schema<string> {
  check(value: unknown, run: Run): unknown {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      invalidType(run, 'date', value);
      return value;
    }
    return value.toISOString();
  }
}

class ArraySchema<T> extends Schema<T[]> {
  constructor(readonly element: Schema<T>) {
    super();
  }
  check(value: unknown, run: Run): unknown {
    if (!Array.isArray(value)) {
      invalidType(run, 'array', value);
      return value;
    }
    let out: unknown[] | undefined;
    const { path } = run;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      path.push(i);
      const checked = this.element.check(item, run);
      path.pop();
      if (checked !== item) (out ??= value.slice())[i] = checked;
    }
    return out ?? value;
  }
}

/** String-keyed records (zod's `z.record(z.string(), value)`). */
class RecordSchema<T> extends Schema<Record<string, T>> {
  constructor(readonly valueSchema: Schema<T>) {
    super();
  }
  check(value: unknown, run: Run): unknown {
    if (!isRecordLike(value)) {
      invalidType(run, 'record', value);
      return value;
    }
    let out: Record<string, unknown> | undefined;
    const { path } = run;
    for (const key of Object.keys(value)) {
      const item = value[key];
      path.push(key);
      const checked = this.valueSchema.check(item, run);
      path.pop();
      if (checked !== item) (out ??= { ...value })[key] = checked;
    }
    return out ?? value;
  }
}

export type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never;
}[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] } & {};
/** Like zod's looseObject output: required keys, optional keys, and any other key with an unknown value. */
export type LooseObject<S extends Shape> = Flatten<
  { -readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & {
    -readonly [K in OptionalKeys<S>]?: Infer<S[K]>;
  } & { [key: string]: unknown }
>;

export class LooseObjectSchema<S extends Shape> extends Schema<LooseObject<S>> {
  private readonly keys: string[];
  constructor(readonly shape: S) {
    super();
    this.keys = Object.keys(shape);
  }
  check(value: unknown, run: Run): unknown {
    if (!isObject(value)) {
      invalidType(run, 'object', value);
      return value;
    }
    // zod returns plain objects; an instance of some class (a Date where an object belongs) becomes one too.
    let out: Record<string, unknown> | undefined = hasPlainPrototype(value) ? undefined : { ...value };
    const { path } = run;
    for (const key of this.keys) {
      const item = value[key];
      path.push(key);
      const checked = (this.shape[key] as Schema<unknown>).check(item, run);
      path.pop();
      if (checked !== item) (out ??= { ...value })[key] = checked;
    }
    return out ?? value;
  }
}

/** Tries each branch; the first that passes wins (zod's `z.union`). */
class UnionSchema<T> extends Schema<T> {
  constructor(readonly options: ReadonlyArray<Schema<unknown>>) {
    super();
  }
  check(value: unknown, run: Run): unknown {
    const branches: Run[] = [];
    for (const option of this.options) {
      const branch: Run = { path: [], issues: [], aborted: false };
      const out = option.check(value, branch);
      if (branch.issues.length === 0) return out;
      branches.push(branch);
    }
    const continuing = branches.filter((b) => !b.aborted);
    if (continuing.length === 1) {
      // One branch got the type right and failed a refinement: its issues are the answer, as zod reports them.
      for (const issue of (continuing[0] as Run).issues) {
        run.issues.push({ ...issue, path: [...run.path, ...issue.path] });
      }
      return value;
    }
    run.aborted = true;
    run.issues.push({
      code: 'invalid_union',
      path: [...run.path],
      message: 'Invalid input',
      errors: branches.map((b) => b.issues),
    });
    return value;
  }
}

type Branch = LooseObjectSchema<Shape>;

/** Objects told apart by one key (zod's `z.discriminatedUnion`). */
class DiscriminatedUnionSchema<T> extends Schema<T> {
  private readonly byValue = new Map<unknown, Branch>();
  constructor(
    readonly discriminator: string,
    options: readonly Branch[],
  ) {
    super();
    for (const option of options) {
      const tag = option.shape[discriminator];
      if (!(tag instanceof ValuesSchema)) throw new Error(`option without a literal "${discriminator}"`);
      for (const v of tag.values as unknown[]) this.byValue.set(v, option);
    }
  }
  check(value: unknown, run: Run): unknown {
    if (!isObject(value)) {
      invalidType(run, 'object', value);
      return value;
    }
    const option = this.byValue.get(value[this.discriminator]);
    if (option) return option.check(value, run);
    const options = [...this.byValue.keys()];
    run.aborted = true;
    run.issues.push({
      code: 'invalid_union',
      path: [...run.path, this.discriminator],
      message: `Invalid discriminator value. Expected ${options.map((o) => `'${String(o)}'`).join(' | ')}`,
      errors: [],
      note: 'No matching discriminator',
      discriminator: this.discriminator,
      options,
    });
    return value;
  }
}

/** The building blocks, named as in zod so that snapshot.ts reads like the schema it replaced. */
export const s = {
  string: (): Schema<string> => new TypeofSchema<string>('string'),
  boolean: (): Schema<boolean> => new TypeofSchema<boolean>('boolean'),
  number: (): Schema<number> => new TypeofSchema<number>('number'),
  int: (): Schema<number> => new IntSchema(),
  unknown: (): Schema<unknown> => new UnknownSchema(),
  literal: <const T extends string | number | boolean>(value: T): Schema<T> => new ValuesSchema([value]),
  enum: <const T extends readonly string[]>(values: T): Schema<T[number]> => new ValuesSchema(values),
  dateAsIso: (): Schema<string> => new DateAsIsoSchema(),
  array: <T>(element: Schema<T>): Schema<T[]> => new ArraySchema(element),
  record: <T>(value: Schema<T>): Schema<Record<string, T>> => new RecordSchema(value),
  looseObject: <S extends Shape>(shape: S): LooseObjectSchema<S> => new LooseObjectSchema(shape),
  union: <const O extends ReadonlyArray<Schema<unknown>>>(options: O): Schema<Infer<O[number]>> =>
    new UnionSchema(options),
  discriminatedUnion: <const O extends readonly Branch[]>(
    discriminator: string,
    options: O,
  ): Schema<Infer<O[number]>> => new DiscriminatedUnionSchema(discriminator, options),
};
