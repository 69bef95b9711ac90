/** Live collection, the offline evidence kit and redaction (DESIGN §1 collect, §2 collect/redact). */
export type { CollectOptions, ProgressEvent, ProgressListener, ProgressSource } from './types.js';
export { collectSnapshot } from './collect.js';
export { redactSnapshot } from './redact.js';
export { collectScript, EVIDENCE_FILES } from './script.js';
export { snapshotFromEvidenceDir } from './evidence-dir.js';
export { parseDuration } from './duration.js';
