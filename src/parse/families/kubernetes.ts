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
  if (lower.includes('forbidden') || lower.includes('" cannot ')) parseForbidden(line, draft);
  if (lower.includes('forbidden (user=')) parseKubeletForbidden(line, lower, draft);
  parseUnauthorized(line, lower, draft);
  parseDiscovery(line, lower, draft);
  parseErrorFromServer(line, lower, draft);
  parseVerboseRequest(line, lower, draft);
  parseApiServerAuthn(line, lower, draft);
  parseKubelet(line, lower, draft);
  parseReflector(line, lower, draft);
  parseClientCall(line, lower, draft);
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
 * the pre-1.11 message without the `is forbidden:` prefix (`User "<u>" cannot list pods in the namespace "<ns>".`)
 * and non-resource `forbidden: User "<u>" cannot get path "/<p>"`.
 */
export function parseForbidden(raw: string, draft: Draft): boolean {
  const line = raw.includes('\\"') ? raw.replace(/\\"/g, '"') : raw;
  const anchor = 'forbidden: User "';
  let at = line.indexOf(anchor);
  let i = at + anchor.length;
  if (at < 0) {
    // The old message stands alone (`Error from server (Forbidden): User "sally" cannot …`).
    const bare = /(?:^|[\s:(])User "(?=[^"]{0,400}" cannot [a-z]{1,40} )/.exec(line.slice(0, 4000));
    if (!bare) return false;
    at = bare.index;
    i = at + bare[0].length;
  }
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
  // `-v=8` prints the body the client got (`request.go:1351] Response Body: {"kind":"Status",…}`).
  const bodyLog = lower.includes('] response body:') && /\brequest\.go:\d{1,6}\] Response Body:/.test(line);
  if (bodyLog) draft.source('kubectl');
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
    lower.includes('unable to register node') ||
    // pkg/volume/csi: the kubelet's CSI plugin waits for its CSINode object through the kubelet's client.
    lower.includes('waiting for csinode publishing')
  ) {
    draft.fact('kubelet-client');
  }
}

/**
 * client-go reflectors: `Failed to list *v1.Service: Unauthorized`, and `Failed to watch *v1.Node: failed to list
 * *v1.Node: Unauthorized`, where the innermost call is the request that failed: ListAndWatch lists first and
 * reports the list's error under the watch, so the verb RBAC has to allow is `list`.
 */
function parseReflector(line: string, lower: string, draft: Draft): void {
  if (!lower.includes('failed to ')) return;
  const re = /[Ff]ailed to (list|watch) \*[a-z0-9]{1,20}\.([A-Z][A-Za-z0-9]{0,63}): /g;
  let last: RegExpExecArray | null = null;
  let seen = 0;
  for (let m = re.exec(line); m && seen < 8; m = re.exec(line), seen++) last = m;
  if (!last?.[1] || !last[2]) return;
  const start = last.index + last[0].length;
  draft.set('verb', last[1]);
  draft.set('resource', pluralizeKind(last[2]));
  classifyKubeError(line.slice(start, start + 300), draft);
}

/**
 * The kubelet's own authorizer (`kubectl logs/exec/port-forward` reach it through the API server):
 * `Forbidden (user=<u>, verb=<v>, resource=<r>, subresource=<s>)`; kubectl prints it after `error: unable to
 * upgrade connection:` (exec, attach, port-forward).
 */
function parseKubeletForbidden(line: string, lower: string, draft: Draft): void {
  const m =
    /Forbidden \(user=([^,()\s]{1,400}), verb=([a-z]{1,40}), resource=([a-z0-9.-]{0,253}), subresource=([a-z0-9-]{0,63})\)/.exec(
      line,
    );
  if (!m?.[1] || !m[2]) return;
  if (lower.includes('unable to upgrade connection')) draft.source('kubectl');
  draft.set('status', 403);
  draft.fact('forbidden');
  draft.set('username', m[1]);
  usernameFacts(m[1], draft);
  draft.set('verb', m[2]);
  if (m[3]) {
    const split = splitGroupResource(m[3]);
    draft.set('resource', split.resource);
    draft.set('apiGroup', split.apiGroup);
  }
  draft.set('subresource', m[4] || undefined);
}

/** True when the tail is an authentication or authorization failure (the call's own wording is free-form). */
function authFailure(tail: string): boolean {
  return /^(?:Unauthorized\b|the server has asked for the client to provide credentials|[^\n]{0,200}\bis forbidden: User ")/.test(
    tail,
  );
}

/**
 * Client calls named in prose: kubelet's `error getting node "<n>": Unauthorized` (its node-status heartbeat, a GET)
 * and eksctl's `failed to list nodes: Unauthorized` / `re-listing nodes: Unauthorized`. Read only when what follows
 * is a 401/403, so unrelated "failed to list files: …" text is left alone.
 */
function parseClientCall(line: string, lower: string, draft: Draft): void {
  if (lower.includes('error getting node "')) {
    const m = /error getting node "([^"\s]{1,253})": ([^\n]{0,300})/.exec(line);
    if (m?.[1] && authFailure(m[2] ?? '')) {
      draft.set('verb', 'get');
      draft.set('resource', 'nodes');
      draft.set('name', m[1]);
    }
  }
  if (lower.includes('listing ') || lower.includes('failed to list ')) {
    const m =
      /(?:[Ff]ailed to list|\bre-listing|\b[Ee]rror listing) ([a-z][a-z0-9-]{1,62}s(?:\.[a-z0-9.-]{1,200})?): ([^\n]{0,300})/.exec(
        line,
      );
    if (m?.[1] && authFailure(m[2] ?? '')) {
      const split = splitGroupResource(m[1]);
      draft.set('verb', 'list');
      draft.set('resource', split.resource);
      draft.set('apiGroup', split.apiGroup);
    }
  }
}
