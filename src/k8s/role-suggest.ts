/**
 * Which ClusterRole to bind when a fix grants through RBAC: the narrowest of the user-facing roles that every
 * cluster has (view, edit, admin, cluster-admin) whose rules — as collected — allow the request.
 */
import type { RequestAttributes } from './request-info.js';
import { policyRulesAllow, type BindingRef, type RbacIndex } from './rbac.js';

export const USER_FACING_CLUSTER_ROLES = ['view', 'edit', 'admin', 'cluster-admin'];

export function clusterRoleAllowing(
  rbac: RbacIndex,
  request: RequestAttributes,
  names: readonly string[] = USER_FACING_CLUSTER_ROLES,
): string | undefined {
  return names.find((name) => {
    const rules = rbac.rulesOf({ kind: 'ClusterRole', name });
    return rules !== undefined && policyRulesAllow(rules, request);
  });
}

/** Whether a binding, were its subject the caller, would allow the request (scope and role rules). */
export function bindingWouldAllow(rbac: RbacIndex, ref: BindingRef, request: RequestAttributes): boolean {
  if (ref.kind === 'RoleBinding' && ref.namespace !== request.namespace) return false;
  const rules = rbac.rulesOf(ref.roleRef, ref.namespace);
  return rules !== undefined && policyRulesAllow(rules, request);
}

/** A binding name Kubernetes accepts, from parts: lower-case, [a-z0-9.-], at most 63 characters. */
export function bindingName(...parts: string[]): string {
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 63)
    .replace(/[-.]+$/, '');
}
