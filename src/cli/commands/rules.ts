/** `eksdoctor rules [ID]`: list the rules, or print one rule's documentation. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rules } from '../../../rules/index.js';
import { InputError } from '../errors.js';
import type { CliIo } from '../io.js';
import { packageRoot } from '../paths.js';

export async function rulesCommand(id: string | undefined, io: CliIo): Promise<number> {
  if (!id) {
    const width = Math.max(...rules.map((r) => r.id.length));
    for (const r of rules) io.stdout(`${r.id.padEnd(width)}  ${r.stage.padEnd(13)}  ${r.summary}\n`);
    io.stdout(`\n${rules.length} rules. \`eksdoctor rules <id>\` prints one rule's documentation.\n`);
    return 0;
  }
  const rule = rules.find((r) => r.id === id);
  if (!rule) {
    const near = rules.filter((r) => r.id.includes(id) || id.includes(r.id)).map((r) => r.id);
    throw new InputError(
      `no rule "${id}"${near.length ? `; did you mean ${near.join(', ')}?` : ''} (\`eksdoctor rules\` lists them)`,
    );
  }
  io.stdout(await readFile(join(packageRoot(), 'rules', `${rule.id}.md`), 'utf8'));
  return 0;
}
