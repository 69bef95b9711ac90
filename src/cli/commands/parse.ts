/** `eksdoctor parse [TEXT | -] [-o json]`: what eksdoctor reads from an error line. */
import { formatIncident, parseLogLines } from '../../parse/index.js';
import { InputError } from '../errors.js';
import type { CliIo } from '../io.js';

export async function parseCommand(
  text: string | undefined,
  opts: { output?: string },
  io: CliIo,
): Promise<number> {
  const output = opts.output ?? 'text';
  if (output !== 'text' && output !== 'json') {
    throw new InputError(`--output must be text or json (got "${output}")`);
  }
  const input = text === undefined || text === '-' ? await io.readStdin() : text;
  if (!input.trim()) {
    throw new InputError('nothing to parse: pass the error text as an argument or on standard input (-)');
  }
  const incident = parseLogLines(input.split(/\r?\n/).filter((l) => l.trim()));
  io.stdout(output === 'json' ? JSON.stringify(incident, null, 2) + '\n' : formatIncident(incident));
  return 0;
}
