/** Evidence pointers shared by rules (JSON Pointers into the snapshot, DESIGN §4). */
import { okData } from '../model/snapshot.js';
import type { Check, EvidenceRef } from '../model/report.js';
import { commandText } from '../fix/quote.js';
import type { Simulation } from '../simulate/simulate.js';

export function modeEvidence(sim: Simulation): EvidenceRef | undefined {
  const cluster = okData(sim.input.snapshot, 'cluster');
  if (!cluster) return undefined;
  const raw = cluster.accessConfig?.authenticationMode;
  return raw
    ? {
        source: 'cluster',
        pointer: '/cluster/data/accessConfig/authenticationMode',
        note: `authentication mode ${raw}`,
      }
    : {
        source: 'cluster',
        pointer: '/cluster/data',
        note: 'no accessConfig: the cluster uses CONFIG_MAP (aws-auth only)',
      };
}

export function mappingEvidence(sim: Simulation, note?: string): EvidenceRef | undefined {
  const m = sim.mapping;
  if (!m) return undefined;
  if (m.source === 'access-entry' && m.accessEntry) {
    return {
      source: 'accessEntries',
      pointer: m.accessEntry.pointer,
      note: note ?? `access entry ${m.accessEntry.entry.principalArn}`,
    };
  }
  if (m.source === 'aws-auth' && m.awsAuth) {
    const e = m.awsAuth.mapping;
    return {
      source: 'awsAuth',
      pointer: e.pointer,
      note: note ?? `${e.section} entry ${e.index} (${e.arn})${e.line ? `, line ${e.line}` : ''}`,
    };
  }
  if (m.source === 'authenticator-log' && m.logGrant) {
    const g = m.logGrant;
    return {
      source: 'authenticatorLogs',
      pointer: g.pointer,
      note:
        note ??
        `the authenticator granted access as username "${g.username}", groups [${g.groups.join(', ')}]${g.time ? ` at ${g.time}` : ''}`,
    };
  }
  return { source: 'awsAuth', pointer: m.pointer, note: note ?? 'mapAccounts' };
}

/** "No access entry for P" when access entries were collected and none matches. */
export function noEntryEvidence(sim: Simulation): EvidenceRef | undefined {
  if (sim.input.snapshot.accessEntries?.status !== 'ok' || sim.accessEntryCandidate) return undefined;
  return {
    source: 'accessEntries',
    pointer: '/accessEntries/data',
    note: `no access entry for ${sim.principal?.canonicalArn ?? 'the principal'}`,
  };
}

/** A read-only check: commands (argv arrays) that would gather the evidence that decides a cause. */
export function checkOf(title: string, ...argvs: string[][]): Check {
  return {
    title,
    commands: argvs.map((argv) => ({ tool: argv[0] ?? 'shell', argv, text: commandText(argv) })),
  };
}

export function compact<T>(items: Array<T | undefined | false>): T[] {
  return items.filter((x): x is T => Boolean(x));
}

/** The read-only `aws eks describe-cluster --query Q` argv that several rules offer as a check. */
export function describeClusterArgv(
  clusterName: string,
  region: string | undefined,
  query: string,
): string[] {
  return [
    'aws',
    'eks',
    'describe-cluster',
    '--name',
    clusterName,
    ...(region ? ['--region', region] : []),
    '--query',
    query,
  ];
}
