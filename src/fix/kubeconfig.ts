/**
 * Kubeconfig entries as `aws eks update-kubeconfig` writes them (AWSCLI-KCFG: exec apiVersion v1beta1, args
 * `--region R eks get-token --cluster-name C --output json`, `--cluster-id ID` for Outposts local clusters,
 * `--role <arn>` for `--role-arn`, and `env: AWS_PROFILE` for `--profile`). Client-side fixes show these as snippets:
 * eksdoctor never edits a kubeconfig.
 */
import { stringify } from 'yaml';
import { clientEvidence } from '../evidence/client.js';
import type { Fix } from '../model/report.js';
import { okData } from '../model/snapshot.js';
import type { Simulation } from '../simulate/simulate.js';
import { commandText } from './quote.js';

export const EXEC_API_VERSION = 'client.authentication.k8s.io/v1beta1';

export interface UserEntryInput {
  /** The users[] entry name (update-kubeconfig uses the cluster ARN). */
  name: string;
  clusterName: string;
  region?: string | undefined;
  /** Outposts local clusters are signed for their id, not their name (FM-07). */
  outpostsClusterId?: string | undefined;
  roleArn?: string | undefined;
  profile?: string | undefined;
  /** More environment for the exec plugin (e.g. AWS_STS_REGIONAL_ENDPOINTS). */
  env?: Record<string, string> | undefined;
}

export function execArgs(input: Omit<UserEntryInput, 'name' | 'profile'>): string[] {
  return [
    ...(input.region ? ['--region', input.region] : []),
    'eks',
    'get-token',
    ...(input.outpostsClusterId
      ? ['--cluster-id', input.outpostsClusterId]
      : ['--cluster-name', input.clusterName]),
    '--output',
    'json',
    ...(input.roleArn ? ['--role', input.roleArn] : []),
  ];
}

/** The users[] entry, as YAML to paste over the failing one. */
export function userEntrySnippet(input: UserEntryInput): NonNullable<Fix['snippet']> {
  const exec: Record<string, unknown> = {
    apiVersion: EXEC_API_VERSION,
    args: execArgs(input),
    command: 'aws',
  };
  const env = [
    ...(input.profile ? [{ name: 'AWS_PROFILE', value: input.profile }] : []),
    ...Object.entries(input.env ?? {}).map(([name, value]) => ({ name, value })),
  ];
  if (env.length) exec.env = env;
  const entry = [{ name: input.name, user: { exec } }];
  return { language: 'yaml', content: `users:\n${stringify(entry).trimEnd()}` };
}

/** The clusters[] entry pointing at the cluster's endpoint. */
export function clusterEntrySnippet(input: {
  name: string;
  server: string;
  caData?: string | undefined;
}): NonNullable<Fix['snippet']> {
  const cluster: Record<string, string> = {};
  if (input.caData) cluster['certificate-authority-data'] = input.caData;
  cluster.server = input.server;
  return { language: 'yaml', content: `clusters:\n${stringify([{ cluster, name: input.name }]).trimEnd()}` };
}

/** `aws eks update-kubeconfig` for this cluster, as one quoted line for notes (it writes a local file). */
export function updateKubeconfigText(input: {
  clusterName: string;
  region?: string | undefined;
  roleArn?: string | undefined;
  profile?: string | undefined;
  alias?: string | undefined;
}): string {
  return commandText([
    'aws',
    'eks',
    'update-kubeconfig',
    '--name',
    input.clusterName,
    ...(input.region ? ['--region', input.region] : []),
    ...(input.roleArn ? ['--role-arn', input.roleArn] : []),
    ...(input.profile ? ['--profile', input.profile] : []),
    ...(input.alias ? ['--alias', input.alias] : []),
  ]);
}

/**
 * The users[] entry this cluster needs, keeping what the failing one chose (profile, role) unless overridden, and
 * the regenerate command that writes it.
 */
export function regeneratedUser(
  sim: Simulation,
  ctx: { clusterName: string | undefined; region: string | undefined },
  overrides: {
    /** null drops what the failing entry had. */
    roleArn?: string | null | undefined;
    profile?: string | null | undefined;
    env?: Record<string, string>;
  } = {},
): { snippet: NonNullable<Fix['snippet']>; command: string } | undefined {
  if (!ctx.clusterName) return undefined;
  const client = clientEvidence(sim.input.snapshot);
  const view = client.kubeconfig;
  const exec = view?.facts.exec;
  const cluster = okData(sim.input.snapshot, 'cluster');
  const profile = overrides.profile === null ? undefined : (overrides.profile ?? exec?.profile);
  const roleArn = overrides.roleArn === null ? undefined : (overrides.roleArn ?? exec?.roleArn);
  const input: UserEntryInput = {
    name: view?.facts.user ?? cluster?.arn ?? ctx.clusterName,
    clusterName: ctx.clusterName,
    region: ctx.region,
    outpostsClusterId: client.expectedClusterId?.outposts ? client.expectedClusterId.value : undefined,
    roleArn,
    profile,
    env: overrides.env,
  };
  return {
    snippet: userEntrySnippet(input),
    command: updateKubeconfigText({ clusterName: ctx.clusterName, region: ctx.region, roleArn, profile }),
  };
}
