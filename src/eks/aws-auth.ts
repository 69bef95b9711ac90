/**
 * kube-system/aws-auth read exactly as aws-iam-authenticator's ConfigMap mapper reads it
 * (AUTH:pkg/mapper/configmap/configmap.go `ParseMap`, AUTH:pkg/config/mapper.go, AUTH:pkg/config/types.go;
 * FM §0 step 5, FM-19..FM-21, FM-24..FM-29, FM-33, FM-41, FM-46).
 *
 * The authenticator's pipeline, which this file replays step by step:
 * - each of `mapRoles`, `mapUsers`, `mapAccounts` is read on its own; a value that is blank, "``", `""` or `''` is
 *   skipped; top-level keys are case-sensitive (`maproles` is silently ignored);
 * - `mapRoles`/`mapUsers`: apimachinery `yaml.ToJSON` (a value starting with `{` is taken as JSON as is; anything
 *   else goes through yaml.v2 (YAML 1.1) into `interface{}`, then to JSON: a null or collection map key, or a
 *   NaN/Inf float anywhere, fails the conversion) and Go's `json.Unmarshal` into `[]RoleMapping`/`[]UserMapping`
 *   (keys matched case-insensitively, JSON keys in sorted order, type errors leave the field unset but keep the
 *   entry); any failure before that drops the whole section, the other sections still load;
 * - `mapAccounts`: yaml.v2 straight into `[]string` (scalars keep their text, so 111122223333 stays a string);
 * - per entry `Validate()`: a role needs `rolearn` or `sso` (not both), a user needs `userarn`;
 * - roles are stored by lower-cased ARN (the last duplicate wins); users by the ARN as written and looked up by
 *   iterating a Go map with a case-insensitive compare (duplicates differing in case: a random winner).
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { ConfigMap } from '../model/snapshot.js';
import { PARTITIONS } from './arn.js';

export type AwsAuthSection = 'mapRoles' | 'mapUsers' | 'mapAccounts';

export interface AwsAuthMapping {
  section: 'mapRoles' | 'mapUsers';
  /** 0-based position in the section's list as written (invalid entries keep their slot). */
  index: number;
  /** rolearn / userarn as written, trimmed. */
  arn: string;
  /** The exact value when it carries surrounding whitespace: the authenticator compares that, so it never matches. */
  rawArn?: string;
  /** undefined when the key is absent; '' when present but empty, null, or not a string. */
  username?: string;
  /** The username value was not a string (a number, boolean, list or mapping): the authenticator uses ''. */
  usernameNotString?: boolean;
  /** The groups the authenticator hands to Kubernetes ([] when absent or not a list). */
  groups: string[];
  groupsMalformed?: 'not-a-list' | 'scalar-with-dashes' | 'non-string-items';
  /** Keys the authenticator ignores (typos such as `rolarn`, or `userarn` inside mapRoles). */
  unknownKeys?: string[];
  /** 1-based line inside the section text. */
  line?: number;
  /** JSON Pointer of the section string: '/awsAuth/data/data/mapRoles'. */
  pointer: string;
}

export interface AwsAuthProblem {
  section: AwsAuthSection | 'data';
  kind:
    | 'yaml-error'
    | 'not-a-list'
    | 'entry-missing-arn'
    | 'entry-invalid'
    | 'wrong-key-case'
    | 'unknown-data-key'
    | 'groups-malformed'
    | 'duplicate-arn'
    | 'sso-entry';
  /** One line: what the authenticator would log or do. */
  message: string;
  index?: number;
  line?: number;
  pointer: string;
  /** duplicate-arn: every index of the duplicated ARN in the section. */
  indices?: number[];
  /** duplicate-arn / entry problems: the ARN concerned. */
  arn?: string;
  /** wrong-key-case / unknown-data-key: the data key as written. */
  key?: string;
  /** wrong-key-case / unknown-data-key: the section the key was probably meant to be. */
  suggestion?: AwsAuthSection;
}

export interface ParsedAwsAuth {
  /** false when the ConfigMap is null/undefined. */
  found: boolean;
  /** 'dropped' = an error made the authenticator discard the whole section; 'ok' includes present-but-blank. */
  sections: Record<AwsAuthSection, 'ok' | 'absent' | 'dropped'>;
  roles: AwsAuthMapping[];
  users: AwsAuthMapping[];
  accounts: string[];
  problems: AwsAuthProblem[];
}

export interface MappingMatch {
  mapping: AwsAuthMapping;
  /** Every other entry of the section that matches the same ARN. */
  duplicates: AwsAuthMapping[];
  /** mapUsers entries whose ARNs differ only in case: the authenticator picks one at random per lookup. */
  nondeterministic: boolean;
  /** The entries that can win (more than one only when nondeterministic). */
  candidates: AwsAuthMapping[];
}

const SECTIONS: readonly AwsAuthSection[] = ['mapRoles', 'mapUsers', 'mapAccounts'];

export function awsAuthPointer(key: string, field: 'data' | 'binaryData' = 'data'): string {
  return `/awsAuth/data/${field}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

// ─── Go values: what yaml.v2 hands to the JSON stage ────────────────────────────────────────────────────────────

type ScalarKind = 'str' | 'int' | 'float' | 'bool' | 'null';
interface GoScalar {
  t: 'scalar';
  kind: ScalarKind;
  text: string;
  nonFinite: boolean;
  off: number;
}
interface GoSeq {
  t: 'seq';
  items: GoValue[];
  offs: number[];
  off: number;
}
interface GoMap {
  t: 'map';
  entries: Map<string, GoValue>;
  off: number;
}
type GoValue = GoScalar | GoSeq | GoMap;

/** A failure that makes yaml.v2 or the YAML→JSON conversion reject the whole section. */
class SectionFailure extends Error {
  constructor(
    message: string,
    readonly off: number,
  ) {
    super(message);
  }
}

// yaml.v2 resolve.go (YAML 1.1): the implicit-type table and the first-character hints.
const RESOLVE_TABLE = new Map<string, { kind: ScalarKind; nonFinite?: boolean }>();
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) {
  RESOLVE_TABLE.set(s, { kind: 'bool' });
}
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) {
  RESOLVE_TABLE.set(s, { kind: 'bool' });
}
for (const s of ['', '~', 'null', 'Null', 'NULL']) RESOLVE_TABLE.set(s, { kind: 'null' });
for (const s of [
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
]) {
  RESOLVE_TABLE.set(s, { kind: 'float', nonFinite: true });
}
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const GO_INT = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function hint(text: string): string {
  if (text === '') return 'N';
  const c = text[0] ?? '';
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return '';
}

/** Go's strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64) succeed. */
function isGoInteger(s: string): boolean {
  const m = GO_INT.exec(s);
  if (!m) return false;
  const [, sign = '', digits = ''] = m;
  let magnitude: bigint;
  if (/^0[0-7]+$/.test(digits)) magnitude = BigInt(`0o${digits.slice(1)}`);
  else magnitude = BigInt(digits.toLowerCase());
  const value = sign === '-' ? -magnitude : magnitude;
  if (value >= INT64_MIN && value <= INT64_MAX) return true;
  return sign === '' && value <= UINT64_MAX;
}

function resolvePlain(text: string): { kind: ScalarKind; nonFinite?: boolean } {
  const h = hint(text);
  if (!h) return { kind: 'str' };
  const known = RESOLVE_TABLE.get(text);
  if (known) return known;
  if (h === '.') {
    return DOT_FLOAT.test(text) && Number.isFinite(Number(text)) ? { kind: 'float' } : { kind: 'str' };
  }
  if (h === 'D' || h === 'S') {
    const plain = text.replace(/_/g, '');
    if (isGoInteger(plain)) return { kind: 'int' };
    if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return { kind: 'float' };
  }
  // Timestamps also land here: into interface{} yaml.v2 keeps them as their text.
  return { kind: 'str' };
}

const TIMESTAMP =
  /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::\d{2})?))?)?$/;
const TAG_OF: Record<ScalarKind, string> = {
  str: '!!str',
  int: '!!int',
  float: '!!float',
  bool: '!!bool',
  null: '!!null',
};

/** yaml.v2's scalar resolution, including explicit tags (a mismatch such as `!!int abc` fails the document). */
function resolveScalar(
  text: string,
  plain: boolean,
  tag: string | undefined,
  off: number,
): { kind: ScalarKind; text: string; nonFinite: boolean } {
  const short = tag?.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice(18)}` : tag;
  if (!short) {
    if (!plain) return { kind: 'str', text, nonFinite: false };
    const r = resolvePlain(text);
    return { kind: r.kind, text, nonFinite: r.nonFinite ?? false };
  }
  if (short === '!!binary') {
    const b64 = text.replace(/[\r\n]/g, '');
    if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
      throw new SectionFailure('!!binary value contains invalid base64 data', off);
    }
    return { kind: 'str', text: Buffer.from(b64, 'base64').toString('utf8'), nonFinite: false };
  }
  if (!['!!bool', '!!int', '!!float', '!!null', '!!timestamp'].includes(short)) {
    return { kind: 'str', text, nonFinite: false }; // !!str, local tags and collection tags: the text
  }
  const r = resolvePlain(text);
  const rtag = short === '!!timestamp' && TIMESTAMP.test(text) ? '!!timestamp' : TAG_OF[r.kind];
  if (rtag === short || (short === '!!float' && rtag === '!!int')) {
    const kind: ScalarKind = short === '!!timestamp' ? 'str' : short === '!!float' ? 'float' : r.kind;
    return { kind, text, nonFinite: r.nonFinite ?? false };
  }
  throw new SectionFailure(`cannot decode ${rtag} \`${text}\` as a ${short}`, off);
}

// ─── Fast path: the block-style subset nearly every aws-auth is written in ──────────────────────────────────────
// Anything outside it (anchors, tags, block scalars, multi-line scalars, flow mappings, escapes, odd indentation,
// non-ASCII) returns undefined and goes through the full YAML parser. Both paths build the same Go values.

interface SectionTree {
  root: GoValue | null;
  lineOf(off: number): number;
  /** Fast path: the first NaN/Inf value, which the JSON stage cannot marshal. */
  nonFinite?: GoScalar;
}

interface FastFrame {
  kind: 'seq' | 'map';
  indent: number;
  node: GoSeq | GoMap;
  pendingKey?: string;
  pendingOff?: number;
}

const PLAIN_START_FORBIDDEN = new Set('-?:,[]{}#&*!|>\'"%@`');
const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)/;
const EMPTY = Symbol('empty');

function fastScalar(text: string, plain: boolean, off: number): GoScalar {
  const r = plain ? resolvePlain(text) : { kind: 'str' as const };
  return {
    t: 'scalar',
    kind: r.kind,
    text,
    nonFinite: 'nonFinite' in r ? (r.nonFinite ?? false) : false,
    off,
  };
}

/** A plain scalar the fast path accepts (block context); undefined = needs the full parser. */
function fastPlain(raw: string): string | undefined {
  const hash = raw.indexOf(' #');
  const text = (hash >= 0 ? raw.slice(0, hash) : raw).trimEnd();
  if (text === '' || PLAIN_START_FORBIDDEN.has(text[0] ?? '')) return undefined;
  if (text.includes(': ') || text.endsWith(':')) return undefined;
  return text;
}

function fastFlowSeq(raw: string, off: number): GoSeq | undefined {
  const close = raw.lastIndexOf(']');
  if (close < 0) return undefined;
  const rest = raw.slice(close + 1).trim();
  if (rest !== '' && !rest.startsWith('#')) return undefined;
  const inner = raw.slice(1, close);
  if (/[[\]{}#]/.test(inner)) return undefined;
  const seq: GoSeq = { t: 'seq', items: [], offs: [], off };
  if (inner.trim() === '') return seq;
  for (const part of inner.split(',')) {
    const item = part.trim();
    if (item === '') return undefined;
    let value: GoScalar;
    if (item.startsWith('"')) {
      if (!/^"[^"\\]*"$/.test(item)) return undefined;
      value = fastScalar(item.slice(1, -1), false, off);
    } else if (item.startsWith("'")) {
      if (!/^'[^']*'$/.test(item)) return undefined;
      value = fastScalar(item.slice(1, -1), false, off);
    } else {
      if (
        PLAIN_START_FORBIDDEN.has(item[0] ?? '') ||
        item.includes(':') ||
        item.includes('"') ||
        item.includes("'")
      ) {
        return undefined;
      }
      value = fastScalar(item, true, off);
    }
    seq.items.push(value);
    seq.offs.push(off);
  }
  return seq;
}

function fastValue(raw: string, off: number): GoValue | typeof EMPTY | undefined {
  if (raw === '' || raw.startsWith('#')) return EMPTY;
  const c = raw[0];
  if (c === '"') {
    const m = /^"([^"\\]*)"(?: +#.*)? *$/.exec(raw);
    return m ? fastScalar(m[1] ?? '', false, off) : undefined;
  }
  if (c === "'") {
    const m = /^'([^']*)'(?: +#.*)? *$/.exec(raw);
    return m ? fastScalar(m[1] ?? '', false, off) : undefined;
  }
  if (c === '[') return fastFlowSeq(raw, off);
  const text = fastPlain(raw);
  return text === undefined ? undefined : fastScalar(text, true, off);
}

function lineIndex(starts: number[]): (off: number) => number {
  return (off) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function fastParse(text: string): SectionTree | undefined {
  if (!/^[\x20-\x7e\n]*$/.test(text)) return undefined;
  const starts: number[] = [];
  const stack: FastFrame[] = [];
  let root: GoValue | null | undefined;
  const nullAt = (off: number): GoScalar => ({ t: 'scalar', kind: 'null', text: '', nonFinite: false, off });
  let nonFinite: GoScalar | undefined;
  const note = (v: GoValue): void => {
    if (nonFinite) return;
    if (v.t === 'scalar' && v.nonFinite) nonFinite = v;
    else if (v.t === 'seq') nonFinite = v.items.find((i): i is GoScalar => i.t === 'scalar' && i.nonFinite);
  };
  const close = (frame: FastFrame): void => {
    if (frame.pendingKey !== undefined && frame.node.t === 'map') {
      frame.node.entries.set(frame.pendingKey, nullAt(frame.pendingOff ?? 0));
      frame.pendingKey = undefined;
    }
  };
  /** Adds `key: value` to a map frame; returns false when the fast path must give up. */
  const putKey = (frame: FastFrame, content: string, off: number): boolean => {
    const m = KEY_LINE.exec(content);
    if (!m || frame.node.t !== 'map') return false;
    const key = m[1] ?? '';
    const keyKind = resolvePlain(key).kind;
    if (keyKind === 'null') return false; // a null key fails the JSON conversion: let the full path report it
    close(frame);
    const valueOff = off + m[0].length;
    const value = fastValue(content.slice(m[0].length), valueOff);
    if (value === undefined) return false;
    if (value === EMPTY) {
      frame.pendingKey = key;
      frame.pendingOff = valueOff;
    } else {
      note(value);
      frame.node.entries.set(key, value);
    }
    return true;
  };

  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    starts.push(pos);
    const line = text.slice(pos, end);
    const lineStart = pos;
    pos = end + 1;
    let col = 0;
    while (line.charCodeAt(col) === 32) col++;
    if (col === line.length || line[col] === '#') {
      if (nl < 0) break;
      continue;
    }
    const isSeqItem = line[col] === '-' && line[col + 1] === ' ';
    const isKey = !isSeqItem && KEY_LINE.test(line.slice(col));
    if (!isSeqItem && !isKey) return undefined;
    for (;;) {
      const top = stack.at(-1);
      if (!top) break;
      if (top.indent > col || (isKey && top.kind === 'seq' && top.indent === col)) {
        close(top);
        stack.pop();
        continue;
      }
      break;
    }
    const top = stack.at(-1);
    const off = lineStart + col;
    if (isSeqItem) {
      let seqFrame: FastFrame;
      if (top && top.kind === 'seq' && top.indent === col) {
        seqFrame = top;
      } else if (top && top.node.t === 'map' && top.pendingKey !== undefined && col >= top.indent) {
        const seq: GoSeq = { t: 'seq', items: [], offs: [], off };
        top.node.entries.set(top.pendingKey, seq);
        top.pendingKey = undefined;
        seqFrame = { kind: 'seq', indent: col, node: seq };
        stack.push(seqFrame);
      } else if (!top && root === undefined) {
        const seq: GoSeq = { t: 'seq', items: [], offs: [], off };
        root = seq;
        seqFrame = { kind: 'seq', indent: col, node: seq };
        stack.push(seqFrame);
      } else {
        return undefined;
      }
      let c2 = col + 1;
      while (line.charCodeAt(c2) === 32) c2++;
      const content = line.slice(c2);
      if (content === '' || content === '-' || content.startsWith('- ')) return undefined;
      const seq = seqFrame.node as GoSeq;
      if (KEY_LINE.test(content)) {
        const map: GoMap = { t: 'map', entries: new Map(), off: lineStart + c2 };
        seq.items.push(map);
        seq.offs.push(off);
        const frame: FastFrame = { kind: 'map', indent: c2, node: map };
        stack.push(frame);
        if (!putKey(frame, content, lineStart + c2)) return undefined;
      } else {
        const value = fastValue(content, lineStart + c2);
        if (value === undefined || value === EMPTY) return undefined;
        note(value);
        seq.items.push(value);
        seq.offs.push(off);
      }
    } else {
      let frame: FastFrame;
      if (top && top.kind === 'map' && top.indent === col) {
        frame = top;
      } else if (top && top.node.t === 'map' && top.pendingKey !== undefined && col > top.indent) {
        const map: GoMap = { t: 'map', entries: new Map(), off };
        top.node.entries.set(top.pendingKey, map);
        top.pendingKey = undefined;
        frame = { kind: 'map', indent: col, node: map };
        stack.push(frame);
      } else if (!top && root === undefined) {
        const map: GoMap = { t: 'map', entries: new Map(), off };
        root = map;
        frame = { kind: 'map', indent: col, node: map };
        stack.push(frame);
      } else {
        return undefined;
      }
      if (!putKey(frame, line.slice(col), off)) return undefined;
    }
    if (nl < 0) break;
  }
  for (let i = stack.length - 1; i >= 0; i--) close(stack[i] as FastFrame);
  return { root: root ?? null, lineOf: lineIndex(starts), ...(nonFinite ? { nonFinite } : {}) };
}

// ─── Full path: the `yaml` package's AST, decoded with yaml.v2's rules ───────────────────────────────────────────

const PARSE_OPTIONS = {
  schema: 'failsafe',
  version: '1.1',
  uniqueKeys: false,
  merge: false,
  prettyErrors: false,
  // libyaml accepts a comment right after a node ("[a]#c"), which strict mode rejects.
  strict: false,
} as const;

type AstNode = YamlNode | null | undefined;
type Decoded = { v: GoValue; size: number };

/** yaml.v2 decode.go: a document whose decoding is mostly alias expansion is rejected ("excessive aliasing"). */
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}

class AstDecoder {
  private decodeCount = 0;
  private aliasCount = 0;
  private aliasDepth = 0;
  private readonly targets = new Map<YamlNode, YamlNode | undefined>();
  private readonly memo = new Map<YamlNode, Decoded>();
  private readonly active = new Set<YamlNode>();
  /** The JSON stage's failure (null key, NaN): reported only when decoding itself succeeds. */
  jsonFailure: SectionFailure | undefined;

  constructor(
    root: AstNode,
    private readonly text: string,
  ) {
    // Aliases refer to the latest anchor before them in document order, as libyaml resolves them while parsing.
    // The same walk applies two libyaml syntax rules the `yaml` package does not have.
    const anchors = new Map<string, YamlNode>();
    const stack: AstNode[] = [root];
    while (stack.length) {
      const node = stack.pop();
      if (!node) continue;
      if (isAlias(node)) {
        this.checkAnchorName(node.source, node);
        this.targets.set(node, anchors.get(node.source));
        continue;
      }
      if ('anchor' in node && typeof node.anchor === 'string' && node.anchor) {
        this.checkAnchorName(node.anchor, node);
        anchors.set(node.anchor, node);
      }
      if (isMap(node) || isSeq(node)) {
        const children: AstNode[] = [];
        for (const item of node.items as unknown[]) {
          if (isPair(item)) {
            this.checkKeyPresent(item.key as AstNode, item.value as AstNode);
            children.push(item.key as AstNode, item.value as AstNode);
          } else children.push(item as AstNode);
        }
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
      }
    }
  }

  /** libyaml anchor names are [0-9A-Za-z_-] only. */
  private checkAnchorName(name: string, node: YamlNode): void {
    if (!/^[0-9A-Za-z_-]+$/.test(name)) {
      throw new SectionFailure('did not find expected alphabetic or numeric character', this.offsetOf(node));
    }
  }

  /** libyaml rejects a mapping entry that starts with ":" (an empty key is possible only after "?"). */
  private checkKeyPresent(key: AstNode, value: AstNode): void {
    const empty = !key || (isScalar(key) && key.type === 'PLAIN' && key.source === '' && !key.tag && !key.anchor);
    if (!empty) return;
    const at = key?.range?.[0] ?? value?.range?.[0] ?? 0;
    let i = at - 1;
    while (i >= 0 && ' \t\r\n'.includes(this.text[i] ?? '')) i--;
    if (this.text[i] !== '?') throw new SectionFailure('did not find expected key', at);
  }

  private tick(count: number): void {
    this.decodeCount += count;
    if (this.aliasDepth > 0) this.aliasCount += count;
    const { aliasCount: a, decodeCount: d } = this;
    if (a > 100 && d > 1000 && a / d > allowedAliasRatio(d)) {
      throw new SectionFailure('document contains excessive aliasing', -1);
    }
  }

  private offsetOf(node: AstNode): number {
    return node?.range?.[0] ?? 0;
  }

  private deref(node: YamlNode): YamlNode {
    const target = this.targets.get(node);
    if (!target) {
      throw new SectionFailure(
        `unknown anchor '${isAlias(node) ? node.source : ''}' referenced`,
        this.offsetOf(node),
      );
    }
    if (this.active.has(target)) {
      throw new SectionFailure(
        `anchor '${isAlias(node) ? node.source : ''}' value contains itself`,
        this.offsetOf(node),
      );
    }
    return target;
  }

  /** Decodes into interface{} (mapRoles/mapUsers): every node, counted as yaml.v2 counts them. */
  decode(node: AstNode): Decoded {
    if (node === null || node === undefined) {
      this.tick(1);
      return { v: { t: 'scalar', kind: 'null', text: '', nonFinite: false, off: 0 }, size: 1 };
    }
    if (isAlias(node)) {
      this.tick(1);
      const target = this.deref(node);
      const known = this.memo.get(target);
      if (known) {
        this.aliasDepth++;
        try {
          this.tick(known.size);
        } finally {
          this.aliasDepth--;
        }
        return { v: known.v, size: known.size + 1 };
      }
      this.aliasDepth++;
      try {
        const r = this.decode(target);
        return { v: r.v, size: r.size + 1 };
      } finally {
        this.aliasDepth--;
      }
    }
    const memoized = this.memo.get(node);
    if (memoized) return memoized;
    this.active.add(node);
    try {
      const r = this.decodeNode(node);
      if ('anchor' in node && node.anchor) this.memo.set(node, r);
      return r;
    } finally {
      this.active.delete(node);
    }
  }

  private decodeNode(node: YamlNode): Decoded {
    const off = this.offsetOf(node);
    if (isScalar(node)) {
      this.tick(1);
      const r = resolveScalar(String(node.source ?? node.value ?? ''), node.type === 'PLAIN', node.tag, off);
      return { v: { t: 'scalar', kind: r.kind, text: r.text, nonFinite: r.nonFinite, off }, size: 1 };
    }
    if (isSeq(node)) {
      this.tick(1);
      const seq: GoSeq = { t: 'seq', items: [], offs: [], off };
      let size = 1;
      for (const item of node.items as unknown[]) {
        const r = isPair(item) ? this.decodePairs([item], off) : this.decode(item as AstNode);
        size += r.size;
        seq.items.push(r.v);
        seq.offs.push(isPair(item) ? off : this.offsetOf(item as AstNode));
        this.noteNonFinite(r.v);
      }
      return { v: seq, size };
    }
    if (isMap(node)) return this.decodePairs(node.items as unknown[], off);
    this.tick(1);
    return { v: { t: 'scalar', kind: 'null', text: '', nonFinite: false, off }, size: 1 };
  }

  private noteNonFinite(v: GoValue): void {
    if (v.t === 'scalar' && v.nonFinite && !this.jsonFailure) {
      this.jsonFailure = new SectionFailure(
        `json: unsupported value: ${v.text} (a YAML float JSON cannot hold)`,
        v.off,
      );
    }
  }

  private decodePairs(items: unknown[], off: number): Decoded {
    this.tick(1);
    const map: GoMap = { t: 'map', entries: new Map(), off };
    let size = 1;
    for (const item of items) {
      if (!isPair(item)) continue;
      const keyNode = item.key as AstNode;
      if (
        keyNode &&
        isScalar(keyNode) &&
        keyNode.type === 'PLAIN' &&
        !keyNode.tag &&
        keyNode.source === '<<'
      ) {
        size += this.merge(item.value as AstNode, map);
        continue;
      }
      const key = this.decode(keyNode);
      size += key.size;
      const keyString = this.keyString(key.v, keyNode);
      const value = this.decode(item.value as AstNode);
      size += value.size;
      this.noteNonFinite(value.v);
      if (keyString !== undefined) map.entries.set(keyString, value.v);
    }
    return { v: map, size };
  }

  private keyString(v: GoValue, keyNode: AstNode): string | undefined {
    if (v.t !== 'scalar') throw new SectionFailure(this.invalidKeyMessage(keyNode), this.offsetOf(keyNode));
    if (v.kind === 'null') {
      this.jsonFailure ??= new SectionFailure(
        'unsupported map key of type: <nil> (an empty mapping key)',
        this.offsetOf(keyNode),
      );
      return undefined;
    }
    return v.text;
  }

  private invalidKeyMessage(keyNode: AstNode): string {
    const off = this.offsetOf(keyNode);
    const lineStart = this.text.lastIndexOf('\n', off - 1) + 1;
    const lineEnd = this.text.indexOf('\n', off);
    const line = this.text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).trim();
    const template = /\{\{\s*(\w+)\s*\}\}/.exec(line);
    if (template) {
      return `\`${line.slice(0, 120)}\`: the unquoted ${template[0]} is a YAML flow mapping, not text, so the YAML-to-JSON conversion fails ("invalid map key"; quote it, e.g. "admin:${template[0]}")`;
    }
    return `\`${line.slice(0, 120)}\`: a mapping key is itself a mapping or list ("invalid map key")`;
  }

  private merge(value: AstNode, into: GoMap): number {
    const bad = (): SectionFailure =>
      new SectionFailure('map merge requires map or sequence of maps as the value', this.offsetOf(value));
    const mergeOne = (node: YamlNode): number => {
      const target = isAlias(node) ? this.deref(node) : node;
      if (!isMap(target)) throw bad();
      const r = this.decode(node);
      if (r.v.t === 'map') for (const [k, v] of r.v.entries) into.entries.set(k, v);
      return r.size;
    };
    if (!value) throw bad();
    if (isSeq(value)) {
      let size = 0;
      const items = value.items as unknown[];
      for (let i = items.length - 1; i >= 0; i--) {
        const item = items[i];
        if (!item || isPair(item)) throw bad();
        size += mergeOne(item as YamlNode);
      }
      return size;
    }
    return mergeOne(value);
  }

  /** Decodes into []string (mapAccounts): list items only, collections skipped without being read. */
  decodeStrings(root: AstNode): GoValue | null {
    let node: AstNode = root;
    while (node && isAlias(node)) node = this.deref(node);
    if (!node) return null;
    if (isScalar(node)) return this.decode(node).v;
    if (isMap(node)) return { t: 'map', entries: new Map(), off: this.offsetOf(node) };
    if (!isSeq(node)) return null;
    const seq: GoSeq = { t: 'seq', items: [], offs: [], off: this.offsetOf(node) };
    for (const item of node.items as unknown[]) {
      let target = item as AstNode;
      const off = this.offsetOf(target);
      if (isPair(item)) target = null;
      while (target && isAlias(target)) target = this.deref(target);
      // A collection cannot go into a string: yaml.v2 records a type error and skips it without reading it.
      if (target && isScalar(target)) seq.items.push(this.decode(target).v);
      else if (target && isSeq(target)) seq.items.push({ t: 'seq', items: [], offs: [], off });
      else if ((target && isMap(target)) || isPair(item)) {
        seq.items.push({ t: 'map', entries: new Map(), off });
      } else seq.items.push({ t: 'scalar', kind: 'null', text: '', nonFinite: false, off });
      seq.offs.push(off);
    }
    return seq;
  }
}

/** Significant parse errors (not warnings such as unresolved tags, which yaml.v2 does not have). */
function syntaxErrors(errors: readonly { code: string; message: string; pos: [number, number] }[]) {
  return errors.filter((e) => e.code !== 'TAG_RESOLVE_FAILED' && e.code !== 'DUPLICATE_KEY');
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** libyaml does not skip a tab where a new block node may start, such as right after "- ". */
const TAB_AFTER_DASH = /^ *(?:-[ \t]+)*?-[ ]*\t/m;

function indentOfLineAt(text: string, off: number): number {
  const start = text.lastIndexOf('\n', off - 1) + 1;
  let i = start;
  while (text.charCodeAt(i) === 32) i++;
  return i - start;
}

/**
 * A block root that starts indented ends at the first line indented less; libyaml stops reading there (yaml.v2
 * asks for one document's root node only), so errors further on are never seen.
 */
function afterIndentedRoot(text: string, root: AstNode, errorAt: number): boolean {
  if (!root || !(isMap(root) || isSeq(root)) || root.flow || !root.range) return false;
  const column = indentOfLineAt(text, root.range[0]) === root.range[0] - (text.lastIndexOf('\n', root.range[0] - 1) + 1)
    ? root.range[0] - (text.lastIndexOf('\n', root.range[0] - 1) + 1)
    : -1;
  return column > 0 && errorAt >= root.range[2] && errorAt < text.length && indentOfLineAt(text, errorAt) < column;
}

function fullParse(text: string, mode: 'interface' | 'strings'): SectionTree {
  const counter = new LineCounter();
  const lineOf = (off: number): number => counter.linePos(off).line;
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    // libyaml also breaks lines at NEL, LS and PS; one UTF-16 unit each, so offsets stay the same.
    docs = parseAllDocuments(text.replace(/[\u0085\u2028\u2029]/g, '\n'), { ...PARSE_OPTIONS, lineCounter: counter });
  } catch (error) {
    throw new SectionFailure(`the YAML cannot be parsed (${oneLine(String(error)).slice(0, 200)})`, -1);
  }
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (!doc) return { root: null, lineOf };
  const [first] = syntaxErrors(doc.errors).filter((e) => !afterIndentedRoot(text, doc.contents as AstNode, e.pos[0]));
  if (first) throw new SectionFailure(oneLine(first.message), first.pos[0]);
  const tab = TAB_AFTER_DASH.exec(text);
  if (tab) throw new SectionFailure('found character that cannot start any token (a tab after "-")', tab.index);
  const decoder = new AstDecoder(doc.contents as AstNode, text);
  if (mode === 'strings') return { root: decoder.decodeStrings(doc.contents as AstNode), lineOf };
  const { v } = decoder.decode(doc.contents as AstNode);
  if (v.t === 'scalar' && v.nonFinite) throw new SectionFailure(`json: unsupported value: ${v.text}`, v.off);
  if (decoder.jsonFailure) throw decoder.jsonFailure;
  return { root: v, lineOf };
}

/**
 * eksdoctor's own limit. yaml.v2 stops at 10,000 levels ("exceeded max depth"), but recursive parsers in
 * JavaScript exhaust the stack well before that; no real aws-auth comes near 20 levels.
 */
const MAX_DEPTH = 1000;

/** An upper-bound estimate of the nesting depth (block indentation levels plus open flow brackets). */
function nestingDepth(text: string): number {
  const indents: number[] = [];
  let maxBlock = 0;
  let flow = 0;
  let maxFlow = 0;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    let i = pos;
    while (i < nl && text.charCodeAt(i) === 32) i++;
    if (i < nl && text.charCodeAt(i) !== 35) {
      const col = i - pos;
      while (indents.length && (indents[indents.length - 1] ?? 0) >= col) indents.pop();
      indents.push(col);
      // "- - - x" and "? " open one level per indicator on the same line.
      while (i + 1 < nl && (text[i] === '-' || text[i] === '?') && text.charCodeAt(i + 1) === 32) {
        i += 2;
        while (i < nl && text.charCodeAt(i) === 32) i++;
        indents.push(i - pos);
      }
      if (indents.length > maxBlock) maxBlock = indents.length;
    }
    for (; i < nl; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 91 || ch === 123) {
        if (++flow > maxFlow) maxFlow = flow;
      } else if (ch === 93 || ch === 125) {
        if (flow > 0) flow--;
      } else if (ch === 34 || ch === 39) {
        const close = text.indexOf(text[i] as string, i + 1);
        if (close < 0 || close > nl) break;
        i = close;
      } else if (ch === 35 && (i === pos || text.charCodeAt(i - 1) === 32)) {
        break;
      }
    }
    pos = nl + 1;
  }
  return maxBlock + maxFlow;
}

/** libyaml's reader accepts only printable characters (plus tab, line breaks and NEL). */
const NOT_PRINTABLE = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** YAML text → Go value as the authenticator sees it. Throws SectionFailure when the section is dropped. */
function sectionTree(text: string, mode: 'interface' | 'strings'): SectionTree {
  if (nestingDepth(text) > MAX_DEPTH) {
    throw new SectionFailure(
      `nested more than ${MAX_DEPTH} levels deep, more than eksdoctor reads (yaml.v2 itself stops at 10000)`,
      -1,
    );
  }
  const fast = fastParse(text);
  if (fast) {
    const bad = fast.nonFinite;
    if (mode === 'interface' && bad) {
      throw new SectionFailure(
        `json: unsupported value: ${bad.text} (a YAML float JSON cannot hold)`,
        bad.off,
      );
    }
    return fast;
  }
  const bad = NOT_PRINTABLE.exec(text);
  if (bad) {
    throw new SectionFailure(
      `control characters are not allowed (U+${(bad[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')})`,
      bad.index,
    );
  }
  return fullParse(text, mode);
}

// ─── JSON stage: Go's json.Unmarshal into RoleMapping / UserMapping ──────────────────────────────────────────────

/** Go's encoding/json foldName: ASCII upper-cased, and the few non-ASCII runes that fold onto ASCII letters. */
const FOLD_SPECIAL: Record<string, string> = { '\u212a': 'K', '\u017f': 'S', '\u0131': 'I', '\u0130': 'I' };
const ASCII = /^[\p{ASCII}]*$/u;
function foldFieldName(key: string): string {
  if (ASCII.test(key)) return key.toUpperCase();
  let out = '';
  for (const ch of key) out += ch.charCodeAt(0) < 128 ? ch.toUpperCase() : (FOLD_SPECIAL[ch] ?? ch);
  return out;
}

/** Go sorts map keys by their UTF-8 bytes when marshalling, so that is the order json.Unmarshal assigns them. */
function goKeyOrder(a: string, b: string): number {
  if (ASCII.test(a) && ASCII.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const ROLE_FIELDS = ['rolearn', 'sso', 'username', 'groups', 'userid'] as const;
const USER_FIELDS = ['userarn', 'username', 'groups', 'userid'] as const;
type Field = (typeof ROLE_FIELDS)[number] | (typeof USER_FIELDS)[number];

/** User text inside a message: JSON-quoted (so it stays on one line) and shortened. */
function quote(text: string, max = 100): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

function describe(v: GoValue): string {
  if (v.t === 'seq') return 'a list';
  if (v.t === 'map') return 'a mapping';
  if (v.kind === 'str') return quote(v.text);
  if (v.kind === 'null') return 'null';
  return `${v.kind === 'bool' ? 'the boolean' : 'the number'} ${v.text}`;
}

interface DecodedEntry {
  arn: string;
  arnNotString?: string;
  sso?: GoValue;
  username?: string;
  usernameNotString?: string;
  groups?: string[];
  groupsMalformed?: AwsAuthMapping['groupsMalformed'];
  groupsNote?: string;
  unknownKeys: string[];
}

const FIELDS_BY_FOLD = {
  mapRoles: new Map(ROLE_FIELDS.map((f) => [foldFieldName(f), f] as const)),
  mapUsers: new Map(USER_FIELDS.map((f) => [foldFieldName(f), f] as const)),
};

function decodeEntry(map: GoMap, section: 'mapRoles' | 'mapUsers'): DecodedEntry {
  const byFold: Map<string, Field> = FIELDS_BY_FOLD[section];
  const out: DecodedEntry = { arn: '', unknownKeys: [] };
  const keyed: [string, Field | undefined][] = [];
  const seen = new Set<Field>();
  let repeated = false;
  for (const key of map.entries.keys()) {
    const field = byFold.get(foldFieldName(key));
    if (field) {
      if (seen.has(field)) repeated = true;
      seen.add(field);
    }
    keyed.push([key, field]);
  }
  // Only keys landing on the same field depend on the order, which is Go's sorted JSON key order.
  if (repeated) keyed.sort((a, b) => goKeyOrder(a[0], b[0]));
  for (const [key, field] of keyed) {
    const value = map.entries.get(key) as GoValue;
    if (!field) {
      out.unknownKeys.push(key);
      continue;
    }
    const isNull = value.t === 'scalar' && value.kind === 'null';
    switch (field) {
      case 'rolearn':
      case 'userarn':
        if (value.t === 'scalar' && value.kind === 'str') {
          out.arn = value.text;
          out.arnNotString = undefined;
        } else if (!isNull) out.arnNotString = describe(value);
        break;
      case 'username':
        out.username ??= '';
        if (value.t === 'scalar' && value.kind === 'str') {
          out.username = value.text;
          out.usernameNotString = undefined;
        } else if (!isNull) out.usernameNotString = describe(value);
        break;
      case 'groups':
        if (isNull) {
          out.groups = undefined; // JSON null sets a slice to nil
          out.groupsMalformed = undefined;
        } else if (value.t === 'seq') {
          let nonString = false;
          out.groups = value.items.map((item) => {
            if (item.t === 'scalar' && item.kind === 'str') return item.text;
            nonString = true;
            return ''; // a type error leaves that element empty
          });
          const joined = out.groups.find((g) => /\s-\s/.test(g));
          out.groupsMalformed = nonString ? 'non-string-items' : joined ? 'scalar-with-dashes' : undefined;
          out.groupsNote = nonString
            ? `groups has items that are not strings (${value.items
                .filter((i) => !(i.t === 'scalar' && i.kind === 'str'))
                .map(describe)
                .join(', ')}); the authenticator turns each into an empty group`
            : joined
              ? `group ${quote(joined)} is several list items run together by indentation; the authenticator grants it as one group name`
              : undefined;
        } else {
          // A JSON type error: the field stays as it was and the entry is still kept.
          out.groupsMalformed =
            value.t === 'scalar' && value.kind === 'str' && /\s-\s/.test(value.text)
              ? 'scalar-with-dashes'
              : 'not-a-list';
          out.groupsNote = `groups is ${describe(value)}, not a list; the authenticator keeps the entry with no groups`;
        }
        break;
      case 'sso':
        out.sso = isNull ? undefined : value; // any non-null value allocates the pointer
        break;
      case 'userid':
        break;
    }
  }
  return out;
}

const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;

/** RoleMapping.Validate for an `sso` matcher; returns the authenticator's error, or undefined when valid. */
function ssoError(sso: GoValue): string | undefined {
  const fields = { permissionsetname: '', accountid: '', partition: '' };
  if (sso.t === 'map') {
    for (const key of [...sso.entries.keys()].sort(goKeyOrder)) {
      const v = sso.entries.get(key) as GoValue;
      const name = foldFieldName(key).toLowerCase() as keyof typeof fields;
      if (name in fields && v.t === 'scalar' && v.kind === 'str') fields[name] = v.text;
    }
  }
  if (!/^[0-9]{12}$/.test(fields.accountid)) {
    return `AccountID '${fields.accountid}' is not a valid AWS Account ID`;
  }
  if (!PERMISSION_SET_NAME.test(fields.permissionsetname)) {
    return `PermissionSetName '${fields.permissionsetname}' is not a valid AWS SSO PermissionSet Name`;
  }
  if (fields.partition !== '' && !PARTITIONS.includes(fields.partition)) {
    return `partition '${fields.partition}' is not a valid AWS partition`;
  }
  return undefined;
}

/** Go's unicode.IsSpace (strings.TrimSpace, apimachinery's JSON-prefix check). */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');
const JSON_PREFIX = new RegExp(`^[${GO_SPACE}]*\\{`);

const SECTION_TYPE = {
  mapRoles: '[]config.RoleMapping',
  mapUsers: '[]config.UserMapping',
  mapAccounts: '[]string',
};

interface SectionResult {
  status: 'ok' | 'dropped';
  mappings: AwsAuthMapping[];
  accounts: string[];
}

function lineAt(text: string, off: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < off; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function sectionLabel(section: AwsAuthSection, index: number, line: number | undefined): string {
  return `${section} entry ${index + 1}${line ? ` (line ${line})` : ''}`;
}

/** The authenticator's view of one section value; appends problems. */
function parseSection(section: AwsAuthSection, text: string, problems: AwsAuthProblem[]): SectionResult {
  const pointer = awsAuthPointer(section);
  const dropped = (kind: 'yaml-error' | 'not-a-list', message: string, line?: number): SectionResult => {
    problems.push({ section, kind, message, pointer, ...(line ? { line } : {}) });
    return { status: 'dropped', mappings: [], accounts: [] };
  };
  const trimmed = text.replace(GO_TRIM, '');
  if (trimmed === '' || trimmed === '``' || trimmed === '""' || trimmed === "''") {
    return { status: 'ok', mappings: [], accounts: [] };
  }
  const consequence =
    section === 'mapAccounts'
      ? 'the authenticator loads no mapAccounts'
      : `the authenticator drops every ${section} entry ("Errors parsing configmap"); the other sections still load`;

  if (section !== 'mapAccounts' && JSON_PREFIX.test(text)) {
    // apimachinery's yaml.ToJSON hands text starting with `{` to json.Unmarshal unchanged.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return dropped(
        'yaml-error',
        `${section} starts with "{", so the authenticator reads it as JSON, and it is not valid JSON (${oneLine(String(error)).slice(0, 160)}); ${consequence}`,
      );
    }
    return dropped(
      'not-a-list',
      `${section} starts with "{", so the authenticator reads it as JSON: ${Array.isArray(parsed) ? 'an array' : 'a JSON object'}, not a list of entries ("cannot unmarshal object into Go value of type ${SECTION_TYPE[section]}"); ${consequence}`,
    );
  }

  let tree: SectionTree;
  try {
    tree = sectionTree(text, section === 'mapAccounts' ? 'strings' : 'interface');
  } catch (error) {
    if (error instanceof SectionFailure) {
      const line = error.off >= 0 ? lineAt(text, error.off) : undefined;
      return dropped(
        'yaml-error',
        `${section} is rejected${line ? ` at line ${line}` : ''}: ${error.message}; ${consequence}`,
        line,
      );
    }
    // Anything else (stack overflow on absurd nesting, …) is still the section failing to parse.
    return dropped(
      'yaml-error',
      `${section} cannot be parsed (${oneLine(String(error)).slice(0, 160)}); ${consequence}`,
    );
  }

  const { root, lineOf } = tree;
  if (root === null || (root.t === 'scalar' && root.kind === 'null')) {
    return { status: 'ok', mappings: [], accounts: [] };
  }
  if (root.t !== 'seq') {
    const what = root.t === 'map' ? 'a mapping' : `a single value (${describe(root)})`;
    return dropped(
      'not-a-list',
      `${section} is ${what}, not a list of entries ("cannot unmarshal … into Go value of type ${SECTION_TYPE[section]}"); ${consequence}`,
      lineOf(root.off),
    );
  }

  if (section === 'mapAccounts') return parseAccounts(root, lineOf, problems);

  const mappings: AwsAuthMapping[] = [];
  const arnField = section === 'mapRoles' ? 'rolearn' : 'userarn';
  const otherArnField = section === 'mapRoles' ? 'userarn' : 'rolearn';
  const validateMessage =
    section === 'mapRoles' ? 'one of rolearn or SSO must be supplied' : 'value for userarn must be supplied';
  root.items.forEach((item, index) => {
    const line = lineOf(root.offs[index] ?? item.off);
    const label = sectionLabel(section, index, line);
    const entryProblem = (kind: AwsAuthProblem['kind'], message: string, arn?: string): void => {
      problems.push({ section, kind, message, index, line, pointer, ...(arn ? { arn } : {}) });
    };
    if (item.t !== 'map') {
      entryProblem(
        'entry-invalid',
        `${label} is ${describe(item)}, not a mapping with ${arnField}; the authenticator skips it ("${validateMessage}")`,
      );
      return;
    }
    const entry = decodeEntry(item, section);
    if (section === 'mapRoles' && entry.sso !== undefined) {
      if (entry.arn !== '') {
        entryProblem(
          'entry-invalid',
          `${label} has both rolearn and sso; the authenticator skips it ("only one of rolearn or SSO can be supplied")`,
          entry.arn,
        );
        return;
      }
      const error = ssoError(entry.sso);
      if (error) {
        entryProblem(
          'entry-invalid',
          `${label} has an invalid sso matcher; the authenticator skips it ("${error}")`,
        );
        return;
      }
      entryProblem(
        'sso-entry',
        `${label} uses the alpha sso matcher, which is off unless the SSORoleMatch feature gate is enabled (EKS does not document it); it matches nothing — map the role with rolearn: arn:aws:iam::<account>:role/AWSReservedSSO_<PermissionSet>_<suffix> (no path)`,
      );
      return;
    }
    if (entry.arn === '') {
      if (entry.arnNotString) {
        entryProblem(
          'entry-invalid',
          `${label}: ${arnField} is ${entry.arnNotString}, not a string, so the authenticator sees no ${arnField} and skips it ("${validateMessage}")`,
        );
        return;
      }
      const hints: string[] = [];
      const folded = entry.unknownKeys.map((k) => foldFieldName(k).toLowerCase());
      if (folded.includes(otherArnField)) {
        hints.push(
          `it has ${otherArnField}, which belongs under ${section === 'mapRoles' ? 'mapUsers' : 'mapRoles'}`,
        );
      } else if (entry.unknownKeys.length) {
        hints.push(`unrecognised keys: ${entry.unknownKeys.slice(0, 5).join(', ')}`);
      }
      entryProblem(
        'entry-missing-arn',
        `${label} has no ${arnField}${hints.length ? ` (${hints.join('; ')})` : ''}; the authenticator skips it ("${validateMessage}")`,
      );
      return;
    }
    const arn = entry.arn.trim();
    const mapping: AwsAuthMapping = { section, index, arn, groups: entry.groups ?? [], line, pointer };
    if (arn !== entry.arn) {
      mapping.rawArn = entry.arn;
      entryProblem(
        'entry-invalid',
        `${label}: ${arnField} ${quote(entry.arn)} has surrounding whitespace; the authenticator compares it as written, so it never matches`,
        arn,
      );
    }
    if (entry.username !== undefined) mapping.username = entry.username;
    if (entry.usernameNotString) {
      mapping.usernameNotString = true;
      mapping.username = '';
      entryProblem(
        'entry-invalid',
        `${label}: username is ${entry.usernameNotString}, not a string; the authenticator keeps the entry with an empty username`,
        arn,
      );
    }
    if (entry.groupsMalformed) {
      mapping.groupsMalformed = entry.groupsMalformed;
      entryProblem('groups-malformed', `${label}: ${entry.groupsNote ?? 'groups is malformed'}`, arn);
    }
    if (entry.unknownKeys.length) mapping.unknownKeys = entry.unknownKeys;
    mappings.push(mapping);
  });
  return { status: 'ok', mappings, accounts: [] };
}

function parseAccounts(
  root: GoSeq,
  lineOf: (off: number) => number,
  problems: AwsAuthProblem[],
): SectionResult {
  const pointer = awsAuthPointer('mapAccounts');
  const accounts: string[] = [];
  root.items.forEach((item, index) => {
    const line = lineOf(root.offs[index] ?? item.off);
    if (item.t !== 'scalar') {
      problems.push({
        section: 'mapAccounts',
        kind: 'entry-invalid',
        message: `${sectionLabel('mapAccounts', index, line)} is ${describe(item)}, not an account id; the authenticator skips it`,
        index,
        line,
        pointer,
      });
      return;
    }
    // yaml.v2 keeps a scalar's text when decoding into a string; null becomes "".
    const text = item.kind === 'null' ? '' : item.text;
    accounts.push(text);
    if (!/^\d{12}$/.test(text)) {
      problems.push({
        section: 'mapAccounts',
        kind: 'entry-invalid',
        message: `${sectionLabel('mapAccounts', index, line)} ${quote(text, 80)} is not a 12-digit account id; the authenticator compares it as written, so it never matches`,
        index,
        line,
        pointer,
      });
    }
  });
  return { status: 'ok', mappings: [], accounts };
}

// ─── parseAwsAuth ────────────────────────────────────────────────────────────────────────────────────────────────

function arnKey(arn: string): string {
  return arn.toLowerCase().replace(/\u017f/g, 's');
}

function closestSection(key: string): AwsAuthSection | undefined {
  const norm = key.toLowerCase().replace(/[^a-z]/g, '');
  let best: AwsAuthSection | undefined;
  let bestDistance = 3;
  for (const section of SECTIONS) {
    const d = editDistance(norm, section.toLowerCase());
    if (d < bestDistance) {
      best = section;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] ?? 99;
}

function duplicateProblems(
  section: 'mapRoles' | 'mapUsers',
  mappings: AwsAuthMapping[],
  problems: AwsAuthProblem[],
): void {
  const groups = new Map<string, AwsAuthMapping[]>();
  for (const m of mappings) {
    const key = arnKey(m.rawArn ?? m.arn);
    const list = groups.get(key);
    if (list) list.push(m);
    else groups.set(key, [m]);
  }
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    const last = list[list.length - 1] as AwsAuthMapping;
    const spellings = new Set(list.map((m) => m.rawArn ?? m.arn));
    const indices = list.map((m) => m.index);
    const where = indices.map((i) => i + 1).join(', ');
    const message =
      section === 'mapUsers' && spellings.size > 1
        ? `mapUsers has ${list.length} entries for ${last.arn} that differ only in letter case (entries ${where}); the authenticator keeps each spelling and picks one at random on every lookup`
        : `${section} has ${list.length} entries for ${last.arn} (entries ${where}); the authenticator keeps only the last one (entry ${last.index + 1})`;
    problems.push({
      section,
      kind: 'duplicate-arn',
      message,
      index: last.index,
      ...(last.line ? { line: last.line } : {}),
      indices,
      arn: last.arn,
      pointer: last.pointer,
    });
  }
}

export function parseAwsAuth(configMap: ConfigMap | null | undefined): ParsedAwsAuth {
  const result: ParsedAwsAuth = {
    found: configMap !== null && configMap !== undefined,
    sections: { mapRoles: 'absent', mapUsers: 'absent', mapAccounts: 'absent' },
    roles: [],
    users: [],
    accounts: [],
    problems: [],
  };
  if (!configMap || typeof configMap !== 'object') return result;
  const data: unknown = configMap.data;
  const problems = result.problems;

  if (data && typeof data === 'object') {
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      if ((SECTIONS as readonly string[]).includes(key)) {
        const section = key as AwsAuthSection;
        if (typeof value !== 'string') {
          result.sections[section] = 'dropped';
          problems.push({
            section,
            kind: 'yaml-error',
            message: Array.isArray(value)
              ? `${section} is a YAML list instead of a string: the "|" after "${section}:" is missing; the API server rejects such a ConfigMap, so this content never reached the authenticator`
              : `${section} is not a string (a ConfigMap value must be text); the authenticator cannot read it`,
            pointer: awsAuthPointer(section),
          });
          continue;
        }
        const r = parseSection(section, value, problems);
        result.sections[section] = r.status;
        if (section === 'mapRoles') result.roles = r.mappings;
        else if (section === 'mapUsers') result.users = r.mappings;
        else result.accounts = r.accounts;
        continue;
      }
      const caseMatch = SECTIONS.find((s) => s.toLowerCase() === key.toLowerCase());
      if (caseMatch) {
        problems.push({
          section: 'data',
          kind: 'wrong-key-case',
          message: `data key ${quote(key)} is ignored: the authenticator reads only "${caseMatch}" (top-level keys are case-sensitive)`,
          pointer: awsAuthPointer(key),
          key,
          suggestion: caseMatch,
        });
        continue;
      }
      const near = closestSection(key);
      problems.push({
        section: 'data',
        kind: 'unknown-data-key',
        message: `data key ${quote(key, 80)} is ignored by the authenticator (it reads only mapRoles, mapUsers and mapAccounts)${near ? `; did you mean "${near}"?` : ''}`,
        pointer: awsAuthPointer(key),
        key,
        ...(near ? { suggestion: near } : {}),
      });
    }
  }
  const binary: unknown = (configMap as { binaryData?: unknown }).binaryData;
  if (binary && typeof binary === 'object') {
    for (const key of Object.keys(binary)) {
      const near = SECTIONS.find((s) => s.toLowerCase() === key.toLowerCase()) ?? closestSection(key);
      problems.push({
        section: 'data',
        kind: 'unknown-data-key',
        message: `binaryData key ${quote(key, 80)} is ignored: the authenticator reads only data`,
        pointer: awsAuthPointer(key, 'binaryData'),
        key,
        ...(near ? { suggestion: near } : {}),
      });
    }
  }

  duplicateProblems('mapRoles', result.roles, problems);
  duplicateProblems('mapUsers', result.users, problems);
  const roleKeys = new Set(result.roles.map((r) => arnKey(r.rawArn ?? r.arn)));
  for (const user of result.users) {
    if (!roleKeys.has(arnKey(user.rawArn ?? user.arn))) continue;
    problems.push({
      section: 'mapUsers',
      kind: 'duplicate-arn',
      message: `${sectionLabel('mapUsers', user.index, user.line)}: ${user.arn} is also mapped in mapRoles, which the authenticator checks first; this entry is never used`,
      index: user.index,
      ...(user.line ? { line: user.line } : {}),
      arn: user.arn,
      pointer: user.pointer,
    });
  }
  // Messages are one line whatever the YAML held (JSON quoting leaves U+2028/U+2029 and NEL as they are).
  for (const p of problems) p.message = p.message.replace(/[\r\n\v\f\u0085\u2028\u2029]+/g, ' ');
  return result;
}

// ─── Lookups ─────────────────────────────────────────────────────────────────────────────────────────────────────

interface LookupIndex {
  roles: Map<string, AwsAuthMapping[]>;
  users: Map<string, AwsAuthMapping[]>;
  accounts: Set<string>;
}
const indexes = new WeakMap<ParsedAwsAuth, LookupIndex>();

function lookupIndex(parsed: ParsedAwsAuth): LookupIndex {
  let index = indexes.get(parsed);
  if (index) return index;
  const group = (mappings: AwsAuthMapping[]): Map<string, AwsAuthMapping[]> => {
    const map = new Map<string, AwsAuthMapping[]>();
    for (const m of mappings) {
      const key = arnKey(m.rawArn ?? m.arn);
      const list = map.get(key);
      if (list) list.push(m);
      else map.set(key, [m]);
    }
    return map;
  };
  index = { roles: group(parsed.roles), users: group(parsed.users), accounts: new Set(parsed.accounts) };
  indexes.set(parsed, index);
  return index;
}

/**
 * The authenticator's lookup for a canonical ARN: mapRoles first, then mapUsers, case-insensitive on the ARN;
 * role duplicates: the last one wins; user duplicates differing only in case: nondeterministic (flagged).
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
  // One Go map slot per exact spelling, the last entry of each spelling filling it.
  const bySpelling = new Map<string, AwsAuthMapping>();
  for (const m of users) bySpelling.set(m.rawArn ?? m.arn, m);
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

// ─── Writing entries ─────────────────────────────────────────────────────────────────────────────────────────────

/** A YAML scalar yaml.v2 reads back as exactly `s`: plain when unambiguous, double-quoted otherwise. */
function yamlScalar(s: string): string {
  if (/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(s) && !s.includes('{{') && fastPlain(s) === s) {
    if (resolvePlain(s).kind === 'str') return s;
  }
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

interface EntryInput {
  arn: string;
  username?: string;
  groups?: string[];
}

function entryYaml(section: 'mapRoles' | 'mapUsers', m: EntryInput): string {
  const lines = [`- ${section === 'mapRoles' ? 'rolearn' : 'userarn'}: ${yamlScalar(m.arn)}`];
  if (m.username !== undefined) lines.push(`  username: ${yamlScalar(m.username)}`);
  if (m.groups !== undefined) {
    if (m.groups.length === 0) lines.push('  groups: []');
    else lines.push('  groups:', ...m.groups.map((g) => `    - ${yamlScalar(g)}`));
  }
  return `${lines.join('\n')}\n`;
}

/** The YAML text of one section's entry, as a user would paste it (templates always quoted). */
export function mappingYaml(
  section: 'mapRoles' | 'mapUsers',
  m: { arn: string; username: string; groups: string[] },
): string {
  return entryYaml(section, m);
}

type ArnMatcher = (arn: string) => boolean;

function arnFieldOf(map: unknown, section: 'mapRoles' | 'mapUsers'): string | undefined {
  if (!isMap(map)) return undefined;
  const wanted = foldFieldName(section === 'mapRoles' ? 'rolearn' : 'userarn');
  let found: string | undefined;
  for (const pair of map.items) {
    const key = pair.key;
    if (!isScalar(key) || foldFieldName(String(key.source ?? key.value)) !== wanted) continue;
    const value = pair.value;
    if (isScalar(value)) found = String(value.source ?? value.value);
  }
  return found;
}

/** Structural edit with the `yaml` Document API (comments and other entries kept); undefined when not possible. */
function editSection(
  text: string,
  section: 'mapRoles' | 'mapUsers',
  matches: ArnMatcher,
  entry: EntryInput | undefined,
): string | undefined {
  const doc = parseDocument(text, PARSE_OPTIONS);
  if (syntaxErrors(doc.errors).length) return undefined;
  const seq = doc.contents as unknown;
  if (seq === null || (isScalar(seq) && (seq.source ?? '') === '')) {
    if (!entry) return text;
    return entryYaml(section, entry);
  }
  if (!isSeq(seq)) return undefined;
  const items = seq.items as unknown[];
  const hits: number[] = [];
  items.forEach((item, i) => {
    const arn = arnFieldOf(item, section);
    if (arn !== undefined && matches(arn)) hits.push(i);
  });
  if (!entry && hits.length === 0) return text;
  const replacement = entry
    ? (parseDocument(entryYaml(section, entry), PARSE_OPTIONS).contents as { items: unknown[] }).items[0]
    : undefined;
  for (let i = hits.length - 1; i >= 1; i--) items.splice(hits[i] as number, 1);
  if (replacement !== undefined) {
    if (hits.length) items.splice(hits[0] as number, 1, replacement);
    else items.push(replacement);
  } else if (hits.length) {
    items.splice(hits[0] as number, 1);
  }
  try {
    return doc.toString({ lineWidth: 0 });
  } catch {
    return undefined;
  }
}

/** Template-shaped flow mappings (an unquoted `{{SessionName}}`) read back as the text the user meant. */
function lenientText(node: unknown): string | undefined {
  if (isScalar(node)) return String(node.source ?? node.value ?? '');
  if (isMap(node) && node.items.length === 1) {
    const inner = node.items[0]?.key;
    if (isMap(inner) && inner.items.length === 1 && node.items[0]?.value == null) {
      const name = inner.items[0]?.key;
      if (isScalar(name) && inner.items[0]?.value == null) return `{{${String(name.source ?? name.value)}}}`;
    }
  }
  return undefined;
}

/** Rebuilds a section that cannot be edited in place from whatever entries can still be read out of it. */
function salvageSection(
  text: string,
  section: 'mapRoles' | 'mapUsers',
  matches: ArnMatcher,
  entry: EntryInput | undefined,
): string {
  const kept: EntryInput[] = [];
  let insertAt = -1;
  let contents: unknown;
  try {
    contents = parseDocument(text, PARSE_OPTIONS).contents;
  } catch {
    contents = undefined;
  }
  const arnName = foldFieldName(section === 'mapRoles' ? 'rolearn' : 'userarn');
  for (const item of isSeq(contents) ? (contents.items as unknown[]) : []) {
    if (!isMap(item)) continue;
    const e: EntryInput = { arn: '' };
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? foldFieldName(String(pair.key.source ?? pair.key.value)) : '';
      if (key === arnName) e.arn = lenientText(pair.value) ?? e.arn;
      else if (key === 'USERNAME') e.username = lenientText(pair.value) ?? '';
      else if (key === 'GROUPS') {
        e.groups = isSeq(pair.value)
          ? (pair.value.items as unknown[]).map(lenientText).filter((g): g is string => g !== undefined)
          : [];
      }
    }
    if (e.arn.trim() === '') continue;
    if (matches(e.arn)) {
      if (insertAt < 0) insertAt = kept.length;
      continue;
    }
    kept.push(e);
  }
  if (entry) kept.splice(insertAt < 0 ? kept.length : insertAt, 0, entry);
  return kept.map((e) => entryYaml(section, e)).join('');
}

function sectionHolds(text: string, section: 'mapRoles' | 'mapUsers', entry: EntryInput): boolean {
  const parsed = parseAwsAuth({ data: { [section]: text } });
  if (parsed.sections[section] !== 'ok') return false;
  const match = findMapping(parsed, entry.arn.trim());
  return (
    match !== undefined &&
    match.mapping.section === section &&
    !match.nondeterministic &&
    match.mapping.rawArn === undefined &&
    match.mapping.username === entry.username &&
    JSON.stringify(match.mapping.groups) === JSON.stringify(entry.groups ?? [])
  );
}

function putEntry(
  text: string,
  section: 'mapRoles' | 'mapUsers',
  matches: ArnMatcher,
  entry: EntryInput,
): string {
  const edited = editSection(text, section, matches, entry);
  if (edited !== undefined && sectionHolds(edited, section, entry)) return edited;
  const salvaged = salvageSection(text, section, matches, entry);
  if (sectionHolds(salvaged, section, entry)) return salvaged;
  return entryYaml(section, entry);
}

/**
 * A copy of the ConfigMap with the entry for `arn` (case-insensitive; also `replaceArn` if given) replaced by the
 * new mapping, or appended if none. Entries for those ARNs in the other section are removed too (mapRoles is
 * looked up first, so a stray one would shadow the fix); other entries and sections are preserved. A section the
 * authenticator drops is rebuilt from the entries that can still be read out of it.
 */
export function withMapping(
  configMap: ConfigMap | null | undefined,
  change: {
    section: 'mapRoles' | 'mapUsers';
    arn: string;
    username: string;
    groups: string[];
    replaceArn?: string;
  },
): ConfigMap {
  const base: ConfigMap = configMap
    ? structuredClone(configMap)
    : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' } };
  const data: Record<string, string> = { ...(base.data ?? {}) };
  const keys = new Set([arnKey(change.arn.trim())]);
  if (change.replaceArn) keys.add(arnKey(change.replaceArn.trim()));
  const matches: ArnMatcher = (arn) => keys.has(arnKey(arn.trim()));
  const entry: EntryInput = { arn: change.arn.trim(), username: change.username, groups: [...change.groups] };

  const other = change.section === 'mapRoles' ? 'mapUsers' : 'mapRoles';
  const otherText = data[other];
  if (typeof otherText === 'string') {
    const edited = editSection(otherText, other, matches, undefined);
    if (edited !== undefined) data[other] = edited;
  }
  const current = data[change.section];
  data[change.section] = putEntry(typeof current === 'string' ? current : '', change.section, matches, entry);
  base.data = data;
  return base;
}

/**
 * Exposed for tests that check the fast path against the full YAML parser: the Go value of a mapRoles/mapUsers
 * text, `{ error }` when the section would be dropped, undefined when the fast path declines the text.
 */
export const __testing = {
  fastTree(text: string): unknown {
    const tree = fastParse(text);
    if (!tree) return undefined;
    return tree.nonFinite ? { error: 'section' } : plainTree(tree.root);
  },
  fullTree(text: string): unknown {
    try {
      return plainTree(fullParse(text, 'interface').root);
    } catch (error) {
      return { error: error instanceof SectionFailure ? 'section' : String(error) };
    }
  },
};

function plainTree(v: GoValue | null): unknown {
  if (v === null) return null;
  if (v.t === 'scalar') return { [v.kind]: v.text };
  if (v.t === 'seq') return v.items.map(plainTree);
  return Object.fromEntries([...v.entries].map(([k, x]) => [k, plainTree(x)]));
}
