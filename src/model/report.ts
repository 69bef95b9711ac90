/** The JSON report (DESIGN §4, schemaVersion 1) and the typed pieces it is made of. */

export type Stage = 'client' | 'token' | 'sts' | 'mapping' | 'identity' | 'authorization' | 'aggregation';
export const stages: readonly Stage[] = [
  'client',
  'token',
  'sts',
  'mapping',
  'identity',
  'authorization',
  'aggregation',
];
export type StepResult = 'pass' | 'fail' | 'skip' | 'unknown';

export interface TraceStep {
  stage: Stage;
  result: StepResult;
  detail: string;
}

export type Severity = 'error' | 'warning' | 'info';
export type Outcome = 'unauthenticated' | 'forbidden' | 'allowed' | 'client-error' | 'unknown';

export interface Command {
  tool: 'aws' | 'eksctl' | 'kubectl' | 'shell';
  argv: string[];
  text: string;
}

export interface Fix {
  title: string;
  commands: Command[];
  snippet?: { language: 'yaml' | 'json' | 'hcl'; content: string };
  notes?: string;
}

export interface Check {
  title: string;
  commands: Array<{ tool: string; argv: string[]; text: string }>;
}

export interface EvidenceRef {
  source: string;
  /** JSON Pointer into the snapshot. */
  pointer: string;
  note?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  explanation: string;
  evidence: EvidenceRef[];
  fixes: Fix[];
  checks?: Check[];
  references: string[];
}

export interface TimelineEvent {
  time: string;
  event: string;
  actor?: string;
  detail: string;
  source: string;
  pointer?: string;
  /** Additive: marks the last observation of working access and the first observed failure. */
  marker?: 'last-worked' | 'first-failed';
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'eksdoctor'; version: string };
  request: {
    principalArn?: string;
    canonicalArn?: string;
    path?: string;
    verb?: string;
    apiGroup?: string;
    resource?: string;
    subresource?: string;
    namespace?: string;
    name?: string;
    nonResourceUrl?: boolean;
    aggregated?: boolean;
    observedStatus?: number;
  };
  verdict: { outcome: Outcome; expectedStatus: number | null; summary: string };
  trace: TraceStep[];
  findings: Finding[];
  sources: Record<
    string,
    { status: 'ok' | 'denied' | 'error' | 'absent'; permission?: string; message?: string }
  >;
  /** Additive: auth-relevant changes around the incident, oldest first. */
  timeline?: TimelineEvent[];
  /** Additive: what could not be seen and which permission would reveal it. */
  notes?: string[];
}
