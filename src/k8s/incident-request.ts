/**
 * The request a pasted 403 describes (`pods "x" is forbidden: User "u" cannot get resource "pods" ... in the
 * namespace "ns"`) when no path was given: the replay then evaluated `GET /api`, but rules that judge RBAC for an
 * identity the replay does not model (service accounts) need the real verb, resource and namespace.
 */
import type { Incident } from '../model/incident.js';
import type { Simulation } from '../simulate/simulate.js';
import { requestAttributes, type RequestAttributes } from './request-info.js';

export function requestOfIncident(sim: Simulation, incident: Incident): RequestAttributes {
  if (sim.pathGiven || !incident.resource) return sim.request;
  const group = incident.apiGroup ?? '';
  // RBAC ignores the version; `v1` only makes the path well-formed.
  const base = group ? `/apis/${group}/v1` : '/api/v1';
  const ns = incident.namespace ? `/namespaces/${encodeURIComponent(incident.namespace)}` : '';
  const name = incident.name ? `/${encodeURIComponent(incident.name)}` : '';
  const sub = incident.name && incident.subresource ? `/${incident.subresource}` : '';
  return requestAttributes(`${base}${ns}/${incident.resource}${name}${sub}`, incident.verb);
}
