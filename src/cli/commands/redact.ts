/** `eksdoctor redact SNAPSHOT`: a shareable copy with stable pseudonyms; the diagnosis reads the same. */
import { writeFile } from 'node:fs/promises';
import { loadSnapshotFile } from '../../model/load.js';
import { redactSnapshot } from '../../collect/redact.js';
import { EXIT, InputError } from '../errors.js';
import type { CliIo } from '../io.js';

export async function redactCommand(
  snapshotFile: string,
  opts: { out?: string },
  io: CliIo,
): Promise<number> {
  const snapshot = await loadSnapshotFile(snapshotFile);
  const text = JSON.stringify(redactSnapshot(snapshot), null, 2) + '\n';
  if (opts.out) {
    try {
      await writeFile(opts.out, text);
    } catch (error) {
      throw new InputError(
        `${opts.out}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    io.stderr(`redacted snapshot written to ${opts.out}\n`);
  } else {
    io.stdout(text);
  }
  return EXIT.allowed;
}
