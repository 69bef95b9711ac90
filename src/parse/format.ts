import type { Incident } from '../model/incident.js';
import { maskSecrets } from './text.js';

/** Human-readable lines for `eksdoctor parse` text output: one `label  value` line per field that was read. */
export function formatIncident(incident: Incident): string {
  const rows: Array<[string, string | undefined]> = [
    ['source', incident.source],
    ['status', incident.status?.toString()],
    ['principal', incident.principalArn],
    ['username', incident.username === '' ? '"" (empty)' : incident.username],
    ['groups', incident.groups ? `[${incident.groups.join(', ')}]` : undefined],
    ['uid', incident.uid],
    ['access key', incident.accessKeyId],
    ['aws user id', incident.awsUserId],
    ['cluster', incident.clusterName],
    ['region', incident.region],
    ['endpoint', incident.endpoint],
    ['verb', incident.verb],
    ['path', incident.path],
    ['api group', incident.apiGroup === '' ? '"" (core)' : incident.apiGroup],
    ['resource', incident.resource],
    ['subresource', incident.subresource],
    ['namespace', incident.namespace],
    ['name', incident.name],
    ['aws action', incident.awsAction],
    ['time', incident.time],
    ['reason', incident.reason],
    ['token', incident.token ? `${incident.token.url} (${incident.token.length} bytes)` : undefined],
    ['facts', incident.facts?.length ? incident.facts.join(', ') : undefined],
  ];
  const present = rows.filter((row): row is [string, string] => row[1] !== undefined);
  if (present.length === 0) return incident.hint ?? 'nothing recognisable in the text';
  const width = Math.max(...present.map(([label]) => label.length));
  const lines = present.map(([label, value]) => `${label.padEnd(width)}  ${maskSecrets(value)}`);
  if (incident.hint) lines.push(incident.hint);
  return lines.join('\n');
}
