/** Control-plane logs as sources: authenticator lines and audit events, only when their log type is on. */
import { auditEventsFrom, enabledLogTypes, filterLogs, type LogEvent, type LogKind } from './aws/logs.js';
import { NotCollected } from './failure.js';
import { plural, type CollectRun, type Evidence, type Principal } from './run.js';
import type { ProgressSource } from './types.js';

/**
 * Lines kept whoever they name. Authenticator denials often name no ARN (an STS or token failure comes before the
 * identity is known). Audit: edits of aws-auth (FM-24), stale service-account tokens (FM-55), and denials.
 */
export const ALWAYS_KEPT: Record<LogKind, readonly string[]> = {
  authenticator: ['access denied'],
  audit: ['aws-auth', 'stale-token', 'Authentication failed', 'Forbidden', 'forbid'],
};

export function logSources(
  run: CollectRun,
  cluster: Promise<Evidence<Record<string, unknown>>>,
  principal: Promise<Principal | undefined>,
) {
  const terms = principal.then((p) => (p ? [p.name, p.name.toLowerCase()] : []));
  const source = <T>(name: ProgressSource, kind: LogKind, shape: (events: LogEvent[]) => T) =>
    run.track<T>(name, async () => {
      if (run.options.logs === false) throw new NotCollected('not requested');
      const ev = await cluster;
      // Unknown settings (DescribeCluster failed) are no reason to skip: the log group answers for itself.
      if (ev.status === 'ok' && !enabledLogTypes(ev.data).has(kind)) {
        throw new NotCollected(`${kind} logging is off for this cluster`);
      }
      const filter = [...(await terms), ...ALWAYS_KEPT[kind]];
      const result = await filterLogs(run.clients, run.call, run.options.cluster, kind, filter, run.window);
      if (result.groupMissing) throw new NotCollected(`no log group /aws/eks/${run.options.cluster}/cluster`);
      const count = plural(result.events.length, 'line');
      return { data: shape(result.events), detail: result.truncated ? `${count} (page cap reached)` : count };
    });
  return {
    authenticatorLogs: source('authenticatorLogs', 'authenticator', (events) => events),
    auditEvents: source('auditEvents', 'audit', auditEventsFrom),
  };
}
