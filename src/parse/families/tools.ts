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
    /^\s*[│╷╵]/.test(line) ||
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
    lower.includes('query: failed to query with labels')
  );
}

function isArgoCd(lower: string): boolean {
  return (
    lower.includes('comparisonerror') ||
    lower.includes('argocd') ||
    lower.includes('failed to sync cluster') ||
    lower.includes('rest config invalid')
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
  if (lower.includes('error while proxying request')) draft.source('lens');
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
