import type { Draft } from '../draft.js';
import { clip, principalAfter } from '../text.js';

/**
 * AWS API errors as the AWS CLI (`An error occurred (<Code>) when calling the <Op> operation: <msg>`), the Go SDK
 * v2 (`operation error EKS: DescribeCluster, https response error StatusCode: 403, ... api error <Code>: <msg>`)
 * and the Go SDK v1 (`<Code>: <msg>\n\tstatus code: 403`) print them. Status codes are the ones the service
 * models declare (botocore eks/sts `error.httpStatusCode`).
 */
const CODE_STATUS: Record<string, number> = {
  AccessDenied: 403,
  AccessDeniedException: 403,
  UnauthorizedOperation: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  UnrecognizedClientException: 403,
  ExpiredToken: 403,
  ExpiredTokenException: 400,
  RegionDisabledException: 403,
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  BadRequestException: 400,
  ClientException: 400,
  ResourceNotFoundException: 404,
  NotFoundException: 404,
  NoSuchEntity: 404,
  ResourceInUseException: 409,
  ResourceLimitExceededException: 400,
  ServiceUnavailableException: 503,
  ServerException: 500,
  ThrottlingException: 429,
};

/** Cheap gate before looking for a Go SDK error code: every code in CODE_STATUS contains one of these. */
const MAY_HAVE_CODE = /denied|exception|token|signature|nosuchentity|unauthorizedoperation|throttl/;

// EKS and STS operation names (botocore eks 2017-11-01, sts 2011-06-15): the CLI prints only the operation.
const EKS_OPERATIONS = new Set(
  (
    'AssociateAccessPolicy AssociateEncryptionConfig AssociateIdentityProviderConfig CreateAccessEntry CreateAddon ' +
    'CreateCapability CreateCluster CreateEksAnywhereSubscription CreateFargateProfile CreateNodegroup ' +
    'CreatePodIdentityAssociation DeleteAccessEntry DeleteAddon DeleteCapability DeleteCluster ' +
    'DeleteEksAnywhereSubscription DeleteFargateProfile DeleteNodegroup DeletePodIdentityAssociation DeregisterCluster ' +
    'DescribeAccessEntry DescribeAddon DescribeAddonConfiguration DescribeAddonVersions DescribeCapability ' +
    'DescribeCluster DescribeClusterVersions DescribeEksAnywhereSubscription DescribeFargateProfile ' +
    'DescribeIdentityProviderConfig DescribeInsight DescribeInsightsRefresh DescribeNodegroup ' +
    'DescribePodIdentityAssociation DescribeUpdate DisassociateAccessPolicy DisassociateIdentityProviderConfig ' +
    'ListAccessEntries ListAccessPolicies ListAddons ListAssociatedAccessPolicies ListCapabilities ListClusters ' +
    'ListEksAnywhereSubscriptions ListFargateProfiles ListIdentityProviderConfigs ListInsights ListNodegroups ' +
    'ListPodIdentityAssociations ListUpdates RegisterCluster StartInsightsRefresh UpdateAccessEntry UpdateAddon ' +
    'UpdateCapability UpdateClusterConfig UpdateClusterVersion UpdateEksAnywhereSubscription UpdateNodegroupConfig ' +
    'UpdateNodegroupVersion UpdatePodIdentityAssociation'
  ).split(' '),
);
const STS_OPERATIONS = new Set(
  (
    'AssumeRole AssumeRoleWithSAML AssumeRoleWithWebIdentity AssumeRoot DecodeAuthorizationMessage GetAccessKeyInfo ' +
    'GetCallerIdentity GetDelegatedAccessToken GetFederationToken GetSessionToken GetWebIdentityToken'
  ).split(' '),
);

export function parseAwsLine(line: string, lower: string, draft: Draft): void {
  const cli =
    /An error occurred \(([A-Za-z]{1,80})\) when calling the ([A-Za-z]{1,80}) operation(?: \([^)]{0,80}\))?: ?([^\n]{0,2000})/.exec(
      line,
    );
  if (cli?.[1] && cli[2]) {
    draft.source('aws-cli');
    recordError(cli[1], cli[3] ?? '', draft, { operation: cli[2] });
  }
  const sdk2 =
    /operation error ([A-Za-z0-9 ]{1,40}): ([A-Za-z]{1,80}), https response error StatusCode: (\d{3}), RequestID: [^,\n]{0,100}, (?:api error )?([A-Za-z]{1,80}): ([^\n]{0,2000})/.exec(
      line,
    );
  if (sdk2?.[1] && sdk2[2]) {
    draft.set('status', Number(sdk2[3]));
    recordError(sdk2[4] ?? '', sdk2[5] ?? '', draft, { operation: sdk2[2], service: iamPrefix(sdk2[1]) });
  }
  if (lower.includes('operation error ')) parseSdk2ClientSide(line, lower, draft);
  // Go SDK v1, e.g. aws-iam-authenticator's `could not get token: AccessDenied: Access denied` + `status code: 403`;
  // wrapped by callers after `: ` or a plain word (Karpenter: `creating fleet UnauthorizedOperation: …`).
  if (!cli && !sdk2 && MAY_HAVE_CODE.test(lower)) {
    let seen = 0;
    for (const m of line.matchAll(/\b([A-Z][A-Za-z]{2,80}): (?=([^\n]{0,1000}))/g)) {
      if (++seen > 40) break;
      if (m[1] && CODE_STATUS[m[1]] !== undefined) {
        recordError(m[1], m[2] ?? '', draft, {});
        break;
      }
    }
  }
  const goStatus = /\bstatus code: (\d{3}), request id/.exec(line);
  if (goStatus) draft.set('status', Number(goStatus[1]));

  if (lower.includes('unable to locate credentials')) {
    draft.source('aws-cli');
    draft.fact('no-credentials');
  }
  // Go SDK v1's empty credential chain: aws-iam-authenticator and Go tools print it, never the AWS CLI.
  if (lower.includes('nocredentialproviders')) draft.fact('no-credentials');
  if (lower.includes('<code>') || lower.includes('"code"')) parseErrorBody(line, draft);
  if (
    lower.includes('error loading sso token') ||
    lower.includes('the sso session associated with this profile has expired') ||
    lower.includes('token has expired and refresh failed')
  ) {
    draft.source('aws-cli');
    draft.fact('sso-token-expired');
  }
  messageFacts(line, draft);
}

function recordError(
  code: string,
  message: string,
  draft: Draft,
  where: { operation?: string; service?: string },
): void {
  const status = code ? CODE_STATUS[code] : undefined;
  if (status) draft.set('status', status);
  const service = where.service ?? serviceFor(where.operation, message);
  if (service && where.operation) draft.set('awsAction', `${service}:${where.operation}`);
  // No operation named (Go SDK v1 text): the IAM message names the denied action outright.
  draft.set('awsAction', deniedAction(message));
  if (message || code) draft.set('reason', clip(code ? `${code}: ${message}` : message));
  draft.set('principalArn', principalAfter(message, /\bUser: /));

  if (/^AccessDenied|^UnauthorizedOperation$/.test(code)) {
    draft.fact('aws-access-denied');
    if (where.operation?.startsWith('AssumeRole')) draft.fact('assume-role-denied');
  }
  if (/^(?:ResourceNotFoundException|NotFoundException|NoSuchEntity)$/.test(code)) {
    draft.fact('aws-resource-not-found');
  }
  if (code === 'ExpiredToken' || code === 'ExpiredTokenException') draft.fact('sts-expired-token');
  if (code === 'InvalidClientTokenId') draft.fact('sts-invalid-client-token');
  if (code === 'UnrecognizedClientException' || code === 'SignatureDoesNotMatch') {
    draft.fact('aws-invalid-credentials');
  }
  if (code === 'Throttling' || code === 'ThrottlingException') {
    if (service === 'sts') draft.fact('sts-throttled');
  }
  const cluster = /No cluster found for name: ([^\s.]{1,100})/.exec(message);
  if (cluster) draft.set('clusterName', cluster[1]);
}

/** `is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers` → that action. */
function deniedAction(message: string): string | undefined {
  return /is not authorized to perform: ([a-z0-9-]{1,40}:[A-Za-z0-9*]{1,128})/.exec(message)?.[1];
}

/** The IAM action prefix of a Go SDK v2 service id (`STS`, `EKS`, `Elastic Load Balancing v2`). */
function iamPrefix(serviceId: string): string | undefined {
  const id = serviceId.trim().toLowerCase().replace(/\s+/g, '');
  if (id === 'elasticloadbalancingv2') return 'elasticloadbalancing';
  // The SDK's own IMDS client is not an AWS API and has no IAM action.
  if (id === 'ec2imds' || id === '') return undefined;
  return id;
}

/**
 * Go SDK v2 failures before any response: `operation error STS: GetCallerIdentity, failed to sign request: failed
 * to retrieve credentials: … no EC2 IMDS role found …` (eksctl, Terraform). The call names the action; an empty
 * credential chain is FM-01's "no credentials" (a chain that failed on an HTTP error is read by the sdk2 pattern).
 */
function parseSdk2ClientSide(line: string, lower: string, draft: Draft): void {
  const m = /operation error ([A-Za-z0-9 ]{1,40}): ([A-Za-z]{1,80}),/.exec(line);
  const service = m?.[1] ? iamPrefix(m[1]) : undefined;
  if (service && m?.[2]) draft.set('awsAction', `${service}:${m[2]}`);
  if (
    lower.includes('no ec2 imds role found') ||
    (lower.includes('failed to retrieve credentials') &&
      !lower.includes('https response error') &&
      !lower.includes('sso'))
  ) {
    draft.fact('no-credentials');
  }
}

/**
 * A query-protocol error body as STS returns it: XML `<Error><Type>Sender</Type><Code>…</Code>…` or JSON
 * `"Code": "…"` (one line of a pretty-printed `{"Error": {…}}`). In an EKS paste this is STS's answer to a token's
 * presigned GetCallerIdentity (the authenticator logs it; users curl the token URL), so the STS facts apply.
 */
function parseErrorBody(line: string, draft: Draft): void {
  const code =
    /<Code>([A-Za-z]{2,80})<\/Code>/.exec(line)?.[1] ??
    /"Code"\s{0,20}:\s{0,20}"([A-Za-z]{2,80})"/.exec(line)?.[1];
  if (code) recordStsErrorCode(code, draft);
}

/** STS error codes a token's GetCallerIdentity can answer with (the authenticator relays them, FM §0.2). */
const STS_CODE_FACTS: Record<string, string> = {
  SignatureDoesNotMatch: 'sts-signature-mismatch',
  InvalidClientTokenId: 'sts-invalid-client-token',
  ExpiredToken: 'sts-expired-token',
  Throttling: 'sts-throttled',
};

/**
 * The fact of one STS error body's code. Facts only: the body's 403 is STS's answer to the authenticator, not what
 * the Kubernetes client saw (401), and the authenticator's own text, when pasted with it, is the better reason.
 */
export function recordStsErrorCode(code: string, draft: Draft): boolean {
  const fact = STS_CODE_FACTS[code];
  if (fact) draft.fact(fact);
  return fact !== undefined;
}

function serviceFor(operation: string | undefined, message: string): string | undefined {
  if (!operation) return undefined;
  if (EKS_OPERATIONS.has(operation)) return 'eks';
  if (STS_OPERATIONS.has(operation)) return 'sts';
  // `is not authorized to perform: iam:GetRole` names the action outright.
  const action = new RegExp(`perform: ([a-z0-9-]{1,40}):${operation}\\b`).exec(message);
  if (action?.[1]) return action[1];
  return undefined;
}

/** EKS API messages recognisable whatever tool printed them (FM-17, FM-20, FM-36, FM-49). */
function messageFacts(line: string, draft: Draft): void {
  if (/specified principalArn is invalid|\binvalid principal\b/i.test(line)) {
    draft.fact('aws-invalid-principal');
    // Terraform names the cluster in the resource id: `creating EKS Access Entry (<cluster>:<principal arn>)`.
    const te = /EKS Access Entry \(?([A-Za-z0-9][A-Za-z0-9_-]{0,99}):arn:/.exec(line);
    if (te) draft.set('clusterName', te[1]);
    const arn =
      /EKS Access Entry \(?[A-Za-z0-9_-]{1,100}:(arn:aws[a-z-]{0,12}:(?:iam|sts)::[^\s)"',]{1,300})/.exec(
        line,
      );
    if (arn) draft.set('principalArn', arn[1]);
  }
  if (/authentication mode must be set to one of \[API, API_AND_CONFIG_MAP\]/i.test(line)) {
    draft.fact('auth-mode-config-map-only');
    draft.set('status', 400);
  }
  if (/Unsupported authentication mode update/i.test(line)) draft.fact('auth-mode-transition-rejected');
  if (/kubernetes group name \S{1,200} is invalid, it cannot start with system:/i.test(line)) {
    draft.fact('system-group-rejected');
  }
  if (line.includes('is not authorized to perform: ')) {
    // IAM's denial text, whatever wrapped it (a console banner, a controller's event).
    const action = deniedAction(line);
    if (action) {
      draft.set('awsAction', action);
      draft.fact('aws-access-denied');
      draft.set('principalArn', principalAfter(line, /\bUser: /));
    }
  }
  if (/could not get token: AccessDenied/.test(line)) {
    // aws-iam-authenticator only calls STS while generating a token when it assumes `-r <role>` (FM-04).
    draft.fact('assume-role-denied');
  }
}
