/**
 * `collect --script`: a read-only bash script of `aws` and `kubectl` commands for engineers who cannot run
 * eksdoctor where the credentials are. It writes each command's JSON output into a folder (its error output beside
 * it as NAME.err), and `explain --evidence-dir DIR` rebuilds the snapshot from that folder (evidence-dir.ts).
 * Every command only reads: describe, list, get, lookup, filter, whoami, config view (secrets redacted by kubectl).
 */
import { shellQuote } from '../fix/quote.js';
import { EKS_AUTH_EVENTS, IAM_EVENTS_REGION, IAM_LIFECYCLE } from './aws/cloudtrail.js';
import { parseDuration } from './duration.js';
import { ALWAYS_KEPT } from './log-sources.js';

/** The files of an evidence folder. `.err` beside a file holds the command's error output when it failed. */
export const EVIDENCE_FILES = {
  meta: 'meta.json',
  cluster: 'cluster.json',
  callerIdentity: 'caller-identity.json',
  iamPrincipal: 'iam-principal.json',
  accessEntry: 'access-entry.json',
  accessPolicies: 'access-policies.json',
  accessEntries: 'access-entries.json',
  /** near-miss-N.json and near-miss-N-policies.json */
  nearMissPrefix: 'near-miss-',
  /** cloudtrail-<EventName>.json: EKS events in the cluster's Region, IAM lifecycle events in us-east-1 */
  cloudTrailPrefix: 'cloudtrail-',
  authenticatorLogs: 'logs-authenticator.json',
  auditLogs: 'logs-audit.json',
  awsAuth: 'aws-auth.json',
  clusterRoles: 'clusterroles.json',
  clusterRoleBindings: 'clusterrolebindings.json',
  roles: 'roles.json',
  roleBindings: 'rolebindings.json',
  apiServices: 'apiservices.json',
  whoami: 'whoami.json',
  kubeconfig: 'kubeconfig.json',
} as const;

export interface ScriptOptions {
  cluster?: string | undefined;
  region?: string | undefined;
  principalArn?: string | undefined;
  since?: string | undefined;
  context?: string | undefined;
}

export function collectScript(options: ScriptOptions): string {
  const sinceSeconds = Math.round(parseDuration(options.since ?? '24h') / 1000);
  const q = (value: string | undefined) => (value ? shellQuote(value) : "''");
  const events = EKS_AUTH_EVENTS.join(' ');
  return `#!/usr/bin/env bash
# eksdoctor evidence kit: read-only aws and kubectl commands whose JSON output eksdoctor reads back with
#   eksdoctor explain --evidence-dir DIR [--principal ARN] [--path PATH]
# Run it where the AWS credentials and the kubeconfig are:  bash THIS_SCRIPT [DIR]   (default DIR: eksdoctor-evidence)
# Nothing here changes anything: only describe, list, get, lookup-events, filter-log-events, auth whoami and
# config view (which redacts secrets). The folder holds no tokens or keys; review it before sharing, or run
#   eksdoctor redact on the snapshot eksdoctor builds from it.
#
# Files written to DIR (a failed command leaves NAME.err with its error message instead of NAME.json):
#   ${EVIDENCE_FILES.meta.padEnd(30)} cluster, region, principal and time of collection
#   ${EVIDENCE_FILES.cluster.padEnd(30)} aws eks describe-cluster
#   ${EVIDENCE_FILES.callerIdentity.padEnd(30)} aws sts get-caller-identity
#   ${EVIDENCE_FILES.iamPrincipal.padEnd(30)} aws iam get-role / get-user for the principal
#   ${EVIDENCE_FILES.accessEntry.padEnd(30)} aws eks describe-access-entry for the principal
#   ${EVIDENCE_FILES.accessPolicies.padEnd(30)} aws eks list-associated-access-policies for the principal
#   ${EVIDENCE_FILES.accessEntries.padEnd(30)} aws eks list-access-entries (only when the principal has no entry)
#   ${(EVIDENCE_FILES.nearMissPrefix + 'N[-policies].json').padEnd(30)} entries with the principal's name (near misses)
#   ${(EVIDENCE_FILES.cloudTrailPrefix + '<EventName>.json').padEnd(30)} aws cloudtrail lookup-events per access-management event
#   ${'cloudtrail-CreateRole.json, ...'.padEnd(30)} the same for the principal's IAM lifecycle events (${IAM_EVENTS_REGION})
#   ${EVIDENCE_FILES.authenticatorLogs.padEnd(30)} aws logs filter-log-events, authenticator streams
#   ${EVIDENCE_FILES.auditLogs.padEnd(30)} aws logs filter-log-events, kube-apiserver-audit streams
#   ${EVIDENCE_FILES.awsAuth.padEnd(30)} kubectl get configmap aws-auth -n kube-system
#   ${'clusterroles.json, roles.json'.padEnd(30)} kubectl get clusterroles / roles --all-namespaces
#   ${'(cluster)rolebindings.json'.padEnd(30)} kubectl get clusterrolebindings / rolebindings --all-namespaces
#   ${EVIDENCE_FILES.apiServices.padEnd(30)} kubectl get apiservices
#   ${EVIDENCE_FILES.whoami.padEnd(30)} kubectl auth whoami
#   ${EVIDENCE_FILES.kubeconfig.padEnd(30)} kubectl config view --minify (credentials redacted by kubectl)
set -u

CLUSTER=\${EKSDOCTOR_CLUSTER:-${q(options.cluster)}}
REGION=\${EKSDOCTOR_REGION:-${q(options.region)}}
PRINCIPAL=\${EKSDOCTOR_PRINCIPAL:-${q(options.principalArn)}}
KUBE_CONTEXT=\${EKSDOCTOR_CONTEXT:-${q(options.context)}}
SINCE_SECONDS=${sinceSeconds}
OUT=\${1:-eksdoctor-evidence}

if [ -z "$CLUSTER" ]; then echo "set EKSDOCTOR_CLUSTER to the cluster name (or edit CLUSTER above)" >&2; exit 2; fi
[ -n "$REGION" ] || REGION=\${AWS_REGION:-\${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null || true)}}
if [ -z "$REGION" ]; then echo "set EKSDOCTOR_REGION or AWS_REGION to the cluster's Region" >&2; exit 2; fi
mkdir -p "$OUT" || exit 2

# run NAME COMMAND...: COMMAND's output goes to NAME.json, its errors to NAME.err (kept only when it failed).
run() {
  local name=$1
  shift
  if "$@" >"$OUT/$name.json" 2>"$OUT/$name.err"; then
    rm -f "$OUT/$name.err"
    echo "ok      $name" >&2
  else
    rm -f "$OUT/$name.json"
    echo "failed  $name ($(head -c 160 "$OUT/$name.err" | tr '\\n' ' '))" >&2
  fi
}

AWS=(aws --region "$REGION" --output json)
KUBECTL=(kubectl)
[ -n "$KUBE_CONTEXT" ] && KUBECTL+=(--context "$KUBE_CONTEXT")
NOW_EPOCH=$(date +%s)
START_EPOCH=$((NOW_EPOCH - SINCE_SECONDS))

run caller-identity "\${AWS[@]}" sts get-caller-identity
[ -n "$PRINCIPAL" ] || PRINCIPAL=$(aws sts get-caller-identity --query Arn --output text 2>/dev/null || true)
printf '{"cluster":"%s","region":"%s","principalArn":"%s","sinceSeconds":%s,"collectedAt":"%s"}\\n' \\
  "$CLUSTER" "$REGION" "$PRINCIPAL" "$SINCE_SECONDS" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$OUT/${EVIDENCE_FILES.meta}"

run cluster "\${AWS[@]}" eks describe-cluster --name "$CLUSTER"

NAME=
KIND=
ENTRY_ARN=$PRINCIPAL
case "$PRINCIPAL" in
  arn:*:sts::*:assumed-role/*) KIND=role; NAME=\${PRINCIPAL#*:assumed-role/}; NAME=\${NAME%%/*} ;;
  arn:*:iam::*:role/*) KIND=role; NAME=\${PRINCIPAL##*/} ;;
  arn:*:iam::*:user/*) KIND=user; NAME=\${PRINCIPAL##*/} ;;
esac
if [ "$KIND" = role ]; then
  run iam-principal "\${AWS[@]}" iam get-role --role-name "$NAME"
  case "$PRINCIPAL" in
    *:assumed-role/*)
      # STS ARNs carry no IAM path; the access entry is stored under the role's full ARN.
      ENTRY_ARN=$(aws iam get-role --role-name "$NAME" --query Role.Arn --output text 2>/dev/null) ||
        ENTRY_ARN=$(printf '%s' "$PRINCIPAL" | sed -E 's#^arn:([^:]+):sts::([0-9]+):assumed-role/([^/]+)/.*#arn:\\1:iam::\\2:role/\\3#')
      ;;
  esac
elif [ "$KIND" = user ]; then
  run iam-principal "\${AWS[@]}" iam get-user --user-name "$NAME"
fi

if [ -n "$ENTRY_ARN" ]; then
  run access-entry "\${AWS[@]}" eks describe-access-entry --cluster-name "$CLUSTER" --principal-arn "$ENTRY_ARN"
  run access-policies "\${AWS[@]}" eks list-associated-access-policies --cluster-name "$CLUSTER" --principal-arn "$ENTRY_ARN"
  if [ ! -e "$OUT/access-entry.json" ] && grep -q ResourceNotFound "$OUT/access-entry.err" 2>/dev/null; then
    run access-entries "\${AWS[@]}" eks list-access-entries --cluster-name "$CLUSTER"
    i=0
    for arn in $(grep -o '"arn:[^"]*"' "$OUT/access-entries.json" 2>/dev/null | tr -d '"' |
      awk -F/ -v n="$NAME" 'n != "" && tolower($NF) == tolower(n)' | head -n 20); do
      i=$((i + 1))
      run "near-miss-$i" "\${AWS[@]}" eks describe-access-entry --cluster-name "$CLUSTER" --principal-arn "$arn"
      run "near-miss-$i-policies" "\${AWS[@]}" eks list-associated-access-policies --cluster-name "$CLUSTER" --principal-arn "$arn"
    done
  fi
fi

# CloudTrail allows 2 LookupEvents requests per second per Region: one page each, a pause after every second.
n=0
for event in ${events}; do
  run "cloudtrail-$event" "\${AWS[@]}" cloudtrail lookup-events --lookup-attributes "AttributeKey=EventName,AttributeValue=$event" \\
    --start-time "$START_EPOCH" --max-items 50 --page-size 50
  n=$((n + 1))
  [ $((n % 2)) -eq 0 ] && sleep 1
done
# IAM is global: its events are recorded in ${IAM_EVENTS_REGION}.
IAM_EVENTS=
[ "$KIND" = role ] && IAM_EVENTS="${IAM_LIFECYCLE.role.join(' ')}"
[ "$KIND" = user ] && IAM_EVENTS="${IAM_LIFECYCLE.user.join(' ')}"
for event in $IAM_EVENTS; do
  run "cloudtrail-$event" aws --region ${IAM_EVENTS_REGION} --output json cloudtrail lookup-events \\
    --lookup-attributes "AttributeKey=EventName,AttributeValue=$event" --start-time "$START_EPOCH" --max-items 50 --page-size 50
  n=$((n + 1))
  [ $((n % 2)) -eq 0 ] && sleep 1
done

# Lines naming the principal, plus lines kept whoever they name: authenticator denials (often no ARN in them),
# and in the audit log aws-auth edits, stale service-account tokens and denials.
NAMES=
if [ -n "$NAME" ]; then
  LOWER=$(printf '%s' "$NAME" | tr '[:upper:]' '[:lower:]')
  NAMES="?\\"$NAME\\" ?\\"$LOWER\\" "
fi
AUTH_FILTER=(--filter-pattern "$NAMES${ALWAYS_KEPT.authenticator.map((t) => `?\\"${t}\\"`).join(' ')}")
FILTER=(--filter-pattern "$NAMES${ALWAYS_KEPT.audit.map((t) => `?\\"${t}\\"`).join(' ')}")
run logs-authenticator "\${AWS[@]}" logs filter-log-events --log-group-name "/aws/eks/$CLUSTER/cluster" \\
  --log-stream-name-prefix authenticator --start-time "$((START_EPOCH * 1000))" --max-items 2000 "\${AUTH_FILTER[@]}"
run logs-audit "\${AWS[@]}" logs filter-log-events --log-group-name "/aws/eks/$CLUSTER/cluster" \\
  --log-stream-name-prefix kube-apiserver-audit --start-time "$((START_EPOCH * 1000))" --max-items 2000 "\${FILTER[@]}"

run aws-auth "\${KUBECTL[@]}" get configmap aws-auth -n kube-system -o json
run clusterroles "\${KUBECTL[@]}" get clusterroles -o json
run clusterrolebindings "\${KUBECTL[@]}" get clusterrolebindings -o json
run roles "\${KUBECTL[@]}" get roles --all-namespaces -o json
run rolebindings "\${KUBECTL[@]}" get rolebindings --all-namespaces -o json
run apiservices "\${KUBECTL[@]}" get apiservices -o json
run whoami "\${KUBECTL[@]}" auth whoami -o json
run kubeconfig "\${KUBECTL[@]}" config view --minify -o json

echo "evidence written to $OUT; diagnose it with: eksdoctor explain --evidence-dir $OUT" >&2
`;
}
