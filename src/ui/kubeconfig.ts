/**
 * Pre-fills the start form from the current kubeconfig context, as kubectl resolves it: KUBECONFIG (a list of
 * files, the first to set a value wins) or ~/.kube/config. EKS contexts name the cluster ARN
 * (`arn:aws:eks:REGION:ACCOUNT:cluster/NAME`) and their user runs `aws eks get-token --cluster-name NAME
 * --region REGION`, often with AWS_PROFILE in the exec env. Nothing here reads or shows credentials.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { parseClusterArn } from '../eks/arn.js';
import { findEksEndpoint } from '../parse/text.js';

export interface KubeDefaults {
  context?: string;
  cluster?: string;
  region?: string;
  profile?: string;
  /** The file that defined the current context. */
  kubeconfig?: string;
}

interface Named<T> {
  name?: unknown;
  context?: T;
  cluster?: T;
  user?: T;
}
interface KubeFile {
  'current-context'?: unknown;
  contexts?: Array<Named<{ cluster?: unknown; user?: unknown }>>;
  clusters?: Array<Named<{ server?: unknown }>>;
  users?: Array<Named<{ exec?: { args?: unknown; env?: unknown } }>>;
}

export function kubeconfigFiles(env: NodeJS.ProcessEnv): string[] {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter(Boolean);
  return [join(env.HOME || homedir(), '.kube', 'config')];
}

function readKubeFile(path: string): KubeFile | undefined {
  try {
    const doc: unknown = parse(readFileSync(path, 'utf8'), { maxAliasCount: 100 });
    return doc && typeof doc === 'object' ? (doc as KubeFile) : undefined;
  } catch {
    return undefined;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

function argAfter(args: string[], flag: string): string | undefined {
  for (const [i, arg] of args.entries()) {
    if (arg === flag) return args[i + 1];
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

function find<T>(
  files: KubeFile[],
  key: 'contexts' | 'clusters' | 'users',
  name: string | undefined,
): T | undefined {
  if (!name) return undefined;
  for (const file of files) {
    const list = file[key];
    if (!Array.isArray(list)) continue;
    const hit = (list as Array<Named<T>>).find((item) => item?.name === name);
    if (hit) return hit[key.slice(0, -1) as 'context' | 'cluster' | 'user'];
  }
  return undefined;
}

/** What the current context says about the cluster, region and AWS profile; empty when there is no kubeconfig. */
export function readKubeDefaults(env: NodeJS.ProcessEnv, files = kubeconfigFiles(env)): KubeDefaults {
  const docs: Array<{ path: string; doc: KubeFile }> = [];
  for (const path of files) {
    const doc = readKubeFile(path);
    if (doc) docs.push({ path, doc });
  }
  const owner = docs.find((d) => str(d.doc['current-context']));
  const context = str(owner?.doc['current-context']);
  if (!owner || !context) return {};
  const all = docs.map((d) => d.doc);
  const ctx = find<{ cluster?: unknown; user?: unknown }>(all, 'contexts', context);
  const clusterRef = str(ctx?.cluster);
  const user = find<{ exec?: { args?: unknown; env?: unknown } }>(all, 'users', str(ctx?.user));
  const server = str(find<{ server?: unknown }>(all, 'clusters', clusterRef)?.server);
  const args = Array.isArray(user?.exec?.args)
    ? user.exec.args.filter((a): a is string => typeof a === 'string')
    : [];
  const execEnv = Array.isArray(user?.exec?.env)
    ? (user.exec.env as Array<{ name?: unknown; value?: unknown }>)
    : [];

  const fromArn = parseClusterArn(context) ?? (clusterRef ? parseClusterArn(clusterRef) : undefined);
  const out: KubeDefaults = { context, kubeconfig: owner.path };
  const cluster =
    argAfter(args, '--cluster-name') ??
    argAfter(args, '--cluster-id') ??
    argAfter(args, '-i') ??
    fromArn?.name;
  const region =
    argAfter(args, '--region') ?? fromArn?.region ?? (server ? findEksEndpoint(server)?.region : undefined);
  const profile = str(execEnv.find((e) => e?.name === 'AWS_PROFILE')?.value) ?? argAfter(args, '--profile');
  if (cluster) out.cluster = cluster;
  if (region) out.region = region;
  if (profile) out.profile = profile;
  return out;
}
