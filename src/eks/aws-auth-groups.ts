/**
 * What a malformed `groups` field of an aws-auth entry was meant to say (FM-41). The authenticator keeps the entry
 * but grants no groups (a string instead of a list) or one wrong group (list items run together by indentation:
 * `system:bootstrappers - system:nodes`); the fix needs the group names the author wrote.
 */
import { parse } from 'yaml';
import type { AwsAuthMapping } from './aws-auth.js';
import type { ConfigMap } from '../model/snapshot.js';

function splitGroups(text: string): string[] {
  return text
    .split(/\s+-\s+|^-\s+|[\s,]+/)
    .map((g) => g.trim())
    .filter((g) => g !== '' && g !== '-');
}

function rawGroups(configMap: ConfigMap | null | undefined, m: AwsAuthMapping): unknown {
  const text = configMap?.data?.[m.section];
  if (!text) return undefined;
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: false, maxAliasCount: 10, prettyErrors: false });
  } catch {
    return undefined;
  }
  const item: unknown = Array.isArray(doc) ? doc[m.index] : undefined;
  if (typeof item !== 'object' || item === null) return undefined;
  const key = Object.keys(item).find((k) => k.toLowerCase() === 'groups');
  return key ? (item as Record<string, unknown>)[key] : undefined;
}

/** The group names the author meant, de-duplicated, in written order. */
export function intendedGroups(configMap: ConfigMap | null | undefined, m: AwsAuthMapping): string[] {
  const raw = rawGroups(configMap, m);
  const found: string[] = [];
  if (typeof raw === 'string') found.push(...splitGroups(raw));
  else if (Array.isArray(raw)) {
    for (const item of raw) if (typeof item === 'string') found.push(...splitGroups(item));
  } else {
    for (const g of m.groups) found.push(...splitGroups(g));
  }
  return [...new Set(found)];
}
