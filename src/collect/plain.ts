/** SDK outputs hold Date objects and `$metadata`; snapshots hold JSON with ISO 8601 strings, as the CLI prints. */
export function toPlain<T = unknown>(value: unknown): T {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) => (key === '$metadata' || key === '$response' ? undefined : v)),
  ) as T;
}
