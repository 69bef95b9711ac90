/**
 * One aws-auth section's text → the values yaml.v2 hands to sigs.k8s.io/yaml's JSON conversion
 * (AUTH:pkg/mapper/configmap/configmap.go `ParseMap`). The `yaml` package parses it as YAML 1.1; added here are
 * only the libyaml rules real aws-auth files run into (control characters; a tab right after "- ") and a nesting
 * cap well below where the `yaml` package's recursive composer would exhaust the stack. yaml-values.ts turns the
 * AST into values. Exotic syntax is left to the `yaml` package (test/eks/aws-auth.test.ts lists what differs).
 */
import { Composer, LineCounter, Parser, isSeq } from 'yaml';
import type { CST, Document } from 'yaml';
import { ValueReader, YamlRejected, offsetOf } from './yaml-values.js';
import type { YamlValue } from './yaml-values.js';

export { YamlRejected } from './yaml-values.js';
export type { NonString, YamlMap, YamlValue } from './yaml-values.js';

export interface YamlSection {
  /** The first document's root (yaml.v2 reads only that one); null when empty. */
  root: YamlValue;
  rootLine: number;
  /** 1-based line of each item when the root is a list. */
  itemLines: number[];
}

const READ_OPTIONS = {
  version: '1.1',
  schema: 'yaml-1.1',
  merge: false, // yaml-values.ts expands merge keys with yaml.v2's precedence
  uniqueKeys: false, // yaml.v2 keeps the last of duplicate keys
  strict: false, // libyaml accepts a comment right after a node ("[a]#c")
  prettyErrors: false,
  keepSourceTokens: true, // lets the writer find each entry's "-"
} as const;

/** eksdoctor's own cap (yaml.v2 allows 10,000); no real aws-auth nests past 5. */
const MAX_DEPTH = 100;
/** libyaml's reader accepts only printable characters (plus tab, line breaks and NEL). */
const NOT_PRINTABLE = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
/** libyaml does not skip a tab where a block node may start, such as right after "- ". */
const TAB_AFTER_DASH = /^ *(?:-[ \t]+)*?-[ ]*\t/m;

export function readYamlSection(text: string, into: 'interface' | 'strings'): YamlSection {
  const unprintable = NOT_PRINTABLE.exec(text);
  if (unprintable) {
    const code = (unprintable[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0');
    const line = text.slice(0, unprintable.index).split('\n').length;
    throw new YamlRejected(`control characters are not allowed (U+${code})`, line);
  }
  const lines = new LineCounter();
  const lineOf = (offset: number): number => lines.linePos(offset).line;
  const doc = firstDocument(text, lines);
  const contents = doc ? doc.contents : null;
  const error = doc?.errors[0];
  if (error) throw new YamlRejected(error.message, lineOf(error.pos[0]));
  const tab = TAB_AFTER_DASH.exec(text);
  if (tab && tab.index < (contents?.range[2] ?? 0)) {
    throw new YamlRejected(
      'found character that cannot start any token (a tab after "-")',
      lineOf(tab.index),
    );
  }
  // Read into interface{} (mapRoles, mapUsers) values must also become JSON; into []string (mapAccounts) not.
  const reader = new ValueReader(text, lineOf, into);
  const root = reader.read(contents);
  if (reader.jsonError) throw reader.jsonError;
  return {
    root,
    rootLine: lineOf(contents?.range[0] ?? 0),
    itemLines: isSeq(contents) ? contents.items.map((item) => lineOf(offsetOf(item) ?? 0)) : [],
  };
}

/** The first YAML document (yaml.v2 reads only that one), with its syntax errors; undefined when empty. */
export function firstDocument(text: string, lines = new LineCounter()): Document.Parsed | undefined {
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  if (nestingDepth(tokens) > MAX_DEPTH) {
    throw new YamlRejected(`nested more than ${MAX_DEPTH} levels deep, more than eksdoctor reads`);
  }
  return new Composer(READ_OPTIONS).compose(tokens).next().value ?? undefined;
}

/** Depth of the parsed tokens, walked without recursion (the `yaml` parser itself is iterative). */
function nestingDepth(tokens: CST.Token[]): number {
  let deepest = 0;
  const pending = tokens.map((token) => ({ token, depth: 0 }));
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { token, depth } = next;
    deepest = Math.max(deepest, depth);
    if (token.type === 'document' && token.value) pending.push({ token: token.value, depth });
    if (!('items' in token)) continue;
    for (const item of token.items) {
      if ('key' in item && item.key) pending.push({ token: item.key, depth: depth + 1 });
      if (item.value) pending.push({ token: item.value, depth: depth + 1 });
    }
  }
  return deepest;
}
