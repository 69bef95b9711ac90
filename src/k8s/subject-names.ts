/**
 * Usernames are exact, case-sensitive strings (FM-39, research §0.3): RBAC `User` subjects must repeat the
 * rendered username character for character. This module says which username the API server really sees, and
 * which near-miss spellings a binding may have been written for (the raw session name with `@` where
 * {{SessionName}} renders `-`, the role ARN instead of the assumed-role username, the aws-auth-era username...).
 */
import { findMapping } from '../eks/aws-auth.js';
import { renderTemplate } from '../eks/templates.js';
import type { Incident } from '../model/incident.js';
import type { EvidenceRef } from '../model/report.js';
import { okData } from '../model/snapshot.js';
import { matchKey } from '../simulate/context.js';
import type { MappingSource, Simulation } from '../simulate/simulate.js';

/** The snapshot source each kind of mapping is read from. */
const MAPPING_EVIDENCE_SOURCE: Record<MappingSource, string> = {
  'access-entry': 'accessEntries',
  'aws-auth': 'awsAuth',
  'map-accounts': 'awsAuth',
  'authenticator-log': 'authenticatorLogs',
};

export interface ActualIdentity {
  username: string;
  groups: string[];
  /** Where the username comes from: the API server (whoami, the error text) or eksdoctor's replay. */
  evidence: EvidenceRef;
}

function whoamiOfPrincipal(sim: Simulation): ActualIdentity | undefined {
  const who = okData(sim.input.snapshot, 'whoami');
  const canonical = sim.principal?.canonicalArn;
  if (!who || !canonical) return undefined;
  const arns = [...(who.extra?.canonicalArn ?? []), ...(who.extra?.arn ?? [])];
  const id = sim.principal?.iam?.principal.id;
  const mine =
    arns.some((a) => {
      try {
        return matchKey(a) === matchKey(canonical);
      } catch {
        return false;
      }
    }) || Boolean(id && who.uid?.endsWith(`:${id}`));
  if (!mine) return undefined;
  return {
    username: who.username,
    groups: who.groups ?? [],
    evidence: {
      source: 'whoami',
      pointer: '/whoami/data/username',
      note: `kubectl auth whoami: "${who.username}"`,
    },
  };
}

/** The username the API server sees for the failing principal, best evidence first. */
export function actualIdentity(sim: Simulation, incident: Incident): ActualIdentity | undefined {
  const whoami = whoamiOfPrincipal(sim);
  if (whoami) return whoami;
  const named = incident.username;
  if (named && !named.startsWith('system:anonymous') && !named.startsWith('system:serviceaccount:')) {
    return {
      username: named,
      groups: incident.groups ?? sim.identity?.groups ?? [],
      evidence: {
        source: 'incident',
        pointer: '/incident/logLines',
        note: `the error names User "${named}"`,
      },
    };
  }
  const identity = sim.identity;
  if (!identity || identity.unknownParts.length > 0 || identity.username === '') return undefined;
  return {
    username: identity.username,
    groups: identity.groups,
    evidence: {
      source: MAPPING_EVIDENCE_SOURCE[sim.mapping?.source ?? 'aws-auth'],
      pointer: sim.mapping?.pointer ?? '',
      note: `the mapping renders username "${identity.username}"`,
    },
  };
}

export interface NameVariant {
  name: string;
  why: string;
}

/** Spellings a binding may have used for this principal instead of `actual`; never `actual` itself. */
export function usernameVariants(sim: Simulation, actual: string): NameVariant[] {
  const out: NameVariant[] = [];
  const add = (name: string | undefined, why: string): void => {
    if (name && name !== actual && !out.some((v) => v.name === name)) out.push({ name, why });
  };
  const p = sim.principal;
  const session = p?.sessionName;
  if (session && session.includes('@')) {
    const dashed = session.replace(/@/g, '-');
    if (actual.includes(dashed)) {
      add(
        actual.replace(dashed, session),
        `{{SessionName}} renders the session name ${session} as ${dashed} (every @ becomes -); only {{SessionNameRaw}} keeps the @`,
      );
    }
    if (actual.includes(session)) {
      add(
        actual.replace(session, dashed),
        `the binding uses the {{SessionName}} form (${dashed}) of the session name`,
      );
    }
  }
  if (p?.parsed) {
    add(p.arn, 'the binding names the caller ARN as written, not the username the mapping renders');
    add(p.canonicalArn, 'the binding names the IAM role/user ARN, not the username the mapping renders');
    add(
      p.iam?.principal.arn,
      'the binding names the IAM ARN with its path, not the username the mapping renders',
    );
    if (p.parsed.kind === 'assumed-role' && session) {
      add(
        `arn:${p.parsed.partition}:sts::${p.parsed.accountId}:assumed-role/${p.parsed.name}/${session}`,
        'the binding names the assumed-role ARN with the raw session name',
      );
    }
    add(session, 'the binding names the bare session name');
    if (session?.includes('@')) {
      add(session.replace(/@/g, '-'), 'the binding names the bare {{SessionName}} form');
    }
    add(p.parsed.name, `the binding names the bare ${p.parsed.kind === 'user' ? 'user' : 'role'} name`);
  }
  // The username the other mapping method would render (migrating between aws-auth and access entries changes it).
  if (sim.mapping?.source === 'access-entry' && sim.index.awsAuth && p?.canonicalArn && p.parsed) {
    const old = findMapping(sim.index.awsAuth, p.canonicalArn)?.mapping.username;
    const rendered = old
      ? renderTemplate(old, { accountId: p.parsed.accountId, sessionName: session })
      : undefined;
    if (rendered?.ok && rendered.unknown.length === 0) {
      add(
        rendered.value,
        `the binding names the username of the aws-auth mapping (${old ?? ''}), which the access entry replaced`,
      );
    }
  }
  add(actual.toLowerCase(), 'the binding differs only in case; usernames are case-sensitive');
  return out;
}

/** How `bound` differs from `actual` when they match up to `looseSubjectName`, in words. */
export function looseDifference(bound: string, actual: string): string {
  const parts: string[] = [];
  if (bound.trim() !== bound) parts.push('it has surrounding whitespace');
  const a = bound.trim();
  if (a.toLowerCase() !== actual.toLowerCase()) {
    parts.push('it writes @ where {{SessionName}} renders - (only {{SessionNameRaw}} keeps the @)');
  }
  if (a.replace(/@/g, '-') !== actual && a.toLowerCase().replace(/@/g, '-') === actual.toLowerCase()) {
    parts.push('it differs in case, and usernames are case-sensitive');
  }
  return `the binding is spelt almost like the username: ${parts.join('; ')}`;
}
