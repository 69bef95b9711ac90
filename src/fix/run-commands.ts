/**
 * Commands a rule prints but a test cannot apply to a snapshot (EKS API calls that answer an EKS API error,
 * kubectl bindings for service accounts): typed actions rendered once by src/fix/actions.ts and carried as `run`
 * actions, so the quoting and flags stay the same as everywhere else.
 */
import { renderAction, type FixAction, type FixContext } from './actions.js';
import type { Command } from '../model/report.js';
import { commandText } from './quote.js';
import type { RequestAttributes } from '../k8s/request-info.js';

/** `run` actions for a typed action; [] when the cluster name (which every EKS command needs) is unknown. */
export function asRun(action: FixAction, ctx: FixContext): FixAction[] {
  if (!ctx.clusterName && action.kind !== 'create-rbac-binding' && action.kind !== 'run') return [];
  return renderAction(action, ctx).map((c) => ({ kind: 'run' as const, tool: c.tool, argv: c.argv }));
}

/** `kubectl create (cluster)rolebinding` for a service account (`--serviceaccount=<ns>:<name>`). */
export function serviceAccountBinding(options: {
  name: string;
  namespace?: string | undefined;
  clusterRole: string;
  serviceAccount: { namespace: string; name: string };
}): FixAction {
  const { name, namespace, clusterRole, serviceAccount } = options;
  return {
    kind: 'run',
    tool: 'kubectl',
    argv: [
      'kubectl',
      'create',
      namespace ? 'rolebinding' : 'clusterrolebinding',
      name,
      ...(namespace ? ['--namespace', namespace] : []),
      `--clusterrole=${clusterRole}`,
      `--serviceaccount=${serviceAccount.namespace}:${serviceAccount.name}`,
    ],
  };
}

/** A read-only command for a finding's `checks`. */
export function checkCommand(tool: Command['tool'], argv: string[]): Command {
  return { tool, argv, text: commandText(argv) };
}

/** `kubectl auth can-i` for the simulated request (SelfSubjectAccessReview: every authorizer answers). */
export function canICommand(request: RequestAttributes, as?: { user?: string; groups?: string[] }): Command {
  const target = request.isResourceRequest
    ? `${request.resource}${request.apiGroup ? `.${request.apiGroup}` : ''}`
    : request.path;
  return checkCommand('kubectl', [
    'kubectl',
    'auth',
    'can-i',
    request.verb,
    target,
    ...(request.isResourceRequest && request.subresource ? [`--subresource=${request.subresource}`] : []),
    ...(request.isResourceRequest && request.namespace ? ['--namespace', request.namespace] : []),
    ...(as?.user !== undefined ? [`--as=${as.user}`] : []),
    ...(as?.groups ?? []).map((g) => `--as-group=${g}`),
  ]);
}
