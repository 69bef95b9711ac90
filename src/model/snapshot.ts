/**
 * The snapshot file (DESIGN §3, schemaVersion 1) as schemas. Field names inside AWS and Kubernetes objects are
 * those of the AWS SDK v3 output and the Kubernetes API, so `aws ... --output json` and `kubectl ... -o json` output
 * can be pasted in. Objects are loose: unknown fields are kept and ignored.
 *
 * The schemas use the small checker in schema.ts rather than zod: same shapes, issues and messages, but no import
 * cost and no copying, which is what keeps `explain --snapshot` near Node's own start-up time (DESIGN §7).
 */
import { s as z, type Infer, type Schema } from './schema.js';

/** ISO 8601 timestamp in any form the AWS CLI or SDK prints (Z or offset, with or without fractions). */
export const isoTimestamp = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(s), {
    message: 'expected an ISO 8601 timestamp',
  });

/** The AWS SDK v3 returns Date objects; JSON gives strings. Accept both, keep strings. */
const timestamp = z.union([isoTimestamp, z.dateAsIso()]);

export function evidence<T>(data: Schema<T>) {
  return z.discriminatedUnion('status', [
    z.looseObject({ status: z.literal('ok'), data }),
    z.looseObject({ status: z.literal('denied'), permission: z.string(), message: z.string().optional() }),
    z.looseObject({ status: z.literal('error'), message: z.string() }),
    z.looseObject({ status: z.literal('absent') }),
  ]);
}

export const authenticationModes = ['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP'] as const;
export type AuthenticationMode = (typeof authenticationModes)[number];

export const eksClusterSchema = z.looseObject({
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
export type EksCluster = Infer<typeof eksClusterSchema>;

export const accessScopeSchema = z.looseObject({
  type: z.string(),
  namespaces: z.array(z.string()).optional(),
});
export type AccessScope = Infer<typeof accessScopeSchema>;

export const associatedAccessPolicySchema = z.looseObject({
  policyArn: z.string(),
  accessScope: accessScopeSchema,
  associatedAt: timestamp.optional(),
  modifiedAt: timestamp.optional(),
});
export type AssociatedAccessPolicy = Infer<typeof associatedAccessPolicySchema>;

export const accessEntrySchema = z.looseObject({
  clusterName: z.string().optional(),
  principalArn: z.string(),
  kubernetesGroups: z.array(z.string()).optional(),
  accessEntryArn: z.string().optional(),
  createdAt: timestamp.optional(),
  modifiedAt: timestamp.optional(),
  tags: z.record(z.string()).optional(),
  username: z.string().optional(),
  type: z.string().optional(),
  associatedPolicies: z.array(associatedAccessPolicySchema).optional(),
});
export type AccessEntry = Infer<typeof accessEntrySchema>;

export const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
});

export const configMapSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMetaSchema.optional(),
  data: z.record(z.string()).nullable().optional(),
});
export type ConfigMap = Infer<typeof configMapSchema>;

export const iamPrincipalSchema = z.looseObject({
  arn: z.string(),
  exists: z.boolean(),
  id: z.string().optional(),
  createDate: timestamp.optional(),
  path: z.string().optional(),
  name: z.string().optional(),
  type: z.enum(['user', 'role']).optional(),
});
export type IamPrincipal = Infer<typeof iamPrincipalSchema>;

export const policyRuleSchema = z.looseObject({
  verbs: z.array(z.string()).nullable().optional(),
  apiGroups: z.array(z.string()).nullable().optional(),
  resources: z.array(z.string()).nullable().optional(),
  resourceNames: z.array(z.string()).nullable().optional(),
  nonResourceURLs: z.array(z.string()).nullable().optional(),
});
export type PolicyRule = Infer<typeof policyRuleSchema>;

export const subjectSchema = z.looseObject({
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
  apiGroup: z.string().optional(),
});
export type Subject = Infer<typeof subjectSchema>;

export const roleSchema = z.looseObject({
  kind: z.string().optional(),
  metadata: objectMetaSchema.optional(),
  rules: z.array(policyRuleSchema).nullable().optional(),
  aggregationRule: z.unknown().optional(),
});
export type Role = Infer<typeof roleSchema>;

export const bindingSchema = z.looseObject({
  kind: z.string().optional(),
  metadata: objectMetaSchema.optional(),
  subjects: z.array(subjectSchema).nullable().optional(),
  roleRef: z.looseObject({ kind: z.string(), name: z.string(), apiGroup: z.string().optional() }),
});
export type Binding = Infer<typeof bindingSchema>;

export const rbacSchema = z.looseObject({
  clusterRoles: z.array(roleSchema),
  clusterRoleBindings: z.array(bindingSchema),
  roles: z.array(roleSchema),
  roleBindings: z.array(bindingSchema),
});
export type Rbac = Infer<typeof rbacSchema>;

export const apiServiceSchema = z.looseObject({
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
export type ApiService = Infer<typeof apiServiceSchema>;

export const userInfoSchema = z.looseObject({
  username: z.string(),
  uid: z.string().optional(),
  groups: z.array(z.string()).optional(),
  extra: z.record(z.array(z.string())).optional(),
});
export type UserInfo = Infer<typeof userInfoSchema>;

export const cloudTrailEventSchema = z.looseObject({
  EventId: z.string().optional(),
  EventName: z.string().optional(),
  EventTime: timestamp.optional(),
  EventSource: z.string().optional(),
  Username: z.string().optional(),
  CloudTrailEvent: z.union([z.string(), z.record(z.unknown())]).optional(),
});
export type CloudTrailEvent = Infer<typeof cloudTrailEventSchema>;

export const authenticatorLogSchema = z.looseObject({
  timestamp: timestamp,
  message: z.string(),
  logStream: z.string().optional(),
});
export type AuthenticatorLog = Infer<typeof authenticatorLogSchema>;

export const incidentInputSchema = z.looseObject({
  principalArn: z.string().optional(),
  path: z.string().optional(),
  verb: z.string().optional(),
  namespace: z.string().optional(),
  status: z.int().optional(),
  observedAt: timestamp.optional(),
  clusterName: z.string().optional(),
  region: z.string().optional(),
  logLines: z.array(z.string()).optional(),
});
export type IncidentInput = Infer<typeof incidentInputSchema>;

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
  auditEvents: evidence(z.array(z.record(z.unknown()))).optional(),
  token: evidence(z.looseObject({ url: z.string(), length: z.number().optional() })).optional(),
  kubeconfig: evidence(z.record(z.unknown())).optional(),
});
export type Snapshot = Infer<typeof snapshotSchema>;

/** Evidence<T> as DESIGN §3 writes it. */
export type Evidence<T> =
  | { status: 'ok'; data: T }
  | { status: 'denied'; permission: string; message?: string }
  | { status: 'error'; message: string }
  | { status: 'absent' };

/** The evidence sources of a snapshot, in the order reports list them. */
export const sourceNames = [
  'cluster',
  'accessEntries',
  'awsAuth',
  'iamPrincipals',
  'callerIdentity',
  'rbac',
  'apiServices',
  'whoami',
  'cloudTrail',
  'authenticatorLogs',
  'auditEvents',
  'token',
  'kubeconfig',
] as const;
export type SourceName = (typeof sourceNames)[number];

/** The data of a source when it was collected, else undefined. */
export function okData<K extends SourceName>(
  snapshot: Snapshot,
  source: K,
): Extract<NonNullable<Snapshot[K]>, { status: 'ok' }>['data'] | undefined {
  const ev = snapshot[source];
  return ev && ev.status === 'ok'
    ? (ev.data as Extract<NonNullable<Snapshot[K]>, { status: 'ok' }>['data'])
    : undefined;
}

/** The status of a source; a missing key is `absent`. */
export function sourceStatus(snapshot: Snapshot, source: SourceName): 'ok' | 'denied' | 'error' | 'absent' {
  return snapshot[source]?.status ?? 'absent';
}
