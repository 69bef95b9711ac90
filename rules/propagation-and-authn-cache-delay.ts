import { defineRule } from '../src/engine/define-rule.js';
import { checkOf } from '../src/engine/evidence.js';
import type { TimelineEvent } from '../src/model/report.js';
import { matchKey } from '../src/simulate/context.js';
import type { Simulation } from '../src/simulate/simulate.js';
import { trailEventOf } from '../src/timeline/timeline.js';

/** Changes that grant access and take effect only after EKS propagates them (seconds) and caches expire. */
const GRANTS = new Set([
  'CreateAccessEntry',
  'UpdateAccessEntry',
  'AssociateAccessPolicy',
  'UpdateClusterConfig',
  'AwsAuthEdit',
]);
/** kube-apiserver's webhook token cache TTL (upstream default 2 min; EKS does not publish its value). */
const WINDOW_MS = 2 * 60 * 1000;

/**
 * FM-32: access entries are eventually consistent and kube-apiserver caches webhook authentication results, so
 * the first requests right after a grant can still fail although the collected state allows them.
 */
export default defineRule({
  id: 'propagation-and-authn-cache-delay',
  stage: 'mapping',
  precedence: 5,
  summary:
    'The failure came right after access was granted: EKS propagates access entries within seconds and the API server caches authentication results for about two minutes.',
  requires: ['cloudTrail', 'accessEntries', 'auditEvents'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#webhook-token-authentication',
  ],
  messages: {
    justGranted:
      'The {{status}} came {{seconds}} s after {{event}}: the grant had not propagated yet; it allows the request now',
    maybe:
      'The collected state allows the request: the {{status}} may predate a grant or be a cached failure',
  },
  check({ sim, incident, timeline, region }, report) {
    const observed = sim.input.observedStatus;
    if (sim.outcome !== 'allowed' || (observed !== 401 && observed !== 403)) return;
    const observedAt = sim.input.snapshot.incident?.observedAt ?? incident.time;
    const failedAt = observedAt ? Date.parse(observedAt) : NaN;
    const key = sim.principal?.canonicalArn ? matchKey(sim.principal.canonicalArn) : undefined;
    const logged = Number.isNaN(failedAt)
      ? undefined
      : [...timeline].reverse().find((e) => {
          const at = Date.parse(e.time);
          return (
            GRANTS.has(e.event) &&
            !e.detail.includes('(failed:') &&
            (e.event !== 'UpdateClusterConfig' || e.detail.includes('authentication mode')) &&
            at <= failedAt &&
            failedAt - at <= WINDOW_MS &&
            concernsCaller(sim, e, key)
          );
        });
    // Without CloudTrail, the access entry's own timestamps tell when it (or the policy that allows) was granted.
    const grant = logged ?? entryGrant(sim, failedAt);
    const status = `HTTP ${observed}`;
    if (grant && observedAt) {
      const seconds = Math.round((failedAt - Date.parse(grant.time)) / 1000);
      report({
        messageId: 'justGranted',
        data: { status, seconds, event: `${grant.event} at ${grant.time}` },
        explanation:
          `${grant.event}${grant.actor ? ` by ${grant.actor}` : ''} at ${grant.time} (${grant.detail}) came ${seconds} s before the failure at ${observedAt}. ` +
          'Access-entry changes are eventually consistent (EKS says seconds), and kube-apiserver caches the authenticator webhook result — failures included — ' +
          'for its cache TTL (upstream default 2 minutes). The state collected now allows the request: retry; get a fresh token if it keeps failing for more than a few minutes.',
        evidence: [
          {
            source: grant.source,
            pointer: grant.pointer ?? '/cloudTrail/data',
            note: `${grant.event} at ${grant.time}`,
          },
          { source: 'incident', pointer: '/incident/observedAt', note: `failure observed at ${observedAt}` },
        ],
        fixes: [
          {
            title: 'Retry after a minute or two',
            actions: [],
            notes:
              'Nothing to change. In Terraform, make the Kubernetes/Helm resources depend on the access-policy association and add a short wait (e.g. time_sleep) after it.',
          },
        ],
      });
      return;
    }
    report({
      messageId: 'maybe',
      data: { status },
      severity: 'info',
      explanation:
        `The user saw ${status}, but the state collected now lets the request through. If access was granted shortly before the failure, the grant had not propagated ` +
        'or the API server still served a cached authentication failure (about 2 minutes). Otherwise the failure came from another identity, cluster or request than the one given.',
      evidence: [],
      checks: [
        checkOf('Find recent grants for this cluster', [
          'aws',
          'cloudtrail',
          'lookup-events',
          ...(region ? ['--region', region] : []),
          '--lookup-attributes',
          'AttributeKey=EventName,AttributeValue=CreateAccessEntry',
          '--max-results',
          '50',
        ]),
      ],
    });
  },
});

/**
 * The grant the collected access entry itself dates: its creation, a later update (modifiedAt), or the association
 * of the policy that allows the request, when one came shortly before the failure.
 */
function entryGrant(sim: Simulation, failedAt: number): TimelineEvent | undefined {
  const item = sim.mapping?.source === 'access-entry' ? sim.mapping.accessEntry : undefined;
  if (!item || Number.isNaN(failedAt)) return undefined;
  const { entry, pointer } = item;
  const candidates: TimelineEvent[] = [];
  const add = (event: string, time: string | undefined, at: string, detail: string): void => {
    if (time) candidates.push({ time, event, detail, source: 'accessEntries', pointer: at });
  };
  add(
    'CreateAccessEntry',
    entry.createdAt,
    `${pointer}/createdAt`,
    `access entry ${entry.principalArn} created`,
  );
  if (entry.modifiedAt && entry.modifiedAt !== entry.createdAt) {
    add(
      'UpdateAccessEntry',
      entry.modifiedAt,
      `${pointer}/modifiedAt`,
      `access entry ${entry.principalArn} modified`,
    );
  }
  const allowedBy = sim.authorization?.policies?.allowedBy;
  const association = allowedBy ? entry.associatedPolicies?.[allowedBy.index] : undefined;
  if (allowedBy && association) {
    add(
      'AssociateAccessPolicy',
      association.associatedAt,
      `${pointer}/associatedPolicies/${allowedBy.index}/associatedAt`,
      `${allowedBy.policyArn.split('/').pop() ?? allowedBy.policyArn} associated`,
    );
  }
  let best: TimelineEvent | undefined;
  for (const c of candidates) {
    const at = Date.parse(c.time);
    if (Number.isNaN(at) || at > failedAt || failedAt - at > WINDOW_MS) continue;
    if (!best || at > Date.parse(best.time)) best = c;
  }
  return best;
}

/**
 * A grant for the caller, or for nobody in particular: a mode change; an aws-auth edit, but only while aws-auth is
 * what maps the caller (or its mapping is unknown), since an edit cannot change a mapping an access entry makes.
 */
function concernsCaller(sim: Simulation, e: TimelineEvent, key: string | undefined): boolean {
  if (e.event === 'AwsAuthEdit') {
    const source = sim.mapping?.source;
    return (
      source === undefined ||
      source === 'aws-auth' ||
      source === 'map-accounts' ||
      source === 'authenticator-log'
    );
  }
  if (e.source !== 'cloudTrail' || !key) return true;
  const principal = trailEventOf(sim.input.snapshot, e)?.principalArn;
  return !principal || matchKey(principal) === key;
}
