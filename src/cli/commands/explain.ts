/** `eksdoctor explain`: diagnose one failing request from a snapshot, an evidence folder, pasted text or live. */
import { writeFile } from 'node:fs/promises';
import { checkKubeconfig } from '../checks.js';
import { parseArn } from '../../eks/arn.js';
import { diagnoseDetailed, exitCodeFor } from '../../engine/diagnose.js';
import { loadSnapshotFile } from '../../model/load.js';
import type { Snapshot } from '../../model/snapshot.js';
import { renderMarkdown } from '../../report/markdown.js';
import { makeChalk } from '../../report/style.js';
import { renderText } from '../../report/text.js';
import { decodeToken } from '../../parse/index.js';
import { hasBlankOrControl } from '../../model/printable.js';
import { InputError } from '../errors.js';
import type { CliIo } from '../io.js';

export interface ExplainOptions {
  principal?: string;
  path?: string;
  verb?: string;
  namespace?: string;
  log?: string[];
  cluster?: string;
  region?: string;
  profile?: string;
  context?: string;
  kubeconfig?: string;
  snapshot?: string;
  evidenceDir?: string;
  token?: string;
  since?: string;
  /** False with --no-cloudtrail. */
  cloudtrail?: boolean;
  output?: string;
  color?: boolean;
  debug?: boolean;
  /** Also write the snapshot that was diagnosed (live runs). */
  saveSnapshot?: string;
}

export const OUTPUTS = ['text', 'json', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUTS)[number];

export function checkOutput(value: string | undefined): OutputFormat {
  const output = (value ?? 'text') as OutputFormat;
  if (!OUTPUTS.includes(output)) {
    throw new InputError(`--output must be one of ${OUTPUTS.join(', ')} (got "${value}")`);
  }
  return output;
}

function checkPrincipal(arn: string | undefined): void {
  if (arn === undefined) return;
  if (!arn.trim()) throw new InputError('--principal: empty ARN');
  // IAM names never hold whitespace or control characters; a pasted one would end up inside printed commands.
  if (hasBlankOrControl(arn.trim())) {
    throw new InputError('--principal: the ARN contains whitespace or control characters');
  }
  try {
    parseArn(arn);
  } catch (error) {
    throw new InputError(`--principal: ${(error as Error).message}`);
  }
}

async function readMaybeStdin(value: string, io: CliIo): Promise<string> {
  return value === '-' ? io.readStdin() : value;
}

async function obtainSnapshot(opts: ExplainOptions, io: CliIo): Promise<Snapshot> {
  if (opts.snapshot) return loadSnapshotFile(opts.snapshot);
  if (opts.evidenceDir) {
    const { snapshotFromEvidenceDir } = await import('../../collect/index.js');
    return snapshotFromEvidenceDir(opts.evidenceDir);
  }
  if (opts.cluster) {
    const { collectSnapshot } = await import('../../collect/index.js');
    const { progressPrinter } = await import('../progress.js');
    const progress = progressPrinter(io);
    try {
      return await collectSnapshot(
        {
          cluster: opts.cluster,
          ...(opts.region ? { region: opts.region } : {}),
          ...(opts.profile ? { profile: opts.profile } : {}),
          ...(opts.principal ? { principalArn: opts.principal } : {}),
          ...(opts.path ? { path: opts.path } : {}),
          ...(opts.verb ? { verb: opts.verb } : {}),
          ...(opts.namespace ? { namespace: opts.namespace } : {}),
          ...(opts.context ? { context: opts.context } : {}),
          ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
          ...(opts.since ? { since: opts.since } : {}),
          ...(opts.cloudtrail === false ? { cloudTrail: false } : {}),
        },
        progress.onProgress,
      );
    } finally {
      progress.done();
    }
  }
  return { schemaVersion: 1 };
}

export async function explainCommand(opts: ExplainOptions, io: CliIo): Promise<number> {
  const output = checkOutput(opts.output);
  checkPrincipal(opts.principal);
  checkKubeconfig(opts.kubeconfig);
  const logLines: string[] = [];
  for (const value of opts.log ?? []) {
    logLines.push(...(await readMaybeStdin(value, io)).split(/\r?\n/).filter((l) => l.trim()));
  }

  const snapshot = await obtainSnapshot(opts, io);
  if (opts.token) {
    const token = (await readMaybeStdin(opts.token, io)).trim();
    const decoded = decodeToken(token);
    snapshot.token = { status: 'ok', data: { url: decoded.url, length: decoded.length } };
  }
  if (!opts.snapshot && !opts.evidenceDir && !opts.cluster && logLines.length === 0 && !opts.token) {
    throw new InputError(
      'nothing to diagnose: give --snapshot FILE, --cluster NAME (live), --evidence-dir DIR, --log TEXT or --token',
    );
  }
  if (opts.saveSnapshot) {
    try {
      await writeFile(opts.saveSnapshot, JSON.stringify(snapshot, null, 2) + '\n');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new InputError(`--save-snapshot ${opts.saveSnapshot}: cannot write (${code})`);
    }
  }

  const { report } = diagnoseDetailed(snapshot, {
    principalArn: opts.principal,
    path: opts.path,
    verb: opts.verb,
    namespace: opts.namespace,
    logLines,
    clusterName: opts.cluster,
    region: opts.region,
  });
  if (!opts.snapshot && !opts.evidenceDir && !opts.cluster) {
    (report.notes ??= []).push(
      'No cluster evidence: pass --cluster NAME --region R to collect it, or --snapshot FILE.',
    );
  }
  if (output === 'json') io.stdout(JSON.stringify(report, null, 2) + '\n');
  else if (output === 'markdown') io.stdout(renderMarkdown(report));
  else {
    io.stdout(
      renderText(report, makeChalk({ color: opts.color !== false, env: io.env, isTTY: io.stdoutIsTTY })),
    );
  }
  return exitCodeFor(report);
}
