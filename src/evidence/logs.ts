/**
 * Evidence from logs (FM §0.2 AGD/AGG/AGS, AUD401/AUD403; FM §6 recipes): the snapshot's authenticator log lines,
 * audit events and pasted lines, read once per snapshot with the shared line parser (`parseLogLine`) and indexed
 * by the caller's canonical ARN (lower-cased, as the authenticator compares it). Rules cite the lines by JSON
 * Pointer; the simulator adds the facts of the principal's decisive line to the pasted facts.
 */
import { canonicalArn } from '../eks/arn.js';
import type { Incident } from '../model/incident.js';
import type { EvidenceRef } from '../model/report.js';
import { okData, type Snapshot } from '../model/snapshot.js';
import { authenticatorErrorFacts } from '../parse/authenticator-errors.js';
import { parseLogLine } from '../parse/index.js';
import { clip, findPrincipalArn } from '../parse/text.js';
import type { Simulation } from '../simulate/simulate.js';

export type LogSource = 'authenticatorLogs' | 'auditEvents' | 'incident';

export interface LogCitation {
  fact: string;
  source: LogSource;
  /** JSON Pointer into the snapshot, e.g. `/authenticatorLogs/data/3`. */
  pointer: string;
  note: string;
  /** ISO 8601, when the line carries a time. */
  time?: string;
  /**
   * How the line was tied to the principal: by its ARN; by time only (token and STS denials name nobody, because
   * the authenticator logs the ARN only once STS answered); as the latest nameless denial when the incident time is
   * unknown (weaker: see `logEvidenceFor`); or pasted by the user.
   */
  match: 'arn' | 'time' | 'latest' | 'pasted';
  /** How many other lines of the principal show the same fact (they are not cited one by one). */
  more?: number;
}

export interface AwsAuthEdit {
  pointer: string;
  verb: string;
  time?: string;
  user?: string;
  code?: number;
}

export interface LogEvidence {
  /**
   * Facts of the principal's authenticator decision nearest the incident (or the latest one when the incident
   * time is unknown), else, for an observed 401, of a token or STS denial that names nobody: the one nearest the
   * incident time, or without a time the latest in the log. The simulator treats them like pasted facts.
   */
  facts: Set<string>;
  /**
   * Set when `facts` come from a nameless denial (matched by time, or the latest one): another client's line may
   * be read as the principal's, so the simulator uses them only when nothing else explains the 401.
   */
  weak?: true;
  /** Every line that shows a fact about the principal, best first: the decisive line, pasted lines, the rest. */
  citations: LogCitation[];
  /** Edits of kube-system/aws-auth in the audit log (anyone's), oldest first. */
  awsAuthEdits: AwsAuthEdit[];
  /**
   * The principal's deciding authenticator line when it is an `access granted` one: what the authenticator mapped
   * the caller to (rendered username and groups), even when aws-auth and access entries cannot be read.
   */
  granted?: LogGrant;
}

export interface LogGrant {
  pointer: string;
  time?: string;
  username: string;
  groups: string[];
}

export interface LogSubject {
  principalArn?: string | undefined;
  /** When the failure was seen (ISO 8601): lines near it decide. */
  observedAt?: string | undefined;
  /**
   * The HTTP status the user saw: only a 401 lets a nameless denial stand in, the nearest one in time or, without a
   * time, the latest (see below).
   */
  observedStatus?: number | undefined;
}

type SimulationLike = Pick<Simulation, 'input'> & { principal?: Simulation['principal'] };

/** A token lives 15 minutes (AUTH:pkg/token/token.go): lines further from the incident belong to other attempts. */
const ARN_WINDOW_MS = 15 * 60_000;
/** Lines that name nobody are tied to the incident only when they are this close to it. */
const TIME_WINDOW_MS = 2 * 60_000;

/** STS answers that blame the signing credentials themselves: a grant with the same credentials contradicts them. */
const CREDENTIAL_FACTS = new Set(['sts-expired-token', 'sts-invalid-client-token', 'sts-signature-mismatch']);

type LineKind = 'denied' | 'granted' | 'sts';

interface IndexedLine {
  source: 'authenticatorLogs' | 'auditEvents';
  at: number;
  time: number | undefined;
  kind: LineKind;
  key: string | undefined;
  facts: string[];
  note: string;
  /** What an `access granted` line says the caller was mapped to. */
  username?: string;
  groups?: string[];
}

/** An authenticator record before parsing: its time and the principal it names, found cheaply. */
interface RawLine {
  at: number;
  time: number | undefined;
  message: string;
}

interface LogIndex {
  /** Authenticator records by the principal they name; parsed only when that principal is asked about. */
  rawByKey: Map<string, RawLine[]>;
  /** Authenticator records that name no principal (token and STS denials, other messages). */
  nameless: RawLine[];
  parsed: Map<RawLine, IndexedLine | undefined>;
  auditByKey: Map<string, IndexedLine[]>;
  pasted: LogCitation[];
  awsAuthEdits: AwsAuthEdit[];
  cache: Map<string, LogEvidence>;
}

const indexes = new WeakMap<Snapshot, LogIndex>();

/** The canonical ARN, lower-cased; undefined for text the authenticator would not accept as an ARN. */
export function principalKey(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  try {
    return canonicalArn(arn).toLowerCase();
  } catch {
    return undefined;
  }
}

function parseTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

function isoOf(time: number | undefined): string | undefined {
  return time === undefined ? undefined : new Date(time).toISOString();
}

const ARN_FIELD = /\barn="?(arn:[^"\s]+)/;

/**
 * The principal a record names, without the full parser: the `arn=` field (the canonical ARN in denials and grants,
 * the STS ARN in STS responses), else the first ARN in the text (`ARN is not mapped: <arn>` of authenticator 0.4).
 */
function namedKey(message: string, keys: Map<string, string | undefined>): string | undefined {
  const field = ARN_FIELD.exec(message);
  const at = field ? -1 : message.indexOf('arn:aws');
  const arn = field ? field[1] : at >= 0 ? findPrincipalArn(message, at) : undefined;
  if (!arn) return undefined;
  // Logs repeat the same few ARNs: canonicalize each once.
  if (!keys.has(arn)) keys.set(arn, principalKey(arn));
  return keys.get(arn);
}

function authenticatorLine(
  message: string,
  time: number | undefined,
): Omit<IndexedLine, 'source' | 'at'> | undefined {
  const incident = parseLogLine(message, { now: new Date(time ?? 0) });
  if (incident.source !== 'authenticator') return undefined;
  let facts = incident.facts ?? [];
  // aws-iam-authenticator v0.1 (heptio) logged `msg="access denied because ARN is not mapped"` with no error field.
  if (facts.length === 0 && /msg="?access denied/i.test(message)) {
    facts = ['unauthorized', ...authenticatorErrorFacts(message)];
  }
  const key = principalKey(incident.principalArn);
  const lineTime = time ?? parseTime(incident.time);
  if (facts.includes('access-granted')) {
    const groups = incident.groups ? ` groups=[${incident.groups.join(' ')}]` : '';
    const user = incident.username === '' ? '"" (empty)' : (incident.username ?? '?');
    return {
      time: lineTime,
      kind: 'granted',
      key,
      facts,
      note: `access granted: username=${user}${groups}`,
      ...(incident.username !== undefined ? { username: incident.username } : {}),
      groups: incident.groups ?? [],
    };
  }
  if (facts.includes('unauthorized')) {
    const reason = incident.reason ?? 'access denied';
    return { time: lineTime, kind: 'denied', key, facts, note: `access denied: ${clip(reason, 240)}` };
  }
  if (incident.accessKeyId || incident.awsUserId) {
    const arn = incident.principalArn ?? '?';
    return {
      time: lineTime,
      kind: 'sts',
      key,
      facts,
      note: `STS response: ${arn}${incident.accessKeyId ? ` (access key ${incident.accessKeyId})` : ''}`,
    };
  }
  return undefined;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function auditFields(event: Json): {
  code?: number;
  username?: string;
  verb?: string;
  uri?: string;
  awsAuth: boolean;
  decision?: string;
  reason?: string;
  time?: string;
} {
  const status = isObject(event.responseStatus) ? event.responseStatus : {};
  const user = isObject(event.user) ? event.user : {};
  const ref = isObject(event.objectRef) ? event.objectRef : {};
  const annotations = isObject(event.annotations) ? event.annotations : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    code: typeof status.code === 'number' ? status.code : undefined,
    username: str(user.username),
    verb: str(event.verb),
    uri: str(event.requestURI),
    awsAuth:
      ref.resource === 'configmaps' &&
      ref.name === 'aws-auth' &&
      (ref.namespace === undefined || ref.namespace === 'kube-system'),
    decision: str(annotations['authorization.k8s.io/decision']),
    reason: str(annotations['authorization.k8s.io/reason']),
    time: str(event.requestReceivedTimestamp) ?? str(event.stageTimestamp),
  };
}

const TIME_DEPENDENT_FACTS = new Set(['token-expired', 'clock-skew']);
const AWS_AUTH_EDIT_VERBS = new Set(['update', 'patch', 'delete']);

function buildIndex(snapshot: Snapshot): LogIndex {
  const index: LogIndex = {
    rawByKey: new Map(),
    nameless: [],
    parsed: new Map(),
    auditByKey: new Map(),
    pasted: [],
    awsAuthEdits: [],
    cache: new Map(),
  };
  const keys = new Map<string, string | undefined>();
  (okData(snapshot, 'authenticatorLogs') ?? []).forEach((entry, at) => {
    // Library callers may pass unvalidated snapshots: skip what is not a log record.
    if (typeof entry?.message !== 'string') return;
    const raw: RawLine = { at, time: parseTime(entry.timestamp), message: entry.message };
    const key = namedKey(entry.message, keys);
    if (!key) index.nameless.push(raw);
    else {
      const list = index.rawByKey.get(key);
      if (list) list.push(raw);
      else index.rawByKey.set(key, [raw]);
    }
  });
  const add = (line: IndexedLine): void => {
    if (!line.key) return;
    const list = index.auditByKey.get(line.key);
    if (list) list.push(line);
    else index.auditByKey.set(line.key, [line]);
  };

  (okData(snapshot, 'auditEvents') ?? []).forEach((event, at) => {
    if (!isObject(event)) return;
    const f = auditFields(event);
    const failed = f.code !== undefined && f.code >= 400;
    const emptyUser = f.username === '' && f.code !== 401;
    if (f.awsAuth && f.verb && AWS_AUTH_EDIT_VERBS.has(f.verb)) {
      index.awsAuthEdits.push({
        pointer: `/auditEvents/data/${at}`,
        verb: f.verb,
        ...(f.time ? { time: f.time } : {}),
        ...(f.username ? { user: f.username } : {}),
        ...(f.code !== undefined ? { code: f.code } : {}),
      });
    }
    // Only failures and empty usernames say something about a principal; skip the rest cheaply.
    if (!failed && !emptyUser) return;
    const incident: Incident = parseLogLine(JSON.stringify(event), { now: new Date(parseTime(f.time) ?? 0) });
    const decision = f.decision
      ? ` decision=${f.decision}${f.reason ? ` (${clip(f.reason, 200)})` : ''}`
      : '';
    const who = f.username === undefined ? 'no user' : f.username === '' ? 'user ""' : `user "${f.username}"`;
    add({
      source: 'auditEvents',
      at,
      time: parseTime(f.time),
      kind: failed ? 'denied' : 'granted',
      key: principalKey(incident.principalArn),
      facts: incident.facts ?? [],
      note: `audit: ${f.code ?? '?'} ${f.verb ?? ''} ${f.uri ?? ''} as ${who}${decision}`.replace(
        /\s+/g,
        ' ',
      ),
    });
  });
  index.awsAuthEdits.sort((a, b) => (parseTime(a.time) ?? 0) - (parseTime(b.time) ?? 0));

  // "now" for tokens in pasted lines is the snapshot's own time (rules never read the clock); without one, facts
  // that depend on it are not cited.
  const reference = parseTime(snapshot.collectedAt ?? snapshot.incident?.observedAt);
  (snapshot.incident?.logLines ?? []).forEach((text, at) => {
    if (typeof text !== 'string') return;
    const incident = parseLogLine(text, { now: new Date(reference ?? 0) });
    const time = incident.time;
    const timeless = reference === undefined && text.includes('k8s-aws-v1.');
    for (const fact of incident.facts ?? []) {
      if (timeless && TIME_DEPENDENT_FACTS.has(fact)) continue;
      if (index.pasted.some((c) => c.fact === fact)) continue;
      index.pasted.push({
        fact,
        source: 'incident',
        pointer: `/incident/logLines/${at}`,
        note: `pasted: ${clip(incident.reason ?? text.trim(), 240)}`,
        ...(time ? { time } : {}),
        match: 'pasted',
      });
    }
  });
  return index;
}

/** The parsed record (memoized: each record is parsed at most once per snapshot). */
function parsedLine(index: LogIndex, raw: RawLine): IndexedLine | undefined {
  if (index.parsed.has(raw)) return index.parsed.get(raw);
  const line = authenticatorLine(raw.message, raw.time);
  const full: IndexedLine | undefined = line && { ...line, source: 'authenticatorLogs', at: raw.at };
  index.parsed.set(raw, full);
  return full;
}

function linesOf(index: LogIndex, key: string | undefined): IndexedLine[] {
  if (!key) return [];
  const out: IndexedLine[] = [];
  for (const raw of index.rawByKey.get(key) ?? []) {
    const line = parsedLine(index, raw);
    if (line) out.push({ ...line, key });
  }
  out.push(...(index.auditByKey.get(key) ?? []));
  return out;
}

/** Nameless authenticator denials within `window` of `at` (only those are parsed). */
function namelessDenials(index: LogIndex, at: number, window: number): IndexedLine[] {
  const out: IndexedLine[] = [];
  for (const raw of index.nameless) {
    if (raw.time === undefined || Math.abs(raw.time - at) > window) continue;
    const line = parsedLine(index, raw);
    if (line?.kind === 'denied') out.push(line);
  }
  return out;
}

/** The latest nameless authenticator denial of the whole collected window (by time, then by position). */
function latestNamelessDenial(index: LogIndex): IndexedLine | undefined {
  let best: IndexedLine | undefined;
  for (const raw of index.nameless) {
    const line = parsedLine(index, raw);
    if (line?.kind !== 'denied') continue;
    if (!best || (line.time ?? -1) > (best.time ?? -1) || (line.time === best.time && line.at > best.at)) {
      best = line;
    }
  }
  return best;
}

function logIndex(snapshot: Snapshot): LogIndex {
  let index = indexes.get(snapshot);
  if (!index) {
    index = buildIndex(snapshot);
    indexes.set(snapshot, index);
  }
  return index;
}

function subjectOf(who: LogSubject | SimulationLike): LogSubject {
  if (!('input' in who)) return who;
  return {
    principalArn: who.principal?.arn ?? who.input.principalArn ?? who.input.incident?.principalArn,
    observedAt: who.input.snapshot.incident?.observedAt ?? who.input.incident?.time,
    observedStatus: who.input.observedStatus,
  };
}

function distance(line: IndexedLine, at: number | undefined): number {
  if (at === undefined || line.time === undefined) return Number.POSITIVE_INFINITY;
  return Math.abs(line.time - at);
}

/** The line that decides: nearest the incident time within the window, else (time unknown) the latest. */
function decisiveLine(lines: IndexedLine[], at: number | undefined, window: number): IndexedLine | undefined {
  let best: IndexedLine | undefined;
  for (const line of lines) {
    if (line.source !== 'authenticatorLogs' || line.kind === 'sts') continue;
    if (at !== undefined) {
      const d = distance(line, at);
      if (d > window) continue;
      // Ties go to the later line: the last attempt before the user gave up.
      if (!best || d < distance(best, at) || (d === distance(best, at) && line.at > best.at)) best = line;
    } else if (
      !best ||
      (line.time ?? -1) > (best.time ?? -1) ||
      (line.time === best.time && line.at > best.at)
    ) {
      best = line;
    }
  }
  return best;
}

/**
 * What the logs say about one principal around one incident. Memoized per snapshot and principal, so the
 * simulator and every rule can ask without rescanning the logs.
 */
export function logEvidenceFor(snapshot: Snapshot, who: LogSubject | SimulationLike): LogEvidence {
  const subject = subjectOf(who);
  const index = logIndex(snapshot);
  const key = principalKey(subject.principalArn);
  const cacheKey = `${key ?? ''}|${subject.observedAt ?? ''}|${subject.observedStatus ?? ''}`;
  const cached = index.cache.get(cacheKey);
  if (cached) return cached;

  const at = parseTime(subject.observedAt);
  const mine = linesOf(index, key);
  let decisive = decisiveLine(mine, at, ARN_WINDOW_MS);
  let match: LogCitation['match'] = 'arn';
  // The principal's own denial near the incident explains it. Without one (or when its nearest line is an older
  // grant), a nameless token or STS denial near the incident may: only for an observed 401, since a 403 or a
  // proxied response proves the authenticator accepted the token, and without a status there is nothing to explain.
  // Other nameless denials around the incident with the same facts (bursts: throttling, a job's expired token).
  const alike = new Map<string, number>();
  const countAlike = (chosen: IndexedLine, candidates: IndexedLine[]): void => {
    for (const other of candidates) {
      if (other === chosen) continue;
      for (const fact of other.facts) alike.set(fact, (alike.get(fact) ?? 0) + 1);
    }
  };
  const unauthorized = subject.observedStatus === 401;
  if (at !== undefined && unauthorized && (!decisive || decisive.kind === 'granted')) {
    // A grant of the principal this close to the incident shows STS accepted its credentials: a nameless denial
    // that blames the credentials is another client's, however much closer it is. Throttling, STS errors and an
    // old token outliving its 15 minutes can still hit the principal's next request.
    const grantedNear = decisive !== undefined && distance(decisive, at) <= TIME_WINDOW_MS;
    const candidates = namelessDenials(index, at, TIME_WINDOW_MS).filter(
      (line) => !grantedNear || !line.facts.some((fact) => CREDENTIAL_FACTS.has(fact)),
    );
    const nameless = decisiveLine(candidates, at, TIME_WINDOW_MS);
    if (nameless && (!decisive || distance(nameless, at) < distance(decisive, at))) {
      decisive = nameless;
      match = 'time';
      countAlike(nameless, candidates);
    }
  } else if (at === undefined && unauthorized && decisive?.kind !== 'denied') {
    // No time to match by, but the user saw a 401 and no line of the principal explains it. Token and STS denials
    // can never name the caller (the authenticator learns the ARN from STS), so the latest of them is the likely
    // cause: weaker than a time match, and said so. A grant of the principal later than the denial, or less than
    // a token lifetime before it, shows its credentials got through STS then: the denial is another client's.
    const nameless = latestNamelessDenial(index);
    const grantedSince =
      decisive !== undefined &&
      (nameless?.time === undefined ||
        decisive.time === undefined ||
        decisive.time >= nameless.time - ARN_WINDOW_MS);
    if (nameless && !grantedSince) {
      decisive = nameless;
      match = 'latest';
      if (nameless.time !== undefined) {
        countAlike(nameless, namelessDenials(index, nameless.time, TIME_WINDOW_MS));
      }
    }
  }

  const citations: LogCitation[] = [];
  const cite = (line: IndexedLine, how: LogCitation['match'], note = line.note): void => {
    for (const fact of line.facts) {
      citations.push({
        fact,
        source: line.source,
        pointer: `/${line.source}/data/${line.at}`,
        note,
        ...(line.time !== undefined ? { time: isoOf(line.time) } : {}),
        match: how,
        ...(how !== 'arn' && alike.get(fact) ? { more: alike.get(fact) } : {}),
      });
    }
  };
  if (decisive) {
    const why =
      match === 'time'
        ? `${decisive.note} (the line names no principal; it is the denial closest to the incident time)`
        : match === 'latest'
          ? `${decisive.note} (the line names no principal and the incident time is unknown: it is the latest such ` +
            'denial in the collected log and no line of the principal explains the 401, so it is likely, not certain, ' +
            'to be this request; incident.observedAt would match it by time)'
          : decisive.note;
    cite(decisive, match, why);
  }
  citations.push(...index.pasted);

  // The principal's other lines, one citation per fact (the one nearest the incident, or the latest) plus a count.
  const byFact = new Map<string, { line: IndexedLine; count: number }>();
  for (const line of mine) {
    if (line === decisive) continue;
    for (const fact of line.facts) {
      const seen = byFact.get(fact);
      if (!seen) {
        byFact.set(fact, { line, count: 1 });
        continue;
      }
      seen.count++;
      const better =
        at !== undefined
          ? distance(line, at) < distance(seen.line, at)
          : (line.time ?? -1) >= (seen.line.time ?? -1);
      if (better) seen.line = line;
    }
  }
  for (const [fact, { line, count }] of byFact) {
    citations.push({
      fact,
      source: line.source,
      pointer: `/${line.source}/data/${line.at}`,
      note: line.note,
      ...(line.time !== undefined ? { time: isoOf(line.time) } : {}),
      match: 'arn',
      ...(count > 1 ? { more: count - 1 } : {}),
    });
  }

  const evidence: LogEvidence = {
    facts: new Set(decisive?.facts ?? []),
    citations,
    awsAuthEdits: index.awsAuthEdits,
    ...(match === 'time' || match === 'latest' ? { weak: true } : {}),
  };
  if (
    decisive?.kind === 'granted' &&
    decisive.source === 'authenticatorLogs' &&
    decisive.username !== undefined
  ) {
    evidence.granted = {
      pointer: `/authenticatorLogs/data/${decisive.at}`,
      ...(decisive.time !== undefined ? { time: isoOf(decisive.time) } : {}),
      username: decisive.username,
      groups: decisive.groups ?? [],
    };
  }
  index.cache.set(cacheKey, evidence);
  return evidence;
}

/** The best line showing one of `facts`, as report evidence; undefined when no line shows any. */
export function citeFact(evidence: LogEvidence, ...facts: string[]): EvidenceRef | undefined {
  const found = evidence.citations.find((c) => facts.includes(c.fact));
  if (!found) return undefined;
  const when = found.time ? ` at ${found.time}` : '';
  const more = found.more ? ` (and ${found.more} more like it)` : '';
  return { source: found.source, pointer: found.pointer, note: `${found.note}${when}${more}` };
}

/** Shorthand for rules: the log line of this simulation's principal that shows one of `facts`. */
export function logCitation(sim: SimulationLike, ...facts: string[]): EvidenceRef | undefined {
  return citeFact(logEvidenceFor(sim.input.snapshot, sim), ...facts);
}
