/**
 * Facts the collected evidence proves beyond what was pasted: the principal's authenticator log lines near the
 * incident (logs.ts) and the kubeconfig/token/cluster comparisons (client.ts). The simulator adds them to the
 * incident's facts, so a line in the snapshot's authenticator log counts like the same line pasted.
 */
import type { SimulationInput } from '../simulate/simulate.js';
import { clientEvidence } from './client.js';
import { logEvidenceFor, type LogSubject } from './logs.js';

/**
 * `weakLogMatches`: also the facts of a nameless token or STS denial tied to the incident only by time (another
 * client's line, possibly); the simulator asks for them only when the replay without them explains no 401.
 */
export function evidenceFacts(input: SimulationInput, weakLogMatches = true): string[] {
  const logs = logEvidenceFor(input.snapshot, logSubjectOf(input));
  const facts = [
    ...(logs.weak && !weakLogMatches ? [] : logs.facts),
    ...clientEvidence(input.snapshot).facts,
  ];
  // An STS error answering AssumeRole comes from the exec plugin (`--role-arn`) before any request is sent (FM-04).
  const incident = input.incident;
  if (
    incident?.awsAction?.startsWith('sts:AssumeRole') &&
    incident.facts?.some((f) => f === 'aws-access-denied' || f.startsWith('sts-'))
  ) {
    facts.push('assume-role-denied');
  }
  return facts;
}

/** Whether the log evidence of this replay rests on a nameless denial matched by time only. */
export function hasWeakLogMatch(input: SimulationInput): boolean {
  return logEvidenceFor(input.snapshot, logSubjectOf(input)).weak === true;
}

function logSubjectOf(input: SimulationInput): LogSubject {
  return {
    principalArn: input.principalArn ?? input.incident?.principalArn,
    observedAt: input.snapshot.incident?.observedAt ?? input.incident?.time,
    observedStatus: input.observedStatus,
  };
}

export { clientEvidence, type ClientEvidence, type KubeconfigView } from './client.js';
export { citeFact, logCitation, logEvidenceFor, type LogCitation, type LogEvidence } from './logs.js';
