/**
 * Kubernetes request attributes for a path and a verb, with the values kube-apiserver's RequestInfoFactory
 * (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go, prefixes `api` and `apis`, groupless `api`) would give
 * them. RBAC and the EKS access-policy authorizer decide on exactly these attributes, so a wrong attribute here
 * means a wrong verdict everywhere else.
 */

export interface RequestAttributes {
  isResourceRequest: boolean;
  /** The URL path, percent-decoded like Go's `URL.Path`, without query string. */
  path: string;
  /** Kubernetes verb for resource requests; the lower-cased HTTP method (or the verb given) otherwise. */
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const API_PREFIXES = new Set(['api', 'apis']);
const GROUPLESS_PREFIXES = new Set(['api']);
/** Legacy `/api/v1/watch/...` and `/api/v1/proxy/...` forms: the verb comes from the path. */
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const HTTP_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'CONNECT',
  'TRACE',
]);
const METHOD_VERBS: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/**
 * Request attributes for `path` (a path, a path with query, or a full URL) and `verb` (an HTTP method in any case,
 * or a Kubernetes verb such as `list`, `watch`, `proxy`, `impersonate`; default GET). A lowercase `get` is the HTTP
 * GET, so it becomes `list` on a collection. Never throws: anything unparseable is a non-resource request.
 */
export function requestAttributes(path: string, verb?: string): RequestAttributes {
  const { urlPath, query } = splitUrl(typeof path === 'string' ? path : '');
  const given = (verb ?? '').trim() || 'GET';
  const method = HTTP_METHODS.has(given.toUpperCase()) ? given.toUpperCase() : undefined;
  const kubeVerb = method ? undefined : given.toLowerCase();

  const info: RequestAttributes = {
    isResourceRequest: false,
    path: urlPath,
    verb: method ? method.toLowerCase() : (kubeVerb ?? ''),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };

  let parts = splitPath(urlPath);
  const prefix = parts[0];
  if (parts.length < 3 || prefix === undefined || !API_PREFIXES.has(prefix)) return info;
  info.apiPrefix = prefix;
  parts = parts.slice(1);
  if (!GROUPLESS_PREFIXES.has(prefix)) {
    // `/apis/<group>/<version>` is group discovery, not a resource (Kubernetes keeps the prefix it consumed).
    if (parts.length < 3) return info;
    info.apiGroup = parts[0] ?? '';
    parts = parts.slice(1);
  }
  info.isResourceRequest = true;
  info.apiVersion = parts[0] ?? '';
  parts = parts.slice(1);

  let verbFromPath = false;
  const first = parts[0] ?? '';
  if (SPECIAL_VERBS.has(first)) {
    // Kubernetes answers `/api/v1/watch` (nothing after the verb) with an error and this partial info.
    if (parts.length < 2) return info;
    info.verb = first;
    parts = parts.slice(1);
    verbFromPath = true;
  } else {
    info.verb = method ? (METHOD_VERBS[method] ?? '') : (kubeVerb ?? '');
  }

  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1] ?? '';
      // `/namespaces/<ns>/<resource>...`, except the namespace's own subresources `status` and `finalize`.
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] ?? '')) parts = parts.slice(2);
    }
  }

  info.resource = parts[0] ?? '';
  info.name = parts[1] ?? '';
  // `proxy` from the path takes the rest of the path as the proxied URL, not as a subresource.
  if (parts.length >= 3 && info.verb !== 'proxy') info.subresource = parts[2] ?? '';

  const listLike =
    info.name === '' && ((method !== undefined && info.verb === 'get') || kubeVerb !== undefined);
  if (listLike && !verbFromPath) applyListOptions(info, query, kubeVerb);
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}

/** GET on a collection is `list` or `watch`; `fieldSelector=metadata.name=X` names the object (requestinfo.go). */
function applyListOptions(
  info: RequestAttributes,
  query: Map<string, string[]>,
  kubeVerb: string | undefined,
): void {
  if (kubeVerb === undefined) {
    const watch = query.get('watch')?.[0];
    // Convert_Slice_string_To_bool: only absent, "0" and (any case) "false" are false; "" is true.
    info.verb = watch !== undefined && watch !== '0' && watch.toLowerCase() !== 'false' ? 'watch' : 'list';
  }
  if (info.verb !== 'list' && info.verb !== 'watch') return;
  // Any ListOptions decoding error makes Kubernetes drop the selector, so the name stays empty.
  for (const numeric of ['limit', 'timeoutSeconds']) {
    const value = query.get(numeric)?.[0];
    if (value !== undefined && !/^[+-]?\d+$/.test(value)) return;
  }
  const selector = query.get('fieldSelector')?.[0];
  if (selector === undefined) return;
  const name = exactMetadataName(selector);
  if (name !== undefined && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%')) {
    info.name = name;
  }
}

/**
 * The value a field selector requires for `metadata.name`, following k8s.io/apimachinery/pkg/fields: terms split on
 * unescaped commas and sorted; operators `!=`, `==`, `=` found left to right; values unescape `\\`, `\,`, `\=`.
 * Undefined when the selector is invalid or does not pin the name.
 */
export function exactMetadataName(selector: string): string | undefined {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  if (selector.length > 0) terms.push(selector.slice(start));
  terms.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  let found: string | undefined;
  for (const term of terms) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (!split) return undefined;
    const value = unescapeSelectorValue(split.rhs);
    if (value === undefined) return undefined;
    if (found === undefined && split.op !== '!=' && split.lhs === 'metadata.name') found = value;
  }
  return found;
}

function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeSelectorValue(value: string): string | undefined {
  let out = '';
  let escaped = false;
  for (const c of value) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') return undefined;
      out += c;
      escaped = false;
    } else if (c === '\\') escaped = true;
    else if (c === ',' || c === '=') return undefined;
    else out += c;
  }
  return escaped ? undefined : out;
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

/** Separates path and query of a path or full URL; decodes the path like Go's URL parser (invalid escapes kept). */
function splitUrl(raw: string): { urlPath: string; query: Map<string, string[]> } {
  let text = raw.trim();
  const hash = text.indexOf('#');
  if (hash >= 0) text = text.slice(0, hash);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i.exec(text);
  if (scheme) text = text.slice(scheme[0].length) || '/';
  const q = text.indexOf('?');
  const rawPath = q >= 0 ? text.slice(0, q) : text;
  const rawQuery = q >= 0 ? text.slice(q + 1) : '';
  let urlPath = percentDecode(rawPath, false) ?? rawPath;
  if (urlPath !== '' && !urlPath.startsWith('/')) urlPath = `/${urlPath}`;
  return { urlPath, query: parseQuery(rawQuery) };
}

/** Go's url.ParseQuery as `URL.Query()` uses it: pairs with `;` or bad escapes are dropped. */
function parseQuery(rawQuery: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const key = percentDecode(eq >= 0 ? pair.slice(0, eq) : pair, true);
    const value = percentDecode(eq >= 0 ? pair.slice(eq + 1) : '', true);
    if (key === undefined || value === undefined) continue;
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  return values;
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/**
 * Percent-decoding. In a query (`plus` true) `+` is a space and a bad escape is an error (undefined); in a path a bad
 * escape is kept literally, because a diagnosis tool should still show what was asked.
 */
function percentDecode(text: string, plus: boolean): string | undefined {
  if (!text.includes('%') && !(plus && text.includes('+'))) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
        continue;
      }
      if (plus) return undefined;
    }
    if (plus && c === '+') {
      bytes.push(0x20);
      continue;
    }
    const code = text.codePointAt(i) ?? 0;
    const char = String.fromCodePoint(code);
    if (char.length === 2) i++;
    bytes.push(...utf8Encoder.encode(char));
  }
  return utf8Decoder.decode(new Uint8Array(bytes));
}
