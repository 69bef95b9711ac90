import type { Incident, IncidentSource } from '../model/incident.js';

type Scalar = Exclude<keyof Incident, 'facts' | 'groups' | 'token'>;

/**
 * Accumulates what the parsers read. The first value for a field wins (the earliest line, and within a line the
 * most specific parser, which runs first); facts accumulate in the order they were found.
 */
export class Draft {
  private readonly fields: Incident = {};
  private readonly factSet = new Set<string>();

  set<K extends Scalar>(key: K, value: Incident[K] | undefined): void {
    if (value === undefined || value === null) return;
    if (typeof value === 'number' && !Number.isFinite(value)) return;
    if (this.fields[key] === undefined) this.fields[key] = value;
  }

  get<K extends keyof Incident>(key: K): Incident[K] {
    return this.fields[key];
  }

  source(source: IncidentSource): void {
    this.set('source', source);
  }

  groups(groups: string[] | undefined): void {
    if (groups && this.fields.groups === undefined) this.fields.groups = groups;
  }

  token(token: { url: string; length: number }): void {
    if (this.fields.token === undefined) this.fields.token = token;
  }

  fact(...facts: string[]): void {
    for (const fact of facts) this.factSet.add(fact);
  }

  hasFact(fact: string): boolean {
    return this.factSet.has(fact);
  }

  /** The finished incident: fields in a stable order, `facts` only when there are some. */
  build(): Incident {
    const out: Incident = { ...this.fields };
    if (this.factSet.size > 0) out.facts = [...this.factSet];
    return out;
  }
}
