/**
 * The live cross-check: a SubjectAccessReview for the Kubernetes identity the failing principal maps to (computed
 * by the simulator from the collected evidence). Its answer is evidence, not the verdict: EKS access policies are
 * invisible to reviews and impersonation (FM §0 step 9), so "denied" here may still be allowed by a policy.
 */
import type { Snapshot } from '../../model/snapshot.js';
import { NotCollected } from '../failure.js';
import type { KubeConnection } from './connect.js';
import {
  subjectAccessReview,
  type AccessReviewRequest,
  type AccessReviewResult,
  type Call,
} from './sources.js';

export interface CrossCheckRequest {
  principalArn?: string | undefined;
  path?: string | undefined;
  verb?: string | undefined;
  namespace?: string | undefined;
  now: Date;
}

export async function crossCheck(
  conn: KubeConnection,
  call: Call,
  snapshot: Snapshot,
  request: CrossCheckRequest,
): Promise<{ data: AccessReviewResult; detail: string }> {
  if (!request.principalArn) throw new NotCollected('no failing principal');
  const { simulate } = await import('../../simulate/simulate.js');
  const sim = simulate({
    snapshot,
    principalArn: request.principalArn,
    path: request.path,
    verb: request.verb,
    namespace: request.namespace,
    now: request.now,
  });
  const identity = sim.identity;
  if (!identity || identity.renderError || identity.unknownParts.length > 0 || !identity.username) {
    throw new NotCollected('the failing identity has no Kubernetes username the evidence can tell');
  }
  const attributes = sim.request;
  const spec: AccessReviewRequest = {
    user: identity.username,
    groups: [...new Set(identity.groups)],
    ...(attributes.isResourceRequest
      ? {
          resourceAttributes: Object.fromEntries(
            Object.entries({
              verb: attributes.verb,
              group: attributes.apiGroup,
              version: attributes.apiVersion,
              resource: attributes.resource,
              subresource: attributes.subresource,
              namespace: attributes.namespace,
              name: attributes.name,
            }).filter(([key, value]) => value !== '' || key === 'group'),
          ),
        }
      : { nonResourceAttributes: { path: attributes.path, verb: attributes.verb } }),
  };
  const data = await subjectAccessReview(conn, call, spec);
  return {
    data,
    detail: `${identity.username}: Kubernetes authorization ${data.status.allowed ? 'allows' : 'does not allow'} it (access policies not included)`,
  };
}
