/**
 * One of mapRoles / mapUsers / mapAccounts read on its own, as the authenticator's ConfigMap mapper does
 * (AUTH:pkg/mapper/configmap/configmap.go `ParseMap`; FM-24..FM-29): blank values are skipped; mapRoles and
 * mapUsers go through apimachinery's `yaml.ToJSON` (text starting with "{" is taken as JSON as is) and any
 * failure drops the whole section while the other sections still load.
 */
import { accountEntries, mappingEntries } from './entries.js';
import { describe } from './decode.js';
import { YamlRejected, readYamlSection } from './read-yaml.js';
import type { YamlSection } from './read-yaml.js';
import type { AwsAuthMapping, AwsAuthProblem, AwsAuthSection } from './types.js';
import { awsAuthPointer } from './types.js';

export interface SectionResult {
  status: 'ok' | 'dropped';
  mappings: AwsAuthMapping[];
  accounts: string[];
}

/** Go's unicode.IsSpace (strings.TrimSpace, apimachinery's JSON-prefix check). */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');
const JSON_PREFIX = new RegExp(`^[${GO_SPACE}]*\\{`);
const BLANK = new Set(['', '``', '""', "''"]);
const GO_TYPE = {
  mapRoles: '[]config.RoleMapping',
  mapUsers: '[]config.UserMapping',
  mapAccounts: '[]string',
};

const loaded = (mappings: AwsAuthMapping[] = [], accounts: string[] = []): SectionResult => ({
  status: 'ok',
  mappings,
  accounts,
});

/** The authenticator's view of one section value; appends its problems. Never throws. */
export function parseSection(
  section: AwsAuthSection,
  text: string,
  problems: AwsAuthProblem[],
): SectionResult {
  const pointer = awsAuthPointer(section);
  const consequence =
    section === 'mapAccounts'
      ? 'the authenticator loads no mapAccounts'
      : `the authenticator drops every ${section} entry ("Errors parsing configmap"); the other sections still load`;
  const drop = (kind: 'yaml-error' | 'not-a-list', message: string, line?: number): SectionResult => {
    problems.push({
      section,
      kind,
      message: `${message}; ${consequence}`,
      pointer,
      ...(line ? { line } : {}),
    });
    return { status: 'dropped', mappings: [], accounts: [] };
  };
  if (BLANK.has(text.replace(GO_TRIM, ''))) return loaded();
  if (section !== 'mapAccounts' && JSON_PREFIX.test(text)) return readAsJson(section, text, drop);

  let read: YamlSection;
  try {
    read = readYamlSection(text, section === 'mapAccounts' ? 'strings' : 'interface');
  } catch (error) {
    if (!(error instanceof YamlRejected)) {
      return drop('yaml-error', `${section} cannot be parsed (${oneLine(String(error))})`);
    }
    return drop(
      'yaml-error',
      `${section} is rejected${error.line ? ` at line ${error.line}` : ''}: ${error.message}`,
      error.line,
    );
  }
  const { root, rootLine, itemLines } = read;
  if (root === null) return loaded();
  if (!Array.isArray(root)) {
    const what = root instanceof Map ? 'a mapping' : `a single value (${describe(root)})`;
    return drop(
      'not-a-list',
      `${section} is ${what}, not a list of entries ("cannot unmarshal … into Go value of type ${GO_TYPE[section]}")`,
      rootLine,
    );
  }
  if (section === 'mapAccounts') return loaded([], accountEntries(root, itemLines, problems));
  return loaded(mappingEntries(section, root, itemLines, problems));
}

/** apimachinery's yaml.ToJSON hands text starting with "{" to json.Unmarshal unchanged: never a list. */
function readAsJson(
  section: 'mapRoles' | 'mapUsers',
  text: string,
  drop: (kind: 'yaml-error' | 'not-a-list', message: string) => SectionResult,
): SectionResult {
  const asJson = `${section} starts with "{", so the authenticator reads it as JSON`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return drop('yaml-error', `${asJson}, and it is not valid JSON (${oneLine(String(error))})`);
  }
  const what = Array.isArray(parsed) ? 'an array' : 'a JSON object';
  return drop(
    'not-a-list',
    `${asJson}: ${what}, not a list of entries ("cannot unmarshal object into Go value of type ${GO_TYPE[section]}")`,
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 160);
}
