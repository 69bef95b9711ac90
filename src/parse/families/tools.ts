import type { Draft } from '../draft.js';
import { applyRequest } from '../request.js';

/**
 * Wrappers that print Kubernetes errors in their own frame: Terraform, Helm, Lens, Argo CD and the EKS console
 * (FM §0.2 TF401, H401, H403, LENS403, CON). Only the source and what the frame itself adds are recorded here; the
 * wrapped Kubernetes or AWS error is read by the other parsers.
 */
export function parseToolLine(line: string, lower: string, draft: Draft): void {
  if (isTerraform(line, lower)) draft.source('terraform');
  if (isHelm(lower)) draft.source('helm');
  parseLens(line, lower, draft);
  if (isArgoCd(lower)) draft.source('argocd');
  if (
    lower.includes("doesn't have access to kubernetes objects on this cluster") ||
    lower.includes('does not have access to kubernetes objects on this eks cluster') ||
    lower.includes("don't have permission to view them")
  ) {
    draft.source('console');
    draft.fact('console-no-access');
  }
}

function isTerraform(line: string, lower: string): boolean {
  return (
    // Terraform's diagnostic frame has a left border only; `│ … │` boxes (Pulumi, rich CLIs) are unfolded before.
    (/^\s*[│╷╵]/.test(line) && !/│\s*$/.test(line)) ||
    /\.tf line \d+/.test(line) ||
    lower.includes('terraform-provider-') ||
    /\bmodule\.[A-Za-z0-9_-]{1,100}\./.test(line) ||
    /\b(?:kubernetes|helm|kubectl|null)_[a-z_]{1,60}\.[A-Za-z0-9_-]{1,100}\b/.test(line) ||
    lower.includes('error refreshing state')
  );
}

function isHelm(lower: string): boolean {
  return (
    lower.includes('kubernetes cluster unreachable') ||
    lower.includes('upgrade failed:') ||
    lower.includes('installation failed:') ||
    lower.includes('at helm install') ||
    // Helm 3's release storage driver (a Secret per release revision) wraps the API error it got.
    /\b(?:create: failed to create|update: failed to update|list: failed to list|delete: failed to delete|query: failed to query with labels)\b/.test(
      lower,
    )
  );
}

function isArgoCd(lower: string): boolean {
  return (
    lower.includes('comparisonerror') ||
    lower.includes('argocd') ||
    lower.includes('failed to sync cluster') ||
    lower.includes('rest config invalid') ||
    // The application controller's comparison conditions and its cluster cache.
    lower.includes('failed to load live state:') ||
    lower.includes('failed to load target state:') ||
    lower.includes('error synchronizing cache state')
  );
}

/**
 * Lens: `Proxy request for clusterId="…" to url="/apis/…" has statusCode=401` (the seed report's line; a Lens
 * proxy request is a GET), `… failed with UNAUTHORIZED`, `Error while proxying request: …` and
 * `Cluster <ctx> does not have permissions to list namespaces` (LENS403).
 */
function parseLens(line: string, lower: string, draft: Draft): void {
  if (lower.includes('proxy request for clusterid=')) {
    draft.source('lens');
    const m = /Proxy request for clusterId="([^"]{0,200})" to url="([^"]{1,2000})"/.exec(line);
    if (m?.[2]) applyRequest(m[2], 'GET', draft);
    const code = /has statusCode=(\d{3})/.exec(line);
    const word = /failed with ([A-Z_]{3,40})/.exec(line);
    const status = code ? Number(code[1]) : word ? WORD_STATUS[word[1] ?? ''] : undefined;
    if (status) {
      draft.set('status', status);
      if (status === 401) draft.fact('unauthorized');
      if (status === 403) draft.fact('forbidden');
    }
  }
  // kubectl's proxy package (Lens bundles it; `kubectl proxy` is the other user) logs through klog as
  // `proxy_server.go:NNN] Error while proxying request`, which EKS users report from Lens. Other proxies print the
  // bare phrase too (Rancher, wrappers such as granted's assumego), so without the frame it names no tool.
  if (
    lower.includes('error while proxying request') &&
    /proxy_server\.go:\d{1,6}\] Error while proxying/.test(line)
  ) {
    draft.source('lens');
  }
  // The proxy's fatal start-up error (`main.go:82] failed to initialize proxyexec plugin: …`).
  const proxyStart =
    lower.includes('failed to initialize proxy') && /\] failed to initialize proxy/.test(line);
  if (proxyStart) draft.source('lens');
  // Lens's main-process log: `[CLUSTER]: Failed to connect to "<name>": StatusCodeError: 401 - {…}`.
  if (lower.includes('[cluster]: failed to connect to')) {
    draft.source('lens');
    const code = /StatusCodeError: (\d{3})\b/.exec(line);
    const status = code ? Number(code[1]) : undefined;
    if (status && status >= 400) {
      draft.set('status', status);
      if (status === 401) draft.fact('unauthorized');
      if (status === 403) draft.fact('forbidden');
    }
  }
  const lens403 = /does not have permissions to list namespaces/.exec(line);
  if (lens403) {
    draft.source('lens');
    draft.set('status', 403);
    draft.fact('forbidden');
    draft.set('verb', 'list');
    draft.set('resource', 'namespaces');
  }
}

const WORD_STATUS: Record<string, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  SERVICE_UNAVAILABLE: 503,
};
