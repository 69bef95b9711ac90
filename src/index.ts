/** The eksdoctor library (DESIGN §6). */
export { canonicalArn, parseArn, stripPath, ArnError, type ParsedArn } from './eks/arn.js';
export { requestAttributes, type RequestAttributes } from './k8s/request-info.js';
export { policyRulesAllow } from './k8s/rbac.js';
export { parseLogLine, parseLogLines, decodeToken } from './parse/index.js';
export { diagnose, diagnoseDetailed, exitCodeFor, type DiagnoseOptions } from './engine/diagnose.js';
export { simulate, type Simulation } from './simulate/simulate.js';
export { parseSnapshotText, validateSnapshot } from './model/load.js';
export { parseAwsAuth } from './eks/aws-auth.js';
export { rules } from '../rules/index.js';
export type {
  Snapshot,
  Evidence,
  PolicyRule,
  AccessEntry,
  AssociatedAccessPolicy,
  ConfigMap,
} from './model/snapshot.js';
export type { Incident } from './model/incident.js';
export type { Report, Finding, TraceStep, Fix, Command, Stage, Outcome } from './model/report.js';
export { VERSION } from './version.js';
