/**
 * The Node authorizer in short: what a kubelet (user `system:node:<name>` in group `system:nodes`) may do without
 * any RBAC binding (kubernetes plugin/pkg/auth/authorizer/node and the `system:node` bootstrap role). EKS runs it
 * ahead of RBAC, so node identities must not be judged by RBAC alone (FM-51..FM-53). The per-object graph checks
 * (only secrets of pods bound to this node, ...) are not modelled: node-shaped requests are allowed.
 */
import type { PolicyRule } from '../model/snapshot.js';
import { policyRulesAllow } from './rbac.js';
import type { RequestAttributes } from './request-info.js';

const READ = ['get', 'list', 'watch'];

export const NODE_RULES: PolicyRule[] = [
  {
    apiGroups: [''],
    resources: ['nodes', 'services', 'endpoints', 'pods', 'persistentvolumes', 'persistentvolumeclaims'],
    verbs: READ,
  },
  { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['nodes', 'nodes/status'], verbs: ['create', 'get', 'patch', 'update'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete'] },
  { apiGroups: [''], resources: ['pods/status'], verbs: ['patch', 'update'] },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: ['create', 'delete', 'get', 'patch', 'update'],
  },
  {
    apiGroups: ['certificates.k8s.io'],
    resources: ['certificatesigningrequests'],
    verbs: ['create', 'get', 'list', 'watch'],
  },
  {
    apiGroups: ['storage.k8s.io'],
    resources: ['csinodes'],
    verbs: ['create', 'delete', 'get', 'patch', 'update'],
  },
  { apiGroups: ['storage.k8s.io'], resources: ['csidrivers', 'volumeattachments'], verbs: READ },
  { apiGroups: ['node.k8s.io'], resources: ['runtimeclasses'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  {
    apiGroups: ['authorization.k8s.io'],
    resources: ['subjectaccessreviews', 'localsubjectaccessreviews'],
    verbs: ['create'],
  },
];

/** True when the identity is a node (username system:node:*, group system:nodes) and the request is node-shaped. */
export function nodeAuthorizerAllows(
  identity: { username: string; groups: readonly string[] },
  request: RequestAttributes,
): boolean {
  if (!identity.username.startsWith('system:node:') || !identity.groups.includes('system:nodes')) {
    return false;
  }
  return request.isResourceRequest && policyRulesAllow(NODE_RULES, request);
}
