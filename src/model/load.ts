/** Reads snapshot files. A malformed snapshot is rejected with the JSON path of the first problem, in one line. */
import { readFile } from 'node:fs/promises';
import { printable } from './printable.js';
import { InputError } from '../cli/errors.js';
import type { Issue, SchemaError } from './schema.js';
import { snapshotSchema, type Snapshot } from './snapshot.js';

function jsonPointer(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0
    ? '/'
    : path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Picks the most specific issue: zod reports union failures as nested issues. */
function firstIssue(error: SchemaError): { path: PropertyKey[]; message: string } {
  let best: { path: PropertyKey[]; message: string } | undefined;
  const visit = (issues: Issue[], prefix: PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'invalid_union' && issue.errors.some((branch) => branch.length > 0)) {
        // Report the deepest issue among the branches; a union with no branch issues (an unknown evidence
        // `status`, say) is reported itself, with the values it accepts.
        for (const branch of issue.errors) visit(branch, path);
        continue;
      }
      if (!best || path.length > best.path.length) best = { path, message: issue.message };
    }
  };
  visit(error.issues, []);
  return best ?? { path: [], message: 'invalid snapshot' };
}

export function validateSnapshot(value: unknown, origin: string): Snapshot {
  const result = snapshotSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = firstIssue(result.error);
  throw new InputError(`${origin}: invalid snapshot at ${jsonPointer(issue.path)}: ${issue.message}`);
}

export function parseSnapshotText(text: string, origin: string): Snapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8 quotes the text near the error: a binary file must not drive the terminal.
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    const shown = printable(reason).slice(0, 200);
    throw new InputError(`${origin}: not valid JSON (${shown.slice(0, 200)}); is the file truncated?`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${origin}: a snapshot is a JSON object with "schemaVersion": 1`);
  }
  return validateSnapshot(value, origin);
}

export async function loadSnapshotFile(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(error)})`,
    );
  }
  return parseSnapshotText(text, path);
}
