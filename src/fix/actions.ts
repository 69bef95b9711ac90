/**
 * Typed fix actions. Rules propose actions; this module renders them into exact commands (argv + POSIX text) for
 * the AWS CLI, eksctl and kubectl, and applies them to a snapshot so tests can prove a fix makes the request pass.
 * eksdoctor never runs these commands: it prints them.
 */
import { mappingYaml, withMapping } from '../eks/aws-auth.js';
import type { Command, Fix } from '../model/report.js';
import type { AccessEntry, Rbac, Snapshot } from '../model/snapshot.js';
import { commandText } from './quote.js';
import { stripPath, isPrincipalArn } from '../eks/arn.js';

export type AccessScopeInput = { type: 'cluster' } | { type: 'namespace'; namespaces: string[] };

export type FixAction =
  | { kind: 'update-authentication-mode'; mode: 'API_AND_CONFIG_MAP' | 'API' }
  | {
      kind: 'create-access-entry';
      principalArn: string;
      type?: string;
      username?: string;
      kubernetesGroups?: string[];
    }
  | { kind: 'delete-access-entry'; principalArn: string }
  | { kind: 'update-access-entry'; principalArn: string; kubernetesGroups?: string[]; username?: string }
  | { kind: 'associate-access-policy'; principalArn: string; policyArn: string; scope: AccessScopeInput }
  | {
      kind: 'aws-auth-put-mapping';
      section: 'mapRoles' | 'mapUsers';
      arn: string;
      username: string;
      groups: string[];
      /** An existing entry (possibly with another ARN, e.g. with a path) to replace. */
      replaceArn?: string;
      /** True when an entry for `arn` (or replaceArn) exists and must be deleted first. */
      replacesExisting: boolean;
    }
  | {
      kind: 'create-rbac-binding';
      bindingKind: 'ClusterRoleBinding' | 'RoleBinding';
      name: string;
      namespace?: string;
      roleRef: { kind: 'ClusterRole' | 'Role'; name: string };
      subject: { kind: 'Group' | 'User'; name: string };
    }
  | {
      /**
       * Replace data keys of kube-system/aws-auth as a whole (null removes the key): repairs a section the
       * authenticator drops, or moves a misnamed key. No CLI edits a ConfigMap that eksctl cannot parse, so this
       * renders no command; the fix shows a merge-patch file (`kubectl patch ... --patch-file`) as its snippet.
       */
      kind: 'aws-auth-set-data';
      data: Record<string, string | null>;
    }
  | { kind: 'run'; tool: Command['tool']; argv: string[] };

/** A fix as a rule proposes it: actions plus prose. Rendered into the report's `Fix`. */
export interface FixPlan {
  title: string;
  actions: FixAction[];
  notes?: string;
  /** Adds the corrected aws-auth entry as a YAML snippet (for aws-auth-put-mapping actions). */
  yamlSnippet?: boolean;
  /** Any other snippet to show as is (a corrected kubeconfig stanza, a Terraform block, a trust policy). */
  snippet?: Fix['snippet'];
}

export interface FixContext {
  clusterName: string | undefined;
  region: string | undefined;
}

type PutMapping = Extract<FixAction, { kind: 'aws-auth-put-mapping' }>;

/**
 * The mapping as aws-auth can use it: a mapRoles ARN without its IAM path, because the authenticator compares
 * rolearn with the path-less canonical ARN (FM-19). An entry to replace that was written with the path is still
 * found by it.
 */
export function normalizedPutMapping(action: PutMapping): PutMapping {
  if (action.section !== 'mapRoles' || !isPrincipalArn(action.arn)) return action;
  const arn = stripPath(action.arn.trim());
  if (arn === action.arn) return action;
  const replaceArn = action.replaceArn ?? (action.replacesExisting ? action.arn : undefined);
  return { ...action, arn, ...(replaceArn ? { replaceArn } : {}) };
}

function cmd(tool: Command['tool'], argv: string[]): Command {
  return { tool, argv, text: commandText(argv) };
}

function eksArgs(ctx: FixContext, clusterFlag: '--cluster-name' | '--name'): string[] {
  return [clusterFlag, ctx.clusterName ?? '', ...(ctx.region ? ['--region', ctx.region] : [])];
}

function eksctlArgs(ctx: FixContext): string[] {
  return ['--cluster', ctx.clusterName ?? '', ...(ctx.region ? ['--region', ctx.region] : [])];
}

export function renderAction(action: FixAction, ctx: FixContext): Command[] {
  switch (action.kind) {
    case 'update-authentication-mode':
      return [
        cmd('aws', [
          'aws',
          'eks',
          'update-cluster-config',
          ...eksArgs(ctx, '--name'),
          '--access-config',
          `authenticationMode=${action.mode}`,
        ]),
      ];
    case 'create-access-entry':
      return [
        cmd('aws', [
          'aws',
          'eks',
          'create-access-entry',
          ...eksArgs(ctx, '--cluster-name'),
          '--principal-arn',
          action.principalArn,
          '--type',
          action.type ?? 'STANDARD',
          ...(action.username ? ['--username', action.username] : []),
          ...(action.kubernetesGroups?.length ? ['--kubernetes-groups', ...action.kubernetesGroups] : []),
        ]),
      ];
    case 'delete-access-entry':
      return [
        cmd('aws', [
          'aws',
          'eks',
          'delete-access-entry',
          ...eksArgs(ctx, '--cluster-name'),
          '--principal-arn',
          action.principalArn,
        ]),
      ];
    case 'update-access-entry':
      return [
        cmd('aws', [
          'aws',
          'eks',
          'update-access-entry',
          ...eksArgs(ctx, '--cluster-name'),
          '--principal-arn',
          action.principalArn,
          ...(action.kubernetesGroups ? ['--kubernetes-groups', ...action.kubernetesGroups] : []),
          ...(action.username ? ['--username', action.username] : []),
        ]),
      ];
    case 'associate-access-policy': {
      const scope =
        action.scope.type === 'cluster'
          ? 'type=cluster'
          : `type=namespace,namespaces=${action.scope.namespaces.join(',')}`;
      return [
        cmd('aws', [
          'aws',
          'eks',
          'associate-access-policy',
          ...eksArgs(ctx, '--cluster-name'),
          '--principal-arn',
          action.principalArn,
          '--policy-arn',
          action.policyArn,
          '--access-scope',
          scope,
        ]),
      ];
    }
    case 'aws-auth-put-mapping': {
      const put = normalizedPutMapping(action);
      const commands: Command[] = [];
      if (put.replacesExisting) {
        commands.push(
          cmd('eksctl', [
            'eksctl',
            'delete',
            'iamidentitymapping',
            ...eksctlArgs(ctx),
            '--arn',
            put.replaceArn ?? put.arn,
            '--all',
          ]),
        );
      }
      commands.push(
        cmd('eksctl', [
          'eksctl',
          'create',
          'iamidentitymapping',
          ...eksctlArgs(ctx),
          '--arn',
          put.arn,
          '--username',
          put.username,
          ...put.groups.flatMap((g) => ['--group', g]),
          '--no-duplicate-arns',
        ]),
      );
      return commands;
    }
    case 'create-rbac-binding': {
      const isCluster = action.bindingKind === 'ClusterRoleBinding';
      const roleFlag =
        action.roleRef.kind === 'ClusterRole'
          ? `--clusterrole=${action.roleRef.name}`
          : `--role=${action.roleRef.name}`;
      const subjectFlag =
        action.subject.kind === 'Group' ? `--group=${action.subject.name}` : `--user=${action.subject.name}`;
      return [
        cmd('kubectl', [
          'kubectl',
          'create',
          isCluster ? 'clusterrolebinding' : 'rolebinding',
          action.name,
          ...(!isCluster && action.namespace ? ['--namespace', action.namespace] : []),
          roleFlag,
          subjectFlag,
        ]),
      ];
    }
    case 'aws-auth-set-data':
      return [];
    case 'run':
      return [cmd(action.tool, action.argv)];
  }
}

/** What a command needs that the evidence did not supply; such fixes describe the step in `notes` instead. */
export function missingValues(plan: FixPlan, ctx: FixContext): string[] {
  const needsCluster = plan.actions.some(
    (a) => a.kind !== 'create-rbac-binding' && a.kind !== 'run' && a.kind !== 'aws-auth-set-data',
  );
  return needsCluster && !ctx.clusterName
    ? ['the cluster name (pass --cluster or collect DescribeCluster)']
    : [];
}

export function renderFix(plan: FixPlan, ctx: FixContext): Fix {
  const missing = missingValues(plan, ctx);
  const notes = [plan.notes, missing.length ? `Needs ${missing.join(' and ')}; commands omitted.` : undefined]
    .filter(Boolean)
    .join(' ');
  const fix: Fix = {
    title: plan.title,
    commands: missing.length ? [] : plan.actions.flatMap((a) => renderAction(a, ctx)),
  };
  if (notes) fix.notes = notes;
  if (!ctx.region && !missing.length && fix.commands.length) {
    fix.notes = [fix.notes, 'The region was not known; the commands use your default region (add --region).']
      .filter(Boolean)
      .join(' ');
  }
  if (plan.snippet) fix.snippet = plan.snippet;
  if (plan.yamlSnippet) {
    const found = plan.actions.find((a) => a.kind === 'aws-auth-put-mapping');
    const put = found?.kind === 'aws-auth-put-mapping' ? normalizedPutMapping(found) : undefined;
    if (put) {
      fix.snippet = {
        language: 'yaml',
        content: `${put.section}: |\n${indent(mappingYaml(put.section, put))}`,
      };
    }
  }
  const setData = plan.actions.find((a) => a.kind === 'aws-auth-set-data');
  if (!fix.snippet && setData?.kind === 'aws-auth-set-data') {
    fix.snippet = { language: 'yaml', content: dataPatchYaml(setData.data) };
  }
  return fix;
}

/** A merge patch for `kubectl patch configmap aws-auth -n kube-system --type merge --patch-file <file>`. */
export function dataPatchYaml(data: Record<string, string | null>): string {
  const lines = ['data:'];
  for (const [key, value] of Object.entries(data)) {
    const name = /^[A-Za-z][\w.-]*$/.test(key) ? key : JSON.stringify(key);
    if (value === null) lines.push(`  ${name}: null`);
    else if (/^[^\s#].*$/m.test(value.split('\n')[0] ?? '') && !/[\t\r]|[ ]\n|[ ]$/.test(value)) {
      // A literal block keeps the text exactly ("|" one final newline, "|-" none).
      const body = value.replace(/\n$/, '');
      lines.push(
        `  ${name}: ${value.endsWith('\n') ? '|' : '|-'}`,
        ...body.split('\n').map((l) => (l ? `    ${l}` : '')),
      );
    } else lines.push(`  ${name}: ${JSON.stringify(value)}`);
  }
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Applying actions to a snapshot (tests use this to prove that a fix, applied, makes the request pass).

function sameEntry(a: string, b: string): boolean {
  const norm = (x: string) => (isPrincipalArn(x) ? stripPath(x) : x).toLowerCase();
  return norm(a) === norm(b);
}

export function applyAction(snapshot: Snapshot, action: FixAction, now: Date): Snapshot {
  const next: Snapshot = structuredClone(snapshot);
  const entries = (): AccessEntry[] => {
    if (next.accessEntries?.status !== 'ok') next.accessEntries = { status: 'ok', data: [] };
    return (next.accessEntries as { status: 'ok'; data: AccessEntry[] }).data;
  };
  const stamp = now.toISOString();
  switch (action.kind) {
    case 'update-authentication-mode':
      if (next.cluster?.status === 'ok') {
        next.cluster.data.accessConfig = {
          ...next.cluster.data.accessConfig,
          authenticationMode: action.mode,
        };
      }
      return next;
    case 'create-access-entry':
      entries().push({
        principalArn: action.principalArn,
        type: action.type ?? 'STANDARD',
        kubernetesGroups: action.kubernetesGroups ?? [],
        createdAt: stamp,
        modifiedAt: stamp,
        associatedPolicies: [],
        ...(action.username ? { username: action.username } : {}),
      });
      return next;
    case 'delete-access-entry': {
      const list = entries();
      next.accessEntries = {
        status: 'ok',
        data: list.filter((e) => !sameEntry(e.principalArn, action.principalArn)),
      };
      return next;
    }
    case 'update-access-entry':
      for (const e of entries()) {
        if (!sameEntry(e.principalArn, action.principalArn)) continue;
        if (action.kubernetesGroups) e.kubernetesGroups = action.kubernetesGroups;
        if (action.username) e.username = action.username;
        e.modifiedAt = stamp;
      }
      return next;
    case 'associate-access-policy':
      for (const e of entries()) {
        if (!sameEntry(e.principalArn, action.principalArn)) continue;
        const policies = (e.associatedPolicies ?? []).filter((p) => p.policyArn !== action.policyArn);
        policies.push({
          policyArn: action.policyArn,
          accessScope: { ...action.scope },
          associatedAt: stamp,
          modifiedAt: stamp,
        });
        e.associatedPolicies = policies;
      }
      return next;
    case 'aws-auth-put-mapping': {
      const put = normalizedPutMapping(action);
      const current = next.awsAuth?.status === 'ok' ? next.awsAuth.data : null;
      next.awsAuth = {
        status: 'ok',
        data: withMapping(current, {
          section: put.section,
          arn: put.arn,
          username: put.username,
          groups: put.groups,
          ...(put.replaceArn ? { replaceArn: put.replaceArn } : {}),
        }),
      };
      return next;
    }
    case 'create-rbac-binding': {
      if (next.rbac?.status !== 'ok') {
        next.rbac = {
          status: 'ok',
          data: { clusterRoles: [], clusterRoleBindings: [], roles: [], roleBindings: [] },
        };
      }
      const rbac = (next.rbac as { status: 'ok'; data: Rbac }).data;
      const binding = {
        kind: action.bindingKind,
        metadata: { name: action.name, ...(action.namespace ? { namespace: action.namespace } : {}) },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...action.roleRef },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', ...action.subject }],
      };
      if (action.bindingKind === 'ClusterRoleBinding') rbac.clusterRoleBindings.push(binding);
      else rbac.roleBindings.push(binding);
      return next;
    }
    case 'aws-auth-set-data': {
      const current = next.awsAuth?.status === 'ok' ? next.awsAuth.data : null;
      const base = current ?? {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'aws-auth', namespace: 'kube-system' },
      };
      const data: Record<string, string> = { ...(base.data ?? {}) };
      for (const [key, value] of Object.entries(action.data)) {
        if (value === null) delete data[key];
        else data[key] = value;
      }
      next.awsAuth = { status: 'ok', data: { ...base, data } };
      return next;
    }
    case 'run':
      return next;
  }
}

export function applyPlan(snapshot: Snapshot, plan: FixPlan, now: Date): Snapshot {
  return plan.actions.reduce((s, a) => applyAction(s, a, now), snapshot);
}
