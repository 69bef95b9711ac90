/**
 * How the authenticator stores and finds mappings (AUTH:pkg/mapper/configmap/configmap.go): roles by lower-cased
 * ARN (the last duplicate wins), users by the ARN as written, found by a case-insensitive scan of a Go map
 * (duplicates differing in case: a random winner); mapRoles is looked up first. Indexed once per parse result.
 */
import type { AwsAuthMapping, AwsAuthProblem, MappingMatch, ParsedAwsAuth } from './types.js';
import { arnKey, entryLabel } from './types.js';

interface LookupIndex {
  roles: Map<string, AwsAuthMapping[]>;
  users: Map<string, AwsAuthMapping[]>;
  accounts: Set<string>;
}
const indexes = new WeakMap<ParsedAwsAuth, LookupIndex>();

/** Mappings by lookup key, in section order. */
function groupByArn(mappings: AwsAuthMapping[]): Map<string, AwsAuthMapping[]> {
  const groups = new Map<string, AwsAuthMapping[]>();
  for (const m of mappings) {
    const key = arnKey(m.rawArn ?? m.arn);
    const list = groups.get(key);
    if (list) list.push(m);
    else groups.set(key, [m]);
  }
  return groups;
}

function lookupIndex(parsed: ParsedAwsAuth): LookupIndex {
  let index = indexes.get(parsed);
  if (!index) {
    index = {
      roles: groupByArn(parsed.roles),
      users: groupByArn(parsed.users),
      accounts: new Set(parsed.accounts),
    };
    indexes.set(parsed, index);
  }
  return index;
}

/**
 * Role duplicates: the last one wins. User duplicates: one Go map slot per exact spelling, the last entry of
 * each spelling filling it; several spellings make the winner random (flagged as nondeterministic).
 */
export function findMapping(parsed: ParsedAwsAuth, canonicalArn: string): MappingMatch | undefined {
  const index = lookupIndex(parsed);
  const key = arnKey(canonicalArn);
  const roles = index.roles.get(key);
  if (roles?.length) {
    const mapping = roles[roles.length - 1] as AwsAuthMapping;
    return { mapping, duplicates: roles.slice(0, -1), nondeterministic: false, candidates: [mapping] };
  }
  const users = index.users.get(key);
  if (!users?.length) return undefined;
  const bySpelling = new Map(users.map((m) => [m.rawArn ?? m.arn, m]));
  const candidates = [...bySpelling.values()].sort((a, b) => a.index - b.index);
  const mapping = candidates[candidates.length - 1] as AwsAuthMapping;
  return {
    mapping,
    duplicates: users.filter((m) => m !== mapping),
    nondeterministic: candidates.length > 1,
    candidates,
  };
}

/** mapAccounts lists the account (an exact string compare, as the authenticator's set lookup). */
export function accountMapped(parsed: ParsedAwsAuth, accountId: string): boolean {
  return lookupIndex(parsed).accounts.has(accountId);
}

/** Duplicate entries in a section, and mapUsers entries that a mapRoles entry for the same ARN shadows. */
export function duplicateProblems(parsed: ParsedAwsAuth): AwsAuthProblem[] {
  const { roles, users } = lookupIndex(parsed);
  const problem = (m: AwsAuthMapping, message: string, indices?: number[]): AwsAuthProblem => ({
    ...{ section: m.section, kind: 'duplicate-arn', message, index: m.index, arn: m.arn, pointer: m.pointer },
    ...(m.line ? { line: m.line } : {}),
    ...(indices ? { indices } : {}),
  });
  const problems: AwsAuthProblem[] = [];
  for (const list of [...roles.values(), ...users.values()].filter((l) => l.length > 1)) {
    const last = list[list.length - 1] as AwsAuthMapping;
    const indices = list.map((m) => m.index);
    const where = `${indices
      .slice(0, 8)
      .map((i) => i + 1)
      .join(', ')}${indices.length > 8 ? ', …' : ''}`;
    const random = last.section === 'mapUsers' && new Set(list.map((m) => m.rawArn ?? m.arn)).size > 1;
    const message = random
      ? `mapUsers has ${list.length} entries for ${last.arn} that differ only in letter case (entries ${where}); the authenticator keeps each spelling and picks one at random on every lookup`
      : `${last.section} has ${list.length} entries for ${last.arn} (entries ${where}); the authenticator keeps only the last one (entry ${last.index + 1})`;
    problems.push(problem(last, message, indices));
  }
  for (const user of parsed.users.filter((u) => roles.has(arnKey(u.rawArn ?? u.arn)))) {
    const message = `${entryLabel('mapUsers', user.index, user.line)}: ${user.arn} is also mapped in mapRoles, which the authenticator checks first; this entry is never used`;
    problems.push(problem(user, message));
  }
  return problems;
}
