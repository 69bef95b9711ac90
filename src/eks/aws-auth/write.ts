/**
 * Writing a mapping into aws-auth. A section is edited in place where possible (untouched entries keep every
 * byte, so they mean exactly what they meant); otherwise it is rebuilt from the entries still readable in it.
 * Every result is read back with parseAwsAuth before it is used.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { ConfigMap } from '../../model/snapshot.js';
import { foldFieldName } from './decode.js';
import { entryYaml } from './entry-yaml.js';
import type { EntryInput } from './entry-yaml.js';
import { findMapping } from './lookup.js';
import { parseAwsAuth } from './parse.js';
import { firstDocument } from './read-yaml.js';
import type { MappingSection } from './types.js';
import { arnKey } from './types.js';

type ArnMatcher = (arn: string) => boolean;

/**
 * A copy of the ConfigMap with the entry for `arn` (case-insensitive; also `replaceArn` if given) replaced by the
 * new mapping, or appended if none. Entries for those ARNs in the other section are removed too (mapRoles is
 * looked up first, so a stray one would shadow the fix); other entries and sections are preserved. A section the
 * authenticator drops is rebuilt from the entries that can still be read out of it.
 */
export function withMapping(
  configMap: ConfigMap | null | undefined,
  change: { section: MappingSection; arn: string; username: string; groups: string[]; replaceArn?: string },
): ConfigMap {
  const base: ConfigMap = configMap
    ? structuredClone(configMap)
    : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' } };
  const data: Record<string, string> = { ...(base.data ?? {}) };
  const keys = new Set([change.arn, change.replaceArn || change.arn].map((arn) => arnKey(arn.trim())));
  const matches: ArnMatcher = (arn) => keys.has(arnKey(arn.trim()));
  const entry: EntryInput = { arn: change.arn.trim(), username: change.username, groups: [...change.groups] };
  const other = change.section === 'mapRoles' ? 'mapUsers' : 'mapRoles';
  const otherText = data[other];
  if (typeof otherText === 'string') data[other] = spliceSection(otherText, other, matches) ?? otherText;
  const current = data[change.section];
  data[change.section] = putEntry(typeof current === 'string' ? current : '', change.section, matches, entry);
  base.data = data;
  return base;
}

function putEntry(text: string, section: MappingSection, matches: ArnMatcher, entry: EntryInput): string {
  const edited = spliceSection(text, section, matches, entry);
  if (edited !== undefined && sectionHolds(edited, section, entry)) return edited;
  const rebuilt = rebuildSection(text, section, matches, entry);
  return sectionHolds(rebuilt, section, entry) ? rebuilt : entryYaml(section, entry);
}

function sectionHolds(text: string, section: MappingSection, entry: EntryInput): boolean {
  const parsed = parseAwsAuth({ data: { [section]: text } });
  const match = findMapping(parsed, entry.arn);
  return (
    parsed.sections[section] === 'ok' &&
    match?.mapping.section === section &&
    !match.nondeterministic &&
    match.mapping.rawArn === undefined &&
    match.mapping.username === entry.username &&
    JSON.stringify(match.mapping.groups) === JSON.stringify(entry.groups ?? [])
  );
}

/** The written ARN of a list item (`rolearn`/`userarn` in any letter case), if it is a plain mapping. */
function arnOf(item: unknown, section: MappingSection): string | undefined {
  const wanted = section === 'mapRoles' ? 'ROLEARN' : 'USERARN';
  let arn: string | undefined;
  for (const pair of isMap(item) ? item.items : []) {
    const { key, value } = pair;
    if (isScalar(key) && foldFieldName(String(key.source ?? key.value)) === wanted && isScalar(value)) {
      arn = String(value.source ?? value.value);
    }
  }
  return arn;
}

/**
 * Cuts the entries for the ARN out of a block list (the first one replaced by `entry`, or `entry` appended) and
 * keeps every other byte. Undefined when the text is not a block list this can edit.
 */
function spliceSection(
  text: string,
  section: MappingSection,
  matches: ArnMatcher,
  entry?: EntryInput,
): string | undefined {
  const doc = documentOf(text);
  if (doc === undefined || doc?.errors.length) return undefined;
  const root = doc?.contents ?? null;
  if (isScalar(root) && root.source === '') return entry ? entryYaml(section, entry) : text;
  if (root === null) {
    return entry ? `${text}${/(^|\n)$/.test(text) ? '' : '\n'}${entryYaml(section, entry)}` : text;
  }
  const token = isSeq(root) ? root.srcToken : undefined;
  if (!isSeq(root) || token?.type !== 'block-seq' || token.items.length !== root.items.length) {
    return undefined;
  }
  // Each entry runs from the start of its "-" line to the next one's.
  const dashes = token.items.map((item) => item.start.find((t) => t.type === 'seq-item-ind')?.offset ?? -1);
  const starts = dashes.map((dash) => text.lastIndexOf('\n', dash - 1) + 1);
  if (dashes.some((dash, i) => dash < 0 || text.slice(starts[i], dash).trim() !== '')) return undefined;
  const newline = text.indexOf('\n', Math.max(root.range[1] - 1, 0));
  const end = newline < 0 ? text.length : newline + 1;
  const hits = root.items.map((item) => {
    const arn = arnOf(item, section);
    return arn !== undefined && matches(arn);
  });
  if (!entry && !hits.includes(true)) return text;
  const column = (dashes[0] ?? 0) - (starts[0] ?? 0);
  const block = entry ? entryYaml(section, entry).replace(/^(?=.)/gm, ' '.repeat(column)) : '';
  let out = text.slice(0, starts[0]);
  let placed = false;
  starts.forEach((start, i) => {
    if (!hits[i]) {
      out += text.slice(start, starts[i + 1] ?? end);
    } else if (!placed) {
      out += block;
      placed = true;
    }
  });
  if (!placed && entry) out += `${/(^|\n)$/.test(out) ? '' : '\n'}${block}`;
  return out + text.slice(end);
}

/** Template-shaped flow mappings (an unquoted `{{SessionName}}`) read back as the text the user meant. */
function lenientText(node: unknown): string | undefined {
  if (isScalar(node)) return String(node.source ?? node.value ?? '');
  const outer = isMap(node) && node.items.length === 1 ? node.items[0] : undefined;
  const inner = outer && outer.value === null && isMap(outer.key) ? outer.key.items : [];
  const name = inner.length === 1 && inner[0]?.value === null ? inner[0].key : undefined;
  return isScalar(name) ? `{{${String(name.source ?? name.value)}}}` : undefined;
}

/** Rebuilds a section that cannot be edited in place from whatever entries can still be read out of it. */
function rebuildSection(
  text: string,
  section: MappingSection,
  matches: ArnMatcher,
  entry: EntryInput,
): string {
  const root = documentOf(text)?.contents;
  const arnField = section === 'mapRoles' ? 'ROLEARN' : 'USERARN';
  const kept: EntryInput[] = [];
  let insertAt = -1;
  for (const item of isSeq(root) ? root.items : []) {
    const e: EntryInput = { arn: '' };
    for (const { key, value } of isMap(item) ? item.items : []) {
      const field = isScalar(key) ? foldFieldName(String(key.source ?? key.value)) : '';
      if (field === arnField) e.arn = lenientText(value) ?? e.arn;
      else if (field === 'USERNAME') e.username = lenientText(value) ?? '';
      else if (field === 'GROUPS') {
        e.groups = (isSeq(value) ? value.items : []).map(lenientText).filter((g) => g !== undefined);
      }
    }
    if (e.arn.trim() !== '' && matches(e.arn) && insertAt < 0) insertAt = kept.length;
    if (e.arn.trim() !== '' && !matches(e.arn)) kept.push(e);
  }
  kept.splice(insertAt < 0 ? kept.length : insertAt, 0, entry);
  return kept.map((e) => entryYaml(section, e)).join('');
}

/** The first document; null when the text holds none, undefined when it is too deeply nested to parse. */
function documentOf(text: string): ReturnType<typeof firstDocument> | null {
  try {
    return firstDocument(text) ?? null;
  } catch {
    return undefined;
  }
}
