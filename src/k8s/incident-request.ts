/**
 * The request a pasted error describes when it names a resource but no URL (`configmaps "aws-auth" is forbidden:
 * User "u" cannot get resource "configmaps" in API group "" in the namespace "kube-system"`): the path that request
 * had, so the replay evaluates it rather than the discovery request `GET /api`.
 */
import type { Incident } from '../model/incident.js';
import { okData, type Snapshot } from '../model/snapshot.js';

/**
 * The version to put in the path: RBAC ignores it, but the aggregation hop is chosen per group and version, so an
 * aggregated group takes the version its collected APIServices serve (the highest versionPriority); others `v1`.
 */
function versionFor(snapshot: Snapshot, group: string): string {
  if (!group) return 'v1';
  const served = (okData(snapshot, 'apiServices') ?? [])
    .filter((s) => s.spec?.group === group && typeof s.spec.version === 'string')
    .sort((a, b) => (b.spec?.versionPriority ?? 0) - (a.spec?.versionPriority ?? 0));
  return served[0]?.spec?.version ?? 'v1';
}

/** The path of the request a pasted error names by resource, or undefined when it names none. */
export function pathOfIncident(
  incident: Pick<Incident, 'resource' | 'apiGroup' | 'namespace' | 'name' | 'subresource'>,
  snapshot: Snapshot,
): string | undefined {
  const resource = incident.resource?.trim();
  // A resource is one path segment; anything else ("pods/log" is split by the parser) is not a resource name.
  if (!resource || !/^[a-z0-9][a-z0-9.-]*$/.test(resource)) return undefined;
  const group = incident.apiGroup ?? '';
  const base = group ? `/apis/${group}/${versionFor(snapshot, group)}` : `/api/v1`;
  const ns = incident.namespace ? `/namespaces/${encodeURIComponent(incident.namespace)}` : '';
  const name = incident.name ? `/${encodeURIComponent(incident.name)}` : '';
  const sub = incident.name && incident.subresource ? `/${encodeURIComponent(incident.subresource)}` : '';
  return `${base}${ns}/${resource}${name}${sub}`;
}
