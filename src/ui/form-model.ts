/**
 * The start form as data: what the user typed wins, then what the pasted error says, then the kubeconfig context,
 * then the AWS environment. Pure, so the rules are tested without a terminal.
 */
import type { CollectOptions } from '../collect/types.js';
import { isPrincipalArn } from '../eks/arn.js';
import type { Incident } from '../model/incident.js';
import type { KubeDefaults } from './kubeconfig.js';
import type { DiagnoseInput } from './services.js';

export type FieldId = 'error' | 'principal' | 'path' | 'cluster' | 'region' | 'profile';
export type Origin = 'typed' | 'error' | 'kubeconfig' | 'environment';

export const FIELDS: ReadonlyArray<{ id: FieldId; label: string; placeholder: string }> = [
  {
    id: 'error',
    label: 'Error',
    placeholder: 'paste the failing output, e.g. error: You must be logged in to the server',
  },
  { id: 'principal', label: 'Principal', placeholder: 'IAM user or role ARN (default: who you are now)' },
  { id: 'path', label: 'Path', placeholder: 'request path, e.g. /apis/metrics.eks.amazonaws.com/v1' },
  {
    id: 'cluster',
    label: 'Cluster',
    placeholder: 'EKS cluster name (ctrl+l lists them); empty: the pasted text only',
  },
  { id: 'region', label: 'Region', placeholder: 'AWS region' },
  { id: 'profile', label: 'Profile', placeholder: 'AWS profile (default credentials when empty)' },
];

/** Values the user typed; a key present with '' means "typed empty", which also wins. */
export type Typed = Partial<Record<FieldId, string>>;

export interface FormState {
  typed: Typed;
  /** Index into FIELDS of the focused field. */
  focus: number;
}

export interface FieldValue {
  value: string;
  origin?: Origin;
}

export interface FormContext {
  incident: Incident;
  kube: KubeDefaults;
  env: NodeJS.ProcessEnv;
}

export function fieldValue(id: FieldId, typed: Typed, ctx: FormContext): FieldValue {
  const own = typed[id];
  if (own !== undefined) return { value: own, origin: 'typed' };
  const { incident, kube, env } = ctx;
  const candidates: Array<[string | undefined, Origin]> = {
    error: [],
    principal: [[incident.principalArn, 'error']],
    path: [[incident.path, 'error']],
    cluster: [
      [incident.clusterName, 'error'],
      [kube.cluster, 'kubeconfig'],
    ],
    region: [
      [incident.region, 'error'],
      [kube.region, 'kubeconfig'],
      [env.AWS_REGION || env.AWS_DEFAULT_REGION, 'environment'],
    ],
    profile: [
      [kube.profile, 'kubeconfig'],
      [env.AWS_PROFILE, 'environment'],
    ],
  }[id] as Array<[string | undefined, Origin]>;
  for (const [value, origin] of candidates) if (value) return { value, origin };
  return { value: '' };
}

export function errorLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((l) => l.trim());
}

export interface DiagnosisPlan {
  /** Live collection to run first; absent when no cluster is known (the pasted text alone is diagnosed). */
  collect?: Omit<CollectOptions, 'signal'>;
  diagnose: DiagnoseInput;
  /** "platform-prod (ap-northeast-2)" or "the pasted text". */
  target: string;
}

/** What Enter starts, or the one-line reason it cannot start. */
export function planDiagnosis(typed: Typed, ctx: FormContext): DiagnosisPlan | { problem: string } {
  const v = (id: FieldId) => fieldValue(id, typed, ctx).value.trim();
  const lines = errorLines(typed.error ?? '');
  const principal = v('principal');
  const cluster = v('cluster');
  if (!lines.length && !principal && !cluster) {
    return { problem: 'Paste an error, or give a principal and a cluster.' };
  }
  const principalOk = principal !== '' && isPrincipalArn(principal);
  if (principal && !principalOk && fieldValue('principal', typed, ctx).origin === 'typed') {
    return { problem: `Principal: not an IAM user, role or assumed-role ARN: ${principal}` };
  }
  const region = v('region') || undefined;
  const path = v('path') || undefined;
  const diagnose: DiagnoseInput = {
    principalArn: principalOk ? principal : undefined,
    path,
    verb: ctx.incident.verb,
    namespace: ctx.incident.namespace,
    logLines: lines.length ? lines : undefined,
    clusterName: cluster || undefined,
    region,
  };
  if (!cluster) return { diagnose, target: 'the pasted text' };
  const sameContext = ctx.kube.context && ctx.kube.cluster === cluster;
  const collect: Omit<CollectOptions, 'signal'> = {
    cluster,
    region,
    profile: v('profile') || undefined,
    principalArn: principalOk ? principal : undefined,
    path,
    verb: ctx.incident.verb,
    namespace: ctx.incident.namespace,
    context: sameContext ? ctx.kube.context : undefined,
    kubeconfig: sameContext ? ctx.kube.kubeconfig : undefined,
  };
  return { collect, diagnose, target: region ? `${cluster} (${region})` : cluster };
}
