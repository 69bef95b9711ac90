import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSnapshotText } from '../../src/model/load.js';
import type { Snapshot } from '../../src/model/snapshot.js';

export interface SampleMeta {
  title: string;
  expectRules: string[];
  expectOutcome: 'unauthenticated' | 'forbidden' | 'allowed' | 'client-error' | 'unknown';
}

export interface Sample {
  name: string;
  file: string;
  snapshot: Snapshot;
  meta: SampleMeta;
}

export const SAMPLES_DIR = join(import.meta.dirname, '..', '..', 'samples');

export function loadSamples(): Sample[] {
  return readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = join(SAMPLES_DIR, f);
      const snapshot = parseSnapshotText(readFileSync(file, 'utf8'), file);
      const meta = (snapshot as Snapshot & { eksdoctorSample?: SampleMeta }).eksdoctorSample;
      if (!meta) throw new Error(`${f} has no eksdoctorSample block`);
      return { name: f.replace(/\.json$/, ''), file, snapshot, meta };
    });
}

export function loadSample(name: string): Sample {
  const found = loadSamples().find((s) => s.name === name);
  if (!found) throw new Error(`no sample ${name}`);
  return found;
}
