import type { Incident, IncidentSource } from '../model/incident.js';

type Scalar = Exclude<keyof Incident, 'facts' | 'groups' | 'token'>;

/**
 * How far out a source's frame sits. A wrapper names the tool the user ran, and the text it wraps does not: a
 * Terraform frame around Helm's message, Lens's proxy log around the exec plugin's error, kubectl's `error:` line
 * after the Status body it received. A later line of a higher rank corrects the source; equal ranks keep the first.
 */
const SOURCE_RANK: Record<IncidentSource, number> = {
  unknown: 0,
  token: 0,
  kubeconfig: 0,
  'kube-apiserver': 1,
  'aws-cli': 2,
  'exec-plugin': 2,
  kubectl: 3,
  authenticator: 3,
  audit: 3,
  helm: 4,
  lens: 5,
  argocd: 5,
  console: 5,
  terraform: 6,
};

/**
 * Accumulates what the parsers read. The first value for a field wins (the earliest line, and within a line the
 * most specific parser, which runs first), except over a fallback (`fallback`), which any explicit value
 * replaces, and for the source, which follows SOURCE_RANK; facts accumulate in the order they were found.
 */
export class Draft {
  private readonly fields: Incident = {};
  private readonly factSet = new Set<string>();
  /** Fields holding a fallback guess (e.g. a bare ARN on an echoed command line) rather than an explicit value. */
  private readonly fallbacks = new Set<Scalar>();

  set<K extends Scalar>(key: K, value: Incident[K] | undefined): void {
    if (value === undefined || value === null) return;
    if (typeof value === 'number' && !Number.isFinite(value)) return;
    if (this.fields[key] === undefined || this.fallbacks.delete(key)) this.fields[key] = value;
  }

  /** A guess any explicit value read later replaces (`User: <arn>` outranks the first ARN on an echoed command). */
  fallback<K extends Scalar>(key: K, value: Incident[K] | undefined): void {
    if (value === undefined || value === null || this.fields[key] !== undefined) return;
    this.fields[key] = value;
    this.fallbacks.add(key);
  }

  get<K extends keyof Incident>(key: K): Incident[K] {
    return this.fields[key];
  }

  source(source: IncidentSource): void {
    const current = this.fields.source;
    if (current === undefined || SOURCE_RANK[source] > SOURCE_RANK[current]) this.fields.source = source;
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
