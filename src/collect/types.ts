import type { SourceName } from '../model/snapshot.js';

export interface CollectOptions {
  cluster: string;
  region?: string | undefined;
  profile?: string | undefined;
  /**
   * The failing principal. Without it, principal-specific evidence (access entry, IAM) is collected for the identity
   * that collects (callerIdentity, what `aws eks get-token` would use), but incident.principalArn stays unset.
   */
  principalArn?: string | undefined;
  path?: string | undefined;
  verb?: string | undefined;
  namespace?: string | undefined;
  context?: string | undefined;
  kubeconfig?: string | undefined;
  /** Look-back window for CloudTrail and logs, like 24h, 90m, 7d; default 24h (CloudTrail keeps 90 days). */
  since?: string | undefined;
  now?: Date | undefined;
  signal?: AbortSignal | undefined;
  /** Collect from the Kubernetes API (default true). */
  kubernetes?: boolean | undefined;
  /** Read control-plane logs from CloudWatch Logs (default true). */
  logs?: boolean | undefined;
  /** Look up CloudTrail events (default true). */
  cloudTrail?: boolean | undefined;
  /** Per-attempt timeout of each AWS or Kubernetes call (default 10 s). */
  timeoutMs?: number | undefined;
}

/** Progress per source; `subjectAccessReview` is the live cross-check stored beside the DESIGN §3 sources. */
export type ProgressSource = SourceName | 'subjectAccessReview';

export interface ProgressEvent {
  source: ProgressSource;
  state: 'start' | 'ok' | 'denied' | 'error' | 'absent';
  detail?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;
