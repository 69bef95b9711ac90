/**
 * The principal a pasted 403 means when it names only a username (`User "sam" cannot list ...`): with no ARN to
 * replay, the one access entry or aws-auth mapping that sets exactly that username (no template) is the caller.
 * Templated usernames (`dev:{{SessionName}}`) are not inverted: several sessions render to them.
 */
import type { SnapshotIndex } from './context.js';

export interface NamedPrincipal {
  arn: string;
  /** Where the username is set: an access entry or an aws-auth mapping. */
  source: 'accessEntries' | 'awsAuth';
}

export function principalOfUsername(username: string, index: SnapshotIndex): NamedPrincipal | undefined {
  if (!username || username.includes('{{') || username.startsWith('system:')) return undefined;
  const found = new Map<string, NamedPrincipal>();
  for (const entries of index.entriesByKey.values()) {
    for (const { entry } of entries) {
      if (entry.username === username && entry.principalArn) {
        found.set(entry.principalArn, { arn: entry.principalArn, source: 'accessEntries' });
      }
    }
  }
  for (const mappings of index.awsAuthByKey.values()) {
    for (const mapping of mappings) {
      if (mapping.username === username && !found.has(mapping.arn)) {
        found.set(mapping.arn, { arn: mapping.arn, source: 'awsAuth' });
      }
    }
  }
  return found.size === 1 ? [...found.values()][0] : undefined;
}
