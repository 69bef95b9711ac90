/**
 * The snapshot schema as it was written with zod 4 before src/model/schema.ts replaced it (for start-up time).
 * The differential test checks that the replacement accepts, rejects and reports exactly as this did.
 */
import { z } from 'zod';

/** ISO 8601 timestamp in any form the AWS CLI or SDK prints (Z or offset, with or without fractions). */
const isoTimestamp = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(s), {
    message: 'expected an ISO 8601 timestamp',
  });

/** The AWS SDK v3 returns Date objects; JSON gives strings. Accept both, keep strings. */
const timestamp = z.union([isoTimestamp, z.date().transform((d) => d.toISOString())]);

function evidence<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('status', [
    z.looseObject({ status: z.literal('ok'), data }),
    z.looseObject({ status: z.literal('denied'), permission: z.string(), message: z.string().optional() }),
    z.looseObject({ status: z.literal('error'), message: z.string() }),
    z.looseObject({ status: z.literal('absent') }),
  ]);
}

const eksClusterSchema = z.looseObject({
  name: z.string().optional(),
  arn: z.string().optional(),
  version: z.string().optional(),
  platformVersion: z.string().optional(),
  createdAt: timestamp.optional(),
  status: z.string().optional(),
  endpoint: z.string().optional(),
  id: z.string().optional(),
  accessConfig: z
    .looseObject({
      authenticationMode: z.string().optional(),
      bootstrapClusterCreatorAdminPermissions: z.boolean().optional(),
    })
    .optional(),
  logging: z.unknown().optional(),
  outpostConfig: z.unknown().optional(),
});

const accessScopeSchema = z.looseObject({
  type: z.string(),
  namespaces: z.array(z.string()).optional(),
});

const associatedAccessPolicySchema = z.looseObject({
  policyArn: z.string(),
  accessScope: accessScopeSchema,
  associatedAt: timestamp.optional(),
  modifiedAt: timestamp.optional(),
});

const accessEntrySchema = z.looseObject({
  clusterName: z.string().optional(),
  principalArn: z.string(),
  kubernetesGroups: z.array(z.string()).optional(),
  accessEntryArn: z.string().optional(),
  createdAt: timestamp.optional(),
  modifiedAt: timestamp.optional(),
  tags: z.record(z.string(), z.string()).optional(),
  username: z.string().optional(),
  type: z.string().optional(),
  associatedPolicies: z.array(associatedAccessPolicySchema).optional(),
});

const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
});

const configMapSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMetaSchema.optional(),
  data: z.record(z.string(), z.string()).nullable().optional(),
});

const iamPrincipalSchema = z.looseObject({
  arn: z.string(),
  exists: z.boolean(),
  id: z.string().optional(),
  createDate: timestamp.optional(),
  path: z.string().optional(),
  name: z.string().optional(),
  type: z.enum(['user', 'role']).optional(),
});

const policyRuleSchema = z.looseObject({
  verbs: z.array(z.string()).nullable().optional(),
  apiGroups: z.array(z.string()).nullable().optional(),
  resources: z.array(z.string()).nullable().optional(),
  resourceNames: z.array(z.string()).nullable().optional(),
  nonResourceURLs: z.array(z.string()).nullable().optional(),
});

const subjectSchema = z.looseObject({
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
  apiGroup: z.string().optional(),
});

const roleSchema = z.looseObject({
  kind: z.string().optional(),
  metadata: objectMetaSchema.optional(),
  rules: z.array(policyRuleSchema).nullable().optional(),
  aggregationRule: z.unknown().optional(),
});

const bindingSchema = z.looseObject({
  kind: z.string().optional(),
  metadata: objectMetaSchema.optional(),
  subjects: z.array(subjectSchema).nullable().optional(),
  roleRef: z.looseObject({ kind: z.string(), name: z.string(), apiGroup: z.string().optional() }),
});

const rbacSchema = z.looseObject({
  clusterRoles: z.array(roleSchema),
  clusterRoleBindings: z.array(bindingSchema),
  roles: z.array(roleSchema),
  roleBindings: z.array(bindingSchema),
});

const apiServiceSchema = z.looseObject({
  metadata: objectMetaSchema.optional(),
  spec: z
    .looseObject({
      group: z.string().optional(),
      version: z.string().optional(),
      versionPriority: z.number().optional(),
      service: z
        .looseObject({
          name: z.string().optional(),
          namespace: z.string().optional(),
          port: z.number().optional(),
        })
        .nullable()
        .optional(),
    })
    .optional(),
  status: z.unknown().optional(),
});

const userInfoSchema = z.looseObject({
  username: z.string(),
  uid: z.string().optional(),
  groups: z.array(z.string()).optional(),
  extra: z.record(z.string(), z.array(z.string())).optional(),
});

const cloudTrailEventSchema = z.looseObject({
  EventId: z.string().optional(),
  EventName: z.string().optional(),
  EventTime: timestamp.optional(),
  EventSource: z.string().optional(),
  Username: z.string().optional(),
  CloudTrailEvent: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});

const authenticatorLogSchema = z.looseObject({
  timestamp: timestamp,
  message: z.string(),
  logStream: z.string().optional(),
});

const incidentInputSchema = z.looseObject({
  principalArn: z.string().optional(),
  path: z.string().optional(),
  verb: z.string().optional(),
  namespace: z.string().optional(),
  status: z.number().int().optional(),
  observedAt: timestamp.optional(),
  clusterName: z.string().optional(),
  region: z.string().optional(),
  logLines: z.array(z.string()).optional(),
});

export const snapshotSchema = z.looseObject({
  schemaVersion: z.literal(1),
  collectedAt: timestamp.optional(),
  incident: incidentInputSchema.optional(),
  cluster: evidence(eksClusterSchema).optional(),
  accessEntries: evidence(z.array(accessEntrySchema)).optional(),
  awsAuth: evidence(configMapSchema.nullable()).optional(),
  iamPrincipals: evidence(z.array(iamPrincipalSchema)).optional(),
  callerIdentity: evidence(
    z.looseObject({ Arn: z.string(), Account: z.string(), UserId: z.string() }),
  ).optional(),
  rbac: evidence(rbacSchema).optional(),
  apiServices: evidence(z.array(apiServiceSchema)).optional(),
  whoami: evidence(userInfoSchema).optional(),
  cloudTrail: evidence(z.array(cloudTrailEventSchema)).optional(),
  authenticatorLogs: evidence(z.array(authenticatorLogSchema)).optional(),
  auditEvents: evidence(z.array(z.record(z.string(), z.unknown()))).optional(),
  token: evidence(z.looseObject({ url: z.string(), length: z.number().optional() })).optional(),
  kubeconfig: evidence(z.record(z.string(), z.unknown())).optional(),
});
