/**
 * Values inside EKS API 400 messages that a fix needs (FM-36, FM-49): which group was rejected, which mode change.
 * The parser records the fact and the message (`Incident.reason`); this reads the message's values.
 */
import type { Incident } from '../model/incident.js';
import type { AuthenticationMode } from '../model/snapshot.js';
import { describePrincipal, type Simulation } from '../simulate/simulate.js';
import { matchKey } from '../simulate/context.js';

const MODES: readonly AuthenticationMode[] = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'];

/** The pasted texts that may carry the message: the parsed reason first, then every pasted line. */
export function pastedTexts(incident: Incident, logLines: readonly string[] | undefined): string[] {
  return [incident.reason ?? '', ...(logLines ?? [])].filter(Boolean);
}

/** `The kubernetes group name system:masters is invalid, it cannot start with system:` → `system:masters`. */
export function rejectedSystemGroup(texts: readonly string[]): string | undefined {
  for (const text of texts) {
    const m = /kubernetes group name (\S{1,200}) is invalid/i.exec(text);
    if (m?.[1]) return m[1].replace(/[,.;]+$/, '');
  }
  return undefined;
}

export interface ModeTransition {
  from: AuthenticationMode;
  to: AuthenticationMode;
}

/** `Unsupported authentication mode update from CONFIG_MAP to API` → { from, to }. */
export function rejectedModeTransition(texts: readonly string[]): ModeTransition | undefined {
  for (const text of texts) {
    const m = /authentication mode update from ([A-Z_]{3,20}) to ([A-Z_]{3,20})/i.exec(text);
    const from = MODES.find((x) => x === m?.[1]?.toUpperCase());
    const to = MODES.find((x) => x === m?.[2]?.toUpperCase());
    if (from && to) return { from, to };
  }
  return undefined;
}

/** Allowed transitions only go forward: CONFIG_MAP → API_AND_CONFIG_MAP → API (EKSUG:grant-k8s-access.adoc). */
export function modeRank(mode: AuthenticationMode): number {
  return MODES.indexOf(mode);
}

/** The next allowed step from `from` toward `to`, or undefined when `to` is not ahead of `from`. */
export function nextModeStep(
  from: AuthenticationMode,
  to: AuthenticationMode,
): AuthenticationMode | undefined {
  if (modeRank(to) <= modeRank(from)) return undefined;
  return MODES[modeRank(from) + 1];
}

/**
 * The principal an EKS API call was about (the failing call stops the replay before the principal is read): the
 * path-ful IAM ARN when IAM was collected, else the canonical ARN.
 */
export function principalOfCall(sim: Simulation, incident: Incident): string | undefined {
  if (sim.principal) return sim.principal.iam?.principal.arn ?? sim.principal.canonicalArn;
  const arn = sim.input.principalArn ?? incident.principalArn;
  if (!arn) return undefined;
  const p = describePrincipal(arn, sim.index);
  return p.iam?.principal.arn ?? p.canonicalArn;
}

/** Whether the cluster already has an access entry for that principal (matched like EKS: path-less, any case). */
export function hasAccessEntry(sim: Simulation, principalArn: string): boolean {
  try {
    return sim.index.entriesByKey.has(matchKey(principalArn));
  } catch {
    return false;
  }
}
