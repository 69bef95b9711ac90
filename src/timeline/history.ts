/**
 * What a principal's access entry looked like before a change, rebuilt from the CloudTrail calls in the timeline
 * (CreateAccessEntry, UpdateAccessEntry, AssociateAccessPolicy, DisassociateAccessPolicy), so a fix can put back
 * exactly what a deletion or disassociation took away.
 */
import type { AccessScopeInput } from '../fix/actions.js';
import type { TimelineEvent } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import { matchKey } from '../simulate/context.js';
import { trailParams } from './timeline.js';

export interface EntryHistory {
  type?: string;
  username?: string;
  kubernetesGroups?: string[];
  /** Policy ARN → last associated scope. */
  policies: Map<string, AccessScopeInput>;
  /** Groups the entry had at some point (for removals by UpdateAccessEntry). */
  everGroups: Set<string>;
}

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;

function scopeOf(v: unknown): AccessScopeInput {
  const o = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  const namespaces = strings(o.namespaces) ?? [];
  return String(o.type).toLowerCase() === 'namespace' && namespaces.length
    ? { type: 'namespace', namespaces }
    : { type: 'cluster' };
}

/** The entry's state just before `before` (exclusive), from the calls the timeline holds for `principalArn`. */
export function entryHistory(
  snapshot: Snapshot,
  timeline: readonly TimelineEvent[],
  principalArn: string,
  before: string,
): EntryHistory {
  const key = matchKey(principalArn);
  const history: EntryHistory = { policies: new Map(), everGroups: new Set() };
  for (const e of timeline) {
    if (e.time >= before || e.source !== 'cloudTrail' || e.detail.includes('(failed: ')) continue;
    const params = trailParams(snapshot, e);
    const arn = typeof params?.principalArn === 'string' ? params.principalArn : undefined;
    if (!params || !arn || matchKey(arn) !== key) continue;
    const groups = strings(params.kubernetesGroups);
    switch (e.event) {
      case 'CreateAccessEntry':
        history.policies.clear();
        if (typeof params.type === 'string') history.type = params.type;
        if (typeof params.username === 'string') history.username = params.username;
        if (groups) history.kubernetesGroups = groups;
        break;
      case 'UpdateAccessEntry':
        if (typeof params.username === 'string') history.username = params.username;
        if (groups) history.kubernetesGroups = groups;
        break;
      case 'AssociateAccessPolicy':
        if (typeof params.policyArn === 'string') {
          history.policies.set(params.policyArn, scopeOf(params.accessScope));
        }
        break;
      case 'DisassociateAccessPolicy':
        if (typeof params.policyArn === 'string') history.policies.delete(params.policyArn);
        break;
      case 'DeleteAccessEntry':
        history.policies.clear();
        delete history.kubernetesGroups;
        break;
    }
    for (const g of groups ?? []) history.everGroups.add(g);
  }
  return history;
}
