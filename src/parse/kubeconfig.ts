import { parse as parseYaml } from 'yaml';
import { InputError } from '../cli/errors.js';
import { eksctlName, findClusterArn, findEksEndpoint } from './text.js';

/**
 * What a kubeconfig says about the failing context (FM-01 … FM-08): where it points, which identity its exec plugin
 * signs with, and which cluster name it signs for. Credentials are never copied out; exec environment values whose
 * names look secret are masked.
 */
export interface KubeconfigFacts {
  contextName?: string;
  clusterName?: string;
  region?: string;
  endpoint?: string;
  user?: string;
  exec?: {
    command: string;
    args: string[];
    apiVersion?: string;
    env: Record<string, string>;
    roleArn?: string;
    profile?: string;
    clusterIdArg?: string;
    usesClusterId: boolean;
  };
  token?: 'static' | 'none';
  problems: Array<{ fact: string; message: string }>;
}

type Obj = Record<string, unknown>;

const SECRET_ENV = /SECRET|TOKEN|PASSWORD|SESSION|CREDENTIAL|PRIVATE/i;

/** Reads `kubectl config view --minify -o json` output (an object) or kubeconfig YAML/JSON text. */
export function readKubeconfig(config: unknown, context?: string): KubeconfigFacts {
  const cfg = typeof config === 'string' ? parseText(config) : config;
  if (!isObj(cfg)) {
    throw new InputError('not a kubeconfig (expected an object with clusters, contexts and users)');
  }
  const contexts = named(cfg.contexts);
  const clusters = named(cfg.clusters);
  const users = named(cfg.users);
  if (contexts.length === 0 && clusters.length === 0 && users.length === 0) {
    throw new InputError('not a kubeconfig (no clusters, contexts or users)');
  }

  const wanted = context ?? str(cfg['current-context']);
  let ctx = wanted ? contexts.find((c) => c.name === wanted) : undefined;
  if (!ctx && context !== undefined) {
    throw new InputError(
      `context "${context}" not found in the kubeconfig`,
      `contexts: ${contexts.map((c) => c.name).join(', ') || 'none'}`,
    );
  }
  if (!ctx && contexts.length === 1) ctx = contexts[0];
  const ctxBody = ctx && isObj(ctx.body.context) ? ctx.body.context : {};
  const clusterRef = str(ctxBody.cluster);
  const userRef = str(ctxBody.user);
  const cluster = pick(clusters, clusterRef);
  const user = pick(users, userRef);
  const clusterBody = cluster && isObj(cluster.body.cluster) ? cluster.body.cluster : {};
  const userBody = user && isObj(user.body.user) ? user.body.user : {};

  const facts: KubeconfigFacts = { problems: [] };
  facts.contextName = ctx?.name;
  facts.user = userRef ?? user?.name;
  facts.endpoint = str(clusterBody.server);

  // The context and cluster entries written by `aws eks update-kubeconfig` are named by the cluster ARN.
  const arn = [ctx?.name, clusterRef, cluster?.name, user?.name]
    .map((n) => (n ? findClusterArn(n) : undefined))
    .find((a) => a !== undefined);
  const eksctl = [ctx?.name, clusterRef]
    .map((n) => (n ? eksctlName(n) : undefined))
    .find((a) => a !== undefined);
  const endpointInfo = facts.endpoint ? findEksEndpoint(facts.endpoint) : undefined;

  const exec = isObj(userBody.exec) ? readExec(userBody.exec) : undefined;
  if (exec) facts.exec = exec;
  const execCluster = exec && !exec.usesClusterId ? exec.clusterIdArg : undefined;
  facts.clusterName = arn?.name ?? execCluster ?? eksctl?.name;
  const execRegion = exec
    ? (argValue(exec.args, ['--region']) ?? exec.env.AWS_REGION ?? exec.env.AWS_DEFAULT_REGION)
    : undefined;
  facts.region = arn?.region ?? endpointInfo?.region ?? eksctl?.region ?? execRegion;

  if (!exec) {
    if (userBody.token !== undefined || userBody.tokenFile !== undefined) facts.token = 'static';
    else if (!hasOtherCredentials(userBody)) facts.token = 'none';
  }

  const add = (fact: string, message: string): void => {
    facts.problems.push({ fact, message });
  };
  if (exec?.apiVersion?.endsWith('/v1alpha1')) {
    add(
      'exec-api-version-v1alpha1',
      `exec apiVersion ${exec.apiVersion} was removed in client-go 1.24; regenerate the kubeconfig with a current AWS CLI`,
    );
  }
  if (facts.token === 'static') {
    add(
      'kubeconfig-static-token',
      'the user has a static token; EKS tokens expire 15 minutes after they are made',
    );
  }
  if (facts.token === 'none') {
    add(
      'kubeconfig-no-credentials',
      'the user has no exec plugin, token or certificate: requests are sent as system:anonymous',
    );
  }
  if (arn && execCluster && execCluster !== arn.name) {
    add(
      'kubeconfig-cluster-name-mismatch',
      `the exec plugin signs the token for cluster "${execCluster}" but the context is for cluster "${arn.name}"`,
    );
  }
  if (arn?.region && endpointInfo?.region && arn.region !== endpointInfo.region) {
    add(
      'kubeconfig-region-mismatch',
      `the context names region ${arn.region} but the server ${facts.endpoint ?? ''} is in ${endpointInfo.region}`,
    );
  }
  return facts;
}

function parseText(text: string): unknown {
  try {
    // Alias bombs stay small: a kubeconfig needs no aliases at all.
    return parseYaml(text, { maxAliasCount: 50, prettyErrors: false, uniqueKeys: false }) as unknown;
  } catch (error) {
    throw new InputError(
      `not a kubeconfig: ${error instanceof Error ? error.message.split('\n')[0] : 'unreadable'}`,
    );
  }
}

function readExec(exec: Obj): NonNullable<KubeconfigFacts['exec']> {
  const args = Array.isArray(exec.args) ? exec.args.filter((a): a is string => typeof a === 'string') : [];
  const env: Record<string, string> = {};
  if (Array.isArray(exec.env)) {
    for (const entry of exec.env) {
      if (!isObj(entry)) continue;
      const name = str(entry.name);
      if (!name) continue;
      const value = typeof entry.value === 'string' ? entry.value : String(entry.value ?? '');
      env[name] = SECRET_ENV.test(name) ? '***' : value;
    }
  }
  const command = str(exec.command) ?? '';
  // `aws eks get-token` (any wrapper around it) versus `aws-iam-authenticator token`.
  const isAwsCli =
    args.includes('get-token') || (/(?:^|[/\\])aws(?:\.exe|2)?$/.test(command) && !args.includes('token'));
  // `aws eks get-token --cluster-id` is the Outposts cluster id; aws-iam-authenticator's `-i/--cluster-id` is the
  // value it signs as x-k8s-aws-id, which on EKS is the cluster name (FM-07).
  const awsClusterId = isAwsCli ? argValue(args, ['--cluster-id']) : undefined;
  const clusterIdArg =
    argValue(args, ['--cluster-name']) ??
    awsClusterId ??
    (isAwsCli ? undefined : argValue(args, ['-i', '--cluster-id']));
  return {
    command,
    args,
    apiVersion: str(exec.apiVersion),
    env,
    roleArn: argValue(args, ['--role-arn', '-r', '--role']),
    profile: env.AWS_PROFILE ?? argValue(args, ['--profile']),
    clusterIdArg,
    usesClusterId: awsClusterId !== undefined,
  };
}

/** `--flag value` or `--flag=value`. */
function argValue(args: string[], flags: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    for (const flag of flags) {
      if (arg === flag) return args[i + 1];
      if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
    }
  }
  return undefined;
}

function hasOtherCredentials(user: Obj): boolean {
  return [
    'client-certificate',
    'client-certificate-data',
    'auth-provider',
    'username',
    'password',
    'as',
  ].some((key) => user[key] !== undefined && user[key] !== null && user[key] !== '');
}

function named(list: unknown): Array<{ name: string; body: Obj }> {
  if (!Array.isArray(list)) return [];
  const out: Array<{ name: string; body: Obj }> = [];
  for (const item of list) if (isObj(item)) out.push({ name: str(item.name) ?? '', body: item });
  return out;
}

function pick<T extends { name: string }>(list: T[], name: string | undefined): T | undefined {
  return (
    (name !== undefined ? list.find((e) => e.name === name) : undefined) ??
    (list.length === 1 ? list[0] : undefined)
  );
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
