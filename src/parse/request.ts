import { requestAttributes } from '../k8s/request-info.js';
import type { Draft } from './draft.js';

/**
 * Records the request a URL or path and an HTTP method describe, with the attributes Kubernetes itself derives
 * (DESIGN §6 `requestAttributes`): the Kubernetes verb (`get`, `list`, `watch`, ...), group, namespace, resource.
 * Discovery paths (`/apis/<group>/<version>`) also record the group they ask about.
 */
export function applyRequest(urlOrPath: string, method: string, draft: Draft): void {
  const attrs = requestAttributes(urlOrPath, method.toUpperCase());
  if (!attrs.path) return;
  draft.set('path', attrs.path);
  draft.set('verb', attrs.verb || undefined);
  if (attrs.isResourceRequest) {
    draft.set('apiGroup', attrs.apiGroup);
    draft.set('namespace', attrs.namespace || undefined);
    draft.set('resource', attrs.resource || undefined);
    draft.set('subresource', attrs.subresource || undefined);
    draft.set('name', attrs.name || undefined);
  } else {
    const group = /^\/apis\/([^/]+)/.exec(attrs.path)?.[1];
    if (group) draft.set('apiGroup', group);
  }
}

/** Go's `url.Error` text, `Get "https://host/path?q": <err>`: the method and URL of the failed request. */
export function parseGoUrlError(line: string, draft: Draft): boolean {
  if (!line.includes('"http')) return false;
  const m = /\b(Get|Post|Put|Patch|Delete|Head) "(https?:\/\/[^"\s]{1,2000})"/.exec(line);
  if (!m?.[1] || !m[2]) return false;
  const url = m[2];
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  if (pathStart < 0) return false;
  applyRequest(url.slice(pathStart), m[1], draft);
  return true;
}
