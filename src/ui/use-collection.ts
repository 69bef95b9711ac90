/**
 * Runs a diagnosis plan: live collection (abortable, one row per source as progress arrives), then the diagnosis.
 * A plan without a cluster skips collection and diagnoses the pasted text alone.
 */
import { useCallback, useRef, useState } from 'react';
import type { Report } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import { applyProgress, type SourceLine } from './collect-lines.js';
import type { DiagnosisPlan } from './form-model.js';
import type { AppServices } from './services.js';

export interface Collection {
  target: string;
  sources: SourceLine[];
  /** Why collection as a whole failed (no credentials, no region…). */
  failure?: string | undefined;
  /** Resolves to the report, or undefined when cancelled or failed (see `failure` / the rejection). */
  run: (plan: DiagnosisPlan) => Promise<Report | undefined>;
  /** Aborts whatever is running (its signal fires; late results are dropped). */
  cancel: () => void;
}

export function useCollection(services: AppServices): Collection {
  const [target, setTarget] = useState('');
  const [sources, setSources] = useState<SourceLine[]>([]);
  const [failure, setFailure] = useState<string | undefined>();
  const running = useRef<AbortController | undefined>(undefined);

  const cancel = useCallback(() => running.current?.abort(), []);
  const run = async (plan: DiagnosisPlan): Promise<Report | undefined> => {
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    setTarget(plan.target);
    setSources([]);
    setFailure(undefined);
    const { signal } = controller;
    try {
      const snapshot: Snapshot = plan.collect
        ? await services.collect({ ...plan.collect, signal }, (event) => {
            if (!signal.aborted) setSources((list) => applyProgress(list, event));
          })
        : { schemaVersion: 1 };
      const report = await services.diagnose(snapshot, plan.diagnose);
      return signal.aborted ? undefined : report;
    } catch (error) {
      if (signal.aborted) return undefined;
      if (!plan.collect) throw error;
      setFailure(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  };
  return { target, sources, failure, run, cancel };
}
