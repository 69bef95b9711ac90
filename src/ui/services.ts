/**
 * Everything the app does outside React, behind one interface so component tests inject fakes. The default
 * implementations import the parser, the collectors, the engine and the AWS SDK on first use: the first frame
 * appears before any of them has loaded.
 */
import type { CollectOptions, ProgressEvent } from '../collect/types.js';
import type { Incident } from '../model/incident.js';
import type { Report } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import { copyText } from './clipboard.js';
import { listClusters } from './list-clusters.js';
import { saveReport, type ReportFormat } from './save-report.js';

export interface DiagnoseInput {
  principalArn?: string | undefined;
  path?: string | undefined;
  verb?: string | undefined;
  namespace?: string | undefined;
  logLines?: string[] | undefined;
  clusterName?: string | undefined;
  region?: string | undefined;
}

export interface ClusterQuery {
  region?: string | undefined;
  profile?: string | undefined;
  signal: AbortSignal;
}

export interface ClusterList {
  region: string;
  clusters: string[];
}

export interface AppServices {
  /** What pasted lines say (src/parse). */
  parse(lines: string[]): Promise<Incident>;
  /** Live evidence; rejects when `options.signal` aborts. */
  collect(options: CollectOptions, onProgress: (event: ProgressEvent) => void): Promise<Snapshot>;
  diagnose(snapshot: Snapshot, input: DiagnoseInput): Promise<Report>;
  listClusters(query: ClusterQuery): Promise<ClusterList>;
  /** Copies text; resolves to the message to show. */
  copy(text: string): Promise<string>;
  /** Writes the report to a new file; resolves to its path. */
  save(report: Report, format: ReportFormat): Promise<string>;
}

export interface ServiceDeps {
  env: NodeJS.ProcessEnv;
  /** Raw terminal output for OSC 52. */
  writeTerminal: (data: string) => void;
  cwd: string;
}

export function defaultServices({ env, writeTerminal, cwd }: ServiceDeps): AppServices {
  return {
    parse: async (lines) => (await import('../parse/index.js')).parseLogLines(lines),
    collect: async (options, onProgress) =>
      (await import('../collect/index.js')).collectSnapshot(options, onProgress),
    diagnose: async (snapshot, input) => (await import('../engine/diagnose.js')).diagnose(snapshot, input),
    listClusters: (query) => listClusters(query, env),
    copy: (text) => copyText(text, { writeTerminal, env, platform: process.platform }),
    save: (report, format) => saveReport(report, format, cwd),
  };
}
