/**
 * The items of a section that loaded, kept or skipped as the authenticator's `Validate()` does
 * (AUTH:pkg/config/mapper.go): a role needs `rolearn` or `sso` (not both), a user needs `userarn`;
 * mapAccounts items keep their text (yaml.v2 reads them into []string, so 111122223333 stays a string).
 */
import { decodeEntry, describe, foldFieldName, ssoError } from './decode.js';
import type { DecodedEntry } from './decode.js';
import type { YamlValue } from './read-yaml.js';
import type { AwsAuthMapping, AwsAuthProblem, MappingSection } from './types.js';
import { awsAuthPointer, entryLabel, quote } from './types.js';

type Report = (kind: AwsAuthProblem['kind'], message: string, arn?: string) => void;

export function mappingEntries(
  section: MappingSection,
  items: YamlValue[],
  itemLines: number[],
  problems: AwsAuthProblem[],
): AwsAuthMapping[] {
  const pointer = awsAuthPointer(section);
  return items.flatMap((item, index) => {
    const line = itemLines[index] ?? 1;
    const report: Report = (kind, message, arn) =>
      problems.push({ section, kind, message, index, line, pointer, ...(arn ? { arn } : {}) });
    const mapping = { section, index, line, pointer, arn: '', groups: [] };
    return keptMapping(item, mapping, report) ?? [];
  });
}

/** The entry as the authenticator stores it, or undefined when it skips the entry. */
function keptMapping(item: YamlValue, mapping: AwsAuthMapping, report: Report): AwsAuthMapping | undefined {
  const label = entryLabel(mapping.section, mapping.index, mapping.line);
  const arnField = mapping.section === 'mapRoles' ? 'rolearn' : 'userarn';
  const error =
    mapping.section === 'mapRoles'
      ? 'one of rolearn or SSO must be supplied'
      : 'value for userarn must be supplied';
  const skipped = `skips it ("${error}")`; // the error Validate() logs
  if (!(item instanceof Map)) {
    report(
      'entry-invalid',
      `${label} is ${describe(item)}, not a mapping with ${arnField}; the authenticator ${skipped}`,
    );
    return undefined;
  }
  const entry = decodeEntry(item, mapping.section);
  if (entry.sso !== undefined) return reportSso(entry, label, report);
  if (entry.arn === '' && entry.arnNotString) {
    const message = `${label}: ${arnField} is ${entry.arnNotString}, not a string, so the authenticator sees no ${arnField} and ${skipped}`;
    report('entry-invalid', message);
    return undefined;
  }
  if (entry.arn === '') {
    const hint = unknownKeysHint(entry, mapping.section);
    report('entry-missing-arn', `${label} has no ${arnField}${hint}; the authenticator ${skipped}`);
    return undefined;
  }
  const arn = entry.arn.trim();
  Object.assign(mapping, { arn, groups: entry.groups ?? [] });
  if (arn !== entry.arn) {
    mapping.rawArn = entry.arn;
    const message = `${label}: ${arnField} ${quote(entry.arn)} has surrounding whitespace; the authenticator compares it as written, so it never matches`;
    report('entry-invalid', message, arn);
  }
  if (entry.username !== undefined) mapping.username = entry.username;
  if (entry.usernameNotString) {
    Object.assign(mapping, { username: '', usernameNotString: true });
    const message = `${label}: username is ${entry.usernameNotString}, not a string; the authenticator keeps the entry with an empty username`;
    report('entry-invalid', message, arn);
  }
  if (entry.groupsMalformed) {
    mapping.groupsMalformed = entry.groupsMalformed;
    report('groups-malformed', `${label}: ${entry.groupsNote ?? 'groups is malformed'}`, arn);
  }
  if (entry.unknownKeys.length) mapping.unknownKeys = entry.unknownKeys;
  return mapping;
}

function unknownKeysHint(entry: DecodedEntry, section: MappingSection): string {
  const [otherField, otherSection] =
    section === 'mapRoles' ? ['USERARN', 'mapUsers'] : ['ROLEARN', 'mapRoles'];
  if (entry.unknownKeys.some((k) => foldFieldName(k) === otherField)) {
    return ` (it has ${otherField.toLowerCase()}, which belongs under ${otherSection})`;
  }
  return entry.unknownKeys.length ? ` (unrecognised keys: ${entry.unknownKeys.slice(0, 5).join(', ')})` : '';
}

/** An `sso` matcher never maps anyone on EKS, and makes the entry invalid next to a rolearn. */
function reportSso(entry: DecodedEntry, label: string, report: Report): undefined {
  const error = entry.arn !== '' ? 'only one of rolearn or SSO can be supplied' : ssoError(entry.sso ?? null);
  if (entry.arn !== '') {
    report(
      'entry-invalid',
      `${label} has both rolearn and sso; the authenticator skips it ("${error}")`,
      entry.arn,
    );
  } else if (error) {
    report('entry-invalid', `${label} has an invalid sso matcher; the authenticator skips it ("${error}")`);
  } else {
    const remedy = `map the role with rolearn: arn:aws:iam::<account>:role/AWSReservedSSO_<PermissionSet>_<suffix> (no path)`;
    report(
      'sso-entry',
      `${label} uses the alpha sso matcher, which is off unless the SSORoleMatch feature gate is enabled (EKS does not document it); it matches nothing — ${remedy}`,
    );
  }
  return undefined;
}

export function accountEntries(
  items: YamlValue[],
  itemLines: number[],
  problems: AwsAuthProblem[],
): string[] {
  const pointer = awsAuthPointer('mapAccounts');
  return items.flatMap((item, index) => {
    const line = itemLines[index] ?? 1;
    const label = entryLabel('mapAccounts', index, line);
    const report = (message: string): void => {
      problems.push({ section: 'mapAccounts', kind: 'entry-invalid', message, index, line, pointer });
    };
    if (Array.isArray(item) || item instanceof Map) {
      report(`${label} is ${describe(item)}, not an account id; the authenticator skips it`);
      return [];
    }
    // yaml.v2 keeps a scalar's text when decoding into a string; null becomes "".
    const text = item === null ? '' : typeof item === 'string' ? item : item.text;
    if (!/^\d{12}$/.test(text)) {
      report(
        `${label} ${quote(text, 80)} is not a 12-digit account id; the authenticator compares it as written, so it never matches`,
      );
    }
    return [text];
  });
}
