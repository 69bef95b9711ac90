/** The YAML text of one aws-auth entry, written so that yaml.v2 reads back exactly the values given. */
import { readYamlSection } from './read-yaml.js';
import type { MappingSection } from './types.js';

export interface EntryInput {
  arn: string;
  username?: string;
  groups?: string[];
}

/** The YAML text of one section's entry, as a user would paste it (templates always quoted). */
export function mappingYaml(
  section: MappingSection,
  m: { arn: string; username: string; groups: string[] },
): string {
  return entryYaml(section, m);
}

export function entryYaml(section: MappingSection, m: EntryInput): string {
  const lines = [`- ${section === 'mapRoles' ? 'rolearn' : 'userarn'}: ${yamlScalar(m.arn)}`];
  if (m.username !== undefined) lines.push(`  username: ${yamlScalar(m.username)}`);
  if (m.groups?.length === 0) lines.push('  groups: []');
  else if (m.groups) lines.push('  groups:', ...m.groups.map((g) => `    - ${yamlScalar(g)}`));
  return `${lines.join('\n')}\n`;
}

/** Plain when the YAML reader gives back exactly `s` as a string; double-quoted, ASCII only, otherwise. */
function yamlScalar(s: string): string {
  if (/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(s) && !s.includes('{{') && readsBackAsText(s)) {
    return s;
  }
  let quoted = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') quoted += `\\${ch}`;
    else if (code >= 0x20 && code <= 0x7e) quoted += ch;
    else if (code <= 0xffff) quoted += `\\u${code.toString(16).padStart(4, '0')}`;
    else quoted += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${quoted}"`;
}

function readsBackAsText(s: string): boolean {
  try {
    return readYamlSection(s, 'interface').root === s;
  } catch {
    return false;
  }
}
