/**
 * Near misses (issue item 5): when no access entry or aws-auth mapping matches the caller, the entry the user most
 * likely meant — the same role written with its IAM path (FM-19), an STS session ARN (FM-20), the SSO
 * permission-set role with an older suffix (FM-21), a renamed or moved IAM user (FM-23), whitespace or invisible
 * characters in the ARN (FM-26), the same name in another account (FM-31), or `user/` where the caller is a role.
 * Lookups go through the indexes of SnapshotIndex plus a few built here once per snapshot, never a scan per rule.
 *
 * It also reads the entry a user meant out of aws-auth text the authenticator rejects (a section dropped by a YAML
 * error, an entry without `rolearn`), so that the fix repairs that entry instead of adding another.
 */
import { mappingYaml, parseAwsAuth, type AwsAuthMapping } from '../eks/aws-auth.js';
import { canonicalArn, parseArn, type ParsedArn } from '../eks/arn.js';
import type { AccessScopeInput, FixAction, FixPlan } from '../fix/actions.js';
import { intendedPolicy, suggestedUsername } from '../fix/plans.js';
import type { EvidenceRef } from '../model/report.js';
import { okData, type AccessEntry, type AssociatedAccessPolicy } from '../model/snapshot.js';
import { matchKey, principalName, type IndexedEntry, type SnapshotIndex } from './context.js';
import type { Simulation } from './simulate.js';

export type NearMissKind =
  | 'recreated'
  | 'spelling'
  | 'role-path'
  | 'sts-session-arn'
  | 'user-path'
  | 'user-renamed'
  | 'sso-suffix'
  | 'user-vs-role'
  | 'other-account';

/** Best explanation first: an exact-but-for-formatting match beats a same-name guess. */
const KIND_ORDER: readonly NearMissKind[] = [
  'recreated',
  'spelling',
  'role-path',
  'sts-session-arn',
  'user-path',
  'user-renamed',
  'sso-suffix',
  'user-vs-role',
  'other-account',
];

export interface NearMiss {
  kind: NearMissKind;
  source: 'access-entry' | 'aws-auth';
  entry?: IndexedEntry;
  mapping?: AwsAuthMapping;
  /** The ARN as the entry holds it. */
  written: string;
  /** The ARN that entry should name for this caller. */
  intended: string;
  pointer: string;
  /** One sentence: what differs, with the values of this case. */
  detail: string;
}

/** `AWSReservedSSO_<PermissionSet>_<16 hex>`: the role IAM Identity Center provisions per permission set. */
export const SSO_ROLE = /^AWSReservedSSO_(.+)_([0-9a-f]{16})$/i;

export interface UserRename {
  oldName: string;
  newName?: string;
  newPath?: string;
  time?: string;
  pointer: string;
}

type Target = { entry: IndexedEntry } | { mapping: AwsAuthMapping };

interface NearMissIndex {
  awsAuthByName: Map<string, AwsAuthMapping[]>;
  /** `<account>:<permission set>` (lower-cased) → SSO role targets. */
  ssoByStem: Map<string, Target[]>;
  /** Loose key (no whitespace or invisible characters, lower-cased) → aws-auth mappings spelt oddly. */
  oddSpellings: Map<string, AwsAuthMapping[]>;
  /** New user name (lower-cased) → CloudTrail UpdateUser renames. */
  renames: Map<string, UserRename[]>;
}

const indexes = new WeakMap<SnapshotIndex, NearMissIndex>();
const results = new WeakMap<Simulation, NearMiss[]>();

const INVISIBLE = /[\s\u00a0\u200b-\u200d\u2060\ufeff]/g;

function looseKey(arn: string): string {
  return arn.normalize('NFKC').replace(INVISIBLE, '').toLowerCase();
}

function tryParse(arn: string): ParsedArn | undefined {
  try {
    return parseArn(arn);
  } catch {
    return undefined;
  }
}

/** The principal name an ARN names (the role of an STS session ARN), lower-cased. */
function nameOf(arn: string): string {
  return (tryParse(arn)?.name ?? principalName(arn)).toLowerCase();
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function ssoStem(parsed: ParsedArn | undefined): string | undefined {
  const m = parsed ? SSO_ROLE.exec(parsed.name) : null;
  return parsed && m?.[1] ? `${parsed.accountId}:${m[1].toLowerCase()}` : undefined;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function buildIndex(index: SnapshotIndex): NearMissIndex {
  const awsAuthByName = new Map<string, AwsAuthMapping[]>();
  const ssoByStem = new Map<string, Target[]>();
  const oddSpellings = new Map<string, AwsAuthMapping[]>();
  for (const m of [...(index.awsAuth?.roles ?? []), ...(index.awsAuth?.users ?? [])]) {
    const raw = m.rawArn ?? m.arn;
    const parsed = tryParse(m.arn);
    push(awsAuthByName, nameOf(m.arn), m);
    const stem = ssoStem(parsed);
    if (stem) push(ssoByStem, stem, { mapping: m });
    if (!parsed || looseKey(raw) !== raw.toLowerCase()) push(oddSpellings, looseKey(raw), m);
  }
  for (const list of index.entriesByKey.values()) {
    for (const entry of list) {
      const stem = ssoStem(tryParse(entry.entry.principalArn));
      if (stem) push(ssoByStem, stem, { entry });
    }
  }
  // IAM users keep their unique id across UpdateUser (rename or new path): index the renames once.
  const renames = new Map<string, UserRename[]>();
  (okData(index.snapshot, 'cloudTrail') ?? []).forEach((raw, i) => {
    if (raw.EventName !== 'UpdateUser') return;
    const detail = asObject(raw.CloudTrailEvent);
    const params = asObject(detail?.requestParameters);
    const oldName = typeof params?.userName === 'string' ? params.userName : undefined;
    if (!oldName || detail?.errorCode) return;
    const newName = typeof params?.newUserName === 'string' ? params.newUserName : undefined;
    const newPath = typeof params?.newPath === 'string' ? params.newPath : undefined;
    const time = raw.EventTime ?? (typeof detail?.eventTime === 'string' ? detail.eventTime : undefined);
    const rename: UserRename = {
      oldName,
      pointer: `/cloudTrail/data/${i}`,
      ...(newName ? { newName } : {}),
      ...(newPath ? { newPath } : {}),
      ...(time ? { time } : {}),
    };
    push(renames, (newName ?? oldName).toLowerCase(), rename);
  });
  return { awsAuthByName, ssoByStem, oddSpellings, renames };
}

function nearMissIndex(index: SnapshotIndex): NearMissIndex {
  let built = indexes.get(index);
  if (!built) {
    built = buildIndex(index);
    indexes.set(index, built);
  }
  return built;
}

/** CloudTrail UpdateUser events that gave an IAM user its current name (newest last). */
export function renamesOf(index: SnapshotIndex, userName: string): UserRename[] {
  return nearMissIndex(index).renames.get(userName.toLowerCase()) ?? [];
}

function isRoleKind(p: ParsedArn): boolean {
  return p.kind === 'role' || p.kind === 'assumed-role';
}

/**
 * The existing mappings and entries the caller most likely meant, best first. Empty when the caller is mapped
 * (other than through mapAccounts) or unknown. Only the sources the authentication mode consults are searched.
 */
export function findNearMisses(sim: Simulation): NearMiss[] {
  const cached = results.get(sim);
  if (cached) return cached;
  const found = computeNearMisses(sim);
  results.set(sim, found);
  return found;
}

function computeNearMisses(sim: Simulation): NearMiss[] {
  const p = sim.principal;
  const caller = p?.parsed;
  if (!p || !caller || !p.canonicalArn) return [];
  if (sim.mapping && sim.mapping.source !== 'map-accounts') return [];
  if (caller.kind === 'root' || caller.kind === 'federated-user') return [];
  const { index } = sim;
  const mode = index.authMode.mode;
  const useEntries = mode !== 'CONFIG_MAP';
  const useAwsAuth = mode !== 'API' && index.awsAuth !== undefined;
  const callerIsRole = isRoleKind(caller);
  const canonical = p.canonicalArn;
  const key = matchKey(canonical);
  const out: NearMiss[] = [];
  const seen = new Set<object>();

  const addMapping = (m: AwsAuthMapping, kind: NearMissKind, detail: string): void => {
    if (seen.has(m)) return;
    seen.add(m);
    out.push({
      kind,
      source: 'aws-auth',
      mapping: m,
      written: m.rawArn ?? m.arn,
      intended: canonical,
      pointer: m.pointer,
      detail,
    });
  };
  const addEntry = (e: IndexedEntry, kind: NearMissKind, detail: string): void => {
    if (seen.has(e) || e === sim.accessEntryCandidate) return;
    seen.add(e);
    out.push({
      kind,
      source: 'access-entry',
      entry: e,
      written: e.entry.principalArn,
      intended: entryArnFor(sim, e.entry.principalArn),
      pointer: e.pointer,
      detail,
    });
  };

  // 0. The entry for this very ARN, made for an earlier principal of that name (FM-22).
  const stale = sim.accessEntryCandidate;
  if (useEntries && stale && sim.accessEntryStale) {
    seen.add(stale);
    out.push({
      kind: 'recreated',
      source: 'access-entry',
      entry: stale,
      written: stale.entry.principalArn,
      intended: stale.entry.principalArn,
      pointer: stale.pointer,
      detail: `the access entry ${stale.entry.principalArn} was created on ${sim.accessEntryStale.entryCreated}, before the principal was re-created on ${sim.accessEntryStale.principalCreated}, so it holds the old unique id`,
    });
  }

  // 1. The same principal once paths, sessions and surrounding whitespace are set aside.
  if (useAwsAuth) {
    for (const m of index.awsAuthByKey.get(key) ?? []) {
      const written = tryParse(m.arn);
      if (!written) continue;
      if (m.rawArn !== undefined) {
        addMapping(
          m,
          'spelling',
          `${m.section} entry ${m.index + 1} holds ${JSON.stringify(m.rawArn)}, whose surrounding whitespace the authenticator compares too`,
        );
      } else if (written.service === 'sts') {
        addMapping(
          m,
          'sts-session-arn',
          `${m.section} entry ${m.index + 1} holds the STS session ARN ${m.arn}; mappings must name the IAM role ${canonical}`,
        );
      } else if (written.kind === 'role' && written.path !== '/') {
        addMapping(
          m,
          'role-path',
          `${m.section} entry ${m.index + 1} holds ${m.arn} with the IAM path ${written.path}; the authenticator compares the path-less ${canonical}`,
        );
      } else if (written.kind === 'user' && caller.kind === 'user' && written.path !== caller.path) {
        addMapping(
          m,
          'user-path',
          `${m.section} entry ${m.index + 1} holds ${m.arn}, user ${caller.name} at another IAM path; user ARNs keep their path, so it does not match ${canonical}`,
        );
      }
    }
  }
  if (useEntries && caller.kind === 'user') {
    for (const e of index.entriesByKey.get(key) ?? []) {
      const written = tryParse(e.entry.principalArn);
      if (written?.kind === 'user' && written.path !== caller.path) {
        addEntry(
          e,
          'user-path',
          `the access entry ${e.entry.principalArn} names user ${caller.name} at the IAM path ${written.path}; the caller is ${canonical}`,
        );
      }
    }
  }

  const extra = nearMissIndex(index);
  // 2. Whitespace or invisible characters inside the ARN (copied from chat or a document).
  if (useAwsAuth) {
    for (const m of extra.oddSpellings.get(looseKey(canonical)) ?? []) {
      addMapping(
        m,
        'spelling',
        `${m.section} entry ${m.index + 1} holds ${JSON.stringify(m.rawArn ?? m.arn)}, which differs from ${canonical} only by whitespace or invisible characters`,
      );
    }
  }

  // 3. A renamed IAM user: the entry still names the old user name (CloudTrail UpdateUser).
  if (caller.kind === 'user') {
    for (const rename of extra.renames.get(caller.name.toLowerCase()) ?? []) {
      if (!rename.newName) continue;
      const when = rename.time ? ` at ${rename.time}` : '';
      const oldKey = rename.oldName.toLowerCase();
      const sameAccountUser = (arn: string) => {
        const w = tryParse(arn);
        return w?.kind === 'user' && w.accountId === caller.accountId;
      };
      const detail = (arn: string) =>
        `IAM user ${rename.oldName} was renamed to ${rename.newName ?? caller.name}${when} (CloudTrail UpdateUser); ${arn} still names the old user`;
      if (useAwsAuth) {
        for (const m of extra.awsAuthByName.get(oldKey) ?? []) {
          if (sameAccountUser(m.arn)) addMapping(m, 'user-renamed', detail(m.arn));
        }
      }
      if (useEntries) {
        for (const e of index.entriesByName.get(oldKey) ?? []) {
          if (sameAccountUser(e.entry.principalArn)) {
            addEntry(e, 'user-renamed', detail(e.entry.principalArn));
          }
        }
      }
    }
  }

  // 4. The SSO permission-set role with another suffix: the permission set was re-provisioned.
  const callerStem = ssoStem(caller);
  if (callerStem) {
    const suffix = SSO_ROLE.exec(caller.name)?.[2] ?? '';
    for (const target of extra.ssoByStem.get(callerStem) ?? []) {
      const arn = 'entry' in target ? target.entry.entry.principalArn : target.mapping.arn;
      const written = tryParse(arn);
      const oldSuffix = written ? (SSO_ROLE.exec(written.name)?.[2] ?? '') : '';
      if (!written || oldSuffix.toLowerCase() === suffix.toLowerCase()) continue;
      const detail = `${arn} is the role of permission set ${SSO_ROLE.exec(caller.name)?.[1] ?? ''} with suffix ${oldSuffix}; the role the caller assumes now has suffix ${suffix}, so the permission set was re-provisioned`;
      if ('entry' in target) {
        if (useEntries) addEntry(target.entry, 'sso-suffix', detail);
      } else if (useAwsAuth) addMapping(target.mapping, 'sso-suffix', detail);
    }
  }

  // 5. The same name in another account, or as the other principal type.
  const name = caller.name.toLowerCase();
  const sameName = (arn: string): { kind: NearMissKind; detail: string } | undefined => {
    const w = tryParse(arn);
    if (!w) return undefined;
    const wIsRole = isRoleKind(w);
    const type = (role: boolean) => (role ? 'role' : 'user');
    if (w.accountId !== caller.accountId) {
      return {
        kind: 'other-account',
        detail: `${arn}, ${type(wIsRole)} ${w.name} of account ${w.accountId}, while the caller is ${canonical} of account ${caller.accountId}`,
      };
    }
    if (wIsRole !== callerIsRole) {
      return {
        kind: 'user-vs-role',
        detail: `${arn}, an IAM ${type(wIsRole)}, while the caller is the IAM ${type(callerIsRole)} ${canonical}`,
      };
    }
    return undefined;
  };
  if (useAwsAuth) {
    for (const m of extra.awsAuthByName.get(name) ?? []) {
      const hit = sameName(m.arn);
      if (hit) addMapping(m, hit.kind, `${m.section} entry ${m.index + 1} names ${hit.detail}`);
    }
  }
  if (useEntries) {
    for (const e of index.entriesByName.get(name) ?? []) {
      const hit = sameName(e.entry.principalArn);
      if (hit) addEntry(e, hit.kind, `the access entry names ${hit.detail}`);
    }
  }

  return out.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

/** Where a near miss is, for a finding's evidence. */
export function nearMissEvidence(miss: NearMiss): EvidenceRef {
  return miss.source === 'access-entry'
    ? { source: 'accessEntries', pointer: miss.pointer, note: miss.detail }
    : {
        source: 'awsAuth',
        pointer: miss.pointer,
        note: `${miss.detail}${miss.mapping?.line ? ` (line ${miss.mapping.line})` : ''}`,
      };
}

/**
 * The ARN to give the access-entry APIs for the caller: the IAM ARN with its path when IAM told us; otherwise,
 * for an SSO role, the path of the entry it replaces (SSO paths are fixed); otherwise the canonical ARN.
 */
export function entryArnFor(sim: Simulation, replacing?: string): string {
  const p = sim.principal;
  const known = p?.iam?.principal.arn;
  if (known) return known;
  const canonical = p?.canonicalArn ?? '';
  const caller = p?.parsed;
  const old = replacing ? tryParse(replacing) : undefined;
  if (caller && old && isRoleKind(caller) && old.kind === 'role' && SSO_ROLE.test(caller.name)) {
    if (old.path.startsWith('/aws-reserved/sso.amazonaws.com/')) {
      return `arn:${caller.partition}:iam::${caller.accountId}:role${old.path}${caller.name}`;
    }
  }
  return canonical;
}

function scopeOf(policy: AssociatedAccessPolicy): AccessScopeInput {
  const scope = policy.accessScope;
  return scope.type.toLowerCase() === 'namespace'
    ? { type: 'namespace', namespaces: [...(scope.namespaces ?? [])] }
    : { type: 'cluster' };
}

/**
 * Delete an access entry and create it again for `principalArn` with the same type, groups, custom username and
 * policies: EKS binds an entry to a principal's unique id, so it can be neither edited to another ARN nor revived
 * for a recreated principal. `keepOld` copies instead (another principal keeps its entry).
 */
export function recreateEntryPlan(
  sim: Simulation,
  old: AccessEntry,
  principalArn: string,
  options: { title: string; keepOld?: boolean; notes?: string },
): FixPlan {
  const actions: FixAction[] = [];
  if (!options.keepOld) actions.push({ kind: 'delete-access-entry', principalArn: old.principalArn });
  const oldName = nameOf(old.principalArn);
  const type = old.type ?? 'STANDARD';
  const standard = type.toUpperCase() === 'STANDARD';
  // Node types take neither a username nor groups (EKS sets them). An EKS-generated username embeds the old
  // principal's name: let EKS generate a new one. system: groups are refused on create (FM-36).
  const username =
    standard && old.username && !old.username.toLowerCase().includes(oldName) ? old.username : undefined;
  const groups = standard ? (old.kubernetesGroups ?? []).filter((g) => !g.startsWith('system:')) : [];
  actions.push({
    kind: 'create-access-entry',
    principalArn,
    type,
    ...(username ? { username } : {}),
    ...(groups.length ? { kubernetesGroups: groups } : {}),
  });
  const policies = old.associatedPolicies ?? [];
  for (const policy of policies) {
    actions.push({
      kind: 'associate-access-policy',
      principalArn,
      policyArn: policy.policyArn,
      scope: scopeOf(policy),
    });
  }
  const notes: string[] = [];
  if (standard && policies.length === 0 && groups.length === 0) {
    const intended = intendedPolicy(sim);
    actions.push({ kind: 'associate-access-policy', principalArn, ...intended });
    notes.push(
      `The old entry granted nothing; ${intended.policyArn.split('/').pop() ?? ''} is added so the request is allowed.`,
    );
  }
  if (policies.length) {
    notes.push(
      `Copies the ${policies.length} access polic${policies.length === 1 ? 'y' : 'ies'} of the entry for ${old.principalArn} (aws eks list-associated-access-policies shows them).`,
    );
  }
  if (principalArn === sim.principal?.canonicalArn && !sim.principal.iam && sim.principal.parsed) {
    const p = sim.principal.parsed;
    if (isRoleKind(p)) {
      notes.push(
        `If role ${p.name} has an IAM path, use its full ARN: aws iam get-role --role-name ${p.name} --query Role.Arn.`,
      );
    }
  }
  if (options.notes) notes.unshift(options.notes);
  return { title: options.title, actions, ...(notes.length ? { notes: notes.join(' ') } : {}) };
}

/** The fix that corrects the entry a near miss points at (or copies it, for another account's principal). */
export function nearMissFix(sim: Simulation, miss: NearMiss): FixPlan | undefined {
  const p = sim.principal?.parsed;
  if (!p) return undefined;
  const copy = miss.kind === 'other-account';
  if (miss.source === 'access-entry' && miss.entry) {
    return recreateEntryPlan(sim, miss.entry.entry, miss.intended, {
      title: copy
        ? `Create an access entry for ${miss.intended} like the one of ${shownArn(miss.written)}`
        : miss.kind === 'recreated'
          ? `Delete the access entry for ${miss.intended} and create it again for the current principal`
          : `Re-create the access entry for ${miss.intended} (it names ${shownArn(miss.written)})`,
      keepOld: copy,
      notes: copy
        ? undefined
        : miss.kind === 'recreated'
          ? 'Deleting and re-creating the entry binds it to the new unique id.'
          : 'An access entry cannot be pointed at another principal: it is deleted and created again with the same settings.',
    });
  }
  const m = miss.mapping;
  if (!m) return undefined;
  const username = m.username ? m.username : suggestedUsername(sim);
  return {
    title: copy
      ? `Map ${miss.intended} in aws-auth like ${shownArn(miss.written)}`
      : `Correct the aws-auth entry ${shownArn(miss.written)} to ${miss.intended}`,
    actions: [
      {
        kind: 'aws-auth-put-mapping',
        section: isRoleKind(p) ? 'mapRoles' : 'mapUsers',
        arn: miss.intended,
        username,
        groups: [...m.groups],
        ...(copy ? {} : { replaceArn: m.arn }),
        replacesExisting: !copy,
      },
    ],
    yamlSnippet: true,
    ...(m.username
      ? {}
      : {
          notes: `The entry had no username; ${username} is set so that aggregated APIs accept the caller.`,
        }),
  };
}

// ─── Reading the entry a user meant out of text the authenticator rejects ───────────────────────────────────────

export interface RecoveredEntry {
  /** 1-based line of the entry's first line in the section text. */
  line: number;
  /** 1-based line after the entry's last line. */
  endLine: number;
  /** Every IAM or STS ARN the entry mentions, as written. */
  arns: string[];
  username?: string;
  groups: string[];
  /** The entry's text as written. */
  text: string;
}

const ENTRY_START = /^[ \t]*-[ \t]*(?:\{|[A-Za-z_][\w-]*[ \t]*:(?:[ \t]|$))/;
const KEY_LINE = /^[ \t]*-?[ \t]*([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$/;
const ARN_TOKEN = /arn:[a-z-]+:(?:iam|sts)::\d{12}:[^\s"',\]}]+/gi;

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    try {
      return JSON.parse(v) as string;
    } catch {
      return v.slice(1, -1);
    }
  }
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1).replace(/''/g, "'");
  return v;
}

/**
 * An ARN as written, for a title: JSON-quoted when it holds whitespace or other characters that would not show
 * (a trailing space is what makes such an entry never match).
 */
export function shownArn(arn: string): string {
  return /^[\x21-\x7e]+$/.test(arn) ? arn : JSON.stringify(arn);
}

/** The comma-separated items of (part of) a flow list, unquoted. */
function flowItems(text: string): string[] {
  return text
    .split(',')
    .map((s) => unquote(s))
    .filter((s) => s !== '');
}

/**
 * The items of a flow list (`[a, b]`), also one whose closing bracket is missing (`[system:masters`): that is a
 * YAML error which drops the section, and what the person meant is still plain. `closed` is false when the list
 * goes on (or was meant to) on the next lines. Undefined for anything but a flow list.
 */
function flowList(value: string): { items: string[]; closed: boolean } | undefined {
  const v = value.trim();
  if (!v.startsWith('[')) return undefined;
  const close = v.indexOf(']');
  return close < 0
    ? { items: flowItems(v.slice(1)), closed: false }
    : { items: flowItems(v.slice(1, close)), closed: true };
}

/**
 * The entries of a mapRoles/mapUsers text read line by line, the way a person reads them, so that text with tabs,
 * bad indentation or unquoted `{{...}}` templates still yields what each entry meant.
 */
export function recoverEntries(text: string): RecoveredEntry[] {
  const lines = text.split(/\r?\n/);
  const starts: number[] = [];
  lines.forEach((line, i) => {
    if (ENTRY_START.test(line)) starts.push(i);
  });
  return starts.map((start, n) => {
    const end = starts[n + 1] ?? lines.length;
    const block = lines.slice(start, end);
    const entry: RecoveredEntry = {
      line: start + 1,
      endLine: end + 1,
      arns: block.join('\n').match(ARN_TOKEN) ?? [],
      groups: [],
      text: block.join('\n'),
    };
    let inGroups = false;
    // Inside a flow list of groups that continues on the next lines (`[a,` then `b]`), or never closes.
    let inFlow = false;
    for (const line of block) {
      const key = KEY_LINE.exec(line.replace(/^([ \t]*)-[ \t]*\{/, '$1'));
      if (key?.[1] && !/^[ \t]*-[ \t]+[^ \t]+:[^ \t]/.test(line)) {
        const name = key[1].toLowerCase();
        const value = key[2] ?? '';
        inGroups = name === 'groups' && value === '';
        inFlow = false;
        if (name === 'username') entry.username = unquote(value);
        if (name === 'groups') {
          const flow = flowList(value);
          entry.groups.push(...(flow?.items ?? []));
          inFlow = flow?.closed === false;
        }
        continue;
      }
      if (inFlow && /^[ \t]*-/.test(line)) inFlow = false; // a block item: the flow list never went on
      if (inFlow) {
        const close = line.indexOf(']');
        entry.groups.push(...flowItems(close < 0 ? line : line.slice(0, close)));
        inFlow = close < 0;
        continue;
      }
      const item = /^[ \t]*-[ \t]+(.+?)[ \t]*$/.exec(line);
      if (inGroups && item?.[1]) entry.groups.push(unquote(item[1]));
    }
    return entry;
  });
}

/** Whether an ARN as written names the principal with this match key (its canonical, path-less form). */
export function namesKey(arn: string, key: string): boolean {
  try {
    return matchKey(canonicalArn(arn)) === key;
  } catch {
    return false;
  }
}

/** The recovered entry that names the caller (same path-less key as its canonical ARN). */
export function recoverCallerEntry(text: string, canonical: string): RecoveredEntry | undefined {
  const key = matchKey(canonical);
  return recoverEntries(text).find((e) => e.arns.some((arn) => namesKey(arn, key)));
}

/**
 * A mapRoles/mapUsers text rebuilt from its recovered entries, the caller's entry corrected to `caller`; undefined
 * unless the authenticator would load every entry of the result (so a repair never silently drops a node role).
 */
export function rebuildSection(
  text: string,
  section: 'mapRoles' | 'mapUsers',
  caller: { arn: string; username: string; groups: string[] },
): string | undefined {
  const entries = recoverEntries(text);
  const key = matchKey(caller.arn);
  let replaced = false;
  const parts: string[] = [];
  for (const e of entries) {
    const arn = e.arns[0];
    if (!arn) return undefined;
    if (namesKey(arn, key)) {
      if (!replaced) parts.push(mappingYaml(section, caller));
      replaced = true;
      continue;
    }
    parts.push(mappingYaml(section, { arn, username: e.username ?? '', groups: e.groups }));
  }
  if (!replaced) parts.push(mappingYaml(section, caller));
  const rebuilt = parts.join('');
  const parsed = parseAwsAuth({ data: { [section]: rebuilt } });
  const loaded = section === 'mapRoles' ? parsed.roles : parsed.users;
  const expected = entries.length + (replaced ? 0 : 1) - duplicatesOf(entries, key);
  return parsed.sections[section] === 'ok' && loaded.length === expected ? rebuilt : undefined;
}

function duplicatesOf(entries: RecoveredEntry[], key: string): number {
  const mine = entries.filter((e) => e.arns[0] !== undefined && namesKey(e.arns[0], key)).length;
  return Math.max(0, mine - 1);
}
