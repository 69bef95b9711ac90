/**
 * Facts for the error texts of aws-iam-authenticator (AUTH:pkg/token/token.go FormatError/STSError, pkg/server,
 * pkg/errutil, pkg/mapper/configmap). Every generation of the "not mapped" text is matched (FM §0.2):
 * `ARN is not mapped: <arn>` (≤ v0.4), `ARN is not mapped` (v0.5–v0.6.29), `Identity is not mapped` (v0.6.30+),
 * `identity is not mapped` (HEAD).
 */
interface Rule {
  test: RegExp;
  facts: string[];
}

/** Format errors other than expiry, size and host: the token was built wrong (FM-09). */
const MALFORMED = 'token-malformed';

const RULES: Rule[] = [
  { test: /\b(?:ARN|identity) is not mapped/i, facts: ['identity-not-mapped'] },
  { test: /ARN does not match User ID/i, facts: ['arn-does-not-match-user-id'] },
  { test: /X-Amz-Date parameter is expired/i, facts: ['token-expired'] },
  { test: /token is too large/i, facts: ['token-too-large'] },
  { test: /token is missing expected "?\\?"?k8s-aws-v1\./i, facts: ['token-missing-prefix', MALFORMED] },
  {
    test: /unexpected hostname|global endpoint unsupported|does not support hostname|could not parse region for pre-signed URL|invalid region identifier/i,
    facts: ['sts-endpoint-rejected'],
  },
  { test: /non-whitelisted query parameter/i, facts: ['token-non-whitelisted-parameter', MALFORMED] },
  {
    test: /duplicate query parameter|query parameter with multiple values/i,
    facts: ['token-duplicate-parameter', MALFORMED],
  },
  { test: /did not sign the x-k8s-aws-id header/i, facts: ['token-cluster-id-not-signed', MALFORMED] },
  { test: /invalid X-Amz-Expires parameter/i, facts: ['token-invalid-expires', MALFORMED] },
  {
    test: /unexpected scheme|unexpected path in pre-signed URL|malformed query parameter|unexpected action parameter|X-Amz-Date parameter must be present|error parsing X-Amz-Date|illegal base64 data/i,
    facts: [MALFORMED],
  },
  {
    test: /getCallerIdentity was throttled|"Code":"Throttling"|\bThrottling\b.{0,40}Rate exceeded/i,
    facts: ['sts-throttled'],
  },
  { test: /SignatureDoesNotMatch/, facts: ['sts-signature-mismatch'] },
  { test: /InvalidClientTokenId/, facts: ['sts-invalid-client-token'] },
  { test: /\bExpiredToken\b/, facts: ['sts-expired-token'] },
  { test: /Signature not yet current/i, facts: ['clock-skew'] },
  { test: /Signature expired: .{0,80} is now earlier than/i, facts: ['token-expired'] },
  {
    test: /SessionName did not contain an instance id|error rendering (?:username|group) template/i,
    facts: ['template-render-failed'],
  },
  {
    test: /must not begin with(?: with)? the following prefixes|reserved prefix/i,
    facts: ['reserved-username-prefix'],
  },
  {
    test: /error parsing the config maps|Errors parsing configmap|one of rolearn or SSO must be supplied|only one of rolearn or SSO|value for userarn must be supplied/i,
    facts: ['aws-auth-parse-error'],
  },
];

/** Facts an authenticator error string proves. */
export function authenticatorErrorFacts(reason: string): string[] {
  const out: string[] = [];
  for (const rule of RULES) if (rule.test.test(reason)) out.push(...rule.facts);
  if (/input token was not properly formatted/i.test(reason) && out.length === 0) out.push(MALFORMED);
  if (
    /sts getCallerIdentity failed/i.test(reason) &&
    !out.some((f) => f.startsWith('sts-') || f === 'clock-skew')
  ) {
    out.push('sts-error');
  }
  return [...new Set(out)];
}

/** True when the text is one of the authenticator's own error strings (so a denial can be told apart from noise). */
export function isAuthenticatorError(text: string): boolean {
  return /input token was not properly formatted|sts getCallerIdentity (?:failed|was throttled)|\b(?:ARN|identity) is not mapped|ARN does not match User ID|renderTemplates error/i.test(
    text,
  );
}
