/**
 * The one-line message about the last action ("Copied …", "Wrote …"). It stays until the next key: useKeys
 * (keys.ts) clears it before a screen's key handler runs.
 */
import { createContext, useContext } from 'react';

export interface Status {
  message?: string | undefined;
  say: (message: string) => void;
  clear: () => void;
}

export const StatusContext = createContext<Status>({ say: () => undefined, clear: () => undefined });

export function useStatus(): Status {
  return useContext(StatusContext);
}
