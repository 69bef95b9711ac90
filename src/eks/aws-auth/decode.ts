/**
 * Go's encoding/json decoding one aws-auth entry into config.RoleMapping / config.UserMapping
 * (AUTH:pkg/config/types.go): keys match fields case-insensitively, a value of the wrong type leaves the field
 * as it was (the entry is kept), and `Validate()` checks sso matchers.
 */
import { PARTITIONS } from '../arn.js';
import type { AwsAuthMapping, MappingSection } from './types.js';
import { quote } from './types.js';
import type { YamlMap, YamlValue } from './read-yaml.js';

export interface DecodedEntry {
  arn: string;
  arnNotString?: string; // the arn value, described, when it is not a string
  sso?: YamlValue;
  username?: string;
  usernameNotString?: string;
  groups?: string[];
  groupsMalformed?: AwsAuthMapping['groupsMalformed'];
  groupsNote?: string; // why groups is malformed
  unknownKeys: string[];
}

/** Non-ASCII runes Go's case folding maps onto ASCII letters. */
const FOLD_SPECIAL: Record<string, string> = { '\u212a': 'K', '\u017f': 'S', '\u0131': 'I', '\u0130': 'I' };
const ASCII = /^[\p{ASCII}]*$/u;

/** encoding/json's case-insensitive field-name match. */
export function foldFieldName(key: string): string {
  if (ASCII.test(key)) return key.toUpperCase();
  return key.replace(/[a-z\u212a\u017f\u0131\u0130]/g, (ch) => FOLD_SPECIAL[ch] ?? ch.toUpperCase());
}

/** The struct fields of config.RoleMapping / config.UserMapping by folded JSON name. */
const FIELDS = {
  mapRoles: new Map(['rolearn', 'sso', 'username', 'groups', 'userid'].map((f) => [foldFieldName(f), f])),
  mapUsers: new Map(['userarn', 'username', 'groups', 'userid'].map((f) => [foldFieldName(f), f])),
};

/** Go marshals map keys sorted by their UTF-8 bytes, so that is the order json.Unmarshal assigns them in. */
function goKeyOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function describe(value: YamlValue): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'a mapping';
  if (typeof value === 'string') return quote(value);
  if (value === null) return 'null';
  return `${value.kind === 'boolean' ? 'the boolean' : 'the number'} ${value.text}`;
}

export function decodeEntry(map: YamlMap, section: MappingSection): DecodedEntry {
  const keyed = [...map.keys()].map((key) => ({ key, field: FIELDS[section].get(foldFieldName(key)) }));
  // Only keys landing on the same field depend on the order, which is Go's sorted JSON key order.
  const used = keyed.flatMap(({ field }) => field ?? []);
  if (new Set(used).size < used.length) keyed.sort((a, b) => goKeyOrder(a.key, b.key));
  const entry: DecodedEntry = { arn: '', unknownKeys: [] };
  for (const { key, field } of keyed) {
    const value = map.get(key) ?? null;
    if (field === undefined) entry.unknownKeys.push(key);
    else if (field === 'rolearn' || field === 'userarn') decodeText(entry, 'arn', value);
    else if (field === 'username') decodeText(entry, 'username', value);
    else if (field === 'groups') decodeGroups(entry, value);
    else if (field === 'sso') entry.sso = value ?? undefined; // any non-null value allocates the pointer
  }
  return entry;
}

/** A string sets the field; any other non-null value is a type error that leaves it as it was. */
function decodeText(entry: DecodedEntry, field: 'arn' | 'username', value: YamlValue): void {
  const note = field === 'arn' ? 'arnNotString' : 'usernameNotString';
  entry[field] ??= '';
  if (typeof value === 'string') {
    entry[field] = value;
    entry[note] = undefined;
  } else if (value !== null) {
    entry[note] = describe(value);
  }
}

function decodeGroups(entry: DecodedEntry, value: YamlValue): void {
  entry.groupsMalformed = undefined;
  entry.groupsNote = undefined;
  if (value === null) {
    entry.groups = undefined; // JSON null sets a slice to nil
  } else if (Array.isArray(value)) {
    const others = value.filter((item) => typeof item !== 'string');
    entry.groups = value.map((item) => (typeof item === 'string' ? item : '')); // a type error leaves ''
    const joined = entry.groups.find((g) => /\s-\s/.test(g));
    if (others.length) {
      entry.groupsMalformed = 'non-string-items';
      entry.groupsNote = `groups has items that are not strings (${others.map(describe).join(', ')}); the authenticator turns each into an empty group`;
    } else if (joined) {
      entry.groupsMalformed = 'scalar-with-dashes';
      entry.groupsNote = `group ${quote(joined)} is several list items run together by indentation; the authenticator grants it as one group name`;
    }
  } else {
    // A JSON type error: the field keeps its value and the entry is still kept.
    const dashes = typeof value === 'string' && /\s-\s/.test(value);
    entry.groupsMalformed = dashes ? 'scalar-with-dashes' : 'not-a-list';
    entry.groupsNote = `groups is ${describe(value)}, not a list; the authenticator keeps the entry with no groups`;
  }
}

const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;

/** RoleMapping.Validate for an `sso` matcher: the authenticator's error, or undefined when it is valid. */
export function ssoError(sso: YamlValue): string | undefined {
  const fields: Record<string, string> = { PERMISSIONSETNAME: '', ACCOUNTID: '', PARTITION: '' };
  const entries = sso instanceof Map ? [...sso].sort(([a], [b]) => goKeyOrder(a, b)) : [];
  for (const [key, value] of entries) {
    const name = foldFieldName(key);
    if (name in fields && typeof value === 'string') fields[name] = value;
  }
  const { PERMISSIONSETNAME: name = '', ACCOUNTID: account = '', PARTITION: partition = '' } = fields;
  if (!/^[0-9]{12}$/.test(account)) return `AccountID '${account}' is not a valid AWS Account ID`;
  if (!PERMISSION_SET_NAME.test(name)) {
    return `PermissionSetName '${name}' is not a valid AWS SSO PermissionSet Name`;
  }
  if (partition !== '' && !PARTITIONS.includes(partition)) {
    return `partition '${partition}' is not a valid AWS partition`;
  }
  return undefined;
}
