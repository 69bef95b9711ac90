/**
 * The `yaml` package's AST → the Go values yaml.v2 decodes (decode.go, resolve.go), as sigs.k8s.io/yaml then
 * converts them: timestamps and `12:30` stay text (yaml.v2 has no base 60 and keeps timestamps as text in an
 * interface{}); aliases take the latest anchor before them and are limited like yaml.v2's ("excessive
 * aliasing"); merged keys override the keys before them. Read into interface{}, an unquoted `{{SessionName}}`
 * (a mapping used as a key) fails yaml.v2, and a null key or NaN/Inf fails the JSON conversion.
 */
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Scalar } from 'yaml';

/** A scalar yaml.v2 resolves to a number or a boolean; `text` is how it was written. */
export interface NonString {
  kind: 'number' | 'boolean';
  text: string;
}
export type YamlValue = string | null | NonString | YamlValue[] | YamlMap;
export type YamlMap = Map<string, YamlValue>;

/** The section is rejected: yaml.v2 or the conversion to JSON fails. */
export class YamlRejected extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

const NON_FINITE = /^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/;

export function offsetOf(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}

/** yaml.v2 decode.go: a document that is mostly alias expansion is rejected. */
function allowedAliasRatio(decoded: number): number {
  if (decoded <= 400_000) return 0.99;
  if (decoded >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decoded - 400_000) / 3_600_000);
}

/** Walks the AST in document order, so an alias meets the latest anchor before it, as in libyaml. */
export class ValueReader {
  private readonly anchors = new Map<string, { value: YamlValue; size: number } | 'reading'>();
  private written = 0; // nodes in the text
  private expanded = 0; // nodes decoded, aliases expanded (yaml.v2's decodeCount)
  /** The first value JSON cannot hold; yaml.v2 itself succeeds, so its own errors come first. */
  jsonError: YamlRejected | undefined;

  constructor(
    private readonly text: string,
    private readonly lineOf: (offset: number) => number,
    private readonly into: 'interface' | 'strings',
  ) {}

  read(node: unknown): YamlValue {
    if (isAlias(node)) return this.expand(node.source, offsetOf(node) ?? 0);
    this.written++;
    const before = this.expanded++;
    const anchor = isScalar(node) || isMap(node) || isSeq(node) ? node.anchor : undefined;
    if (anchor) this.anchors.set(anchor, 'reading');
    let value: YamlValue = null;
    if (isScalar(node)) value = this.scalar(node);
    else if (isMap(node)) value = this.map(node.items);
    else if (isSeq(node)) value = node.items.map((item) => this.read(item));
    if (anchor) this.anchors.set(anchor, { value, size: this.expanded - before });
    return value;
  }

  private expand(name: string, offset: number): YamlValue {
    const anchor = this.anchors.get(name);
    if (anchor === undefined) {
      throw new YamlRejected(`unknown anchor '${name}' referenced`, this.lineOf(offset));
    }
    if (anchor === 'reading') {
      throw new YamlRejected(`anchor '${name}' value contains itself`, this.lineOf(offset));
    }
    this.expanded += anchor.size;
    const aliased = this.expanded - this.written;
    if (aliased > 100 && this.expanded > 1000 && aliased / this.expanded > allowedAliasRatio(this.expanded)) {
      throw new YamlRejected('document contains excessive aliasing');
    }
    return anchor.value;
  }

  private scalar(node: Scalar): YamlValue {
    const { value } = node;
    const text = node.source ?? String(value);
    if (value === null) return null;
    if (typeof value === 'boolean') return { kind: 'boolean', text };
    if (typeof value !== 'number' || node.format === 'TIME') return text;
    if (Number.isFinite(value)) return { kind: 'number', text };
    if (!NON_FINITE.test(text)) return text; // such as 1e400: yaml.v2 cannot parse it as a float64
    this.jsonFails(`json: unsupported value: ${text} (a YAML float JSON cannot hold)`, offsetOf(node) ?? 0);
    return { kind: 'number', text };
  }

  private map(pairs: unknown[]): YamlMap {
    const map: YamlMap = new Map();
    for (const pair of pairs) {
      if (!isPair(pair)) continue;
      const { key, value } = pair;
      if (isScalar(key) && key.type === 'PLAIN' && !key.tag && key.source === '<<') {
        this.merge(map, this.read(value), offsetOf(value));
        continue;
      }
      const name = this.read(key);
      const read = this.read(value);
      const at = offsetOf(key) ?? offsetOf(value) ?? 0;
      if (typeof name === 'string') map.set(name, read);
      // sigs.k8s.io/yaml formats number and boolean keys: `yes:` becomes "true".
      else if (name && 'text' in name) map.set(isScalar(key) ? String(key.value) : name.text, read);
      else if (name === null) this.jsonFails('unsupported map key of type: <nil> (an empty mapping key)', at);
      else if (this.into === 'interface') throw new YamlRejected(this.invalidKeyMessage(at), this.lineOf(at));
    }
    return map;
  }

  /** yaml.v2: a mapping or a list of them, earlier ones winning; merged keys override the keys before. */
  private merge(into: YamlMap, value: YamlValue, offset: number | undefined): void {
    const sources = Array.isArray(value) ? [...value].reverse() : [value];
    const maps = sources.filter((source): source is YamlMap => source instanceof Map);
    if (maps.length < sources.length) {
      throw new YamlRejected(
        'map merge requires map or sequence of maps as the value',
        this.lineOf(offset ?? 0),
      );
    }
    for (const map of maps) for (const [key, v] of map) into.set(key, v);
  }

  private jsonFails(message: string, offset: number): void {
    if (this.into === 'interface') this.jsonError ??= new YamlRejected(message, this.lineOf(offset));
  }

  private invalidKeyMessage(offset: number): string {
    const start = this.text.lastIndexOf('\n', offset - 1) + 1;
    const end = this.text.indexOf('\n', offset);
    const line = this.text.slice(start, end < 0 ? undefined : end).trim();
    const template = /\{\{\s*(\w+)\s*\}\}/.exec(line)?.[0];
    const quoted = `\`${line.slice(0, 120)}\``;
    if (!template) return `${quoted}: a mapping key is itself a mapping or list ("invalid map key")`;
    return `${quoted}: the unquoted ${template} is a YAML flow mapping, not text, so the YAML-to-JSON conversion fails ("invalid map key"; quote it, e.g. "admin:${template}")`;
  }
}
