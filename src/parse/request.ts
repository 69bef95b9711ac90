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

/** Paths a Kubernetes API server serves; any other URL in a Go error is not the Kubernetes request. */
const KUBE_PATH = /^\/(?:api|apis|version|openapi|healthz|livez|readyz|metrics)(?:[/?]|$)/;

/**
 * Go's `url.Error` text, `Get "https://host/path?q": <err>`: the method and URL of the failed request, when it is a
 * Kubernetes API request (an EKS endpoint, or an API-server path). The AWS SDK's own calls (the EC2 instance
 * metadata service, STS) print the same shape and are not the request the user's tool made to the cluster.
 */
export function parseGoUrlError(line: string, draft: Draft): boolean {
  if (!line.includes('"http')) return false;
  const m = /\b(Get|Post|Put|Patch|Delete|Head) "(https?:\/\/[^"\s]{1,2000})"/.exec(line);
  if (!m?.[1] || !m[2]) return false;
  const url = m[2];
  const hostStart = url.indexOf('//') + 2;
  const pathStart = url.indexOf('/', hostStart);
  if (pathStart < 0) return false;
  const host = url.slice(hostStart, pathStart).toLowerCase();
  const path = url.slice(pathStart);
  const eks = /\.eks\.amazonaws\.com(?:\.cn)?(?::\d{1,5})?$/.test(host);
  const awsService =
    /(?:^|\.)amazonaws\.com(?:\.cn)?(?::\d{1,5})?$|^169\.254\.169\.254(?::\d{1,5})?$|^\[fd00:ec2::254\]/.test(
      host,
    );
  if (!eks && (awsService || !KUBE_PATH.test(path))) return false;
  applyRequest(path, m[1], draft);
  return true;
}
