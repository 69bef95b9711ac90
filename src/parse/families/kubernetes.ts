import type { Draft } from '../draft.js';
import { REASON_STATUS, clip, pluralizeKind, splitGroupResource } from '../text.js';
import { applyRequest } from '../request.js';
import { usernameFacts } from './identity.js';

/**
 * What Kubernetes clients and servers print (FM §0.2 K401a/b/c, K403, K403anon, APIS): kubectl errors, client-go
 * discovery and reflector logs, `Error from server (...)`, verbose request logs, kube-apiserver authentication
 * errors and kubelet logs.
 */
export function parseKubernetesLine(line: string, lower: string, draft: Draft): void {
  if (lower.includes('forbidden')) parseForbidden(line, draft);
  parseUnauthorized(line, lower, draft);
  parseDiscovery(line, lower, draft);
  parseErrorFromServer(line, lower, draft);
  parseVerboseRequest(line, lower, draft);
  parseApiServerAuthn(line, lower, draft);
  parseKubelet(line, lower, draft);
  parseReflector(line, lower, draft);
}

/** Status for the tail of a client error (`...: the server has asked for the client to provide credentials`). */
export function classifyKubeError(tail: string, draft: Draft): void {
  const lower = tail.toLowerCase();
  if (lower.includes('provide credentials') || /(?:^|[\s:("'=])unauthorized(?:$|[\s)"',.;])/.test(lower)) {
    draft.set('status', 401);
    draft.fact('unauthorized');
  } else if (
    lower.includes('currently unable to handle the request') ||
    lower.includes('serviceunavailable')
  ) {
    draft.set('status', 503);
    draft.fact('service-unavailable');
  } else if (/\bforbidden\b/.test(lower)) {
    draft.set('status', 403);
    draft.fact('forbidden');
  }
}

const VERB = /^[a-z]{1,40}$/;

/**
 * `<res>[.<group>] ["<name>"] is forbidden: User "<u>" cannot <verb> resource "<res>[/<sub>]" in API group "<g>"
 * in the namespace "<ns>"` (or `at the cluster scope`), the pre-1.14 form `cannot <verb> <res>.<group>[/<sub>]`,
 * and non-resource `forbidden: User "<u>" cannot get path "/<p>"`.
 */
export function parseForbidden(raw: string, draft: Draft): boolean {
  const line = raw.includes('\\"') ? raw.replace(/\\"/g, '"') : raw;
  const anchor = 'forbidden: User "';
  const at = line.indexOf(anchor);
  if (at < 0) return false;
  let i = at + anchor.length;
  const userEnd = line.indexOf('"', i);
  if (userEnd < 0) return false;
  const username = line.slice(i, userEnd);
  i = userEnd + 1;
  const rest = line.slice(i, i + 1200);
  const head = /^ cannot ([a-z]{1,40}) /.exec(rest);
  if (!head?.[1] || !VERB.test(head[1])) return false;
  const verb = head[1];
  const after = rest.slice(head[0].length);

  draft.set('status', 403);
  draft.fact('forbidden');
  draft.set('username', username);
  usernameFacts(username, draft);
  if (verb === 'impersonate') draft.fact('impersonation');

  const pathMatch = /^path "([^"]{0,1000})"/.exec(after);
  if (pathMatch) {
    draft.set('path', pathMatch[1]);
    draft.set('verb', verb);
    return true;
  }

  let resourceText: string | undefined;
  let apiGroup: string | undefined;
  let tail: string;
  const modern = /^resource "([^"]{1,253})"(?: in API group "([^"]{0,253})")?/.exec(after);
  if (modern?.[1]) {
    resourceText = modern[1];
    apiGroup = modern[2];
    tail = after.slice(modern[0].length);
  } else {
    const legacy = /^([a-z0-9][a-z0-9.-]{0,252}(?:\/[a-z0-9-]{1,63})?)/.exec(after);
    if (!legacy?.[1]) return true;
    resourceText = legacy[1];
    tail = after.slice(legacy[0].length);
  }
  const split = splitGroupResource(resourceText);
  draft.set('verb', verb);
  draft.set('resource', split.resource);
  draft.set('subresource', split.subresource);
  draft.set('apiGroup', apiGroup ?? split.apiGroup);
  const ns = /^ in the namespace "([^"]{0,253})"/.exec(tail);
  if (ns) draft.set('namespace', ns[1]);

  // The object itself is named before `is forbidden`: `configmaps "aws-auth" is forbidden`.
  const before = line.slice(Math.max(0, at - 600), at);
  const object = /([a-z0-9][a-z0-9.-]{0,252})(?: "([^"]{1,253})")? is $/.exec(before);
  if (object?.[2]) draft.set('name', object[2]);
  if (apiGroup === undefined && split.apiGroup === undefined && object?.[1]) {
    const fromObject = splitGroupResource(object[1]);
    if (fromObject.resource === split.resource) draft.set('apiGroup', fromObject.apiGroup);
  }
  return true;
}

function parseUnauthorized(line: string, lower: string, draft: Draft): void {
  if (lower.includes('you must be logged in to the server')) {
    draft.source('kubectl');
    draft.set('status', 401);
    draft.fact('unauthorized');
  }
  if (lower.includes("couldn't get current server api group list")) {
    draft.source('kubectl');
    const tail = /couldn't get current server API group list: ([^\n]{0,500})/i.exec(line)?.[1];
    if (tail) classifyKubeError(tail, draft);
  }
  if (lower.includes('the server has asked for the client to provide credentials')) {
    draft.set('status', 401);
    draft.fact('unauthorized');
  }
  if (
    lower.includes('unauthorized') &&
    /(?:^|[\s:("'=,])Unauthorized(?:$|[\s)"',.;])|\bUNAUTHORIZED\b/.test(line)
  ) {
    draft.set('status', 401);
    draft.fact('unauthorized');
  }
}

/** K401c: `couldn't get resource list for <group>/<version>: <err>` and `unable to retrieve the complete list...`. */
function parseDiscovery(line: string, lower: string, draft: Draft): void {
  let gv: string | undefined;
  let tail: string | undefined;
  if (lower.includes("couldn't get resource list for")) {
    const m =
      /couldn't get resource list for ([A-Za-z0-9.-]{1,253}(?:\/[A-Za-z0-9]{1,40})?): ?([^\n]{0,500})/.exec(
        line,
      );
    gv = m?.[1];
    tail = m?.[2];
  } else if (lower.includes('unable to retrieve the complete list of server apis')) {
    const m =
      /unable to retrieve the complete list of server APIs: ([A-Za-z0-9.-]{1,253}\/[A-Za-z0-9]{1,40}): ?([^\n]{0,500})/.exec(
        line,
      );
    gv = m?.[1];
    tail = m?.[2];
    draft.source('kubectl');
  }
  if (!gv) return;
  const slash = gv.indexOf('/');
  const group = slash >= 0 ? gv.slice(0, slash) : '';
  draft.fact('aggregated-api-discovery-failed');
  draft.set('path', group ? `/apis/${gv}` : `/api/${gv}`);
  draft.set('verb', 'get');
  if (group) draft.set('apiGroup', group);
  if (tail) classifyKubeError(tail, draft);
}

/** `Error from server (Forbidden): ...`, `Error from server (ServiceUnavailable): ... (get nodes.metrics.k8s.io)`. */
function parseErrorFromServer(line: string, lower: string, draft: Draft): void {
  if (!lower.includes('error from server (')) return;
  const m = /Error from server \(([A-Za-z]{1,40})\): ?([^\n]{0,2000})/.exec(line);
  if (!m?.[1]) return;
  draft.source('kubectl');
  const status = REASON_STATUS[m[1]];
  if (status) draft.set('status', status);
  if (status === 401) draft.fact('unauthorized');
  if (status === 403) draft.fact('forbidden');
  if (status === 503) draft.fact('service-unavailable');
  const message = m[2] ?? '';
  draft.set('reason', clip(message));
  const detail =
    /\((get|list|watch|create|update|patch|delete|deletecollection) ([a-z0-9][a-z0-9.-]{0,252})(?: ([^)\s]{1,253}))?\)\s*$/.exec(
      message,
    );
  if (detail?.[1] && detail[2]) {
    const split = splitGroupResource(detail[2]);
    draft.set('verb', detail[1]);
    draft.set('resource', split.resource);
    draft.set('apiGroup', split.apiGroup);
    draft.set('name', detail[3]);
  }
}

/** `kubectl -v=6+`: `"Response" verb="GET" url="..." status="401 Unauthorized"` and the older `GET <url> 401 ...`. */
function parseVerboseRequest(line: string, lower: string, draft: Draft): void {
  if (!lower.includes('round_trippers.go') && !lower.includes('"response" verb=')) return;
  draft.source('kubectl');
  const modern = /verb="([A-Z]{3,7})" url="([^"]{1,2000})" status="(\d{3})/.exec(line);
  const legacy = /\] (GET|POST|PUT|PATCH|DELETE|HEAD) (https?:\/\/[^\s]{1,2000}) (\d{3})\b/.exec(line);
  const m = modern ?? legacy;
  if (!m?.[1] || !m[2]) return;
  const status = Number(m[3]);
  if (status >= 400) {
    draft.set('status', status);
    if (status === 401) draft.fact('unauthorized');
    if (status === 403) draft.fact('forbidden');
  }
  applyRequest(m[2], m[1], draft);
}

/** kube-apiserver (and extension servers such as metrics-server): `"Unable to authenticate the request" err=...`. */
function parseApiServerAuthn(line: string, lower: string, draft: Draft): void {
  if (!lower.includes('unable to authenticate the request')) return;
  draft.source('kube-apiserver');
  draft.set('status', 401);
  draft.fact('unauthorized');
  if (lower.includes('invalid bearer token')) draft.fact('invalid-bearer-token');
  if (lower.includes('certificate signed by unknown authority')) draft.fact('x509-unknown-authority');
  const err = /err="([^\n]{0,600})"|due to an error: ([^\n]{0,600})/.exec(line);
  const reason = err?.[1] ?? err?.[2];
  if (reason) draft.set('reason', clip(reason.replace(/\\"/g, '"')));
}

/** kubelet logs: the node identity is the failing client (FM-51/52). */
function parseKubelet(line: string, lower: string, draft: Draft): void {
  if (
    / kubelet(?:\[\d{1,10}\])?: /.test(line) ||
    lower.includes('kubelet_node_status.go') ||
    lower.includes('pkg/kubelet/') ||
    lower.includes('unable to register node')
  ) {
    draft.fact('kubelet-client');
  }
}

/** client-go reflectors: `Failed to list *v1.Service: Unauthorized`. */
function parseReflector(line: string, lower: string, draft: Draft): void {
  if (!lower.includes('failed to ')) return;
  const m = /[Ff]ailed to (list|watch) \*[a-z0-9]{1,20}\.([A-Z][A-Za-z0-9]{0,63}): ([^\n]{0,300})/.exec(line);
  if (!m?.[1] || !m[2]) return;
  const tail = m[3] ?? '';
  // The nested `failed to list *X: <err>` carries the real error; the outer verb stays.
  draft.set('verb', m[1]);
  draft.set('resource', pluralizeKind(m[2]));
  classifyKubeError(tail, draft);
}
