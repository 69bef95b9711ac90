/**
 * State whose latest value key handlers can read at once. Keys can arrive faster than React commits a render
 * (a paste split into chunks, Down then Enter typed quickly), so handlers must never read a stale closure: updates
 * apply to the ref immediately and render afterwards.
 */
import { useCallback, useRef, useState } from 'react';

export type Update<T> = T | ((current: T) => T);

export function useLatestState<T>(
  initial: T | (() => T),
): [T, (update: Update<T>) => void, { readonly current: T }] {
  const [state, setState] = useState(initial);
  const ref = useRef(state);
  const set = useCallback((update: Update<T>) => {
    ref.current = typeof update === 'function' ? (update as (current: T) => T)(ref.current) : update;
    setState(ref.current);
  }, []);
  return [state, set, ref];
}
