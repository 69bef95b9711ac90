/** Checks of command-line values shared by commands: a bad value fails at once, as a usage error (exit 2). */
import { existsSync } from 'node:fs';
import { InputError } from './errors.js';

/** An explicit --kubeconfig that does not exist is a typo: say so now rather than as one failed source. */
export function checkKubeconfig(file: string | undefined): void {
  if (file !== undefined && !existsSync(file)) throw new InputError(`--kubeconfig ${file}: no such file`);
}
