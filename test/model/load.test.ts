/** Snapshot loading errors: one line naming where the file is wrong and what was expected (DESIGN §7 Helpful). */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/errors.js';
import { parseSnapshotText } from '../../src/model/load.js';

function errorFor(value: unknown): string {
  try {
    parseSnapshotText(typeof value === 'string' ? value : JSON.stringify(value), 'snap.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected the snapshot to be rejected');
}

describe('snapshot errors', () => {
  it.each([
    {
      name: 'an unknown evidence status names the status and the accepted values',
      value: { schemaVersion: 1, cluster: { status: 'weird' } },
      message:
        /^snap\.json: invalid snapshot at \/cluster\/status: .*'ok' \| 'denied' \| 'error' \| 'absent'$/,
    },
    {
      name: 'a denied source without the permission',
      value: { schemaVersion: 1, awsAuth: { status: 'denied' } },
      message: /^snap\.json: invalid snapshot at \/awsAuth\/permission: .*expected string/,
    },
    {
      name: 'a wrong type deep inside ok data',
      value: {
        schemaVersion: 1,
        cluster: { status: 'ok', data: { accessConfig: { authenticationMode: 7 } } },
      },
      message: /^snap\.json: invalid snapshot at \/cluster\/data\/accessConfig\/authenticationMode: /,
    },
    {
      name: 'a truncated file',
      value: '{"schemaVersion": 1, "cluster": {"status": "ok", "da',
      message: /^snap\.json: not valid JSON .*is the file truncated\?$/,
    },
    {
      name: 'not an object',
      value: '[1, 2]',
      message: /^snap\.json: a snapshot is a JSON object with "schemaVersion": 1$/,
    },
  ])('$name', ({ value, message }) => {
    const text = errorFor(value);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });
});
