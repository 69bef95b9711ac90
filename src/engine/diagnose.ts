/**
 * diagnose(snapshot) → Report: merge what was pasted with the flags, replay the pipeline, run every rule, rank the
 * findings so that the cause of the failing stage comes first, and render fix actions into exact commands.
 */
import { rules as allRules } from '../../rules/index.js';
import { renderFix } from '../fix/actions.js';
import type { Incident } from '../model/incident.js';
import { pathOfIncident } from '../k8s/incident-request.js';
import { isPrincipalArn } from '../eks/arn.js';
import { stages, type Finding, type Report, type Severity, type Stage } from '../model/report.js';
import { sourceNames, type Snapshot } from '../model/snapshot.js';
import { parseLogLines } from '../parse/index.js';
import { indexSnapshot } from '../simulate/context.js';
import { principalOfUsername } from '../simulate/principal-of-username.js';
import { simulate, type Simulation } from '../simulate/simulate.js';
import { buildTimeline } from '../timeline/timeline.js';
import { formatMessage, type Rule, type RuleContext } from './define-rule.js';
import { VERSION } from '../version.js';
import { sourceNotes } from './source-notes.js';

export interface DiagnoseOptions {
  principalArn?: string | undefined;
  path?: string | undefined;
  verb?: string | undefined;
  namespace?: string | undefined;
  /** Pasted lines in addition to snapshot.incident.logLines. */
  logLines?: string[] | undefined;
  clusterName?: string | undefined;
  region?: string | undefined;
  /** "now" for token ages and timelines; default: snapshot.collectedAt, else the incident time, else the clock. */
  now?: Date | undefined;
  /** Restrict to these rules (tests). */
  rules?: readonly Rule[];
}

export interface Diagnosis {
  report: Report;
  simulation: Simulation;
  incident: Incident;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

export function resolveNow(snapshot: Snapshot, options: DiagnoseOptions): Date {
  if (options.now) return options.now;
  const stamp = snapshot.collectedAt ?? snapshot.incident?.observedAt;
  const parsed = stamp ? Date.parse(stamp) : NaN;
  return Number.isNaN(parsed) ? new Date() : new Date(parsed);
}

export function diagnoseDetailed(snapshot: Snapshot, options: DiagnoseOptions = {}): Diagnosis {
  const now = resolveNow(snapshot, options);
  const lines = [...(snapshot.incident?.logLines ?? []), ...(options.logLines ?? [])];
  const parsed: Incident = lines.length ? parseLogLines(lines, { now }) : {};
  // An ARN in pasted text that does not parse is nearly always redacted (a shortened account id): replaying it would
  // blame the STS stage for the user's own edit, so it is set aside and the report says so.
  const unusableArn =
    parsed.principalArn && !isPrincipalArn(parsed.principalArn) ? parsed.principalArn : undefined;
  const incident: Incident = unusableArn ? { ...parsed, principalArn: undefined } : parsed;
  const index = indexSnapshot(snapshot);
  if (options.clusterName) index.clusterName = options.clusterName;
  if (options.region) index.region = options.region;
  index.clusterName ??= incident.clusterName;
  index.region ??= incident.region;

  // Explicit flags win over the snapshot's incident, which wins over what pasted text says.
  const pick = <K extends 'principalArn' | 'path' | 'verb' | 'namespace'>(key: K) =>
    options[key] ?? snapshot.incident?.[key] ?? incident[key];
  const observedStatus = snapshot.incident?.status ?? incident.status;
  // A pasted 403 names the resource, not the URL: replay that request rather than the discovery request.
  const givenPath = pick('path');
  const derivedPath = givenPath
    ? undefined
    : pathOfIncident({ ...incident, namespace: pick('namespace') ?? incident.namespace }, snapshot);
  // A 403 that names only a username is replayed for the one principal whose mapping sets that username.
  const named =
    pick('principalArn') === undefined && incident.username
      ? principalOfUsername(incident.username, index)
      : undefined;
  const simulation = simulate({
    snapshot,
    principalArn: pick('principalArn') ?? named?.arn,
    path: givenPath ?? derivedPath,
    verb: pick('verb'),
    namespace: pick('namespace'),
    observedStatus,
    incident,
    pastedLines: lines,
    now,
    index,
  });

  const timeline = buildTimeline(snapshot, simulation);
  const ctx: RuleContext = {
    sim: simulation,
    index,
    incident,
    timeline,
    clusterName: index.clusterName,
    region: index.region,
  };
  const findings = runRules(options.rules ?? allRules, ctx);

  const req = simulation.request;
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'eksdoctor', version: VERSION },
    request: defined({
      principalArn: simulation.principal?.arn,
      canonicalArn: simulation.principal?.canonicalArn,
      path: req.path,
      verb: req.verb,
      apiGroup: req.apiGroup,
      resource: req.resource,
      subresource: req.subresource,
      namespace: req.namespace,
      name: req.name,
      nonResourceUrl: !req.isResourceRequest,
      aggregated: simulation.aggregation.aggregated,
      observedStatus,
    }),
    verdict: {
      outcome: simulation.outcome,
      expectedStatus: simulation.expectedStatus,
      summary: verdictSummary(simulation, findings),
    },
    trace: simulation.trace,
    findings,
    sources: Object.fromEntries(
      sourceNames.map((name) => {
        const ev = snapshot[name];
        if (!ev || ev.status === 'absent') return [name, { status: 'absent' as const }];
        if (ev.status === 'denied') {
          return [
            name,
            defined({ status: 'denied' as const, permission: ev.permission, message: ev.message }),
          ];
        }
        if (ev.status === 'error') return [name, { status: 'error' as const, message: ev.message }];
        return [name, { status: 'ok' as const }];
      }),
    ),
    timeline,
  };
  const notes = sourceNotes(snapshot, simulation);
  if (named) {
    notes.unshift(
      `The pasted error names User "${incident.username ?? ''}", which only ${named.source === 'accessEntries' ? 'the access entry' : 'the aws-auth mapping'} of ${named.arn} sets: replayed as that principal.`,
    );
  }
  if (unusableArn && !simulation.principal) {
    notes.unshift(
      `The pasted text names "${unusableArn}", which is not a valid IAM ARN (redacted?): pass --principal ARN to replay it.`,
    );
  }
  if (derivedPath) {
    notes.unshift(
      `No request path was given: evaluated ${req.verb} ${derivedPath}, the request the pasted error names.`,
    );
  } else if (!simulation.pathGiven) {
    notes.unshift(
      'No request path was given: evaluated the discovery request GET /api that every client sends first.',
    );
  }
  if (notes.length) report.notes = notes;
  return { report, simulation, incident };
}

export function diagnose(snapshot: Snapshot, options: DiagnoseOptions = {}): Report {
  return diagnoseDetailed(snapshot, options).report;
}

/** Stages that answer 401: the token and STS checks, the mapping, identity rendering, and a Service-backed API. */
const STAGES_ANSWERING_401: readonly Stage[] = ['token', 'sts', 'mapping', 'identity', 'aggregation'];

/**
 * Whether a cause of `stage` explains this failure: it failed there, or the observed status settled the verdict
 * because a stage could not be evaluated (DESIGN §4) and `stage`, at or after it, answers with that same status,
 * e.g. an aggregated API's 401 behind a mapping that could not be read.
 */
export function explainsFailure(sim: Simulation, stage: Stage): boolean {
  if (sim.outcome === 'allowed' || !sim.failingStage) return false;
  if (sim.failingStage === stage) return true;
  const failing = sim.trace.find((s) => s.stage === sim.failingStage);
  const unknown = sim.trace.find((s) => s.result === 'unknown');
  if (failing?.result === 'fail' || !unknown || sim.outcome !== 'unauthenticated') return false;
  return STAGES_ANSWERING_401.includes(stage) && stages.indexOf(stage) >= stages.indexOf(unknown.stage);
}

export function runRules(rules: readonly Rule[], ctx: RuleContext): Finding[] {
  const { sim } = ctx;
  const ranked: Array<{ finding: Finding; explains: boolean; precedence: number; stageOrder: number }> = [];
  for (const rule of rules) {
    rule.check(ctx, (r) => {
      const stage = r.stage ?? rule.stage;
      const explains = explainsFailure(sim, stage);
      let severity: Severity = r.severity ?? rule.severity ?? 'error';
      // Latent risks that did not cause this failure are warnings (DESIGN §1, ranking).
      if (severity === 'error' && !explains) severity = 'warning';
      const template = rule.messages[r.messageId] ?? r.messageId;
      const finding: Finding = {
        ruleId: rule.id,
        severity,
        title: formatMessage(template, r.data),
        explanation: r.explanation,
        evidence: r.evidence,
        fixes: (r.fixes ?? []).map((plan) =>
          renderFix(plan, { clusterName: ctx.clusterName, region: ctx.region }),
        ),
        references: [...rule.references],
      };
      if (r.checks?.length) finding.checks = r.checks;
      ranked.push({ finding, explains, precedence: rule.precedence, stageOrder: stages.indexOf(stage) });
    });
  }
  ranked.sort(
    (a, b) =>
      // What explains this failure leads, even when undecided (DESIGN §1, §4); a latent risk never outranks it.
      Number(b.explains) - Number(a.explains) ||
      SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity] ||
      b.precedence - a.precedence ||
      a.stageOrder - b.stageOrder ||
      // Code-unit order, not localeCompare: ids are ASCII, and ICU collation costs tens of ms at start-up.
      (a.finding.ruleId < b.finding.ruleId ? -1 : a.finding.ruleId > b.finding.ruleId ? 1 : 0),
  );
  return ranked.map((r) => r.finding);
}

function verdictSummary(sim: Simulation, findings: Finding[]): string {
  const lead = findings[0]?.severity === 'error' ? findings[0] : undefined;
  const step = sim.trace.find((s) => s.stage === sim.failingStage);
  // When the observed status settled the verdict, the failing stage was not evaluated: its detail ("not
  // reached") would read as the reason, so say what could not be decided instead.
  const unknown = sim.trace.find((s) => s.result === 'unknown');
  const failing =
    step && step.result !== 'fail' && unknown && sim.outcome !== 'unknown'
      ? {
          ...step,
          detail: `observed, but the evidence at hand does not show why (${unknown.stage}: ${unknown.detail})`,
        }
      : step;
  switch (sim.outcome) {
    case 'allowed':
      return 'The request would be allowed: every stage of the EKS pipeline passes.';
    case 'client-error':
      return `The client failed before sending the request: ${lead?.title ?? failing?.detail ?? ''}`.trim();
    case 'unauthenticated':
      return `401 Unauthorized at the ${sim.failingStage ?? 'authentication'} stage: ${lead?.title ?? failing?.detail ?? ''}`;
    case 'forbidden':
      return `403 Forbidden at the ${sim.failingStage ?? 'authorization'} stage: ${lead?.title ?? failing?.detail ?? ''}`;
    case 'unknown':
      return `Not enough evidence to decide: ${failing?.detail ?? 'a stage could not be evaluated'}.`;
  }
}

/** Exit code of `explain` (DESIGN §2). */
export function exitCodeFor(report: Report): number {
  if (report.findings.some((f) => f.severity === 'error')) return 1;
  if (report.verdict.outcome === 'allowed') return 0;
  return 3;
}
