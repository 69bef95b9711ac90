/**
 * Named exports of a dynamically imported package. Node gives CommonJS packages named exports (cjs-module-lexer);
 * the esbuild bundle gives them only a default export holding `module.exports`. `probe` is one export we need.
 */
export function interop<T extends object>(mod: T, probe: keyof T): T {
  if (typeof mod[probe] !== 'undefined') return mod;
  const fallback = (mod as { default?: unknown }).default;
  return fallback && typeof fallback === 'object' ? (fallback as T) : mod;
}
