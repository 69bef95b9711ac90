/**
 * Which aggregated API (a Service-backed APIService) a request targets, decided before authorization: the
 * simulator only looks at the aggregation hop once a request is authorized, but FM-47 (forbidden on an aggregated
 * group) and FM-48 (APIService unavailable) need to know it either way.
 */
import type { ApiService, Snapshot } from '../model/snapshot.js';
import { findApiService, KNOWN_AGGREGATED_GROUPS, proxiedGroupVersion } from '../simulate/simulate.js';
import type { RequestAttributes } from './request-info.js';

export interface AggregatedTarget {
  group: string;
  version: string;
  /** The APIService, when collected. */
  apiService?: { name: string; pointer: string; service: string; object: ApiService };
  /** True when APIServices were collected; false when the group is only known to be usually aggregated. */
  collected: boolean;
}

/** The aggregated API the request is proxied to, or undefined when kube-apiserver serves it itself. */
export function aggregatedTarget(
  snapshot: Snapshot,
  request: RequestAttributes,
): AggregatedTarget | undefined {
  const gv = proxiedGroupVersion(request);
  if (!gv) return undefined;
  const { found, at, collected } = findApiService(snapshot, gv.group, gv.version);
  if (!collected) {
    return KNOWN_AGGREGATED_GROUPS.includes(gv.group) ? { ...gv, collected: false } : undefined;
  }
  const name = `${gv.version}.${gv.group}`;
  const service = found?.spec?.service;
  if (!found || !service) return undefined;
  return {
    ...gv,
    collected: true,
    apiService: {
      name: found.metadata?.name ?? name,
      pointer: `/apiServices/data/${at}`,
      service: `${service.namespace ?? ''}/${service.name ?? ''}`,
      object: found,
    },
  };
}

export interface AvailableCondition {
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** The APIService's `Available` condition, if its status carries one. */
export function availableCondition(apiService: ApiService): AvailableCondition | undefined {
  const status = apiService.status as { conditions?: unknown } | undefined;
  const conditions = Array.isArray(status?.conditions) ? (status.conditions as unknown[]) : [];
  for (const c of conditions) {
    if (typeof c !== 'object' || c === null) continue;
    const o = c as Record<string, unknown>;
    if (o.type !== 'Available' || typeof o.status !== 'string') continue;
    const out: AvailableCondition = { status: o.status };
    if (typeof o.reason === 'string') out.reason = o.reason;
    if (typeof o.message === 'string') out.message = o.message;
    if (typeof o.lastTransitionTime === 'string') out.lastTransitionTime = o.lastTransitionTime;
    return out;
  }
  return undefined;
}
