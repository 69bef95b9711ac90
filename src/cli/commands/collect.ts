/**
 * `eksdoctor collect`: live evidence into a snapshot (stdout or --out), optionally redacted; or, with --script, the
 * read-only aws/kubectl script for `explain --evidence-dir`. Progress goes to stderr; stdout holds only the snapshot.
 */
import { writeFile } from 'node:fs/promises';
import { checkKubeconfig } from '../checks.js';
import { InputError, EXIT } from '../errors.js';
import type { CliIo } from '../io.js';

export interface CollectCommandOptions {
  cluster?: string;
  region?: string;
  profile?: string;
  principal?: string;
  out?: string;
  redact?: boolean;
  script?: boolean;
  context?: string;
  kubeconfig?: string;
  since?: string;
  /** False with --no-cloudtrail. */
  cloudtrail?: boolean;
}

export async function collectCommand(opts: CollectCommandOptions, io: CliIo): Promise<number> {
  const collect = await import('../../collect/index.js');
  if (opts.script) {
    if (opts.since) collect.parseDuration(opts.since);
    const script = collect.collectScript({
      cluster: opts.cluster,
      region: opts.region,
      principalArn: opts.principal,
      since: opts.since,
      ...(opts.context ? { context: opts.context } : {}),
    });
    if (opts.out) await writeOut(opts.out, script, 0o755);
    else io.stdout(script);
    return EXIT.allowed;
  }
  if (!opts.cluster) throw new InputError('collect needs --cluster NAME (or --script for the offline kit)');
  checkKubeconfig(opts.kubeconfig);
  if (opts.since) collect.parseDuration(opts.since);

  const { progressPrinter } = await import('../progress.js');
  const progress = progressPrinter(io);
  let snapshot;
  try {
    snapshot = await collect.collectSnapshot(
      {
        cluster: opts.cluster,
        region: opts.region,
        profile: opts.profile,
        principalArn: opts.principal,
        context: opts.context,
        kubeconfig: opts.kubeconfig,
        since: opts.since,
        ...(opts.cloudtrail === false ? { cloudTrail: false } : {}),
      },
      progress.onProgress,
    );
  } finally {
    progress.done();
  }
  if (opts.redact) snapshot = collect.redactSnapshot(snapshot);
  const text = JSON.stringify(snapshot, null, 2) + '\n';
  if (opts.out) {
    await writeOut(opts.out, text);
    io.stderr(`snapshot written to ${opts.out}${opts.redact ? ' (redacted)' : ''}\n`);
  } else {
    io.stdout(text);
  }
  return EXIT.allowed;
}

async function writeOut(path: string, text: string, mode = 0o644): Promise<void> {
  try {
    await writeFile(path, text, { mode });
  } catch (error) {
    throw new InputError(`${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
