/**
 * A rule is one file in rules/: metadata plus a pure `check`. `defineRule` infers the union of message ids from
 * `messages`, so a report with a misspelt id does not compile (the typescript-eslint RuleCreator idea).
 */
import type { Check, EvidenceRef, Severity, Stage } from '../model/report.js';
import type { SourceName } from '../model/snapshot.js';
import type { Simulation } from '../simulate/simulate.js';
import type { FixPlan } from '../fix/actions.js';
import type { SnapshotIndex } from '../simulate/context.js';
import type { Incident } from '../model/incident.js';
import type { TimelineEvent } from '../model/report.js';

export interface RuleContext {
  sim: Simulation;
  index: SnapshotIndex;
  incident: Incident;
  timeline: TimelineEvent[];
  /** Cluster name and region as the fixes will use them. */
  clusterName: string | undefined;
  region: string | undefined;
}

export interface RuleReport<M extends string> {
  messageId: M;
  data?: Record<string, string | number>;
  /** Why: the mechanism, in the user's terms, with the values of this case. */
  explanation: string;
  evidence: EvidenceRef[];
  fixes?: FixPlan[];
  checks?: Check[];
  /** Overrides the rule's default severity (e.g. `info` when the evidence cannot decide). */
  severity?: Severity;
  /**
   * The stage this finding explains, when the cause can fail more than one (FM-03 fails mapping or authorization,
   * FM-06 the token or STS check); default: the rule's `stage`.
   */
  stage?: Stage;
}

export interface RuleDefinition<M extends string> {
  id: string;
  /** The pipeline stage whose failure this cause explains. */
  stage: Stage;
  /** Default severity when it explains the failing stage. */
  severity?: Severity;
  /** Higher goes first among findings of the same stage: the specific cause before the general one. */
  precedence: number;
  summary: string;
  /** Snapshot sources the rule reads (documentation, and the meta test checks they exist). */
  requires: readonly SourceName[];
  references: readonly string[];
  messages: Record<M, string>;
  check: (ctx: RuleContext, report: (r: RuleReport<M>) => void) => void;
}

export interface Rule extends Omit<RuleDefinition<string>, 'check' | 'messages'> {
  messages: Record<string, string>;
  check: (ctx: RuleContext, report: (r: RuleReport<string>) => void) => void;
}

export function defineRule<M extends string>(definition: RuleDefinition<M>): Rule {
  return definition as unknown as Rule;
}

/** Fills `{{name}}` placeholders; unknown names stay visible so a missing value is noticed in tests. */
export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) =>
    key in data ? String(data[key]) : whole,
  );
}
