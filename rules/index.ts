/** Every rule, sorted by id. A meta test keeps this list, the files in rules/ and their docs in step. */
import type { Rule } from '../src/engine/define-rule.js';
import accessEntryShadowsConfigmap from './access-entry-shadows-configmap.js';
import accessEntryWithoutPolicyOrGroups from './access-entry-without-policy-or-groups.js';
import assumedRoleOrStsArnInMapping from './assumed-role-or-sts-arn-in-mapping.js';
import authModeApiIgnoresConfigmap from './auth-mode-api-ignores-configmap.js';
import emptyUsernameAggregatedApi401 from './empty-username-aggregated-api-401.js';
import kubernetesGroupsWithoutRbacBinding from './kubernetes-groups-without-rbac-binding.js';
import namespaceScopedPolicyClusterRequest from './namespace-scoped-policy-cluster-request.js';
import principalNotMapped from './principal-not-mapped.js';
import rolePathInAwsAuth from './role-path-in-aws-auth.js';
import sessionnameOnlyUsername from './sessionname-only-username.js';

export const rules: readonly Rule[] = [
  accessEntryShadowsConfigmap,
  accessEntryWithoutPolicyOrGroups,
  assumedRoleOrStsArnInMapping,
  authModeApiIgnoresConfigmap,
  emptyUsernameAggregatedApi401,
  kubernetesGroupsWithoutRbacBinding,
  namespaceScopedPolicyClusterRequest,
  principalNotMapped,
  rolePathInAwsAuth,
  sessionnameOnlyUsername,
];
