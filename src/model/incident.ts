/**
 * What eksdoctor reads from pasted text (DESIGN §2, `parse -o json`). Every field is optional: unknown text yields
 * an empty incident. `facts` are stable kebab-case observations (see FACTS) that rules cite.
 */
export type IncidentSource =
  | 'kubectl'
  | 'helm'
  | 'terraform'
  | 'lens'
  | 'argocd'
  | 'console'
  | 'authenticator'
  | 'audit'
  | 'aws-cli'
  | 'exec-plugin'
  | 'kube-apiserver'
  | 'token'
  | 'kubeconfig'
  | 'unknown';

export interface Incident {
  source?: IncidentSource;
  status?: number;
  principalArn?: string;
  username?: string;
  groups?: string[];
  uid?: string;
  clusterName?: string;
  region?: string;
  endpoint?: string;
  path?: string;
  verb?: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  awsAction?: string;
  /** Stable kebab-case facts the text proves, e.g. `identity-not-mapped`, `empty-username`, `token-expired`. */
  facts?: string[];
  /** The authenticator's or API server's error text, verbatim, when the line carries one. */
  reason?: string;
  /** When the line carries a timestamp (ISO 8601). */
  time?: string;
  /** AWS access key id the text names (authenticator `accesskeyid=`, audit `extra.accessKeyId`, a decoded token). */
  accessKeyId?: string;
  /** STS `UserId` / IAM unique id the text names (`AIDA…`, `AROA…`), without the session part. */
  awsUserId?: string;
  /** A `k8s-aws-v1.` token found in the text, decoded (signature and session token removed). */
  token?: { url: string; length: number };
  /** A hint for the user when nothing could be read. */
  hint?: string;
}

/**
 * Facts the parsers may emit. Rules match on these ids, so they are part of the public surface: add, never rename.
 */
export const FACTS = [
  'unauthorized', // 401 seen
  'forbidden', // 403 seen
  'identity-not-mapped', // authenticator: ARN/identity is not mapped
  'access-granted', // authenticator: access granted
  'empty-username', // authenticator or audit: username is empty
  'token-expired', // X-Amz-Date expired (15 minute expiration)
  'token-malformed', // input token was not properly formatted
  'token-too-large',
  'token-missing-prefix',
  'token-cluster-id-not-signed',
  'token-non-whitelisted-parameter',
  'token-duplicate-parameter',
  'token-invalid-expires',
  'sts-endpoint-rejected', // unexpected hostname / partition
  'sts-signature-mismatch', // SignatureDoesNotMatch from STS
  'sts-invalid-client-token', // InvalidClientTokenId
  'sts-expired-token', // ExpiredToken
  'sts-throttled',
  'sts-error', // other STS non-200
  'arn-does-not-match-user-id',
  'template-render-failed', // e.g. SessionName did not contain an instance id
  'reserved-username-prefix',
  'anonymous', // system:anonymous
  'exec-plugin-failed', // executable ... failed with exit code
  'exec-plugin-not-found', // executable aws not found
  'exec-api-version-v1alpha1',
  'sso-token-expired',
  'no-credentials', // Unable to locate credentials
  'assume-role-denied',
  'aggregated-api-discovery-failed', // couldn't get resource list for <group>/<version>
  'aws-access-denied', // AWS API AccessDenied(Exception)
  'aws-resource-not-found',
  'aws-invalid-principal', // InvalidParameterException ... invalid principal
  'auth-mode-config-map-only', // The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP]
  'system-group-rejected', // group name system:... is invalid
  'auth-mode-transition-rejected', // Unsupported authentication mode update
  'cluster-unreachable',
  'service-unavailable', // 503 the server is currently unable to handle the request
  'console-no-access',
  'aws-auth-parse-error', // authenticator: error parsing the config maps
  'impersonation', // request used --as / Impersonate-*
  'serviceaccount-user', // username system:serviceaccount:...
  'node-user', // username system:node:...
  'exec-api-version-unsupported', // exec plugin: invalid apiVersion other than v1alpha1
  'aws-invalid-credentials', // UnrecognizedClientException / SignatureDoesNotMatch from an AWS API call
  'clock-skew', // Signature not yet current / X-Amz-Date in the future
  'invalid-bearer-token', // kube-apiserver: "Unable to authenticate the request" ... invalid bearer token
  'x509-unknown-authority', // extension API server refused the aggregator's front-proxy certificate (FM-45 backend)
  'kubeconfig-static-token', // kubeconfig user carries a static token (expires 15 minutes after it was made)
  'kubeconfig-no-credentials', // kubeconfig user has no exec, token, certificate or auth provider (anonymous)
  'kubeconfig-cluster-name-mismatch', // exec --cluster-name differs from the cluster named by the context ARN
  'kubeconfig-region-mismatch', // context/cluster ARN region differs from the server endpoint's region
  'kubelet-client', // the failing client is a kubelet (node identity)
  'serviceaccount-token-stale', // audit stale-token annotation past EKS's 90-day limit (FM-55)
  'kubeconfig-endpoint-mismatch', // the kubeconfig server is not the cluster's endpoint (FM-08)
] as const;
export type Fact = (typeof FACTS)[number];
